// The public map of reports (incidents:map). As the map moves, the reports in view come from the
// bbox-limited GeoJSON endpoint: single reports (grouped in the browser by Leaflet.markercluster) or, when
// the view holds many, groups counted by the server. Every text comes from the page (json_script) and goes
// into the DOM as text, never as HTML. Leaflet and Leaflet.markercluster are served from our static files.
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  var labelsEl = document.getElementById("report-map-labels");
  if (!el || !labelsEl || typeof L === "undefined") { return; }
  var labels = JSON.parse(labelsEl.textContent);
  var words = labels.words;
  var statusEl = document.getElementById("report-map-status");
  var iconsUrl = el.dataset.icons;
  var bboxMax = parseFloat(el.dataset.bboxMax) || 20;
  var filterQuery = el.dataset.filterQuery || "";
  var lang = document.documentElement.lang || undefined;
  var dateFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" });
  var SVG = "http://www.w3.org/2000/svg";

  el.textContent = "";  // the note for browsers without JavaScript
  var map = L.map(el, { scrollWheelZoom: false, minZoom: 4, maxZoom: 19 });
  L.tileLayer(el.dataset.tilesUrl, {
    maxZoom: 19,
    attribution: el.dataset.tilesAttribution + " | " + el.dataset.dataAttribution
  }).addTo(map);

  var extent = (el.dataset.extent || "").split(",").map(Number);
  if (extent.length === 4 && extent.every(isFinite)) {
    map.fitBounds([[extent[1], extent[0]], [extent[3], extent[2]]], { maxZoom: 15 });
  } else {
    map.setView([49.6, 13.3], 8);
  }

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function groupIcon(group) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "report-marker-icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var use = document.createElementNS(SVG, "use");
    use.setAttribute("href", iconsUrl + "#" + (group || "other"));
    svg.appendChild(use);
    return svg;
  }

  function sizeClass(count) { return count < 10 ? "small" : count < 100 ? "medium" : "large"; }
  var SIZES = { small: 34, medium: 40, large: 48 };

  function countIcon(count) {
    var size = sizeClass(count);
    var html = element("span", "map-cluster-count", String(count));
    html.appendChild(element("span", "visually-hidden", " " + (count === 1 ? words.report : words.reports)));
    return L.divIcon({ html: html, className: "map-cluster map-cluster--" + size, iconSize: [SIZES[size], SIZES[size]] });
  }

  function describe(props) {
    var category = labels.categories[props.category] || { name: props.category, group: "other" };
    return { category: category, status: labels.statuses[props.status] || props.status };
  }

  function popup(props) {
    var names = describe(props);
    var box = element("div", "report-popup");
    var title = element("p", "report-popup-title", names.category.name);
    if (names.category.lang) { title.lang = names.category.lang; }  // a name only in another language
    box.appendChild(title);
    var status = element("p");
    status.appendChild(element("span", "status status-" + props.status, names.status));
    box.appendChild(status);
    var facts = element("dl", "facts");
    facts.appendChild(element("dt", "", words.submitted));
    facts.appendChild(element("dd", "", dateFormat.format(new Date(props.date + "T12:00:00"))));
    facts.appendChild(element("dt", "", words.reference));
    facts.appendChild(element("dd", "", props.ref));
    box.appendChild(facts);
    if (props.answer) {
      var answer = element("p", "public-answer");
      answer.appendChild(element("strong", "", words.answer + ": "));
      answer.appendChild(document.createTextNode(props.answer));
      box.appendChild(answer);
    }
    return box;
  }

  function reportMarker(feature) {
    var props = feature.properties;
    var names = describe(props);
    var title = names.category.name + " – " + names.status;
    var html = element("span", "report-marker-body");
    html.appendChild(groupIcon(names.category.group));
    var hidden = element("span", "visually-hidden", title);
    if (names.category.lang) { hidden.lang = names.category.lang; }
    html.appendChild(hidden);
    var icon = L.divIcon({
      html: html,
      className: "report-marker status--" + props.status,
      iconSize: [30, 30],
      popupAnchor: [0, -12]
    });
    var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    return L.marker(latlng, { icon: icon, title: title, riseOnHover: true })
      .bindPopup(function () { return popup(props); });
  }

  function serverCluster(feature) {
    var count = feature.properties.count;
    var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    var marker = L.marker(latlng, { icon: countIcon(count), title: count + " " + words.reports });
    function zoomIn() { map.setView(latlng, Math.min(map.getZoom() + 2, map.getMaxZoom())); }
    marker.on("click", zoomIn);
    marker.on("keypress", function (event) { if (event.originalEvent.key === "Enter") { zoomIn(); } });
    return marker;
  }

  var singles = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    spiderfyDistanceMultiplier: 1.4,
    iconCreateFunction: function (cluster) { return countIcon(cluster.getChildCount()); }
  }).addTo(map);
  var groups = L.layerGroup().addTo(map);

  // Single reports already on the map stay (an open popup stays open while the map pans); only those that
  // left the view go and those that came into it are added.
  var shown = {};
  function render(data) {
    groups.clearLayers();
    var keep = {};
    var added = [];
    if (data.clustered) {
      data.features.forEach(function (feature) { groups.addLayer(serverCluster(feature)); });
      say(words.clustered.replace("%(count)s", String(data.total)));
    } else {
      data.features.forEach(function (feature) {
        var ref = feature.properties.ref;
        keep[ref] = shown[ref] || reportMarker(feature);
        if (!shown[ref]) { added.push(keep[ref]); }
      });
      say(data.total ? words.shown.replace("%(count)s", String(data.total)) : words.none);
    }
    singles.removeLayers(Object.keys(shown).filter(function (ref) { return !keep[ref]; })
      .map(function (ref) { return shown[ref]; }));
    singles.addLayers(added);
    shown = keep;
    el.dataset.loaded = String(data.total);
    el.dataset.clustered = String(Boolean(data.clustered));
  }

  // The box asked for is snapped outwards to a grid of a quarter tile: small moves ask for the same URL,
  // which the browser (and any cache on the way) answers without the server.
  function snappedBox() {
    var bounds = map.getBounds();
    var step = 360 / Math.pow(2, map.getZoom() + 2);
    var west = Math.max(Math.floor(bounds.getWest() / step) * step, -180);
    var south = Math.max(Math.floor(bounds.getSouth() / step) * step, -90);
    var east = Math.min(Math.ceil(bounds.getEast() / step) * step, 180);
    var north = Math.min(Math.ceil(bounds.getNorth() / step) * step, 90);
    return [west, south, east, north];
  }

  var pending = null;
  var timer = null;
  var lastQuery = "";
  function load() {
    var box = snappedBox();
    if (box[2] - box[0] > bboxMax || box[3] - box[1] > bboxMax) {
      singles.clearLayers();
      groups.clearLayers();
      shown = {};
      lastQuery = "";
      say(words.too_large);
      return;
    }
    var query = "bbox=" + box.map(function (v) { return v.toFixed(5); }).join(",") + "&zoom=" + map.getZoom();
    if (filterQuery) { query += "&" + filterQuery; }
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(el.dataset.geojsonUrl + "?" + query, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
      signal: pending.signal
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(render)
      .catch(function (error) {
        if (error.name !== "AbortError") { lastQuery = ""; say(words.failed); el.dataset.loaded = "error"; }
      });
  }

  map.on("moveend", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  load();
})();
