// The reports queue: a "select all" box for the take-up checkboxes (without JavaScript each box is ticked
// one by one), and a take-up form that cannot be sent twice by a double click.
(function () {
  "use strict";

  var all = document.getElementById("select-all");
  var boxes = document.querySelectorAll("input.select-report");
  if (all && boxes.length) {
    all.hidden = false;
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
    });
    Array.prototype.forEach.call(boxes, function (box) {
      box.addEventListener("change", function () {
        var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    });
  }

  var form = document.getElementById("queue-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }
  // Coming back with the browser's Back button: the form may be sent again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (f) {
      delete f.dataset.sent;
    });
  });
})();
