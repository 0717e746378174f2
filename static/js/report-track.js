// The citizen's pages after sending a report: the map of the place on the tracking page, and the
// "copy the link" button on the "submitted" page. Both pages work without this file.
(function () {
  "use strict";

  var copyButton = document.getElementById("copy-link");
  if (copyButton && navigator.clipboard && window.isSecureContext) {
    var copyStatus = document.getElementById("copy-status");
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      navigator.clipboard.writeText(copyButton.dataset.copy).then(
        function () { copyStatus.textContent = copyButton.dataset.textDone; },
        function () { copyStatus.textContent = copyButton.dataset.textFailed; }
      );
    });
  }

  var el = document.getElementById("track-map");
  if (!el || typeof L === "undefined") { return; }
  var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var map = L.map(el, { scrollWheelZoom: false }).setView(point, 16);
  L.tileLayer(el.dataset.tilesUrl, {
    maxZoom: 19,
    attribution: el.dataset.tilesAttribution + " | " + el.dataset.dataAttribution
  }).addTo(map);
  L.marker(point, { keyboard: false, interactive: false }).addTo(map);
  el.dataset.loaded = "1";
})();
