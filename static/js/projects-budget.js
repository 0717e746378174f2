// The proposal form's budget: totals and the amount requested computed while typing, rows added without a
// round trip and rows marked "remove" left out of the sums. The server computes the amount requested again
// when the draft is saved; without JavaScript the "Add a row" button saves and comes back with one more row.
(function () {
  "use strict";
  var fieldset = document.querySelector(".budget-lines");
  if (!fieldset) { return; }
  var total = document.getElementById("budget-total");
  var cofinancing = document.getElementById("budget-cofinancing");
  var requested = document.getElementById("budget-requested");
  var rows = document.getElementById("budget-rows");
  var template = document.getElementById("budget-row-template");
  var addRow = document.getElementById("budget-add-row");
  var totalForms = fieldset.querySelector("input[name$='-TOTAL_FORMS']");
  var maxLines = parseInt(fieldset.dataset.maxLines, 10) || 40;
  var lang = document.documentElement.lang || "cs";
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  function value(input) {
    var number = parseFloat(String(input.value || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(number) ? number : 0;
  }

  function update() {
    var sums = { amount: 0, cofinancing: 0 };
    rows.querySelectorAll("tr.budget-line").forEach(function (row) {
      var removed = row.querySelector("input[name$='-DELETE']");
      if (removed && removed.checked) { return; }
      row.querySelectorAll("input[name$='-amount']").forEach(function (input) { sums.amount += value(input); });
      row.querySelectorAll("input[name$='-cofinancing']").forEach(function (input) { sums.cofinancing += value(input); });
    });
    var currency = "\u00a0" + fieldset.dataset.currency;
    total.textContent = format.format(sums.amount) + currency;
    cofinancing.textContent = format.format(sums.cofinancing) + currency;
    requested.textContent = format.format(sums.amount - sums.cofinancing) + currency;
    addRow.disabled = parseInt(totalForms.value, 10) >= maxLines;
  }

  addRow.addEventListener("click", function (event) {
    var count = parseInt(totalForms.value, 10);
    if (!template || count >= maxLines) { return; }
    event.preventDefault();
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(count));
    var row = holder.querySelector("tr");
    rows.appendChild(row);
    totalForms.value = String(count + 1);
    var first = row.querySelector("select, input");
    if (first) { first.focus(); }
    update();
  });

  fieldset.addEventListener("input", update);
  fieldset.addEventListener("change", update);
  update();
})();
