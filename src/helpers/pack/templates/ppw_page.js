/* Police Performance Workbooks: carry the chosen geography and period (location.hash) from page to
   page of the pack: every link to another page of the pack (a plain "name.html" beside this one).
   A page without selectors needs no "Selectors need JavaScript" notice (the views' script hides it
   where there are some). Plain JavaScript, no network. */
(function () {
  "use strict";
  if (!document.querySelector(".ppw-selectors")) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-ppw-js-notice]"), function (el) {
      el.hidden = true;
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
    var base = a.getAttribute("href").split("#")[0];
    if (!/^[\w.-]+\.html$/.test(base)) { return; }
    a.addEventListener("click", function () {
      a.setAttribute("href", base + (window.location.hash || ""));
    });
  });
})();
