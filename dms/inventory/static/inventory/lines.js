// Line editor of receipts, counts and transfers: "Add rows" adds a blank row here instead
// of reloading the page (without this script the button posts and the server adds rows),
// and × clears a row.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-line-add]");
    if (add) {
      var body = add.closest("[data-lines]").querySelector("[data-lines-body]");
      var last = body.querySelector("tr[data-line]:last-child");
      if (!last) { return; }
      event.preventDefault();
      var row = last.cloneNode(true);
      row.classList.remove("has-error");
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelectorAll(".errorlist, .sub").forEach(function (el) { el.remove(); });
      body.appendChild(row);
      if (window.htmx) { window.htmx.process(row); }
      row.querySelector("input").focus();
      return;
    }
    var clear = event.target.closest("[data-line-clear]");
    if (clear) {
      var tr = clear.closest("tr");
      tr.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      tr.querySelectorAll(".errorlist, .sub").forEach(function (el) { el.remove(); });
      tr.classList.remove("has-error");
    }
  });
  // Enter in a product field moves to its quantity (a barcode scanner ends with Enter)
  // instead of submitting the form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-lines] input[name='product']")) { return; }
    event.preventDefault();
    var qty = event.target.closest("tr").querySelector("input[name='quantity']");
    if (qty) { qty.focus(); }
  });
})();
