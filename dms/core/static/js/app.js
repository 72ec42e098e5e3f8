// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // <button data-confirm="…"> asks before submitting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // <form data-autosubmit> submits when a select or checkbox changes.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && (event.target.tagName === "SELECT" || event.target.type === "checkbox" || event.target.type === "date")) {
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
  // Region pickers: <select data-region-child="#id"> loads the next level.
  document.addEventListener("change", function (event) {
    var sel = event.target;
    if (!sel.matches || !sel.matches("select[data-region-level]")) { return; }
    var form = sel.form, level = parseInt(sel.getAttribute("data-region-level"), 10);
    var hidden = form.querySelector("input[data-region-value]");
    var selects = form.querySelectorAll("select[data-region-level]");
    selects.forEach(function (s) {
      if (parseInt(s.getAttribute("data-region-level"), 10) > level) { s.innerHTML = ""; s.disabled = true; }
    });
    if (hidden) { hidden.value = sel.value || (level > 0 ? selects[level - 1].value : ""); }
    var next = form.querySelector('select[data-region-level="' + (level + 1) + '"]');
    if (!next || !sel.value) { return; }
    fetch(sel.getAttribute("data-region-url") + "?parent=" + encodeURIComponent(sel.value), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        next.innerHTML = '<option value="">—</option>';
        data.results.forEach(function (item) {
          var opt = document.createElement("option");
          opt.value = item.code; opt.textContent = item.name; next.appendChild(opt);
        });
        next.disabled = data.results.length === 0;
      });
  });
  // Close the portal menu after a click on one of its links.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("details.menu nav a");
    if (link) { link.closest("details").removeAttribute("open"); }
  });
})();
