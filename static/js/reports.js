// The reports page: after an order, focus moves to the new row and a live region says
// that it was ordered, and again when it is done or has failed. Rows are swapped in place
// by htmx while they poll, so a row that had focus gets it back after its swap.
(function () {
  var region = document.getElementById("report-announcement");
  if (!region) {
    return;
  }
  var announce = function (text) {
    // Emptied first, so that the same words twice are still read out.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  };
  var newRow = document.querySelector("[data-new-report]");
  var newRowId = newRow ? newRow.id : "";
  if (newRow) {
    newRow.focus();
    newRow.scrollIntoView({ block: "center" });
    announce(region.dataset.announce || "");
  }
  var hadFocus = "";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    hadFocus = target && target.contains(document.activeElement) ? target.id : "";
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var id = event.detail.target.id;
    var row = id ? document.getElementById(id) : null;
    if (!row) {
      return;
    }
    if (hadFocus === id) {
      row.focus();
    }
    if (id === newRowId && row.dataset.finished === "true") {
      announce(row.dataset.summary || "");
      newRowId = "";
    }
  });
})();
