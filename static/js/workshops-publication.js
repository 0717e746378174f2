// Publication builds: poll each running edition's status and show its progress; reload the page when every
// build has finished (so the edition's download link appears). Without JavaScript the page offers a
// "Refresh" link instead.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".ws-build-status[data-status-url]"));
  if (!items.length || !window.fetch) {
    return;
  }
  var pending = items.length;
  function poll(item) {
    fetch(item.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var label = item.querySelector(".ws-build-label");
        var bar = item.querySelector("progress");
        if (label) {
          label.textContent = data.label;
        }
        if (bar) {
          bar.value = data.progress;
          bar.textContent = data.progress + " %";
        }
        if (data.done) {
          pending -= 1;
          if (pending === 0) {
            window.location.reload();
          }
        } else {
          window.setTimeout(function () { poll(item); }, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(function () { poll(item); }, 5000);
      });
  }
  items.forEach(function (item) { window.setTimeout(function () { poll(item); }, 1000); });
})();
