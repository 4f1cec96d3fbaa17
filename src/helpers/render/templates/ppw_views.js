/* Police Performance Workbooks: switch pre-rendered views (helpers.render.views.switcher).
   Plain JavaScript, no libraries, no network: works from file:// on a laptop with no internet.
   Safe to include many times on a page: the first copy defines window.ppwViews, every copy
   initialises the switchers not yet initialised.

   What the page says follows what it shows: the selectors (hidden until this script runs, so
   that without JavaScript no selector can show another view's name), the texts marked
   data-ppw-geography / data-ppw-period (the page's heading), the print label, and the line
   "Force figures: ..." above a force-only chart. A link's hash naming no view is said so. */
(function () {
  "use strict";
  var ns = window.ppwViews;
  if (!ns) {
    ns = window.ppwViews = {};
    var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
    var hashName = function (key, name) { return key === "perf" ? name : key + "." + name; };
    var blocksOf = function (key) {
      var out = [];
      each(document.querySelectorAll(".ppw-switcher"), function (block) {
        if (block.getAttribute("data-key") === key) { out.push(block); }
      });
      return out;
    };
    var children = function (block) {
      var out = [];
      each(block.children, function (el) {
        if (el.classList.contains("ppw-view")) { out.push(el); }
      });
      return out;
    };
    var hasView = function (block, name, value) {
      return children(block).some(function (v) { return v.getAttribute(name) === value; });
    };
    /* The period's label as the selectors write it ("Financial year to date"). */
    var periodLabel = function (key, period) {
      var text = period;
      each(document.querySelectorAll("select.ppw-period"), function (select) {
        if (select.getAttribute("data-key") !== key) { return; }
        each(select.options, function (o) { if (o.value === period) { text = o.text; } });
      });
      return text;
    };
    /* The value of a view the key offers that matches ``text`` (case-insensitive; a period by
       its value or its label), or null. */
    var match = function (key, name, text) {
      var wanted = String(text).trim().toLowerCase();
      var found = null;
      each(blocksOf(key), function (block) {
        each(children(block), function (v) {
          var value = v.getAttribute(name);
          if (found === null && value !== null && (value.toLowerCase() === wanted ||
              (name === "data-period" && periodLabel(key, value).toLowerCase() === wanted))) {
            found = value;
          }
        });
      });
      return found;
    };
    var shown = function (key) {
      var block = blocksOf(key)[0];
      return block ? { geography: block.getAttribute("data-shown-geography"),
                       period: block.getAttribute("data-shown-period") } : {};
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
       keeps its own), and say so wherever the page names the view. */
    ns.apply = function (key, geography, period) {
      each(blocksOf(key), function (block) {
        var g = hasView(block, "data-geography", geography) ? geography
          : block.getAttribute("data-shown-geography");
        var p = hasView(block, "data-period", period) ? period
          : block.getAttribute("data-shown-period");
        var geoSelect = block.querySelector("select.ppw-geography");
        var periodSelect = block.querySelector("select.ppw-period");
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
        block.setAttribute("data-shown-geography", g);
        block.setAttribute("data-shown-period", p);
        var ref = target.getAttribute("data-same-as");
        if (ref) { target = document.getElementById(ref) || target; }
        each(views, function (v) {
          if (v.id) { v.hidden = v !== target; }
        });
        each(block.querySelectorAll("[data-ppw-force-only]"), function (line) {
          line.hidden = g === line.getAttribute("data-ppw-force-only");
        });
        var label = block.querySelector(".ppw-print-label");
        if (label) { label.textContent = g + " \u00b7 " + periodLabel(key, p); }
      });
      var now = shown(key);
      each(document.querySelectorAll("[data-ppw-geography]"), function (el) {
        if ((el.getAttribute("data-key") || "perf") === key && now.geography) {
          el.textContent = now.geography;
        }
      });
      each(document.querySelectorAll("[data-ppw-period]"), function (el) {
        if ((el.getAttribute("data-key") || "perf") === key && now.period) {
          el.textContent = periodLabel(key, now.period);
        }
      });
    };

    /* The notice under the page heading (the page shell's, or one put before the first
       switcher): what the link asked for that the page has no view of. */
    ns.notice = function (messages) {
      var el = document.querySelector("[data-ppw-hash-notice]");
      if (!el) {
        if (!messages.length) { return; }
        var first = document.querySelector(".ppw-switcher");
        if (!first) { return; }
        el = document.createElement("p");
        el.className = "ppw-warning ppw-hash-notice";
        el.setAttribute("role", "status");
        el.setAttribute("data-ppw-hash-notice", "");
        first.parentNode.insertBefore(el, first);
      }
      el.textContent = messages.join(" ");
      el.hidden = !messages.length;
    };

    ns.applyHash = function () {
      var values = ns.readHash();
      var done = {};
      var messages = [];
      each(document.querySelectorAll(".ppw-switcher"), function (block) {
        var key = block.getAttribute("data-key");
        if (done[key]) { return; }
        done[key] = true;
        var now = shown(key);
        var g = now.geography;
        var p = now.period;
        var asked = { geography: values[hashName(key, "geography")],
                      period: values[hashName(key, "period")] };
        if (asked.geography === undefined && asked.period === undefined) { return; }
        if (asked.geography !== undefined && asked.geography !== "") {
          var mg = match(key, "data-geography", asked.geography);
          if (mg === null) {
            messages.push("No view for geography '" + asked.geography + "': showing " + g + ".");
          } else { g = mg; }
        }
        if (asked.period !== undefined && asked.period !== "") {
          var mp = match(key, "data-period", asked.period);
          if (mp === null) {
            messages.push("No view for period '" + asked.period + "': showing " +
                          periodLabel(key, p) + ".");
          } else { p = mp; }
        }
        ns.apply(key, g, p);
      });
      ns.notice(messages);
    };

    ns.init = function () {
      each(document.querySelectorAll("[data-ppw-js-notice]"), function (el) { el.hidden = true; });
      each(document.querySelectorAll(".ppw-switcher"), function (block) {
        if (block.getAttribute("data-ppw-ready")) { return; }
        block.setAttribute("data-ppw-ready", "1");
        var key = block.getAttribute("data-key");
        var geoSelect = block.querySelector("select.ppw-geography");
        var periodSelect = block.querySelector("select.ppw-period");
        if (!geoSelect || !periodSelect) { return; }  /* a block that follows the others */
        var onChange = function () {
          ns.apply(key, geoSelect.value, periodSelect.value);
          ns.writeHash(key, geoSelect.value, periodSelect.value);
          ns.notice([]);
        };
        geoSelect.addEventListener("change", onChange);
        periodSelect.addEventListener("change", onChange);
        each(block.querySelectorAll(".ppw-selectors"), function (el) { el.hidden = false; });
      });
      ns.applyHash();
    };

    window.addEventListener("hashchange", ns.applyHash);
    /* The texts after the last switcher (the page's footer) exist once the page is read. */
    document.addEventListener("DOMContentLoaded", ns.applyHash);
  }
  ns.init();
})();
