/* The map question: tap to mark places (at most data-max), tap a mark to remove it. Writes "lon,lat;…" into
   the hidden input; without JavaScript the district select below does the job. */
(function () {
  "use strict";
  var el = document.getElementById("survey-map");
  if (!el || typeof L === "undefined") { return; }
  var input = document.getElementById(el.dataset.input);
  var max = parseInt(el.dataset.max, 10) || 5;
  el.hidden = false;
  document.getElementById("map-help").hidden = false;
  var map = L.map(el).setView([49.5, 13.2], 9);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {maxZoom: 19, attribution: "© OpenStreetMap"}).addTo(map);
  var marks = [];
  function write() {
    input.value = marks.map(function (m) { var p = m.getLatLng(); return p.lng.toFixed(6) + "," + p.lat.toFixed(6); }).join(";");
  }
  function add(latlng) {
    if (marks.length >= max) { return; }
    var m = L.marker(latlng, {keyboard: true}).addTo(map);
    m.on("click", function () { map.removeLayer(m); marks.splice(marks.indexOf(m), 1); write(); });
    marks.push(m);
    write();
  }
  (input.value || "").split(";").forEach(function (part) {
    var xy = part.split(",");
    if (xy.length === 2) { add(L.latLng(parseFloat(xy[1]), parseFloat(xy[0]))); }
  });
  if (marks.length) { map.setView(marks[0].getLatLng(), 15); }
  map.on("click", function (e) { add(e.latlng); });
  window.okrsekSurveyMap = {map: map, add: add};
}());
