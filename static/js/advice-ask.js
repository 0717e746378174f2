// The advice desk's ask form: a map to point at the place the question is about (it fills the latitude and
// longitude fields, which the server routes to the town's working group). The form works without it.
(function () {
  "use strict";

  var el = document.getElementById("advice-map");
  if (!el || typeof L === "undefined") { return; }
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var status = document.getElementById("advice-map-status");
  el.hidden = false;
  var map = L.map(el, { scrollWheelZoom: false });
  var bounds = (el.dataset.bounds || "").split(",").map(parseFloat);
  if (bounds.length === 4 && bounds.every(isFinite)) {
    map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
  } else {
    map.setView([49.74, 13.37], 8);
  }
  L.tileLayer(el.dataset.tilesUrl, {
    maxZoom: 19,
    attribution: el.dataset.tilesAttribution + " | " + el.dataset.dataAttribution
  }).addTo(map);
  var marker = null;

  function put(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng, { keyboard: false }).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    status.textContent = el.dataset.textChosen + " " + lat.value + ", " + lon.value;
  }

  if (lat.value && lon.value) { put(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
  map.on("click", function (event) { put(event.latlng); });
  el.dataset.loaded = "1";
})();
