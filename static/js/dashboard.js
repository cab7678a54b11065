/* Dashboards: sortable tables, interactive charts (Chart.js) and boundary maps (Leaflet).
 *
 * Everything the page shows is already in the HTML (tables, SVG charts, the tile map): this script only
 * makes it interactive. Data comes from data-* attributes, never from inline scripts, so the strict
 * Content-Security-Policy holds. Numbers arrive formatted by the server in the reader's language.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("has-js");

  // --- Sortable tables ---------------------------------------------------------------------------

  function sortValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-sort-value");
    if (raw === null) { return cell.textContent.trim().toLowerCase(); }
    // A number only if the whole value is one: a name's key (regions.models.name_sort_key, which orders names
    // in the Kazakh alphabet as plain strings) may start with a digit.
    var number = raw.trim() === "" ? NaN : Number(raw);
    return isNaN(number) ? raw : number;
  }

  function sortTable(table, header) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.indexOf(header);
    var current = header.getAttribute("aria-sort");
    // Figures: highest first on the first choice; names: А to Я first.
    var descending = header.getAttribute("data-sort") === "name" ? current === "ascending" : current !== "descending";
    headers.forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a, index);
      var y = sortValue(b, index);
      if (x === y) { return 0; }
      var order = x > y ? 1 : -1;
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (header) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = header.textContent.trim();
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, header); });
    });
  });

  // --- Copy buttons (the public page's embed code) ----------------------------------------------------

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var label = button.textContent;
      field.focus();
      field.select();
      function done() {
        button.textContent = button.getAttribute("data-copied");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });

  // --- Charts ------------------------------------------------------------------------------------

  // Vertical dashed lines at day indexes (phase dates, the "as of" day): Chart.js has no such option built in.
  // Labels are written across, above the plot: a label that would touch the one before goes one row lower, and the
  // chart makes room for as many rows as it needs (then draws once more). Same-day events arrive as one label.
  var MARKER_ROW = 13;

  function placeMarkers(chart, markers) {
    var ctx = chart.ctx;
    var area = chart.chartArea;
    var x = chart.scales.x;
    var rowsEnd = [];
    var placed = [];
    markers.slice().sort(function (a, b) { return a.index - b.index; }).forEach(function (marker) {
      var px = x.getPixelForValue(marker.index);
      if (px < area.left - 1 || px > area.right + 1) { return; }
      var width = ctx.measureText(marker.label).width;
      var start = px + 3;
      var align = "left";
      if (start + width > chart.width - 2) { start = px - 3 - width; align = "right"; }
      var row = 0;
      while (row < rowsEnd.length && rowsEnd[row] + 6 > start) { row += 1; }
      rowsEnd[row] = start + width;
      placed.push({ px: px, label: marker.label, align: align, row: row });
    });
    return { placed: placed, rows: rowsEnd.length };
  }

  var markerPlugin = {
    id: "censusMarkers",
    afterDatasetsDraw: function (chart, _args, options) {
      var markers = options.markers || [];
      if (!markers.length) { return; }
      var ctx = chart.ctx;
      var area = chart.chartArea;
      ctx.save();
      ctx.font = "11px 'DejaVu Sans', Arial, sans-serif";
      var layout = placeMarkers(chart, markers);
      var room = layout.rows * MARKER_ROW + 4;
      if (chart.options.layout.padding.top !== room) {
        ctx.restore();
        chart.options.layout.padding.top = room;
        chart.update("none");
        return;
      }
      ctx.fillStyle = "#5b6675";
      ctx.strokeStyle = "#5b6675";
      ctx.textBaseline = "alphabetic";
      layout.placed.forEach(function (marker) {
        var y = area.top - (layout.rows - marker.row) * MARKER_ROW + 9;
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(marker.px, y + 2);
        ctx.lineTo(marker.px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.textAlign = marker.align;
        ctx.fillText(marker.label, marker.align === "left" ? marker.px + 3 : marker.px - 3, y);
      });
      ctx.restore();
    }
  };

  // White diagonal stripes over a colour: door-to-door differs from online by more than colour.
  function hatch(color) {
    var tile = document.createElement("canvas");
    tile.width = 6;
    tile.height = 6;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 6, 6);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(0, 6); ctx.lineTo(6, 0);
    ctx.moveTo(-1, 1); ctx.lineTo(1, -1);
    ctx.moveTo(5, 7); ctx.lineTo(7, 5);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  function tickLabel(ticks, value) {
    for (var i = 0; i < ticks.length; i += 1) {
      if (Math.abs(ticks[i][0] - value) < 1e-9) { return ticks[i][1]; }
    }
    return "";
  }

  function buildChart(figure, data) {
    var holder = document.createElement("div");
    holder.className = "chart-canvas";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", data.title || "");
    // The finding in words is the paragraph under the chart's heading; the figures are in its data table.
    if (data.summaryId) { canvas.setAttribute("aria-describedby", data.summaryId); }
    holder.appendChild(canvas);
    var svg = figure.querySelector(".chart-svg");
    svg.parentNode.insertBefore(holder, svg);
    svg.classList.add("is-hidden");

    var stacked = data.type === "bar";
    var datasets = data.series.map(function (series) {
      return {
        label: series.name,
        data: series.values,
        texts: series.texts,
        borderColor: series.color,
        backgroundColor: series.hatched ? hatch(series.color) : series.color,
        borderDash: series.dashed ? [5, 3] : [],
        borderWidth: series.width || 2,
        pointStyle: stacked ? "rect" : "line",
        pointRadius: 0,
        pointHitRadius: 6,
        spanGaps: false,
        tension: 0
      };
    });
    if (data.target) {
      datasets.push({
        label: data.target.label,
        data: data.labels.map(function () { return data.target.value; }),
        texts: data.labels.map(function () { return null; }),
        borderColor: "#b42318",
        backgroundColor: "#b42318",
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointStyle: "line",
        pointRadius: 0,
        pointHitRadius: 0
      });
    }
    var step = data.ticks.length > 1 ? data.ticks[1][0] - data.ticks[0][0] : undefined;
    return new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        layout: { padding: { top: 0 } },
        maintainAspectRatio: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            stacked: stacked,
            grid: { display: false },
            // About one day label per 70 px, so labels never run into each other on a phone.
            ticks: { maxTicksLimit: Math.max(3, Math.floor(holder.clientWidth / 70)), autoSkip: true, maxRotation: 0 }
          },
          y: {
            stacked: stacked,
            min: 0,
            max: data.yMax,
            ticks: { stepSize: step, callback: function (value) { return tickLabel(data.ticks, value); } }
          }
        },
        plugins: {
          // A sample of each line (dashed or not) or each bar's fill (hatched or not), not only its colour.
          legend: { position: "bottom", labels: { boxWidth: 18, usePointStyle: true, pointStyleWidth: 30 } },
          tooltip: {
            filter: function (item) { return item.dataset.texts && item.dataset.texts[item.dataIndex] !== null; },
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + item.dataset.texts[item.dataIndex];
              }
            }
          },
          censusMarkers: { markers: data.markers || [] }
        }
      },
      plugins: [markerPlugin]
    });
  }

  if (window.Chart) {
    window.Chart.defaults.font.family = "'DejaVu Sans', 'Segoe UI', Roboto, Arial, sans-serif";
    window.Chart.defaults.color = "#1b2430";
    document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
      try {
        buildChart(figure, JSON.parse(figure.getAttribute("data-chart")));
      } catch (error) {
        // The server-drawn SVG stays in place: the figures are never lost to a script error.
        figure.querySelector(".chart-svg").classList.remove("is-hidden");
        if (window.console) { window.console.warn("chart not drawn", error); }
      }
    });
  }

  // --- Boundary map ------------------------------------------------------------------------------

  if (window.L) {
    document.querySelectorAll(".boundary-map-live[data-geojson]").forEach(function (element) {
      var data = JSON.parse(element.getAttribute("data-geojson"));
      element.classList.remove("is-hidden");
      var fallback = element.parentNode.querySelector(".map-fallback");
      if (fallback) { fallback.classList.add("is-hidden"); }
      // No tile layer: the districts themselves are the map, and nothing is fetched from outside.
      var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      var map = window.L.map(element, {
        attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false,
        zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still, inertia: !still
      });
      var labels = [];
      var layer = window.L.geoJSON(data, {
        style: function (feature) {
          return { color: "#ffffff", weight: 1, fillColor: feature.properties.fill, fillOpacity: 0.95 };
        },
        onEachFeature: function (feature, shape) {
          // An element with text, not a string: Leaflet would read a string as HTML, and a name is only text.
          var tip = document.createElement("span");
          tip.textContent = feature.properties.name + ": " + feature.properties.coverage;
          shape.bindTooltip(tip, { sticky: true });
          labels.push([shape, feature.properties.coverage]);
          if (feature.properties.url) {
            shape.on("click", function () { window.location.assign(feature.properties.url); });
          }
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      // The percentage written on each district, as on the tile map: a band is never told by its colour alone.
      labels.forEach(function (pair) {
        var text = document.createElement("span");
        text.textContent = pair[1];
        var icon = window.L.divIcon({ className: "map-label", html: text, iconSize: null });
        window.L.marker(pair[0].getBounds().getCenter(), { icon: icon, interactive: false, keyboard: false }).addTo(map);
      });
    });
  }
})();
