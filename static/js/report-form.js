// The citizen's report form (incidents/templates/incidents/report_form.html). Progressive enhancement: the
// form works without this file (the place is typed as latitude/longitude); with it the map picks the place,
// "use my location" and "find a place" move the map, open reports nearby are shown before sending, the
// description has a counter, large photos are made smaller, and a double click sends the form once.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }

  var latInput = document.getElementById("id_place_lat");
  var lonInput = document.getElementById("id_place_lon");
  var nearbySeen = form.querySelector("input[name=nearby_seen]");
  var nearbyBox = document.getElementById("nearby-box");
  var statusEl = document.getElementById("place-status");
  var mapEl = document.getElementById("report-map");
  var coords = document.getElementById("place-coords");
  var coordsToggle = document.getElementById("coords-toggle");
  var description = document.getElementById("id_description");

  function text(el, key) { return (el && el.dataset[key]) || ""; }

  function selectedCategory() {
    var checked = form.querySelector("input[name=category]:checked");
    return checked ? checked : null;
  }

  // --- error summary: read first -------------------------------------------------------------------------
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // --- description: counter, required for some categories -----------------------------------------------
  var counter = document.getElementById("description-counter");
  var requiredMark = document.getElementById("description-required");

  function updateCounter() {
    if (!description || !counter) { return; }
    var max = parseInt(counter.dataset.max, 10);
    var count = description.value.replace(/\r\n/g, "\n").length;
    counter.hidden = false;
    counter.textContent = text(counter, "text").replace("{count}", count);
    counter.classList.toggle("counter-near", max - count <= 50);
    // Announce only near the limit: a screen reader need not hear every keystroke counted.
    counter.setAttribute("aria-live", max - count <= 50 ? "polite" : "off");
  }

  function updateDescriptionRequired() {
    var category = selectedCategory();
    var required = !!(category && category.dataset.descriptionRequired);
    if (requiredMark) { requiredMark.hidden = !required; }
    if (description) { description.required = required; }
  }

  if (description) {
    description.addEventListener("input", updateCounter);
    updateCounter();
  }
  updateDescriptionRequired();

  // --- attachments: list, limits, smaller photos ----------------------------------------------------------
  var fileInput = document.getElementById("id_attachments");
  var fileList = document.getElementById("file-list");
  var MAX_FILES = 3, MAX_BYTES = 5 * 1024 * 1024, LONG_SIDE = 2048;

  function formatSize(bytes) {
    return bytes >= 1024 * 1024 ? (bytes / 1024 / 1024).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " kB";
  }

  function total(files) {
    var sum = 0;
    for (var i = 0; i < files.length; i++) { sum += files[i].size; }
    return sum;
  }

  function shrink(file) {
    // Re-encode a photo at most LONG_SIDE px long as JPEG; keep the original if anything fails.
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png)$/.test(file.type) || !window.createImageBitmap) { resolve(file); return; }
      window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        var context = canvas.getContext("2d");
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          var smaller = new File([blob], name, { type: "image/jpeg" });
          smaller.shrunk = true;
          resolve(smaller);
        }, "image/jpeg", 0.85);
      }).catch(function () { resolve(file); });
    });
  }

  function showFiles(files) {
    if (!fileList) { return; }
    fileList.textContent = "";
    for (var i = 0; i < files.length; i++) {
      var item = document.createElement("li");
      item.textContent = files[i].name + " (" + formatSize(files[i].size) + (files[i].shrunk ? ", " + text(fileList, "textShrunk") : "") + ")";
      fileList.appendChild(item);
    }
    var problem = files.length > MAX_FILES ? text(fileList, "textTooMany") : total(files) > MAX_BYTES ? text(fileList, "textTooBig") : "";
    if (problem) {
      var warning = document.createElement("li");
      warning.className = "file-warning";
      warning.textContent = problem;
      fileList.appendChild(warning);
    }
  }

  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(fileInput.files || []);
      var lost = document.getElementById("files-lost");
      if (lost && files.length) { lost.hidden = true; }
      showFiles(files);
      if (files.length > MAX_FILES || total(files) <= MAX_BYTES || typeof DataTransfer === "undefined") { return; }
      Promise.all(files.map(shrink)).then(function (smaller) {
        try {
          var transfer = new DataTransfer();
          smaller.forEach(function (file) { transfer.items.add(file); });
          fileInput.files = transfer.files;
        } catch (error) { return; }
        showFiles(smaller);
      });
    });
  }

  // --- one submission per form ---------------------------------------------------------------------------
  var sending = false;
  var submitButton = document.getElementById("report-submit");
  var submitText = submitButton ? submitButton.textContent : "";
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    sending = true;
    if (submitButton && (!event.submitter || event.submitter === submitButton)) {
      submitButton.setAttribute("aria-disabled", "true");
      submitButton.textContent = text(submitButton, "textSending");
    }
  });
  // Back from the next page (the browser's page cache): the form can be sent again.
  window.addEventListener("pageshow", function () {
    sending = false;
    if (submitButton) { submitButton.removeAttribute("aria-disabled"); submitButton.textContent = submitText; }
  });

  // --- the place -----------------------------------------------------------------------------------------
  if (!mapEl || !latInput || !lonInput || typeof L === "undefined") { return; }

  Array.prototype.forEach.call(document.querySelectorAll("[data-js-only]"), function (el) { el.hidden = false; });
  mapEl.hidden = false;
  statusEl.hidden = false;
  coords.hidden = true;
  coordsToggle.hidden = false;

  coordsToggle.addEventListener("click", function () {
    coords.hidden = !coords.hidden;
    coordsToggle.setAttribute("aria-expanded", String(!coords.hidden));
    coordsToggle.textContent = text(coordsToggle, coords.hidden ? "textShow" : "textHide");
    if (!coords.hidden) { latInput.focus(); }
  });

  var map = L.map(mapEl, { scrollWheelZoom: false, keyboard: true });
  L.tileLayer(mapEl.dataset.tilesUrl, {
    maxZoom: 19,
    attribution: mapEl.dataset.tilesAttribution + " | " + mapEl.dataset.dataAttribution
  }).addTo(map);
  var bounds = (mapEl.dataset.bounds || "").split(",").map(parseFloat);
  if (bounds.length === 4 && bounds.every(isFinite)) {
    map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
  } else {
    var center = mapEl.dataset.center.split(",").map(parseFloat);
    map.setView(center, parseInt(mapEl.dataset.zoom, 10) || 8);
  }

  var marker = null;
  var lookupTimer = null;
  var lookupSerial = 0;

  function setStatus(message, kind) {
    statusEl.textContent = message;
    statusEl.className = "place-status" + (kind ? " place-status-" + kind : "");
  }

  function currentPoint() {
    var lat = parseFloat(String(latInput.value).replace(",", "."));
    var lon = parseFloat(String(lonInput.value).replace(",", "."));
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
    return [lat, lon];
  }

  function showMarker(lat, lon) {
    if (marker) {
      marker.setLatLng([lat, lon]);
    } else {
      marker = L.marker([lat, lon], { draggable: true, autoPan: true, alt: statusEl.dataset.textChosen }).addTo(map);
      marker.on("dragend", function () {
        var position = marker.getLatLng();
        setPlace(position.lat, position.lng, false);
      });
    }
  }

  function setPlace(lat, lon, moveMap) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    showMarker(lat, lon);
    if (moveMap) { map.setView([lat, lon], Math.max(map.getZoom(), 16)); }
    setStatus(text(statusEl, "textChosen") + " " + lat.toFixed(5) + ", " + lon.toFixed(5));
    lookup();
  }

  // Served or not, where, and the open reports of the chosen category nearby.
  function lookup() {
    nearbySeen.value = "";
    window.clearTimeout(lookupTimer);
    var point = currentPoint();
    if (!point) { nearbyBox.textContent = ""; return; }
    lookupTimer = window.setTimeout(function () {
      var serial = ++lookupSerial;
      var category = selectedCategory();
      var params = new URLSearchParams({ lat: point[0].toFixed(6), lon: point[1].toFixed(6), category: category ? category.value : "" });
      fetch(form.dataset.nearbyUrl + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) {
          if (serial !== lookupSerial) { return; }
          var where = data.municipality || "";
          if (data.district && data.district !== where) { where = where ? where + ", " + data.district : data.district; }
          if (!data.served) {
            setStatus(text(statusEl, "textOutside"), "warning");
          } else {
            setStatus(text(statusEl, "textChosen") + " " + (where ? where + " (" : "") + point[0].toFixed(5) + ", " + point[1].toFixed(5) + (where ? ")" : ""), "ok");
          }
          nearbyBox.innerHTML = data.html || "";  // rendered by the server, escaped there
          // The citizen has seen what is nearby for this category and place: no intermediate page.
          if (category) { nearbySeen.value = "1"; }
        })
        .catch(function () { /* the server shows the nearby reports after sending instead */ });
    }, 250);
  }

  map.on("click", function (event) { setPlace(event.latlng.lat, event.latlng.lng, false); });
  // Keyboard: arrows move the map, Enter or Space puts the marker in its centre.
  mapEl.addEventListener("keydown", function (event) {
    if (event.target !== mapEl || (event.key !== "Enter" && event.key !== " ")) { return; }
    event.preventDefault();
    var middle = map.getCenter();
    setPlace(middle.lat, middle.lng, false);
  });

  var initial = currentPoint();
  if (initial) {
    showMarker(initial[0], initial[1]);
    map.setView(initial, 16);
    setStatus(text(statusEl, "textChosen") + " " + initial[0].toFixed(5) + ", " + initial[1].toFixed(5));
    lookup();
  } else {
    setStatus(text(statusEl, "textNone"));
  }

  // A pair pasted into the latitude ("49.7475, 13.3776", "49,7475N 13,3776E") fills both fields; pairs in the
  // southern or western hemisphere are left to the server, which reads them all.
  var PAIR = /^\s*(\d+[.,]\d+)\s*°?\s*N?\s*[,;\s]\s*(\d+(?:[.,]\d+)?)\s*°?\s*E?\s*$/i;
  latInput.addEventListener("change", function () {
    var pair = PAIR.exec(latInput.value);
    if (pair) { latInput.value = pair[1]; lonInput.value = pair[2]; }
  });

  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = currentPoint();
      if (point) { showMarker(point[0], point[1]); map.setView(point, Math.max(map.getZoom(), 15)); }
      lookup();
    });
  });

  Array.prototype.forEach.call(form.querySelectorAll("input[name=category]"), function (radio) {
    radio.addEventListener("change", function () { updateDescriptionRequired(); lookup(); });
  });

  // "Use my location"
  var locateButton = document.getElementById("locate-button");
  if (!navigator.geolocation) {
    locateButton.hidden = true;
  } else {
    locateButton.addEventListener("click", function () {
      setStatus(text(statusEl, "textLocating"));
      navigator.geolocation.getCurrentPosition(
        function (position) { setPlace(position.coords.latitude, position.coords.longitude, true); },
        function () { setStatus(text(statusEl, "textLocateFailed"), "warning"); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // "Find a town or a district"
  var searchInput = document.getElementById("place-search");
  var searchButton = document.getElementById("place-search-button");
  var results = document.getElementById("place-results");

  function search() {
    var query = searchInput.value.trim();
    results.textContent = "";
    if (query.length < 2) { return; }
    fetch(form.dataset.placesUrl + "?" + new URLSearchParams({ q: query }).toString(), { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        results.textContent = "";
        if (!data.places.length) {
          var none = document.createElement("li");
          none.textContent = text(statusEl, "textNoPlaces");
          results.appendChild(none);
          return;
        }
        data.places.forEach(function (place) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "report-link-button";
          button.textContent = place.name + (place.detail && place.detail !== place.name ? " (" + place.detail + ")" : "");
          button.addEventListener("click", function () {
            map.setView([place.lat, place.lon], place.kind === "district" ? 15 : 14);
            results.textContent = "";
            mapEl.focus();
          });
          item.appendChild(button);
          results.appendChild(item);
        });
      })
      .catch(function () {
        var failed = document.createElement("li");
        failed.textContent = text(statusEl, "textSearchFailed");
        results.appendChild(failed);
      });
  }

  searchButton.addEventListener("click", search);
  searchInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }  // never sends the report
  });
})();
