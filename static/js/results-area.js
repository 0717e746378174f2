// The project area picker: click the map to add the corners of the target polygon; the WKT field below (the
// no-JavaScript way to give it) is filled in as you click, and "drawn on the map" is chosen.
(function () {
  "use strict";
  var el = document.getElementById("area-map");
  var field = document.querySelector("textarea[name=wkt]");
  if (!el || !field || typeof L === "undefined") { return; }
  el.hidden = false;
  var map = L.map(el, { scrollWheelZoom: false }).setView([49.6, 13.3], 9);
  L.tileLayer(el.dataset.tilesUrl, { maxZoom: 19, attribution: el.dataset.tilesAttribution }).addTo(map);
  var corners = [];
  var shape = L.polygon([], { color: "#1d4e89" }).addTo(map);

  function wkt() {
    if (corners.length < 3) { return ""; }
    var ring = corners.concat([corners[0]]).map(function (c) {
      return c.lng.toFixed(6) + " " + c.lat.toFixed(6);
    });
    return "POLYGON((" + ring.join(", ") + "))";
  }

  function update() {
    shape.setLatLngs(corners);
    field.value = wkt();
    var drawn = document.querySelector("input[name=kind][value=drawn]");
    if (drawn && corners.length) { drawn.checked = true; }
  }

  // An area already saved as WKT (POLYGON or MULTIPOLYGON): show its first ring
  var match = /\(\(+([^()]+)\)/.exec(field.value || "");
  if (match) {
    corners = match[1].split(",").map(function (pair) {
      var xy = pair.trim().split(/\s+/);
      return L.latLng(parseFloat(xy[1]), parseFloat(xy[0]));
    });
    corners.pop();
    shape.setLatLngs(corners);
    if (corners.length) { map.fitBounds(shape.getBounds(), { padding: [20, 20] }); }
  } else if (el.dataset.centre) {
    var centre = el.dataset.centre.split(",");
    map.setView([parseFloat(centre[0]), parseFloat(centre[1])], 14);
  }
  map.on("click", function (event) { corners.push(event.latlng); update(); });
  var clear = document.getElementById("area-clear");
  if (clear) {
    clear.hidden = false;
    clear.addEventListener("click", function () { corners = []; update(); });
  }
})();
