/* Police Performance Workbooks: switch pre-rendered views (helpers.views.switcher).
   Plain JavaScript, no libraries, no network: works from file:// on a laptop with no internet.
   Safe to include many times on a page: the first copy defines window.ppwViews, every copy
   initialises the switchers not yet initialised. */
(function () {
  "use strict";
  var ns = window.ppwViews;
  if (!ns) {
    ns = window.ppwViews = {};
    var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
    var hashName = function (key, name) { return key === "perf" ? name : key + "." + name; };
    var children = function (block) {
      var out = [];
      each(block.children, function (el) {
        if (el.classList.contains("ppw-view")) { out.push(el); }
      });
      return out;
    };
    var hasOption = function (select, value) {
      if (!select) { return false; }
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) { return true; }
      }
      return false;
    };

    ns.readHash = function () {
      var out = {};
      var text = window.location.hash.replace(/^#/, "");
      if (!text) { return out; }
      each(text.split("&"), function (pair) {
        var i = pair.indexOf("=");
        if (i < 1) { return; }
        try {
          out[decodeURIComponent(pair.slice(0, i))] =
            decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
        } catch (e) { /* a malformed hash is ignored, not fatal */ }
      });
      return out;
    };

    ns.writeHash = function (key, geography, period) {
      var values = ns.readHash();
      values[hashName(key, "geography")] = geography;
      values[hashName(key, "period")] = period;
      var parts = [];
      each(Object.keys(values), function (k) {
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(values[k]));
      });
      var hash = "#" + parts.join("&");
      if (window.location.hash === hash) { return; }
      try {
        window.history.replaceState(null, "", hash);
      } catch (e) {
        window.location.hash = hash;
      }
    };

    /* Show geography × period in every switcher with this key (a switcher without that choice
       keeps its own). */
    ns.apply = function (key, geography, period) {
      each(document.querySelectorAll(".ppw-switcher"), function (block) {
        if (block.getAttribute("data-key") !== key) { return; }
        var geoSelect = block.querySelector("select.ppw-geography");
        var periodSelect = block.querySelector("select.ppw-period");
        var g = hasOption(geoSelect, geography) ? geography : (geoSelect && geoSelect.value);
        var p = hasOption(periodSelect, period) ? period : (periodSelect && periodSelect.value);
        if (geoSelect) { geoSelect.value = g; }
        if (periodSelect) { periodSelect.value = p; }
        var views = children(block);
        var target = null;
        each(views, function (v) {
          if (v.getAttribute("data-geography") === g && v.getAttribute("data-period") === p) {
            target = v;
          }
        });
        if (!target) { return; }
        var ref = target.getAttribute("data-same-as");
        if (ref) { target = document.getElementById(ref) || target; }
        each(views, function (v) {
          if (v.id) { v.hidden = v !== target; }
        });
        var label = block.querySelector(".ppw-print-label");
        if (label) {
          var text = periodSelect ? periodSelect.options[periodSelect.selectedIndex].text : p;
          label.textContent = g + " \u00b7 " + text;
        }
      });
    };

    ns.applyHash = function () {
      var values = ns.readHash();
      var done = {};
      each(document.querySelectorAll(".ppw-switcher"), function (block) {
        var key = block.getAttribute("data-key");
        if (done[key]) { return; }
        done[key] = true;
        var g = values[hashName(key, "geography")];
        var p = values[hashName(key, "period")];
        if (g === undefined && p === undefined) { return; }
        var geoSelect = block.querySelector("select.ppw-geography");
        var periodSelect = block.querySelector("select.ppw-period");
        ns.apply(key, g === undefined ? geoSelect.value : g,
                 p === undefined ? periodSelect.value : p);
      });
    };

    ns.init = function () {
      each(document.querySelectorAll(".ppw-switcher"), function (block) {
        if (block.getAttribute("data-ppw-ready")) { return; }
        block.setAttribute("data-ppw-ready", "1");
        var key = block.getAttribute("data-key");
        var geoSelect = block.querySelector("select.ppw-geography");
        var periodSelect = block.querySelector("select.ppw-period");
        var onChange = function () {
          ns.apply(key, geoSelect.value, periodSelect.value);
          ns.writeHash(key, geoSelect.value, periodSelect.value);
        };
        geoSelect.addEventListener("change", onChange);
        periodSelect.addEventListener("change", onChange);
      });
      ns.applyHash();
    };

    window.addEventListener("hashchange", ns.applyHash);
  }
  ns.init();
})();
