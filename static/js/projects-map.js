// The programme page's map: member towns coloured by the wave in which they joined, and a slider that shows
// the members as of each wave. The list of waves under the map says the same without JavaScript.
(function () {
  "use strict";
  var el = document.getElementById("members-map");
  if (!el || typeof L === "undefined") { return; }
  // The same colours as .wave-N .wave-swatch in okrsek.css
  var COLOURS = ["#1d4e89", "#1e6b35", "#8a5300", "#5b2a86", "#b3261e", "#0b6e75", "#6b4e16", "#4a5360"];
  function colour(wave) { return wave ? COLOURS[(wave - 1) % COLOURS.length] : "#4a5360"; }

  var map = L.map(el, { scrollWheelZoom: false }).setView([49.6, 13.3], 8);
  L.tileLayer(el.dataset.tilesUrl, {
    maxZoom: 18,
    attribution: el.dataset.tilesAttribution + " | " + el.dataset.dataAttribution
  }).addTo(map);

  var range = document.getElementById("wave-range");
  var output = document.getElementById("wave-output");
  var control = document.getElementById("wave-control");
  var waves = Array.prototype.slice.call(document.querySelectorAll(".wave-timeline .wave"));
  var layer = null;

  function styleFor(feature, upTo) {
    var wave = feature.properties.wave;
    var shown = wave !== null && wave <= upTo;
    return {
      color: colour(wave),
      weight: shown ? 2 : 1,
      opacity: shown ? 1 : 0.35,
      fillOpacity: shown ? 0.45 : 0.05,
      dashArray: wave === null ? "4 4" : null
    };
  }

  function show(upTo) {
    if (layer) { layer.setStyle(function (feature) { return styleFor(feature, upTo); }); }
    waves.forEach(function (item) {
      var wave = parseInt(item.dataset.wave, 10);
      item.classList.toggle("wave-later", wave > upTo);
    });
    var current = waves[upTo - 1];
    if (output && current) { output.textContent = current.dataset.date; }
  }

  fetch(el.dataset.geojsonUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var upTo = range ? parseInt(range.value, 10) : 99;
      layer = L.geoJSON(data, {
        style: function (feature) { return styleFor(feature, upTo); },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var text = p.name + " – " + (p.joined_on ? el.dataset.labelJoined + " " + p.joined_on : el.dataset.labelPreparing);
          shape.bindTooltip(text);
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      if (range && control) {
        control.hidden = false;
        range.addEventListener("input", function () { show(parseInt(range.value, 10)); });
        show(upTo);
      }
      el.dataset.loaded = String(data.features.length);
    });
})();
