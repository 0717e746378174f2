// The map picker of the area alert forms (incidents/templates/incidents/alerts/_alert_fields.html).
// Progressive enhancement: without this file the place is typed (latitude, longitude, distance; a drawn area
// as WKT); with it a tap on the map puts the centre of a circle, or the corners of a drawn area, and the
// same fields are filled, so the server checks exactly what it checks without script.
(function () {
  "use strict";
  var mapEl = document.getElementById("alert-map");
  if (!mapEl || typeof L === "undefined") { return; }
  var form = mapEl.closest("form");
  var box = document.getElementById("alert-map-box");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var radius = document.getElementById("id_radius");
  var custom = document.getElementById("id_radius_custom");
  var polygon = document.getElementById("id_polygon");
  var status = document.getElementById("alert-map-status");
  var radiusMax = parseInt(mapEl.dataset.radiusMax, 10) || 10000;
  box.hidden = false;

  var map = L.map(mapEl, { scrollWheelZoom: false, keyboard: true });
  L.tileLayer(mapEl.dataset.tilesUrl, {
    maxZoom: 19,
    attribution: mapEl.dataset.tilesAttribution + " | " + mapEl.dataset.dataAttribution
  }).addTo(map);
  var bounds = (mapEl.dataset.bounds || "").split(",").map(parseFloat);
  var served = bounds.length === 4 && bounds.every(isFinite) ? L.latLngBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]) : null;
  if (served) { map.fitBounds(served); } else { map.setView([49.75, 13.38], 8); }

  // The layers of each kind of area: only the chosen kind's are on the map
  var groups = { circle: L.layerGroup(), polygon: L.layerGroup() };
  var marker = null, circle = null, shape = null, corners = [];

  function kind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "";
  }

  function number(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function metres() {
    var value = radius.value === "custom" ? number(custom) : number(radius);
    return value && value > 0 ? Math.min(value, radiusMax) : null;
  }

  function say(key, values) {
    var message = status.dataset[key] || "";
    Object.keys(values || {}).forEach(function (name) { message = message.replace("{" + name + "}", values[name]); });
    status.textContent = message;
  }

  // --- a point + radius ----------------------------------------------------------------------------------
  function drawCircle() {
    var y = number(lat), x = number(lon), r = metres();
    if (y === null || x === null || Math.abs(y) > 90 || Math.abs(x) > 180) {
      groups.circle.clearLayers();
      marker = circle = null;
      say("textNoCentre");
      return;
    }
    if (!marker) { marker = L.marker([y, x], { keyboard: false, interactive: false }).addTo(groups.circle); } else { marker.setLatLng([y, x]); }
    if (!circle) { circle = L.circle([y, x], { radius: r || 0, weight: 2, interactive: false }).addTo(groups.circle); } else { circle.setLatLng([y, x]).setRadius(r || 0); }
    say("textCentre", { lat: y.toFixed(5), lon: x.toFixed(5), radius: r || "?" });
  }

  function setCentre(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    drawCircle();
  }

  // --- a drawn area ----------------------------------------------------------------------------------------
  function readPolygon() {
    // "POLYGON((x y, x y, …))" as the server writes it and this file fills it; anything else is left alone
    var match = /^\s*POLYGON\s*\(\(([^()]*)\)\)\s*$/i.exec(polygon.value || "");
    corners = [];
    if (!match) { return; }
    match[1].split(",").forEach(function (pair) {
      var xy = pair.trim().split(/\s+/).map(parseFloat);
      if (xy.length === 2 && xy.every(isFinite)) { corners.push(L.latLng(xy[1], xy[0])); }
    });
    if (corners.length > 1 && corners[0].equals(corners[corners.length - 1])) { corners.pop(); }
  }

  function writePolygon() {
    if (corners.length < 3) { polygon.value = ""; return; }
    var ring = corners.concat([corners[0]]).map(function (c) { return c.lng.toFixed(6) + " " + c.lat.toFixed(6); });
    polygon.value = "POLYGON((" + ring.join(", ") + "))";
  }

  function drawPolygon() {
    groups.polygon.clearLayers();
    shape = null;
    if (corners.length) {
      var options = { weight: 2, interactive: false };
      shape = (corners.length < 3 ? L.polyline(corners, options) : L.polygon(corners, options)).addTo(groups.polygon);
      corners.forEach(function (corner) { L.circleMarker(corner, { radius: 5, interactive: false }).addTo(groups.polygon); });
    }
    say("textCorners", { count: corners.length });
  }

  function addCorner(latlng) {
    corners.push(latlng);
    writePolygon();
    drawPolygon();
  }

  // --- which kind of area is chosen ------------------------------------------------------------------------
  function show() {
    var current = kind();
    Object.keys(groups).forEach(function (name) {
      if (name === current) { groups[name].addTo(map); } else { map.removeLayer(groups[name]); }
    });
    map.invalidateSize();  // the box was not displayed while a district or a town was chosen
    var chosen = null;
    if (current === "circle") {
      drawCircle();
      chosen = circle && circle.getRadius() ? circle : null;
    } else if (current === "polygon") {
      drawPolygon();
      chosen = shape;
    }
    if (chosen) { map.fitBounds(chosen.getBounds(), { maxZoom: 16 }); } else if (served) { map.fitBounds(served); }
  }

  function pick(latlng) {
    if (kind() === "circle") { setCentre(latlng); } else if (kind() === "polygon") { addCorner(latlng); }
  }

  map.on("click", function (event) { pick(event.latlng); });
  // Keyboard: the arrows move the map; Enter or Space puts the centre (or a corner) in its middle
  mapEl.addEventListener("keydown", function (event) {
    if (event.target !== mapEl || (event.key !== "Enter" && event.key !== " ")) { return; }
    event.preventDefault();
    pick(map.getCenter());
  });
  Array.prototype.forEach.call(form.querySelectorAll("input[name=kind]"), function (input) {
    input.addEventListener("change", show);
  });
  [lat, lon, radius, custom].forEach(function (input) {
    input.addEventListener("change", drawCircle);
  });
  polygon.addEventListener("change", function () { readPolygon(); drawPolygon(); });
  document.getElementById("alert-map-undo").addEventListener("click", function () {
    corners.pop();
    writePolygon();
    drawPolygon();
  });
  document.getElementById("alert-map-clear").addEventListener("click", function () {
    corners = [];
    writePolygon();
    drawPolygon();
  });

  readPolygon();
  show();
})();
