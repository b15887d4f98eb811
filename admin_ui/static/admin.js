// Huế e-card console: the little script the pages need. No inline script anywhere
// (the Content-Security-Policy forbids it); everything hangs off data- attributes.
(function () {
  "use strict";

  // Live taps: one EventSource per open page; rows are built with textContent only.
  // The server sends every text already translated; the browser only places it.
  function startLiveTaps(table) {
    var body = table.querySelector("tbody");
    var status = document.getElementById(table.getAttribute("data-status"));
    var empty = document.getElementById("live-empty");
    var source = new EventSource(table.getAttribute("data-live"));
    source.addEventListener("taps", function (event) {
      var taps = JSON.parse(event.data);
      taps.forEach(function (tap) {
        var row = document.createElement("tr");
        [tap.time, tap.reader, tap.holder || "—", tap.card || "—", tap.decision_label, tap.reason]
          .forEach(function (value, index) {
            var cell = document.createElement("td");
            var text = cell;
            if (index === 4) {
              text = document.createElement("span");
              text.className = "badge decision-" + tap.decision;
              cell.appendChild(text);
            }
            text.textContent = value;
            if (index === 5) { cell.title = tap.reason_code; }
            row.appendChild(cell);
          });
        body.insertBefore(row, body.firstChild);
      });
      while (body.rows.length > 200) { body.deleteRow(body.rows.length - 1); }
      if (empty) { empty.hidden = true; }
    });
    source.addEventListener("open", function () { if (status) { status.textContent = status.getAttribute("data-open"); } });
    source.addEventListener("error", function () { if (status) { status.textContent = status.getAttribute("data-retry"); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-live]").forEach(startLiveTaps);
  });
})();
