/* Police Performance Workbooks: carry the chosen geography and period (location.hash) from page to
   page of the pack. Plain JavaScript, no network. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("a.ppw-nav-link"), function (a) {
    var base = a.getAttribute("href").split("#")[0];
    a.addEventListener("click", function () {
      a.setAttribute("href", base + (window.location.hash || ""));
    });
  });
})();
