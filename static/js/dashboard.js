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
    var number = parseFloat(raw);
    return isNaN(number) ? raw : number;
  }

  function sortTable(table, header) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.indexOf(header);
    var descending = header.getAttribute("aria-sort") !== "descending";
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

  // --- Charts ------------------------------------------------------------------------------------

  // Vertical dashed lines at day indexes (phase dates, the "as of" day): Chart.js has no such option built in.
  var markerPlugin = {
    id: "censusMarkers",
    afterDatasetsDraw: function (chart, _args, options) {
      var markers = options.markers || [];
      if (!markers.length) { return; }
      var ctx = chart.ctx;
      var area = chart.chartArea;
      var x = chart.scales.x;
      ctx.save();
      ctx.font = "10px 'DejaVu Sans', Arial, sans-serif";
      ctx.fillStyle = "#5b6675";
      ctx.strokeStyle = "#5b6675";
      ctx.setLineDash([2, 3]);
      markers.forEach(function (marker) {
        var px = x.getPixelForValue(marker.index);
        if (px < area.left - 1 || px > area.right + 1) { return; }
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.save();
        ctx.translate(px + 3, area.top + 4);
        ctx.rotate(Math.PI / 2);
        ctx.fillText(marker.label, 0, 0);
        ctx.restore();
      });
      ctx.restore();
    }
  };

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
        backgroundColor: series.color,
        borderWidth: series.width || 2,
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
          legend: { position: "bottom", labels: { boxWidth: 14 } },
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
      var map = window.L.map(element, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
      var layer = window.L.geoJSON(data, {
        style: function (feature) {
          return { color: "#ffffff", weight: 1, fillColor: feature.properties.fill, fillOpacity: 0.95 };
        },
        onEachFeature: function (feature, shape) {
          // An element with text, not a string: Leaflet would read a string as HTML, and a name is only text.
          var tip = document.createElement("span");
          tip.textContent = feature.properties.name + ": " + feature.properties.coverage;
          shape.bindTooltip(tip, { sticky: true });
          if (feature.properties.url) {
            shape.on("click", function () { window.location.assign(feature.properties.url); });
          }
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    });
  }
})();
