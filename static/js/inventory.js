/* Scanner input on the receive and count pages: a scanner types the digits and Enter.
   The matching line (by barcode or SKU) is scrolled to, its quantity goes up by one
   and it is focused; on the count page the change saves the line (htmx). A line shows
   its "saved" tick only when the server's row (data-saved) matches what was entered. */
(function () {
  "use strict";
  // Scans of a line whose save is still in flight: applied once its new row is in place,
  // so that a fast scanner never loses a count to the row being swapped.
  var pending = {};
  // A row is busy while its save is in flight and while htmx swaps it: the old row is
  // about to go, and the new one has no listeners until it has settled (a change there
  // would never be sent) and gets its classes reset at settle.
  function busy(line) {
    var form = line.querySelector("form");
    return (form && form.classList.contains("htmx-request")) ||
      ["htmx-swapping", "htmx-added", "htmx-settling"].some(function (name) {
        return line.classList.contains(name);
      });
  }
  function bump(line, by) {
    var qty = line.querySelector("input[type=number]");
    if (!qty) return false;
    qty.value = String((parseFloat(qty.value) || 0) + by);
    line.classList.add("unsaved");
    qty.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(pending).forEach(function (id) {
      var line = document.getElementById(id);
      if (!line || busy(line)) return;
      var by = pending[id];
      delete pending[id];
      bump(line, by);
    });
  });
  // Typing hides the line's "saved" tick until the server answers with the new row.
  document.addEventListener("input", function (event) {
    var line = event.target.closest && event.target.closest(".line[data-saved]");
    if (line) line.classList.toggle("unsaved", event.target.value !== line.dataset.saved);
  });
  function onScan(event) {
    var input = event.target;
    if (!input.matches("[data-scan-input]") || event.key !== "Enter") return;
    event.preventDefault();
    var code = input.value.trim();
    var box = input.closest("[data-scan-form]");
    var message = box && box.querySelector("[data-scan-message]");
    input.value = "";
    if (!code) return;
    var line = null;
    document.querySelectorAll(".line[data-sku]").forEach(function (row) {
      if (!line && (row.dataset.barcode === code || row.dataset.sku.toUpperCase() === code.toUpperCase())) line = row;
    });
    if (!line) {
      if (message) message.textContent = (input.dataset.unknown || "Not on this list: ") + code;
      return;
    }
    if (message) message.textContent = "";
    if (line.id && (pending[line.id] || busy(line))) {
      pending[line.id] = (pending[line.id] || 0) + 1;
      line.classList.add("unsaved");
    } else if (!bump(line, 1)) {
      return;
    }
    line.scrollIntoView({ block: "center" });
    input.focus();
  }
  document.addEventListener("keydown", onScan);
  // A scanner ends with Enter: in a product field it moves on to the quantity (the field
  // named by data-enter-next, else the next input of the same line) instead of submitting.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("[data-enter-next]")) return;
    var target = input.dataset.enterNext
      ? document.getElementById(input.dataset.enterNext)
      : input.closest("[data-line]") && input.closest("[data-line]").querySelector("input[name=line-quantity]");
    if (!target) return;
    event.preventDefault();
    target.focus();
  });
  // New order / transfer pages: "Remove" takes its line row away (rows are added by htmx).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-line]");
    var row = button && button.closest("[data-line]");
    if (row) row.remove();
  });
})();
