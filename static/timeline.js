/* Between Borders: the timeline page (/timeline/). Without scripts it is a list in date order; with
 * them, a horizontal time axis: the events are placed by year above the arrivals chart, which shares
 * the axis. The axis moves with the arrow keys (once focused), by dragging with the mouse and by
 * swiping sideways; a plain wheel turn and an up-and-down swipe still scroll the page (nothing here
 * listens to the wheel). The year control (story.js, storyKit.setUpYears) hides the events outside
 * the chosen years and the address keeps them (?from=2005&to=2010).
 *
 * The page loads this script without `defer`, right after the timeline's markup, so that the axis
 * is laid out before the first paint (no layout shift); the year control waits for story.js.
 */
(function () {
  "use strict";

  var PX_PER_YEAR = 40, LANE_GAP = 8, DRAG_THRESHOLD = 5;

  /* The map and the year control need scripts: shown before the first paint; the map's script
     (deferred) draws the map into its section. */
  ["timeline-map", "year-control"].forEach(function (id) {
    var node = document.getElementById(id);
    if (node) node.hidden = false;
  });

  function start() {
    var axis = document.getElementById("timeline-axis");
    var list = document.getElementById("timeline-events");
    if (!axis || !list) return;
    var first = Number(axis.dataset.first), last = Number(axis.dataset.last);
    var width = (last - first + 1) * PX_PER_YEAR;
    var events = Array.prototype.slice.call(list.querySelectorAll(".event"));
    var chart = axis.querySelector(".timeline-chart svg");

    axis.classList.add("axis-on");
    axis.tabIndex = 0;
    axis.setAttribute("role", "region");
    axis.setAttribute("aria-label", document.querySelector("h1").textContent);
    var keys = document.querySelector(".timeline-keys");
    if (keys) keys.hidden = false;
    list.style.width = width + "px";
    if (chart) chart.style.width = width + "px";

    function years(node) {
      return { start: Number(node.dataset.start), end: node.dataset.end ? Number(node.dataset.end) : null };
    }

    /* Each event at its start year, below the events before it that it would overlap. */
    function layOut() {
      var placed = [], bottom = 0;
      events.forEach(function (node) {
        if (node.hidden) return;
        var left = (years(node).start - first) * PX_PER_YEAR;
        node.style.left = left + "px";
        var right = left + node.offsetWidth + LANE_GAP, height = node.offsetHeight + LANE_GAP;
        var top = 0;
        placed.forEach(function (box) {
          if (box.left < right && left < box.right) top = Math.max(top, box.bottom);
        });
        node.style.top = top + "px";
        placed.push({ left: left, right: right, bottom: top + height });
        bottom = Math.max(bottom, top + height);
      });
      list.style.height = bottom + "px";
    }

    function scrollToYear(year) {
      axis.scrollLeft = Math.max(0, (year - first) * PX_PER_YEAR - PX_PER_YEAR);
    }

    layOut();
    document.addEventListener("DOMContentLoaded", function () {
      if (window.storyKit) window.storyKit.setUpYears(showPeriod);
    });
    function showPeriod(period) {
      var kit = window.storyKit;
      events.forEach(function (node) { node.hidden = !kit.inPeriod(years(node)); });
      if (chart) {
        chart.querySelectorAll(".bar").forEach(function (bar) {
          var year = Number(bar.dataset.year);
          bar.classList.toggle("outside", !!period && (year < period.from || year > period.to));
        });
      }
      layOut();
      if (period) scrollToYear(period.from);
    }

    /* Keys: the arrows move a year or two, Page Up/Down a decade, Home and End to the ends. */
    axis.addEventListener("keydown", function (event) {
      var by = { ArrowRight: 2, ArrowLeft: -2, PageDown: 10, PageUp: -10 }[event.key];
      if (event.target !== axis) return;
      if (by) { axis.scrollLeft += by * PX_PER_YEAR; event.preventDefault(); }
      else if (event.key === "Home") { axis.scrollLeft = 0; event.preventDefault(); }
      else if (event.key === "End") { axis.scrollLeft = axis.scrollWidth; event.preventDefault(); }
    });

    /* The mouse drags the axis sideways; a drag is not a click on the link it started on. Touch
       is left to the browser: the axis scrolls sideways, the page up and down. */
    var drag = null, justDragged = false;
    axis.addEventListener("click", function (event) { if (justDragged) event.preventDefault(); }, { capture: true });
    axis.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "mouse" || event.button !== 0) return;
      drag = { x: event.clientX, left: axis.scrollLeft, moved: false };
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var dx = event.clientX - drag.x;
      if (Math.abs(dx) > DRAG_THRESHOLD) drag.moved = true;
      if (drag.moved) { axis.scrollLeft = drag.left - dx; axis.classList.add("dragging"); }
    });
    window.addEventListener("pointerup", function () {
      if (!drag) return;
      justDragged = drag.moved;
      drag = null;
      axis.classList.remove("dragging");
      setTimeout(function () { justDragged = false; }, 0);  // after the click this release makes
    });
    axis.addEventListener("dragstart", function (event) { event.preventDefault(); });
    window.addEventListener("resize", layOut);
  }

  start();
})();
