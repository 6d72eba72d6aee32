/* The live preview's listener (added to pages only by `python build.py serve`, never built into
   site/). It hears of every build on the preview server's event stream: after a good build the
   page reloads (its address keeps the step it is on); after a failed one it lists the problems
   over the last good page, until a save fixes them. */
(function () {
  "use strict";
  var script = document.currentScript;
  var shownSite = Number(script.dataset.site);
  var overlay = null;

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = script.src.replace(/preview\.js.*$/, "preview.css");
  document.head.appendChild(style);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function showProblems(problems) {
    hideProblems();
    overlay = element("section", "preview-problems");
    overlay.id = "preview-problems";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-label", "Problems in your files");
    var count = problems.length === 1 ? "1 problem" : problems.length + " problems";
    overlay.appendChild(element("h2", null, count + ": the preview still shows the last good build"));
    var list = element("ol");
    problems.forEach(function (problem) {
      var item = element("li");
      var where = element("p", "preview-where");
      where.appendChild(element("code", null, problem.file));
      if (problem.where) where.appendChild(document.createTextNode(", " + problem.where));
      if (problem.field) where.appendChild(document.createTextNode(", field " + problem.field));
      item.appendChild(where);
      item.appendChild(element("p", null, problem.message));
      if (problem.fix) item.appendChild(element("p", "preview-fix", "Fix: " + problem.fix));
      list.appendChild(item);
    });
    overlay.appendChild(list);
    overlay.appendChild(element("p", "preview-note", "Save a fix and this page reloads by itself."));
    document.body.appendChild(overlay);
  }

  function hideProblems() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  /* The contribution studio, linked from the routes catalogue and the routes chapter (the page
     with the route picker) in the preview only. */
  var catalogue = document.querySelector("main.route-catalogue h1");
  var picker = document.getElementById("route-picker");
  var anchor = catalogue || (picker && document.querySelector(".chapter-header"));
  if (anchor && script.dataset.studio) {
    var link = element("p", "preview-studio");
    var a = element("a", null, script.dataset.studioLabel);
    a.href = script.dataset.studio;
    a.id = "preview-studio-link";
    link.appendChild(a);
    if (catalogue) catalogue.insertAdjacentElement("afterend", link); else anchor.appendChild(link);
  }

  var events = new EventSource("/__preview__/events");
  events.addEventListener("build", function (event) {
    var status = JSON.parse(event.data);
    document.documentElement.setAttribute("data-preview", "listening");
    if (status.problems.length) {
      showProblems(status.problems);
    } else if (status.site > shownSite) {
      events.close();
      location.reload();
    } else {
      hideProblems();
    }
  });
})();
