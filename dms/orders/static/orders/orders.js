// Review queue: a "select all" checkbox for the rows' checkboxes. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-check-all]")) { return; }
    var group = box.getAttribute("data-check-all");
    document.querySelectorAll('input[data-check="' + group + '"]').forEach(function (el) { el.checked = box.checked; });
  });
})();
