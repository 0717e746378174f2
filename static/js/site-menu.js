// The site menu is a <details> disclosure on phones and works without this script. Browsers that cannot style
// ::details-content get it opened here on wide screens (its button hidden); Escape closes it on phones.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu) return;
  var wide = window.matchMedia("(min-width: 40.01rem)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function follow() {
    if (styled) return;
    menu.classList.toggle("is-wide", wide.matches);
    if (wide.matches) menu.open = true;
  }
  follow();
  if (wide.addEventListener) wide.addEventListener("change", follow);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
