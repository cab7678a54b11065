/* The region grid: live totals while typing, Enter moves down a column (Shift+Enter up).
   The page works without this file: the form posts the whole grid and the server adds up. */
(function () {
  "use strict";

  function setUp() {
    var form = document.querySelector("form[data-grid]");
    if (!form) {
      return;
    }
    var separator = form.getAttribute("data-thousands") || " ";
    var channels = ["online", "offline"];
    var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-grid-row]"));
    var columns = {};
    channels.forEach(function (channel) {
      columns[channel] = Array.prototype.slice.call(form.querySelectorAll('input.figure[data-channel="' + channel + '"]'));
    });
    var saveButton = form.querySelector("[data-grid-save]");

    // A figure as the server reads it: digits only, spaces between thousands allowed; "" counts as nothing yet.
    function parse(text) {
      var digits = text.replace(/[\s\u00a0\u202f]/g, "");
      if (digits === "") {
        return 0;
      }
      return /^[0-9]+$/.test(digits) ? Number(digits) : NaN;
    }

    // Grouped like the server formats numbers for this language (the separator comes from the page).
    function format(value) {
      return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
    }

    function setText(element, value) {
      if (element) {
        element.textContent = format(value);
      }
    }

    function update() {
      var totals = { online: 0, offline: 0 };
      rows.forEach(function (row) {
        var rowTotal = 0;
        row.querySelectorAll("input.figure").forEach(function (input) {
          var value = parse(input.value);
          var invalid = isNaN(value);
          input.classList.toggle("is-invalid", invalid);
          if (!invalid) {
            rowTotal += value;
            totals[input.getAttribute("data-channel")] += value;
          }
        });
        setText(row.querySelector("[data-row-total]"), rowTotal);
      });
      setText(form.querySelector('[data-column-total="online"]'), totals.online);
      setText(form.querySelector('[data-column-total="offline"]'), totals.offline);
      setText(form.querySelector("[data-grand-total]"), totals.online + totals.offline);
    }

    function focusCell(input) {
      input.focus();
      input.select();
    }

    function move(input, step) {
      var channel = input.getAttribute("data-channel");
      var column = columns[channel];
      var index = column.indexOf(input) + step;
      if (index >= 0 && index < column.length) {
        focusCell(column[index]);
        return;
      }
      var other = channels[channels.indexOf(channel) + step];
      if (other && columns[other].length) {
        focusCell(step > 0 ? columns[other][0] : columns[other][columns[other].length - 1]);
      } else if (step > 0 && saveButton) {
        saveButton.focus();
      }
    }

    form.addEventListener("input", function (event) {
      if (event.target.classList.contains("figure")) {
        update();
      }
    });

    form.addEventListener("keydown", function (event) {
      var input = event.target;
      if (event.key !== "Enter" || !input.classList || !input.classList.contains("figure")) {
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      event.preventDefault();
      move(input, event.shiftKey ? -1 : 1);
    });

    update();
  }

  setUp();
  // The page's content was replaced after a save (static/js/outbox.js): set up the new grid.
  document.addEventListener("census:page", setUp);
})();
