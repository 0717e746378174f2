// The staff report page: a small map of the reported place, and action forms that cannot be sent twice by a
// double click. Leaflet comes from django-leaflet's static files; without JavaScript the page works as is.
(function () {
  "use strict";

  var el = document.getElementById("report-map");
  if (el && typeof L !== "undefined") {
    var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var map = L.map(el, { scrollWheelZoom: false }).setView(point, 17);
    L.tileLayer(el.dataset.tilesUrl, { maxZoom: 19, attribution: el.dataset.tilesAttribution }).addTo(map);
    L.circleMarker(point, { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.35 })
      .addTo(map)
      .bindTooltip(el.dataset.label);
    el.dataset.loaded = "1";
  }

  var forms = document.querySelectorAll("form[data-once]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Coming back with the browser's Back button: the form may be sent again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (f) {
      delete f.dataset.sent;
    });
  });
})();
