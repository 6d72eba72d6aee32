/* Between Borders: draws a chapter's layers and moves the map as the reader's steps change.
 *
 * Contract: scroll steps are elements with class "step" and a stable id; the active one has
 * aria-current="step"; the Leaflet map is window.storyMap; /<chapter>/#<step-id> opens on that
 * step with the map already at its view. Text from layer files is only ever set with
 * textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var kit = {
    layers: {}, layerInfo: {}, features: {}, config: null, map: null, active: null, activations: [],
    labels: [], declutterPending: false, steps: null, viewStep: null, resolution: null, detailRequests: {},
    routeFilter: null, period: null, routeData: null, routeRequest: null
  };
  window.storyKit = kit;

  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  /* Presenter mode (/<chapter>/?present): set before the map is made, so it is made full-window. */
  var presenting = /(^\?|&)present(=|&|$)/.test(location.search) && document.body.classList.contains("chapter");
  if (presenting) document.body.classList.add("presenting");
  /* Shown before the map is made, so that the first view is fitted clear of it (fitOptions). */
  var exploreButton = document.getElementById("explore-toggle");
  if (exploreButton) exploreButton.hidden = false;

  /* A link to a page's folder; opened from disk (the offline copy), the folder's index.html. */
  function pageLink(href) {
    return location.protocol === "file:" ? href.replace(/\/(?=[?#]|$)/, "/index.html") : href;
  }

  /* The way from this page to its edition's root ("../" on a chapter page), set on <body>. */
  function siteRoot() { return document.body.dataset.root || ""; }

  /* The page's words for the interface in its edition's language (pages.py writes them from
     content/<lang>/strings.yaml); t("English text") gives the English where there is none. */
  var strings = null;
  function t(text) {
    if (!strings) {
      var data = document.getElementById("story-strings");
      strings = data ? JSON.parse(data.textContent) : {};
    }
    return strings[text] || text;
  }
  function pageLang() { return document.documentElement.lang || "en"; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function period(p) {
    if (p.start && p.end) return p.start + "–" + p.end;
    if (p.start) return t("since {year}").replace("{year}", p.start);
    if (p.end) return t("until {year}").replace("{year}", p.end);
    return "";
  }

  var PRECISION_TEXT = {
    exact: t("Exact: drawn from detailed map data."),
    approximate: t("Approximate: placed only as precisely as public sources allow."),
    schematic: t("Schematic: shows roughly where it runs, not its course on the ground.")
  };

  function sourceLinks(sources, into) {
    sources.forEach(function (source, i) {
      var link = el("a", null, source.label);
      link.href = pageLink(siteRoot() + source.href);
      into.appendChild(link);
      if (i < sources.length - 1) into.appendChild(document.createTextNode("; "));
    });
    return into;
  }

  /* Where a route's line passes places its sources do not name, added only to draw it: each
     waypoint is [place, country] in the page's language (flows.py, maps.py). */
  function drawnThrough(drawn, into) {
    (drawn || []).forEach(function (pair) {
      into.appendChild(el("p", "popup-waypoint", t("Drawn through {place} to keep the line in {country}.")
        .replace("{place}", pair[0]).replace("{country}", pair[1])));
    });
    return into;
  }

  /* ---- The flow map's routes: names, sources, years and each leg's routes (maps.route_data) ----
     Not in the first view: fetched from the map's routes.json when a reader first needs them (a
     leg's popup or tooltip, the route picker, ?route=, the year control). The offline copy, opened
     from disk where fetch fails, hands them over in a script (offline.py). */
  kit.addRouteData = function (data) {
    kit.routeData = data;
    kit.routeRequest = Promise.resolve(data);
  };

  kit.loadRoutes = function () {
    if (!kit.routeRequest) {
      kit.routeRequest = fetch(siteRoot() + kit.config.routeData).then(function (response) {
        if (!response.ok) throw new Error("routes: HTTP " + response.status);
        return response.json();
      }).then(function (data) {
        kit.routeData = data;
        return data;
      });
      kit.routeRequest.catch(function () { kit.routeRequest = null; });  /* tried again when next needed */
    }
    return kit.routeRequest;
  };

  /* A leg's routes, by their place in the route data (loaded). */
  function legMembers(p) { return kit.routeData.legs[p.id] || []; }

  /* A leg of the flow map lists its routes, each with its sources. */
  function routeList(p) {
    var list = el("ul", "popup-routes");
    legMembers(p).forEach(function (index) {
      var route = kit.routeData.routes[index];
      var item = el("li", null, route.name + " (");
      sourceLinks(route.sources.map(function (i) { return kit.routeData.sources[i]; }), item);
      item.appendChild(document.createTextNode(")"));
      drawnThrough(route.drawn, item);
      list.appendChild(item);
    });
    return list;
  }

  function routeCount(p) {
    return (p.count > 1 ? t("{count} routes") : t("{count} route")).replace("{count}", p.count);
  }

  /* A leg's tooltip: its places and the routes on it, the first few by name (once loaded). */
  function legTip(p) {
    var count = routeCount(p);
    if (!kit.routeData) return p.name + " (" + count + ")";
    var names = legMembers(p).slice(0, 3).map(function (index) { return kit.routeData.routes[index].name; });
    var more = p.count - names.length;
    return p.name + " (" + count + "): " + names.join("; ") +
      (more > 0 ? t("; and {count} more").replace("{count}", more) : "");
  }

  function popupContent(p) {
    var box = el("div", "feature-popup");
    box.appendChild(el("p", "popup-title", p.name));
    if (p.description) box.appendChild(el("p", null, p.description));
    drawnThrough(p.drawn, box);
    if (p.count) {
      box.appendChild(el("p", null, routeCount(p)));
      if (kit.routeData) box.appendChild(routeList(p));
      else {
        /* The routes' names arrive with the route data; the popup fills in and fits itself then. */
        var waiting = box.appendChild(el("p", "popup-loading", t("Loading the routes…")));
        kit.loadRoutes().then(function () {
          box.replaceChild(routeList(p), waiting);
          var layer = kit.features[p.id], popup = layer && layer.getPopup();
          if (popup && popup.isOpen()) popup.update();
        }).catch(function () { waiting.textContent = t("The routes could not be loaded."); });
      }
    }
    var facts = el("dl");
    function fact(term, value) {
      if (!value) return;
      facts.appendChild(el("dt", null, term));
      facts.appendChild(el("dd", null, value));
    }
    fact(t("Period"), period(p));
    if (p.length_km) fact(t("Length"), t("{km} km (geodesic, as drawn)").replace("{km}", p.length_km.toLocaleString(pageLang())));
    fact(t("Precision"), PRECISION_TEXT[p.precision] || p.precision);
    box.appendChild(facts);
    if (p.sources && p.sources.length && !p.count) box.appendChild(sourceLinks(p.sources, el("p", "popup-sources", t("Sources:") + " ")));
    return box;
  }

  /* A route's colour is its corridor's; a leg of the flow map also has its own width (flows.py). */
  function baseStyle(kind, colour, weight) {
    var style = Object.assign({}, kit.config.kinds[kind].style);
    if (colour && kind === "route") style.color = colour;
    if (weight) style.weight = weight;
    return style;
  }

  function drawFeature(feature, latlng, layerInfo) {
    var p = feature.properties;
    var style = baseStyle(p.kind, layerInfo.colour);
    if (latlng) return L.circleMarker(latlng, style);
    return null;
  }

  function bindFeature(feature, leafletLayer, layerInfo) {
    var p = feature.properties;
    var group = layerInfo.group;
    leafletLayer.storyFeature = {
      id: p.id, kind: p.kind, layerId: layerInfo.id, colour: p.colour || layerInfo.colour, weight: p.weight, count: p.count,
      start: p.start, end: p.end
    };
    kit.features[p.id] = leafletLayer;
    if (group === "basemap") return;  // the basemap is scenery: no tooltips, no popups
    /* Names labelled "always" (cities) are on the map (addLabels); other features name themselves on
       hover (storymap/inputs/kinds.py says which); a tooltip follows the pointer along lines and areas. */
    if (kit.config.kinds[p.kind].label !== "always") {
      var sticky = { sticky: feature.geometry.type !== "Point" };
      if (p.count) {
        /* A leg's tooltip names its first routes: made when shown, and the route data asked for. */
        leafletLayer.bindTooltip(function () { return el("span", null, legTip(p)); }, sticky);
        leafletLayer.on("tooltipopen", function () {
          if (kit.routeData) return;
          kit.loadRoutes().then(function () {
            var tooltip = leafletLayer.getTooltip();
            if (tooltip && tooltip.isOpen()) tooltip.setContent(el("span", null, legTip(p)));
          }).catch(function () {});
        });
      } else leafletLayer.bindTooltip(el("span", null, p.name), sticky);
    }
    /* Built when first opened: most popups are never opened, and building them all delays the map. */
    leafletLayer.bindPopup(function () { return popupContent(p); }, { maxWidth: 300 });
  }

  /* Names of areas (countries) and of points labelled "always" (cities) as plain markers placed by
     CSS transforms. (Leaflet's permanent tooltips measure themselves one by one, forcing a page
     layout for every label.) */
  function addLabels(map, layerInfo) {
    layerInfo.data.features.forEach(function (feature) {
      var p = feature.properties;
      var mode = kit.config.kinds[p.kind].label;
      var at = mode === "area" ? p.label_point : mode === "always" ? feature.geometry.coordinates : null;
      if (!at) return;
      var label = L.marker([at[1], at[0]], {
        icon: L.divIcon({ className: mode === "area" ? "area-label" : "point-label", html: el("span", null, p.name), iconSize: null }),
        interactive: false, keyboard: false
      }).addTo(map);
      kit.labels.push({ marker: label, layerId: layerInfo.id, point: mode === "always", order: kit.labels.length });
    });
  }

  /* ---- Labels give way: where two names would overlap, the less important one is hidden ---- */

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  /* Cities in the step's layers first, then country names, then the cities it steps back; within
     each, file order (layers/cities.geojson lists the story's main cities first). */
  function labelRank(label) {
    if (!label.point) return 1;
    return label.marker.getElement().classList.contains("faded") ? 2 : 0;
  }

  function declutterLabels() {
    kit.declutterPending = false;
    var ranked = kit.labels.slice().sort(function (a, b) { return labelRank(a) - labelRank(b) || a.order - b.order; });
    /* Every box is read before any class changes, so the page is laid out once, not once per label. */
    var boxes = ranked.map(function (label) { return label.marker.getElement().firstChild.getBoundingClientRect(); });
    var shown = [];
    ranked.forEach(function (label, i) {
      var clash = shown.some(function (box) { return overlaps(box, boxes[i]); });
      if (!clash) shown.push(boxes[i]);
      label.marker.getElement().classList.toggle("label-hidden", clash);
    });
  }

  /* After the next frame is drawn, when the layout is fresh and reading it costs nothing extra. */
  function scheduleDeclutter() {
    if (kit.declutterPending) return;
    kit.declutterPending = true;
    requestAnimationFrame(function () { setTimeout(declutterLabels, 0); });
  }

  /* The chapter's steps, from the page. */
  function readSteps() {
    if (!kit.steps) {
      var data = document.getElementById("story-steps");
      kit.steps = data ? JSON.parse(data.textContent) : [];
    }
    return kit.steps;
  }

  /* The step the address names (/<chapter>/#<step-id>), if any: the page opens on it. A mangled
     address (a malformed escape such as "#%E0", an unknown or overlong name) names no step. */
  function addressedStep() {
    var raw = location.hash.slice(1), wanted;
    if (!raw || raw.length > 200) return null;
    try { wanted = decodeURIComponent(raw); } catch (error) { return null; }
    return readSteps().filter(function (s) { return s.id === wanted; })[0] || null;
  }

  /* A layer's features, with the detailed geometry of a zoomed-in step where it has one. */
  function layerData(layerId, geometries) {
    var data = kit.layerInfo[layerId].data;
    if (!geometries) return data;
    return { type: "FeatureCollection", features: data.features.map(function (f) {
      var detailed = geometries[f.properties.id];
      return detailed ? { type: "Feature", properties: f.properties, geometry: detailed } : f;
    }) };
  }

  /* Called by the map's generated script (maps.py) with the chapter's layers and styles. The map
     goes to the opening step's view first, so that every path is projected and drawn once. */
  kit.addLayers = function (map, config) {
    kit.map = map;
    kit.config = config;
    map.getContainer().style.backgroundColor = config.sea;  /* the palette is storymap/inputs/kinds.py's */
    var opening = addressedStep() || readSteps()[0];
    if (opening) moveTo(opening, false);
    var geometries = opening && config.detail[opening.id];
    kit.resolution = geometries ? opening.id : null;
    config.layers.forEach(function (layerInfo) {
      kit.layerInfo[layerInfo.id] = layerInfo;
      var layer = L.geoJSON(layerData(layerInfo.id, geometries), {
        style: function (feature) {
          var p = feature.properties;
          return baseStyle(p.kind, p.colour || layerInfo.colour, p.weight);
        },
        pointToLayer: function (feature, latlng) { return drawFeature(feature, latlng, layerInfo); },
        onEachFeature: function (feature, leafletLayer) { bindFeature(feature, leafletLayer, layerInfo); },
        interactive: layerInfo.group !== "basemap"
      }).addTo(map);
      kit.layers[layerInfo.id] = layer;
      addLabels(map, layerInfo);
    });
    config.attributions.concat(["Leaflet"]).forEach(function (text) { map.attributionControl.addAttribution(text); });
    if (map.zoomControl && pageLang() !== "en") {  /* Leaflet's buttons, named in the page's language */
      map.zoomControl.remove();
      map.zoomControl = L.control.zoom({ zoomInTitle: t("Zoom in"), zoomOutTitle: t("Zoom out") }).addTo(map);
    }
    map.on("moveend", updateLocator);
    map.on("zoomend", scheduleDeclutter);
    cooperativeGestures(map);
  };

  /* ---- Gestures: the page always scrolls; the map moves on the gestures made for it ----
     Over the map a plain wheel turn scrolls the page and ctrl/⌘ + wheel (a trackpad pinch)
     zooms; on a touch screen one finger scrolls the page and two fingers pan and pinch. A plain
     gesture on the map shows a short hint, also read out politely. In explore mode the map takes
     every gesture and the steps wait. */

  var MAC = /Mac|iPhone|iPad/.test(navigator.platform || "");
  var HINT_WHEEL = t("Use {key} + scroll to zoom the map").replace("{key}", MAC ? "⌘" : "ctrl");
  var HINT_TOUCH = t("Use two fingers to move the map");
  var HINT_MS = 1600;
  /* A wheel turn over the text this recently means the reader is scrolling the story: no hint. */
  var SCROLLING_MS = 600;
  var hintTimer = null, lastWheelOffMap = 0;

  function say(text) {
    var hint = document.getElementById("map-hint");
    if (!hint) return;
    if (hint.textContent !== text) hint.textContent = text;
    hint.classList.add("shown");
    clearTimeout(hintTimer);
    hintTimer = setTimeout(function () {
      hint.classList.remove("shown");
      hintTimer = setTimeout(function () { hint.textContent = ""; }, 400);  // after the fade
    }, HINT_MS);
  }

  function cooperativeGestures(map) {
    var container = map.getContainer();
    var CooperativeWheel = L.Map.ScrollWheelZoom.extend({
      _onWheelScroll: function (event) {
        if (event.ctrlKey || event.metaKey || kit.exploring) {
          L.Map.ScrollWheelZoom.prototype._onWheelScroll.call(this, event);
        } else if (Date.now() - lastWheelOffMap > SCROLLING_MS) {
          say(HINT_WHEEL);  // and the page scrolls: the event is left alone
        }
      }
    });
    map.scrollWheelZoom.disable();
    map.addHandler("cooperativeWheel", CooperativeWheel);
    map.cooperativeWheel.enable();
    document.addEventListener("wheel", function (event) {
      if (!container.contains(event.target)) lastWheelOffMap = Date.now();
    }, { passive: true, capture: true });
    /* One finger never reaches Leaflet's dragging (story.css lets the browser scroll instead);
       two fingers do, for Leaflet's pinch, which also pans. */
    container.addEventListener("touchstart", function (event) {
      if (!kit.exploring && event.touches.length === 1) event.stopPropagation();
    }, { capture: true, passive: true });
    container.addEventListener("touchmove", function (event) {
      if (!kit.exploring && event.touches.length === 1) say(HINT_TOUCH);
    }, { passive: true });
  }

  /* ---- Explore mode ---- */

  function setExploring(on) {
    var button = document.getElementById("explore-toggle");
    if (!kit.map || !button || kit.exploring === on) return;
    kit.exploring = on;
    document.body.classList.toggle("exploring", on);
    button.textContent = on ? t("Back to the story") : t("Explore the map");
    button.setAttribute("aria-pressed", String(on));
    if (on) {
      say(t("Exploring the map: drag to move it, scroll to zoom. Esc or “Back to the story” returns."));
      return;
    }
    say(t("Back to the story: the map follows the text again."));
    var current = document.body.classList.contains("embed") ? null : stepAtTriggerLine();
    if (current && current !== kit.active) {
      activate(current, { animate: true, updateAddress: true });
    } else if (kit.active) {
      kit.viewStep = null;
      moveTo(kit.active, !reducedMotion.matches);
    }
  }

  /* The step whose box crosses the trigger line now, if any. */
  function stepAtTriggerLine() {
    var line = window.innerHeight * triggerLine() / 100;
    var node = stepElements().filter(function (n) {
      var box = n.getBoundingClientRect();
      return box.top <= line && box.bottom >= line;
    })[0];
    return node ? readSteps().filter(function (s) { return s.id === node.id; })[0] || null : null;
  }

  /* ---- The map by year: ?from=2005&to=2010 shows what existed in those years ---- */

  /* Whether a feature (or route) with these years existed in the chosen period; an unknown start
     is before the story, an unknown end still there (storymap/core/dates.py). */
  kit.inPeriod = function (item) {
    var period = kit.period;
    if (!period) return true;
    return (item.start === undefined || item.start === null || item.start <= period.to) &&
      (item.end === undefined || item.end === null || item.end >= period.from);
  };

  /* How many of a leg's routes are shown: in the chosen years, and the one picked, if any. Until
     the route data is there (it is asked for as soon as years or a route are chosen), all. */
  function legRoutes(info) {
    if (!kit.routeData) return info.count;
    return legMembers(info).filter(function (index) {
      return (kit.routeFilter === null || index === kit.routeFilter) && kit.inPeriod(kit.routeData.routes[index]);
    }).length;
  }

  /* The routes the map shows now, by slug (for tests and the status line); none until loaded. */
  kit.visibleRoutes = function () {
    return (kit.routeData && kit.routeData.routes || []).filter(function (route, index) {
      return (kit.routeFilter === null || index === kit.routeFilter) && kit.inPeriod(route);
    }).map(function (route) { return route.slug; });
  };

  /* The period the address names, if it is a valid one inside first..last; anything else (letters,
     a reversed or impossible range) is the full range: null. */
  function addressPeriod(first, last) {
    var query = new URLSearchParams(location.search);
    var from = query.get("from"), to = query.get("to");
    if (from === null && to === null) return null;
    from = from === null ? first : /^\d{4}$/.test(from) ? Number(from) : NaN;
    to = to === null ? last : /^\d{4}$/.test(to) ? Number(to) : NaN;
    if (!(from >= first && to <= last && from <= to)) return null;
    return from === first && to === last ? null : { from: from, to: to };
  }

  /* The address with the period (or without it), keeping its other parameters and the step. */
  function periodAddress(period) {
    var query = new URLSearchParams(location.search);
    query.delete("from");
    query.delete("to");
    if (period) { query.set("from", period.from); query.set("to", period.to); }
    var search = query.toString();
    return location.pathname + (search ? "?" + search : "") + location.hash;
  }

  /* The year control (templates/partials/years.html): two sliders, announced as they move; the
     period goes into the address. `onChange` redraws what the page shows; on the timeline page
     both the map (here) and the events (timeline.js) listen. */
  var yearListeners = null;
  kit.setUpYears = function (onChange) {
    var box = document.getElementById("year-control");
    if (!box) return null;
    if (yearListeners) {
      yearListeners.push(onChange);
      onChange(kit.period);
      return kit.period;
    }
    yearListeners = [onChange];
    var first = Number(box.dataset.first), last = Number(box.dataset.last);
    var from = document.getElementById("year-from"), to = document.getElementById("year-to");
    var status = document.getElementById("year-status"), mapLink = document.getElementById("year-map-link");
    function show(announce) {
      var period = kit.period;
      from.value = period ? period.from : first;
      to.value = period ? period.to : last;
      from.setAttribute("aria-valuetext", from.value);
      to.setAttribute("aria-valuetext", to.value);
      var words = period ? t("Showing what existed from {from} to {to}").replace("{from}", period.from).replace("{to}", period.to)
        : t("Showing every year, {first} to {last}").replace("{first}", first).replace("{last}", last);
      if (announce || period || status.textContent) status.textContent = words;
      if (mapLink) {
        var base = mapLink.getAttribute("href").split("?")[0];
        mapLink.setAttribute("href", pageLink(base) + (period ? "?from=" + period.from + "&to=" + period.to : ""));
      }
    }
    function set(start, end, announce) {
      kit.period = start <= first && end >= last ? null : { from: start, to: end };
      history.replaceState(history.state, "", periodAddress(kit.period));
      show(announce);
      yearListeners.forEach(function (listener) { listener(kit.period); });
    }
    kit.period = addressPeriod(first, last);
    box.hidden = false;
    show(false);
    from.addEventListener("input", function () {
      var start = Number(from.value), end = Math.max(Number(to.value), start);
      set(start, end, true);
    });
    to.addEventListener("input", function () {
      var end = Number(to.value), start = Math.min(Number(from.value), end);
      set(start, end, true);
    });
    document.getElementById("year-all").addEventListener("click", function () { set(first, last, true); });
    onChange(kit.period);
    return kit.period;
  };

  /* ---- Steps ---- */

  function restyle(step) {
    if (kit.period && kit.config.routeData && !kit.routeData) {
      /* Which legs' routes fall in the chosen years is in the route data: drawn again once it is here. */
      kit.loadRoutes().then(function () { if (kit.active) restyle(kit.active); }).catch(function () {});
    }
    var forward = {};
    step.layers.forEach(function (id) { forward[id] = true; });
    var highlighted = {};
    step.highlight.forEach(function (id) { highlighted[id] = true; });
    var order = [], widest = 0;
    Object.keys(kit.layers).forEach(function (layerId) {
      kit.layers[layerId].eachLayer(function (leafletLayer) {
        var info = leafletLayer.storyFeature;
        if (kit.layers[layerId].options.interactive === false) return;  // basemap keeps its look
        /* A leg of the flow map is as wide as its routes in the chosen years (config.legWeights). */
        var shown = info.count ? legRoutes(info) : null;
        var weights = kit.config.legWeights;
        var weight = kit.period && shown && weights ? weights[Math.min(shown, weights.length - 1)] : info.weight;
        if (shown) widest = Math.max(widest, shown);
        var style = baseStyle(info.kind, info.colour, weight);
        var hidden = shown === 0 || !kit.inPeriod(info) || kit.routeFilter !== null && !info.count &&
          info.layerId.indexOf("routes/") === 0 && info.layerId !== "routes/" + kit.routeData.routes[kit.routeFilter].slug;
        var dim = hidden ? 0 : forward[layerId] ? 1 : kit.config.faded;
        var hi = highlighted[info.id];
        var opacity = (style.opacity === undefined ? 1 : style.opacity) * dim;
        var change = { opacity: opacity, fillOpacity: (style.fillOpacity || 0) * dim };
        if (hi && style.weight) change.weight = style.weight * kit.config.highlightWeight;
        else if (style.weight) change.weight = style.weight;
        leafletLayer.setStyle(change);
        /* Drawing order (storymap/inputs/kinds.py): tier by tier, faded features under the step's own;
           highlighted features last, above every other feature, whatever layer they belong to. */
        var tier = kit.config.kinds[info.kind].tier;
        order.push({ layer: leafletLayer, rank: hi ? 1000 + tier : 2 * tier + (forward[layerId] ? 1 : 0) });
        var path = leafletLayer.getElement && leafletLayer.getElement();
        if (path) path.classList.toggle("highlighted", !!hi);
        if (path) path.classList.toggle("route-hidden", hidden);
      });
    });
    /* The legend's sample widths: none wider than the widest leg of the chosen years. */
    document.querySelectorAll(".legend li[data-count]").forEach(function (item) {
      item.hidden = kit.period !== null && Number(item.dataset.count) > Math.max(widest, 1);
    });
    order.sort(function (a, b) { return a.rank - b.rank; });  /* stable: file order within a rank */
    order.forEach(function (item) { if (item.layer.bringToFront) item.layer.bringToFront(); });
    kit.labels.forEach(function (label) {
      if (label.point) label.marker.getElement().classList.toggle("faded", !forward[label.layerId]);
    });
    scheduleDeclutter();
  }

  /* ---- Detail: a step that zooms in swaps in geometry detailed enough for its view ---- */

  /* The offline copy (offline.py) hands over every step's detail in a script: file:// cannot fetch. */
  kit.addDetail = function (details) {
    Object.keys(details).forEach(function (id) { kit.detailRequests[id] = Promise.resolve(details[id]); });
  };

  function loadDetail(step) {
    if (!kit.detailRequests[step.id]) {
      var inline = kit.config.detail[step.id];
      kit.detailRequests[step.id] = inline ? Promise.resolve(inline) : fetch(siteRoot() + step.detail).then(function (response) {
        if (!response.ok) throw new Error("detail for step " + step.id + ": HTTP " + response.status);
        return response.json();
      });
    }
    return kit.detailRequests[step.id];
  }

  function redraw(resolution, geometries) {
    kit.resolution = resolution;
    Object.keys(kit.layers).forEach(function (layerId) {
      kit.layers[layerId].clearLayers();
      kit.layers[layerId].addData(layerData(layerId, geometries));
    });
    if (kit.active) restyle(kit.active);
  }

  function setResolution(step) {
    var wanted = step.detail ? step.id : null;
    if (wanted === kit.resolution) return;
    if (!wanted) { redraw(null, null); return; }
    loadDetail(step).then(function (geometries) {
      if (kit.active === step) redraw(wanted, geometries);
    }).catch(function () { /* keep the overview: the map still shows every feature */ });
  }

  /* A view's bounds are fitted clear of the locator inset in the map's top-right corner: kept
     below it or to its left, whichever leaves the larger zoom. */
  kit.fitOptions = function (bounds) {
    var locator = document.getElementById("locator"), map = kit.map;
    if (!locator || !locator.getClientRects().length) return {};
    var box = locator.getBoundingClientRect(), pane = map.getContainer().getBoundingClientRect();
    /* The "Explore the map" button sits below the inset: the two are one corner to keep clear. */
    var button = document.getElementById("explore-toggle");
    if (button && button.getClientRects().length) {
      var corner = button.getBoundingClientRect();
      box = { left: Math.min(box.left, corner.left), bottom: Math.max(box.bottom, corner.bottom) };
    }
    /* In presenter mode the caption covers the bottom of the map: the view is fitted above it. */
    var caption = presenting && document.querySelector(".step[aria-current='step']");
    var under = caption ? Math.max(0, Math.ceil(pane.bottom - caption.getBoundingClientRect().top)) : 0;
    var below = [0, Math.ceil(box.bottom - pane.top)], left = [Math.ceil(pane.right - box.left), 0];
    var belowFit = { paddingTopLeft: below, paddingBottomRight: [0, under] };
    var leftFit = { paddingTopLeft: [0, 0], paddingBottomRight: [left[0], under] };
    if (!under) { delete belowFit.paddingBottomRight; delete leftFit.paddingTopLeft; }
    var sum = function (fit) { return L.point(fit.paddingTopLeft || [0, 0]).add(fit.paddingBottomRight || [0, 0]); };
    return map.getBoundsZoom(bounds, false, sum(belowFit)) >= map.getBoundsZoom(bounds, false, sum(leftFit)) ? belowFit : leftFit;
  };

  /* Takes the map to a step's view, unless it is there already (the opening step's, set before drawing). */
  function moveTo(step, animate) {
    var map = kit.map, view = step.view;
    if (kit.viewStep === step.id) return;
    kit.viewStep = step.id;
    if (view.bounds) {
      var fit = kit.fitOptions(view.bounds);
      if (animate) map.flyToBounds(view.bounds, Object.assign({ duration: 1.2 }, fit));
      else map.fitBounds(view.bounds, Object.assign({ animate: false }, fit));
    } else {
      if (animate) map.flyTo(view.center, view.zoom, { duration: 1.2 });
      else map.setView(view.center, view.zoom, { animate: false });
    }
  }

  function stepElements() { return Array.prototype.slice.call(document.querySelectorAll(".step")); }

  function activate(step, options) {
    if (!kit.map) return;
    if (kit.exploring) {
      if (options.fromScroll) return;  // the steps wait while the reader explores
      setExploring(false);
    }
    if (kit.active && kit.active.id === step.id) return;
    kit.active = step;
    kit.activations.push(step.id);
    stepElements().forEach(function (node) {
      if (node.id === step.id) node.setAttribute("aria-current", "step");
      else node.removeAttribute("aria-current");
    });
    moveTo(step, options.animate && !reducedMotion.matches);
    setResolution(step);
    restyle(step);
    if (presenterWhere) {
      presenterWhere.textContent = t("Step {number} of {total}").replace("{number}", readSteps().indexOf(step) + 1)
        .replace("{total}", readSteps().length);
    }
    var status = document.getElementById("map-status");
    if (status) status.textContent = step.description;
    if (options.updateAddress && location.hash !== "#" + step.id) {
      history.replaceState(history.state, "", "#" + step.id);
    }
    keepStepInLanguageLinks();
  }

  /* The language switch leads to the same step in the other editions (/hunger/#eunju ⇄ /ko/hunger/#eunju). */
  function keepStepInLanguageLinks() {
    document.querySelectorAll("a.lang-switch").forEach(function (link) {
      link.setAttribute("href", pageLink(link.getAttribute("href").split("#")[0]) + location.hash);
    });
  }

  function updateLocator() {
    var svg = document.getElementById("locator");
    var rect = document.getElementById("locator-view");
    if (!svg || !rect || !kit.map) return;
    var west = parseFloat(svg.dataset.west), north = parseFloat(svg.dataset.north), scale = parseFloat(svg.dataset.scale);
    var b = kit.map.getBounds();
    var x = (b.getWest() - west) * scale, y = (north - b.getNorth()) * scale;
    var w = Math.max((b.getEast() - b.getWest()) * scale, 3), h = Math.max((b.getNorth() - b.getSouth()) * scale, 3);
    rect.setAttribute("x", x.toFixed(1));
    rect.setAttribute("y", y.toFixed(1));
    rect.setAttribute("width", w.toFixed(1));
    rect.setAttribute("height", h.toFixed(1));
  }

  function triggerLine() {
    /* Where a step becomes active, in % of the viewport: mid-screen, or mid-text under the map on phones. */
    return parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--step-trigger")) || 50;
  }

  function triggerMargin() {
    var line = triggerLine();
    return "-" + line + "% 0px -" + (100 - line) + "% 0px";
  }

  function scrollToStep(node, smooth) {
    if (!node) return;  // a map without a scroll of steps (the timeline's)
    /* The step's scroll-margin-top (story.css) puts its top just above the trigger line, as the
       browser's own jump to #step-id does. */
    node.scrollIntoView({ block: "start", behavior: smooth && !reducedMotion.matches ? "smooth" : "auto" });
  }

  /* "Copy link to this step": the step's address goes to the clipboard; where the browser refuses,
     the address is shown for copying by hand. */
  function copyStepLink(event) {
    event.preventDefault();
    var url = location.href.split("#")[0] + event.currentTarget.getAttribute("href");
    var status = document.getElementById("copy-status");
    function say(text) { if (status) status.textContent = text; event.target.dataset.state = text; }
    var copying = navigator.clipboard ? navigator.clipboard.writeText(url) : Promise.reject(new Error("no clipboard"));
    copying.then(function () { say(t("Link copied: {url}").replace("{url}", url)); },
                 function () { say(t("Copy this link: {url}").replace("{url}", url)); });
  }

  /* ---- Single-key shortcuts (WCAG 2.1.4): n and p can be turned off, and stay off ---- */

  var KEYS_SETTING = "between-borders-single-keys";

  function singleKeysOn() {
    var box = document.getElementById("single-keys");
    return !box || box.checked;
  }

  function setUpKeysSwitch() {
    var box = document.getElementById("single-keys");
    if (!box) return;
    try { box.checked = localStorage.getItem(KEYS_SETTING) !== "off"; } catch (error) { /* storage refused */ }
    box.addEventListener("change", function () {
      try { localStorage.setItem(KEYS_SETTING, box.checked ? "on" : "off"); } catch (error) { /* not kept */ }
    });
  }

  /* ---- Presenter mode: one step at a time, for a projector and a clicker ---- */

  var presenterWhere = null;
  var NEXT_KEYS = { PageDown: 1, ArrowRight: 1, " ": 1 }, PREVIOUS_KEYS = { PageUp: 1, ArrowLeft: 1 };

  /* A step too long for one screen runs on into more columns to the right (story.css): the caption
     shows them two at a time, as parts that "next" and "back" page through before changing step.
     An odd last column gets an empty partner, so that every part starts on a fresh pair. */
  function captionPages(node) {
    var style = getComputedStyle(node), gap = parseFloat(style.columnGap) || 0;
    var padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    var width = node.clientWidth - padding, column = (width - gap) / 2;
    var columns = Math.round((node.scrollWidth - padding + gap) / (column + gap));
    return { page: width + gap, columns: columns, count: Math.max(1, Math.ceil(columns / 2)),
             current: Math.round(node.scrollLeft / (width + gap)) };
  }

  function showCaptionPart(node, part) {
    if (!node.querySelector(".column-spacer") && captionPages(node).columns % 2) {
      node.appendChild(el("div", "column-spacer"));
    }
    var pages = captionPages(node);
    node.scrollLeft = part * pages.page;
    var label = document.querySelector(".presenter-part");
    if (label) label.textContent = pages.count > 1 ? t("Part {number} of {total}").replace("{number}", part + 1)
      .replace("{total}", pages.count) : "";
  }

  function present(steps) {
    var bar = el("p", "presenter-bar");
    var where = el("span", "presenter-where");
    bar.appendChild(el("span", "presenter-title", document.getElementById("chapter-title").textContent));
    bar.appendChild(where);
    bar.appendChild(el("span", "presenter-part"));
    bar.appendChild(el("span", "presenter-keys", t("→ or click: next · ←: back · Esc: leave")));
    where.setAttribute("aria-live", "polite");
    document.querySelector(".map-pane").appendChild(bar);

    presenterWhere = where;
    function show(index, animate) {
      if (index >= 0 && index < steps.length) activate(steps[index], { animate: animate, updateAddress: true });
    }
    function move(by) {
      var node = document.getElementById(kit.active.id), pages = captionPages(node);
      var part = pages.current + by;
      if (part >= 0 && part < pages.count) { showCaptionPart(node, part); return; }
      var index = steps.indexOf(kit.active) + by;
      if (index < 0 || index >= steps.length) return;
      show(index, true);
      node = document.getElementById(steps[index].id);
      showCaptionPart(node, by < 0 ? captionPages(node).count - 1 : 0);
    }
    function leave() { location.assign(location.pathname + location.hash); }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (/^(INPUT|TEXTAREA|SELECT|BUTTON|A|SUMMARY)$/.test(event.target.tagName) && event.key === " ") return;
      /* With the map focused, the arrows pan it (Leaflet's keyboard handler). */
      if (event.key.indexOf("Arrow") === 0 && event.target.closest(".leaflet-container")) return;
      if (NEXT_KEYS[event.key]) { event.preventDefault(); move(1); }
      else if (PREVIOUS_KEYS[event.key]) { event.preventDefault(); move(-1); }
      else if (event.key === "Escape" && !kit.exploring) leave();
    });
    document.addEventListener("click", function (event) {
      if (kit.exploring || event.button !== 0) return;
      if (kit.map.dragging.moved()) return;  // the end of a drag that moved the map, not a click
      if (event.target.closest("a, button, input, label, summary, .legend, .locator, .leaflet-control, .leaflet-interactive, .leaflet-popup, .presenter-bar")) return;
      move(1);
    });
    kit.viewStep = null;  // the opening view is fitted again, clear of the caption
    kit.active = null;
    show(steps.indexOf(addressedStep() || steps[0]), false);
    showCaptionPart(document.getElementById(kit.active.id), 0);
  }

  /* ---- The route picker: one route of the flow map alone, at /<chapter>/?route=<slug> ---- */

  function routeIndex(slug) {
    var routes = (kit.routeData && kit.routeData.routes) || [];
    for (var i = 0; i < routes.length; i++) if (routes[i].slug === slug) return i;
    return -1;
  }

  /* The first step that shows the flow map (a step that names `routes`). */
  function flowStep() {
    return readSteps().filter(function (s) { return s.layers.indexOf("flows") >= 0; })[0] || null;
  }

  /* Shows one route alone (or every route for ""), once the route data is there; a promise. */
  kit.showRoute = function (slug) {
    if (slug && !kit.routeData) return kit.loadRoutes().then(function () { return kit.showRoute(slug); });
    return Promise.resolve(showRouteNow(slug));
  };

  function showRouteNow(slug) {
    var index = routeIndex(slug);
    kit.routeFilter = index < 0 ? null : index;
    var picker = document.getElementById("route-picker");
    if (picker) picker.value = index < 0 ? "" : slug;
    var query = new URLSearchParams(location.search);
    if (index < 0) query.delete("route"); else query.set("route", slug);
    var search = query.toString();
    history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
    if (kit.active) restyle(kit.active);
    var flows = kit.layers.flows;
    if (index < 0 || !flows) return;
    var bounds = L.latLngBounds([]);
    flows.eachLayer(function (leg) {
      if (legMembers(leg.storyFeature).indexOf(index) >= 0) bounds.extend(leg.getBounds());
    });
    if (!bounds.isValid()) return;
    var fit = kit.fitOptions(bounds), legend = document.querySelector(".legend[open]");
    if (legend && legend.getClientRects().length) {  // the open legend covers the map's left side: fit beside it
      var pane = kit.map.getContainer().getBoundingClientRect(), box = legend.getBoundingClientRect();
      var topLeft = fit.paddingTopLeft || [0, 0];
      if (box.right - pane.left < pane.width / 2) fit.paddingTopLeft = [Math.max(topLeft[0], Math.ceil(box.right - pane.left)), topLeft[1]];
    }
    fit.paddingBottomRight = fit.paddingBottomRight || [40, 24];  // room for the end points' names
    kit.map.fitBounds(bounds, Object.assign({ animate: !reducedMotion.matches }, fit));
  }

  function startPicker(byId) {
    var picker = document.getElementById("route-picker");
    var wanted = new URLSearchParams(location.search).get("route");
    var step = flowStep();
    if (picker && step) {
      /* The options come with the route data, asked for when the reader reaches for the picker
         (pointer over it, a touch, or focus by keyboard), before it opens. */
      var filled = false;
      var fill = function () {
        kit.loadRoutes().then(function (data) {
          if (filled) return;
          filled = true;
          data.routes.forEach(function (route) {
            var option = el("option", null, route.name);
            option.value = route.slug;
            picker.appendChild(option);
          });
          if (kit.routeFilter !== null) picker.value = data.routes[kit.routeFilter].slug;
        }).catch(function () {});
      };
      ["pointerenter", "touchstart", "focus"].forEach(function (type) {
        picker.addEventListener(type, fill, { passive: true });
      });
      if (kit.routeData) fill();
      picker.closest("label").hidden = false;
      picker.addEventListener("change", function () {
        var target = flowStep();
        if (picker.value && target && kit.active !== byId[target.id]) {
          scrollToStep(document.getElementById(target.id), false);
          activate(byId[target.id], { animate: false, updateAddress: true });
        }
        kit.showRoute(picker.value);
      });
    }
    if (wanted && step) {
      kit.loadRoutes().then(function () {
        if (routeIndex(wanted) < 0) return;
        if (picker) fill();
        scrollToStep(document.getElementById(step.id), false);
        activate(byId[step.id], { animate: false, updateAddress: true });
        showRouteNow(wanted);
      }).catch(function () {});
    }
  }

  function start() {
    setUpKeysSwitch();
    keepStepInLanguageLinks();
    window.addEventListener("hashchange", keepStepInLanguageLinks);
    /* The legend starts folded (phones keep it so); on wide screens there is room to open it. */
    var legend = document.querySelector(".legend");
    if (legend && window.matchMedia("(min-width: 801px)").matches) legend.open = true;
    var steps = readSteps();
    if (!steps.length || !kit.map) return;
    var byId = {};
    steps.forEach(function (s) { byId[s.id] = s; });

    var target = addressedStep();
    activate(target || steps[0], { animate: false, updateAddress: false });
    if (presenting) present(steps);
    else if (target) scrollToStep(document.getElementById(target.id), false);

    var observer = null;
    function observe() {
      if (observer) observer.disconnect();
      observer = new IntersectionObserver(function (entries) {
        /* Entries can arrive late: after a jump by key or link the page may already be elsewhere,
           so a step is activated only if it still touches the trigger line (entry.rootBounds) now. */
        entries.forEach(function (entry) {
          if (!entry.isIntersecting || !byId[entry.target.id]) return;
          var box = entry.target.getBoundingClientRect(), line = entry.rootBounds;
          if (box.top <= line.bottom && box.bottom >= line.top) {
            activate(byId[entry.target.id], { animate: true, updateAddress: true, fromScroll: true });
          }
        });
      }, { rootMargin: triggerMargin(), threshold: 0 });
      stepElements().forEach(function (node) { observer.observe(node); });
    }

    if (document.body.classList.contains("embed")) {
      /* In an iframe the reader picks steps from the compact list; nothing scrolls. */
      steps.forEach(function (step) {
        document.getElementById(step.id).addEventListener("click", function () {
          activate(step, { animate: true, updateAddress: true });
        });
      });
    } else if (!presenting) {
      observe();
      window.matchMedia("(max-width: 800px)").addEventListener("change", observe);
    }
    startPicker(byId);
    var period = kit.setUpYears(function () { if (kit.active) restyle(kit.active); });
    var flow = flowStep();
    if (period && flow && !target && document.getElementById(flow.id) && !new URLSearchParams(location.search).get("route")) {
      /* A link to "the routes of the late 2000s" opens at the flow map. */
      scrollToStep(document.getElementById(flow.id), false);
      activate(byId[flow.id], { animate: false, updateAddress: true });
    }
    document.querySelectorAll(".step-link").forEach(function (link) {
      link.addEventListener("click", copyStepLink);
    });

    document.addEventListener("focusin", function (event) {
      var node = event.target.closest && event.target.closest(".step");
      if (node && byId[node.id] && !kit.exploring) activate(byId[node.id], { animate: true, updateAddress: true });
    });

    if (exploreButton) exploreButton.addEventListener("click", function () { setExploring(!kit.exploring); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && kit.exploring) setExploring(false);
    });

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = event.target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || event.target.isContentEditable) return;
      if (event.key !== "n" && event.key !== "p") return;
      if (!singleKeysOn()) return;
      var index = steps.indexOf(kit.active) + (event.key === "n" ? 1 : -1);
      if (index < 0 || index >= steps.length) return;
      var node = document.getElementById(steps[index].id);
      scrollToStep(node, true);
      node.focus({ preventScroll: true });
      activate(steps[index], { animate: true, updateAddress: true });
    });
    updateLocator();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
