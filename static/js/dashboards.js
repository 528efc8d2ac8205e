/* KPI trend charts: one small line chart per KPI from the page's #kpi-trends JSON.
   Chart.js is served from our own static files (vendor/chartjs), never from a CDN. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("kpi-trends");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var trends = JSON.parse(source.textContent);
    var colour = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1f5fae";
    trends.series.forEach(function (series) {
      var canvas = document.querySelector('canvas[data-trend="' + series.code + '"]');
      if (!canvas) {
        return;
      }
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: trends.labels,
          datasets: [{
            label: series.label + (series.unit ? " (" + series.unit + ")" : ""),
            data: series.data,
            borderColor: colour,
            backgroundColor: colour,
            spanGaps: true,
            pointRadius: 2,
            tension: 0.2
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { ticks: { maxTicksLimit: 6 } } }
        }
      });
      canvas.dataset.drawn = "true";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
