// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// (Django's json_script). The JSON is a Chart.js config: {"type", "data": {"labels", "datasets"}, "options"}.
// Loaded with chart-4.4.7.umd.min.js; works under the strict CSP (no inline script, no eval).
(function () {
  "use strict";
  var palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

  function draw(root) {
    if (typeof Chart === "undefined") return;
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var config = JSON.parse(source.textContent);
      (config.data.datasets || []).forEach(function (set, i) {
        var colour = palette[i % palette.length];
        if (config.type === "pie" || config.type === "doughnut") {
          set.backgroundColor = set.backgroundColor || set.data.map(function (_, j) { return palette[j % palette.length]; });
        } else {
          set.backgroundColor = set.backgroundColor || colour;
          set.borderColor = set.borderColor || colour;
        }
      });
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
