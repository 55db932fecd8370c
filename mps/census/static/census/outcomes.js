// The census campaign's visit outcomes as a doughnut; the figures come from the page (json_script).
(function () {
  var source = document.getElementById("outcomes-data");
  var canvas = document.getElementById("outcomes-chart");
  if (!window.Chart || !source || !canvas) return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "doughnut",
    data: {labels: data.labels, datasets: [{data: data.values, backgroundColor: data.colours}]},
    options: {plugins: {legend: {display: false}}, animation: false}
  });
})();
