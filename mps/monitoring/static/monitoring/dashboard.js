// Draw the dashboard's charts with Chart.js from the data the page embeds; hidden cells are gaps (null).
(function () {
  "use strict";
  const source = document.getElementById("monitoring-charts");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  // Axis and tooltip numbers in the page's language ("43,8" in Romanian), not the browser's.
  Chart.defaults.locale = document.documentElement.lang || "ro";
  const colours = { high: "#b3261e", medium: "#d97706", low: "#2f855a", none: "#64748b", brand: "#005a9c", second: "#7aa7d6" };
  const riskColours = [colours.high, colours.medium, colours.low, colours.none];

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  // Risk pyramid: households to the left, children to the right, highest risk on top.
  draw("chart-pyramid", {
    type: "bar",
    data: {
      labels: data.pyramid.labels,
      datasets: [
        { label: data.pyramid.households_label, data: data.pyramid.households.map((v) => (v === null ? null : -v)), backgroundColor: riskColours },
        { label: data.pyramid.children_label, data: data.pyramid.children, backgroundColor: riskColours.map((c) => c + "99") },
      ],
    },
    options: {
      indexAxis: "y",
      animation: false,
      scales: { x: { stacked: true, ticks: { callback: (v) => Math.abs(v) } }, y: { stacked: true } },
      plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + Math.abs(c.raw) } } },
    },
  });
  draw("chart-dimensions", {
    type: "bar",
    data: {
      labels: data.dimensions.labels,
      datasets: [
        { label: data.dimensions.households_label, data: data.dimensions.households, backgroundColor: colours.brand },
        { label: data.dimensions.children_label, data: data.dimensions.children, backgroundColor: colours.second },
      ],
    },
    options: { indexAxis: "y", animation: false, scales: { x: { beginAtZero: true, max: 100 } } },
  });
  draw("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.labels,
      datasets: [
        { label: data.trend.high_label, data: data.trend.high, borderColor: colours.high, backgroundColor: colours.high },
        { label: data.trend.medium_label, data: data.trend.medium, borderColor: colours.medium, backgroundColor: colours.medium },
        { label: data.trend.children_label, data: data.trend.children, borderColor: colours.brand, backgroundColor: colours.brand },
      ],
    },
    options: { animation: false, spanGaps: false, scales: { y: { beginAtZero: true, max: 100 } } },
  });
  draw("chart-services", {
    type: "bar",
    data: { labels: data.services.labels, datasets: [{ label: data.services.label, data: data.services.values, backgroundColor: colours.brand }] },
    options: { indexAxis: "y", animation: false, scales: { x: { beginAtZero: true } } },
  });
})();
