// The proposal form's budget: totals and the amount requested computed while typing. The server checks the
// same sums on submission; without JavaScript the proposal page shows them after saving.
(function () {
  "use strict";
  var fieldset = document.querySelector(".budget-lines");
  if (!fieldset) { return; }
  var total = document.getElementById("budget-total");
  var cofinancing = document.getElementById("budget-cofinancing");
  var requested = document.getElementById("budget-requested");
  var summary = document.getElementById("budget-summary");
  var lang = document.documentElement.lang || "cs";
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  function value(input) {
    var number = parseFloat(String(input.value || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(number) ? number : 0;
  }

  function update() {
    var sums = { amount: 0, cofinancing: 0 };
    fieldset.querySelectorAll("input[name$='-amount']").forEach(function (input) { sums.amount += value(input); });
    fieldset.querySelectorAll("input[name$='-cofinancing']").forEach(function (input) { sums.cofinancing += value(input); });
    var currency = " " + fieldset.dataset.currency;
    total.textContent = format.format(sums.amount) + currency;
    cofinancing.textContent = format.format(sums.cofinancing) + currency;
    requested.textContent = format.format(sums.amount - sums.cofinancing) + currency;
    summary.hidden = false;
  }

  fieldset.addEventListener("input", update);
  update();
})();
