/* A walking audit's route. On the form: click the route's points in order on the map; they are written as
   "latitude, longitude" lines into the textarea, which is the fallback without JavaScript. On the walk's
   page: the route drawn from data-route. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  function tiles(map) {
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {maxZoom: 19, attribution: "© OpenStreetMap"}).addTo(map);
  }
  function parse(text) {
    return (text || "").split(/[;\n]/).map(function (part) {
      var v = part.split(",");
      return v.length === 2 ? L.latLng(parseFloat(v[0]), parseFloat(v[1])) : null;
    }).filter(function (p) { return p && !isNaN(p.lat) && !isNaN(p.lng); });
  }
  var view = document.getElementById("route-view");
  if (view) {
    view.hidden = false;
    var shown = L.map(view);
    tiles(shown);
    var line = L.polyline(parse(view.dataset.route), {color: "#b3261e", weight: 4}).addTo(shown);
    shown.fitBounds(line.getBounds(), {padding: [20, 20]});
  }
  var el = document.getElementById("route-map");
  if (!el) { return; }
  var input = document.getElementById(el.dataset.input);
  el.hidden = false;
  document.getElementById("route-map-help").hidden = false;
  var map = L.map(el).setView([49.5, 13.2], 9);
  tiles(map);
  var drawn = L.polyline(parse(input.value), {color: "#b3261e", weight: 4}).addTo(map);
  if (drawn.getLatLngs().length) { map.fitBounds(drawn.getBounds(), {padding: [20, 20]}); }
  function write() {
    input.value = drawn.getLatLngs().map(function (p) { return p.lat.toFixed(6) + ", " + p.lng.toFixed(6); }).join("\n");
  }
  map.on("click", function (e) { drawn.addLatLng(e.latlng); write(); });
  document.getElementById("route-undo").addEventListener("click", function () {
    var points = drawn.getLatLngs();
    points.pop();
    drawn.setLatLngs(points);
    write();
  });
  input.addEventListener("change", function () { drawn.setLatLngs(parse(input.value)); });
  window.okrsekWalkRoute = {map: map, line: drawn};
}());
