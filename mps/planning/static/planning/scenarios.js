// Draw the scenarios' cost and staff as grouped bars; the data comes from the page (json_script).
document.addEventListener("DOMContentLoaded", function () {
  const source = document.getElementById("scenario-chart-data");
  const canvas = document.getElementById("scenario-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const locale = document.documentElement.lang || "ro";
  const format = new Intl.NumberFormat(locale);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.series.annual.label, data: data.series.annual.values, yAxisID: "cost", backgroundColor: "#1c6ea4" },
        { label: data.series.first_year.label, data: data.series.first_year.values, yAxisID: "cost", backgroundColor: "#7fb3d5" },
        { label: data.series.staff.label, data: data.series.staff.values, yAxisID: "staff", backgroundColor: "#e08e0b" },
      ],
    },
    options: {
      responsive: true,
      locale: locale,
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => data.titles[items[0].dataIndex],
            label: (item) => item.dataset.label + ": " + format.format(item.parsed.y),
          },
        },
      },
      scales: {
        cost: { type: "linear", position: "left", title: { display: true, text: data.series.annual.label } },
        staff: { type: "linear", position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: data.series.staff.label } },
      },
    },
  });
});
