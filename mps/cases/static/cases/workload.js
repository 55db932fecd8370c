// Caseload per worker as bars, with the 125–250 norm drawn as two lines across the chart.
(function () {
  var canvas = document.getElementById("workload-chart");
  var data = JSON.parse(document.getElementById("workload-data").textContent);
  if (!canvas || !window.Chart) { return; }
  window.Chart.defaults.locale = document.documentElement.lang || "ro";
  var flat = function (value) { return data.labels.map(function () { return value; }); };
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: data.label_year, data: data.in_year, backgroundColor: "#005a9c" },
        { type: "bar", label: data.label_active, data: data.active, backgroundColor: "#8cc4f0" },
        { type: "line", label: data.label_low, data: flat(data.low), borderColor: "#d97706", borderDash: [6, 4], pointRadius: 0 },
        { type: "line", label: data.label_high, data: flat(data.high), borderColor: "#b3261e", borderDash: [6, 4], pointRadius: 0 }
      ]
    },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
  });
})();
