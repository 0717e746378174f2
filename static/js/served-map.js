// The map of served municipalities on the home page. Leaflet comes from django-leaflet's static files.
(function () {
  "use strict";
  var el = document.getElementById("served-map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { scrollWheelZoom: false }).setView([49.6, 13.3], 8);
  L.tileLayer(el.dataset.tilesUrl, {
    maxZoom: 18,
    attribution: el.dataset.tilesAttribution + " | " + el.dataset.dataAttribution
  }).addTo(map);
  fetch(el.dataset.geojsonUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#1d4e89", weight: 1, fillOpacity: 0.15 },
        onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.name); }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
      el.dataset.loaded = String(data.features.length);
    });
})();
