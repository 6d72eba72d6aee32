/* The contribution studio (served only by the live preview; never part of site/).

   The form keeps its state in one object, `draft`, saved to localStorage on every change, so
   that a closed tab, a crashed preview or a refused save loses nothing; it is dropped only once
   the route is saved or the contributor discards it. Place fields follow the WAI-ARIA combobox
   pattern (listbox popup): typing suggests the gazetteer's places by English, Korean and Chinese
   names and other spellings, with the country; a stop holds only a place chosen from the list.
   The map beside the form draws the stops as they are chosen, and the line through them as the
   build draws it (the preview's /line), in the flow map's styles. */
(function () {
  "use strict";
  var DRAFT_KEY = "between-borders.studio.draft";
  var SAFETY_KEY = "between-borders.studio.safety";
  var API = "/__preview__/studio/";
  var MAX_UPLOAD = 5 * 1024 * 1024;
  var token = document.querySelector("meta[name=studio-token]").content;
  var lang = document.querySelector("meta[name=studio-lang]").content;
  var data = null, map = null, routeLayer = null, stopLayer = null, placeMarker = null;
  var drawn = 0; // how many times the route was drawn: a line that arrives late is not drawn
  var words = {};
  var draft = emptyDraft();
  var clicked = null; // the new place's position and country, once the map was clicked
  var catalogue = "routes/"; // the catalogue's page that lists the route being edited

  function t(text, values) {
    var out = words[text] || text;
    Object.keys(values || {}).forEach(function (key) { out = out.split("{" + key + "}").join(values[key]); });
    return out;
  }
  function $(id) { return document.getElementById(id); }
  function element(tag, props, text) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "className") node.className = props[key]; else node.setAttribute(key, props[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function emptyDraft() {
    return {slug: null, stops: [{name: null, waypoint: false}, {name: null, waypoint: false}], name: "",
            description: "", start: "", end: "", sources: [], newReferences: [], newPlaces: []};
  }

  /* ---- drafts ---- */
  function keep() {
    try {
      localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
      $("draft-status").textContent = t("Draft kept on this computer until you save or discard it.");
    } catch (error) {
      $("draft-status").textContent = t("This browser cannot keep a draft: save before you close the page.");
    }
  }
  function restore() {
    try {
      var kept = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null");
      if (kept && Array.isArray(kept.stops)) {
        draft = Object.assign(emptyDraft(), kept);
        $("draft-status").textContent = t("Your draft was restored.");
      }
    } catch (error) { /* an unreadable draft: start afresh */ }
  }
  function forget() { localStorage.removeItem(DRAFT_KEY); }

  /* ---- places ---- */
  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\s\u2010-\u2015\u2212'’ʼ-]+/g, "");
  }
  function allPlaces() {
    return data.places.concat(draft.newPlaces.map(function (p) {
      return {id: "new:" + p.name, names: {en: p.name, ko: p.names.ko || "", zh: p.names.zh || ""}, aliases: [],
              country: p.country, countryName: data.countries[p.country] || p.country, lon: p.lon, lat: p.lat,
              kind: "city", isNew: true};
    }));
  }
  function placeByName(name) {
    return allPlaces().filter(function (p) { return p.names.en === name; })[0] || null;
  }
  function placeLabel(place) {
    var local = place.names[lang];
    var main = local || place.names.en;
    var also = local && local !== place.names.en ? " (" + place.names.en + ")" : "";
    return main + also;
  }
  function searchPlaces(query) {
    var q = fold(query);
    if (!q) return [];
    var found = [];
    allPlaces().forEach(function (place) {
      var names = [place.names.en, place.names.ko, place.names.zh].concat(place.aliases).filter(Boolean);
      var best = -1;
      names.forEach(function (name) {
        var f = fold(name), at = f.indexOf(q);
        if (at === 0) best = Math.max(best, 2); else if (at > 0) best = Math.max(best, 1);
      });
      if (best >= 0) found.push({rank: best, place: place});
    });
    found.sort(function (a, b) { return b.rank - a.rank || a.place.names.en.localeCompare(b.place.names.en); });
    return found.slice(0, 8).map(function (f) {
      var p = f.place;
      var other = [p.names.en, p.names.ko, p.names.zh].filter(function (n) { return n && n !== p.names[lang]; });
      var kind = p.kind === "crossing" ? t("crossing") : t("town");
      return {value: p.names.en, label: placeLabel(p), detail: p.countryName + " · " + kind +
              (other.length ? " · " + other.join(" · ") : "")};
    });
  }

  /* ---- the combobox (WAI-ARIA: combobox with listbox popup) ---- */
  var comboCount = 0;
  function combobox(input, listbox, search, choose) {
    var options = [], active = -1;
    comboCount += 1;
    var prefix = "option-" + comboCount + "-";
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function show() {
      options = search(input.value);
      listbox.textContent = "";
      options.forEach(function (option, index) {
        var item = element("li", {role: "option", id: prefix + index, "aria-selected": "false"});
        item.appendChild(element("span", {className: "option-label"}, option.label));
        if (option.detail) item.appendChild(element("span", {className: "option-detail"}, " — " + option.detail));
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { pick(index); });
        listbox.appendChild(item);
      });
      if (!options.length) { close(); return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    }
    function mark(index) {
      active = index;
      Array.prototype.forEach.call(listbox.children, function (item, i) {
        item.setAttribute("aria-selected", String(i === index));
        item.classList.toggle("active", i === index);
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", prefix + index);
        listbox.children[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function pick(index) {
      var option = options[index];
      close();
      if (option) choose(option);
    }
    input.addEventListener("input", show);
    input.addEventListener("suggestions", function () {  // suggestions that arrive later (fetched)
      if (document.activeElement === input) show();  // not on a field left since
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) show(); else mark(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (open) { event.preventDefault(); pick(active >= 0 ? active : 0); }
        else if (input.getAttribute("role") === "combobox") event.preventDefault();
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    // Closed a moment after leaving the field, unless the field has been entered again meanwhile:
    // typing queued ahead of that moment (the browser runs input before timers) keeps its list.
    input.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== input) close(); }, 0);
    });
    return {close: close};
  }

  /* ---- stops ---- */
  function renderStops(focusIndex, focusWhat) {
    var list = $("stops");
    list.textContent = "";
    draft.stops.forEach(function (stop, index) {
      var item = element("li", {className: "stop"});
      var inputId = "stop-" + index, listId = "stop-options-" + index;
      var combo = element("div", {className: "combo"});
      combo.appendChild(element("label", {"for": inputId}, t("Place {number}", {number: index + 1})));
      var place = stop.name ? placeByName(stop.name) : null;
      var input = element("input", {id: inputId, role: "combobox", "aria-autocomplete": "list",
                                    "aria-expanded": "false", "aria-controls": listId, autocomplete: "off",
                                    "aria-describedby": "stops-hint problem-stop-" + index});
      input.value = place ? placeLabel(place) : (stop.typed || "");
      var listbox = element("ul", {id: listId, role: "listbox", className: "options",
                                   "aria-label": t("Places found")});
      listbox.hidden = true;
      combo.appendChild(input);
      combo.appendChild(listbox);
      if (place) combo.appendChild(element("span", {className: "stop-country"}, place.countryName));
      item.appendChild(combo);
      combobox(input, listbox, searchPlaces, function (option) {
        stop.name = option.value;
        delete stop.typed;
        delete stop.sources;
        // An official border post is a waypoint until a source says people crossed there.
        var chosen = placeByName(option.value);
        stop.waypoint = Boolean(chosen && chosen.kind === "crossing");
        changed();
        renderStops(index, "input");
      });
      input.addEventListener("input", function () {
        stop.typed = input.value;
        if (stop.name) { stop.name = null; drawRoute(); }
        keep();
      });
      input.addEventListener("change", function () {
        var problem = $("problem-stop-" + index);
        if (!stop.name && input.value.trim()) {
          problem.textContent = t("“{text}” is not a place the map knows. Choose a place from the suggestions, or add it with “New place”.",
                                  {text: input.value.trim()});
        } else {
          problem.textContent = "";
        }
      });
      var role = element("select", {id: "stop-role-" + index, "aria-label": t("Place {number}: how the source names it", {number: index + 1})});
      [["named", t("named by the source")], ["waypoint", t("waypoint to draw the line")]].forEach(function (o) {
        var option = element("option", {value: o[0]}, o[1]);
        if ((o[0] === "waypoint") === Boolean(stop.waypoint)) option.selected = true;
        role.appendChild(option);
      });
      role.addEventListener("change", function () {
        stop.waypoint = role.value === "waypoint";
        changed();
        renderStops(index, "role");
      });
      item.appendChild(role);
      if (place && place.kind === "crossing" && !stop.waypoint) {
        var crossed = element("select", {id: "stop-source-" + index,
                                         "aria-label": t("Source that says people crossed here")});
        crossed.appendChild(element("option", {value: ""}, t("Source that says people crossed here")));
        draft.sources.forEach(function (key) {
          var option = element("option", {value: key}, referenceLabel(key));
          if (stop.sources && stop.sources[0] === key) option.selected = true;
          crossed.appendChild(option);
        });
        crossed.addEventListener("change", function () {
          if (crossed.value) stop.sources = [crossed.value]; else delete stop.sources;
          keep();
        });
        item.appendChild(crossed);
      }
      var tools = element("span", {className: "stop-tools"});
      [["up", t("Move up"), index > 0], ["down", t("Move down"), index < draft.stops.length - 1],
       ["remove", t("Remove"), draft.stops.length > 1]].forEach(function (spec) {
        var button = element("button", {type: "button", "data-action": spec[0],
                                        "aria-label": spec[1] + ": " + t("Place {number}", {number: index + 1})}, spec[1]);
        if (!spec[2]) button.disabled = true;
        button.addEventListener("click", function () { moveStop(index, spec[0]); });
        tools.appendChild(button);
      });
      item.appendChild(tools);
      item.appendChild(element("div", {id: "problem-stop-" + index, className: "field-problem", role: "alert"}));
      list.appendChild(item);
    });
    if (focusIndex !== undefined && focusIndex !== null) {
      var row = list.children[focusIndex];
      var other = {up: "down", down: "up"}[focusWhat];
      // A stop moved to the top or bottom keeps the focus on its other move button.
      var target = focusWhat === "input" ? $("stop-" + focusIndex) : focusWhat === "role" ? $("stop-role-" + focusIndex)
        : row && (row.querySelector("[data-action=" + focusWhat + "]:not([disabled])") ||
                  row.querySelector("[data-action=" + other + "]:not([disabled])"));
      (target || $("stop-" + Math.min(focusIndex, draft.stops.length - 1))).focus();
    }
    suggestName();
    drawRoute();
  }
  function moveStop(index, action) {
    var stops = draft.stops, to = index;
    if (action === "up" && index > 0) { stops.splice(index - 1, 0, stops.splice(index, 1)[0]); to = index - 1; }
    if (action === "down" && index < stops.length - 1) { stops.splice(index + 1, 0, stops.splice(index, 1)[0]); to = index + 1; }
    if (action === "remove") { stops.splice(index, 1); to = Math.min(index, stops.length - 1); }
    keep();
    renderStops(to, action === "remove" ? "input" : action);
  }

  /* ---- sources ---- */
  function referenceLabel(key) {
    var found = data.references.filter(function (r) { return r.key === key; })[0];
    if (found) return (found.authors ? found.authors + " " : "") + (found.year ? "(" + found.year + "). " : "") + found.title;
    var fresh = draft.newReferences.filter(function (r) { return r.client_key === key; })[0];
    return fresh ? fresh.title + " (" + t("new") + ")" : key;
  }
  function searchSources(query) {
    var q = fold(query);
    if (!q) return [];
    // A key or an author's name that starts with what was typed comes first: two letters find most.
    var starts = function (r) {
      return [r.key].concat(r.authors.split(/[\s,]+/)).some(function (word) { return fold(word).indexOf(q) === 0; });
    };
    var found = data.references.filter(function (r) {
      return fold(r.key + " " + r.authors + " " + r.title + " " + (r.year || "")).indexOf(q) >= 0;
    });
    return found.filter(starts).concat(found.filter(function (r) { return !starts(r); })).slice(0, 8).map(function (r) {
      return {value: r.key, label: (r.authors || r.key) + (r.year ? " (" + r.year + ")" : ""), detail: r.title + " [" + r.key + "]"};
    });
  }
  function renderSources() {
    var list = $("sources");
    list.textContent = "";
    draft.sources.forEach(function (key, index) {
      var item = element("li", {}, referenceLabel(key) + " ");
      var remove = element("button", {type: "button", "aria-label": t("Remove the source: {name}", {name: referenceLabel(key)})}, t("Remove"));
      remove.addEventListener("click", function () {
        draft.sources.splice(index, 1);
        changed();
        renderSources();
        $("source-search").focus();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    var select = $("place-source"), chosen = select.value;
    select.textContent = "";
    select.appendChild(element("option", {value: ""}, t("(choose a source)")));
    var keys = ["geonames", "naturalearth"].concat(draft.sources).concat(draft.newReferences.map(function (r) { return r.client_key; }));
    keys.filter(function (k, i) { return keys.indexOf(k) === i; }).forEach(function (key) {
      if (key.indexOf("new-") !== 0 && !data.references.some(function (r) { return r.key === key; })) return;
      var option = element("option", {value: key}, referenceLabel(key));
      if (key === chosen) option.selected = true;
      select.appendChild(option);
    });
  }
  function addReference() {
    var authors = $("ref-authors").value.split("\n").map(function (line) { return line.trim(); }).filter(Boolean)
      .map(function (line) {
        var parts = line.split(",");
        return parts.length > 1 ? {family: parts[0].trim(), given: parts.slice(1).join(",").trim()} : {organisation: line};
      });
    var reference = {client_key: "new-" + (draft.newReferences.length + 1) + "-" + Date.now().toString(36),
                     type: $("ref-type").value, authors: authors, title: $("ref-title").value.trim(),
                     container: $("ref-container").value.trim(), publisher: $("ref-publisher").value.trim(),
                     issued: $("ref-year").value + ($("ref-day").value.trim() ? "-" + $("ref-day").value.trim() : ""),
                     URL: $("ref-url").value.trim()};
    // The date read online belongs with a web address only.
    reference.accessed = reference.URL ? $("ref-accessed").value.trim() : "";
    var problem = $("problem-reference-0");
    var missing = [];
    if (!reference.title) missing.push(t("The reference needs its title."));
    if (!authors.length) missing.push(t("The reference needs an author: a person or an organisation."));
    if (!/^\d{4}(-\d{1,2}(-\d{1,2})?)?$/.test(reference.issued)) missing.push(t("The reference needs the year it was published."));
    if (missing.length) { problem.textContent = missing.join(" "); return; }
    problem.textContent = "";
    draft.newReferences.push(reference);
    draft.sources.push(reference.client_key);
    ["ref-authors", "ref-title", "ref-container", "ref-publisher", "ref-year", "ref-day", "ref-url"].forEach(function (id) { $(id).value = ""; });
    $("ref-accessed").value = today();
    changed();
    renderSources();
    renderStops();
    $("new-reference").open = false;
    $("source-search").focus();
  }

  function today() {
    var now = new Date();
    return [now.getFullYear(), now.getMonth() + 1, now.getDate()].map(function (n) { return String(n).padStart(2, "0"); }).join("-");
  }

  /* ---- a new place ---- */
  function locate(lon, lat) {
    fetch(API + "place?lon=" + encodeURIComponent(lon) + "&lat=" + encodeURIComponent(lat))
      .then(function (response) { return response.json(); })
      .then(function (found) {
        clicked = found;
        $("place-lon").value = found.lon.toFixed(2);
        $("place-lat").value = found.lat.toFixed(2);
        var country = found.country ? (data.countries[found.country] || found.country) : null;
        $("place-position").textContent = country
          ? t("Position {lon}, {lat} (rounded to two decimals), in {country}.", {lon: found.lon.toFixed(2), lat: found.lat.toFixed(2), country: country})
          : t("Position {lon}, {lat} is not inside a country of the map: click on land.", {lon: found.lon.toFixed(2), lat: found.lat.toFixed(2)});
        if (placeMarker) placeMarker.remove();
        placeMarker = L.circleMarker([found.lat, found.lon], Object.assign({}, data.styles.crossing, {radius: 8})).addTo(map);
      });
  }
  function addPlace() {
    var problem = $("problem-place-0"), missing = [];
    var name = $("place-name-en").value.trim();
    if (!clicked || !clicked.country) missing.push(t("Click the town's centre on the map, or type its position."));
    if (!name) missing.push(t("The new place needs its English name."));
    if (!$("place-source").value) missing.push(t("Say where the place's position comes from."));
    if (missing.length) { problem.textContent = missing.join(" "); return; }
    if (placeByName(name)) { problem.textContent = t("The map already has a place of that name: choose it in the list."); return; }
    problem.textContent = "";
    var place = {name: name, names: {ko: $("place-name-ko").value.trim(), zh: $("place-name-zh").value.trim()},
                 lon: clicked.lon, lat: clicked.lat, country: clicked.country, sources: [$("place-source").value]};
    draft.newPlaces.push(place);
    var empty = draft.stops.filter(function (s) { return !s.name; })[0];
    if (empty) { empty.name = name; delete empty.typed; } else draft.stops.push({name: name, waypoint: false});
    ["place-name-en", "place-name-ko", "place-name-zh", "place-lon", "place-lat"].forEach(function (id) { $(id).value = ""; });
    $("place-position").textContent = t("Added {name} to the route.", {name: name});
    clicked = null;
    if (placeMarker) { placeMarker.remove(); placeMarker = null; }
    $("new-place").open = false;
    changed();
    renderStops(draft.stops.map(function (s) { return s.name; }).indexOf(name), "input");
  }

  /* ---- the map ---- */
  function makeMap() {
    map = window.studioMap = L.map("studio-map", {center: [30, 112], zoom: 4, keyboard: true, attributionControl: true});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth; © OpenStreetMap contributors; GeoNames");
    fetch(data.basemap).then(function (r) { return r.json(); }).then(function (countries) {
      L.geoJSON(countries, {style: function () { return data.styles.country; }, interactive: false}).addTo(map).bringToBack();
    });
    data.places.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], Object.assign({}, data.styles[p.kind] || data.styles.city, {radius: 3}))
        .bindTooltip(placeLabel(p)).addTo(map);
    });
    routeLayer = L.layerGroup().addTo(map);
    stopLayer = L.layerGroup().addTo(map);
    map.on("click", function (event) {
      $("new-place").open = true;
      locate(event.latlng.lng, event.latlng.lat);
    });
  }
  function drawRoute() {
    if (!map) return;
    routeLayer.clearLayers();
    stopLayer.clearLayers();
    var points = draft.stops.map(function (s) { return s.name && placeByName(s.name); }).filter(Boolean);
    var asked = drawn += 1;
    if (points.length >= 2) {
      // The line the build will draw (geodesic legs) in the flow map's style, worked out by the
      // preview with the build's own code; only the latest answer is drawn.
      fetch(API + "line?" + new URLSearchParams({at: points.map(function (p) { return p.lon + "," + p.lat; }).join(";"),
                                                 to: points[points.length - 1].country || ""}))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (line) {
          if (!line || asked !== drawn) return;
          routeLayer.clearLayers();
          L.polyline(line.coordinates.map(function (c) { return [c[1], c[0]]; }), line.style).addTo(routeLayer);
          document.documentElement.setAttribute("data-route-drawn", String(asked));
        });
    }
    points.forEach(function (p, i) {
      L.circleMarker([p.lat, p.lon], Object.assign({}, data.styles.city, {radius: 6}))
        .bindTooltip((i + 1) + ". " + placeLabel(p), {permanent: false}).addTo(stopLayer);
    });
    // Without animation: the form redraws the map at every change, and a flight per keystroke
    // would move the map under the pointer (and ignore reduced motion).
    if (points.length) map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; })).pad(0.3), {maxZoom: 7, animate: false});
    $("map-status").textContent = points.length >= 2
      ? t("The map shows the route through {count} places.", {count: points.length}) : "";
  }

  /* ---- the form ---- */
  function fill() {
    $("name").value = draft.name;
    $("description").value = draft.description;
    $("start").value = draft.start || "";
    $("end").value = draft.end || "";
    $("delete").hidden = !draft.slug;
    $("editing").hidden = !draft.slug;
    $("editing").textContent = draft.slug ? t("Editing the route “{name}”.", {name: draft.name}) : "";
    renderStops();
    renderSources();
  }
  function changed() { suggestName(); keep(); drawRoute(); }
  /* A new route is named from its first and last places ("Shenyang to Bangkok") until the
     contributor writes a name of their own. */
  function suggestName() {
    if (draft.slug || (draft.name && draft.name !== draft.suggestedName)) return;
    var places = draft.stops.map(function (s) { return s.name && placeByName(s.name); }).filter(Boolean);
    var first = places[0], last = places[places.length - 1];
    var local = function (p) { return p.names[lang] || p.names.en; };
    draft.name = draft.suggestedName = places.length >= 2 && first !== last
      ? t("{first} to {last}", {first: local(first), last: local(last)}) : "";
    $("name").value = draft.name;
  }
  function clearProblems() {
    Array.prototype.forEach.call(document.querySelectorAll(".field-problem"), function (node) { node.textContent = ""; });
    Array.prototype.forEach.call(document.querySelectorAll("[aria-invalid]"), function (node) { node.removeAttribute("aria-invalid"); });
  }
  function showProblems(problems) {
    var first = null;
    Object.keys(problems).forEach(function (field) {
      var box = $("problem-" + field) || $("problem-" + field.replace(/-\d+$/, "-0")) || $("problem-route");
      var folded = box.closest("details");  // a new place's or reference's form, folded once it was added
      if (folded) folded.open = true;
      problems[field].forEach(function (problem) {
        var item = element("p", {}, problem.message + (problem.fix ? " " + t("Fix:") + " " + problem.fix : ""));
        box.appendChild(item);
      });
      var input = $(field) || $(field === "sources" ? "source-search" : field === "stops" ? "stop-0" : "") ;
      if (input) input.setAttribute("aria-invalid", "true");
      first = first || input || box;
    });
    if (first && first.focus) {
      if (first.tabIndex < 0 && !/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(first.tagName)) first.tabIndex = -1;
      first.focus();
    }
  }
  function post(path, body) {
    return fetch(API + path, {method: "POST", headers: {"Content-Type": "application/json", "X-Studio-Token": token},
                              body: JSON.stringify(body)})
      .then(function (response) {
        return response.json().catch(function () { return {problems: {route: [{message: t("The preview refused the request."), fix: ""}]}}; })
          .then(function (json) { return {ok: response.ok, json: json}; });
      }, function () {
        return {ok: false, json: {problems: {route: [{message: t("The preview is not running, so nothing was saved. Your draft is kept: start the preview again (./dev.sh serve) and save."), fix: ""}]}}};
      });
  }
  function save(event) {
    event.preventDefault();
    clearProblems();
    $("saved").textContent = "";
    if (!$("safety-confirm").checked) {
      showProblems({safety: [{message: t("Confirm the safety rules before you save."), fix: ""}]});
      return;
    }
    localStorage.setItem(SAFETY_KEY, "confirmed");
    var body = {lang: lang, slug: draft.slug, name: draft.name, description: draft.description,
                start: draft.start === "" ? null : (/^\d+$/.test(draft.start) ? Number(draft.start) : draft.start),
                end: draft.end === "" ? null : (/^\d+$/.test(draft.end) ? Number(draft.end) : draft.end),
                sources: draft.sources,
                stops: draft.stops.map(function (s) {
                  var stop = {name: s.name || s.typed || "", waypoint: Boolean(s.waypoint)};
                  if (s.sources) stop.sources = s.sources;  // a crossing named with the sources that say so
                  return stop;
                }),
                new_references: draft.newReferences, new_places: draft.newPlaces};
    $("save").disabled = true;
    post("save", body).then(function (result) {
      $("save").disabled = false;
      if (!result.ok) { showProblems(result.json.problems || {}); return; }
      var slug = result.json.slug;
      forget();
      draft = Object.assign(emptyDraft(), {slug: slug, name: body.name, description: body.description,
                                           start: draft.start, end: draft.end, stops: body.stops,
                                           sources: []});
      $("saved").textContent = t("Saved. The preview is rebuilding the site…");
      waitForBuild(result.json.site, function () {
        reload(function () {
          return read(slug, function () {
            $("draft-status").textContent = "";
            var links = $("saved");
            links.textContent = t("Saved and built: your route is on the preview's map.") + " ";
            var mapChapter = data.map;
            if (mapChapter) {
              links.appendChild(element("a", {href: "/" + data.prefix + mapChapter + "/?route=" + slug, id: "saved-map"}, t("See it on the map")));
              links.appendChild(document.createTextNode(" · "));
            }
            links.appendChild(element("a", {href: "/" + data.prefix + catalogue + "#" + slug, id: "saved-catalogue"}, t("See it in the routes catalogue")));
          });
        });
      });
    });
  }
  function waitForBuild(after, done) {
    var events = new EventSource("/__preview__/events");
    events.addEventListener("build", function (event) {
      var status = JSON.parse(event.data);
      if (status.site > after) { events.close(); done(); }
      else if (status.problems.length) {
        events.close();
        $("saved").textContent = t("Saved, but the preview could not build the site; the preview's terminal lists the problems.");
      }
    });
  }
  function read(slug, done) {
    fetch(API + "route/" + encodeURIComponent(slug)).then(function (r) { return r.ok ? r.json() : null; }).then(function (route) {
      if (!route) return;
      catalogue = route.catalogue;  // the catalogue's page that lists it (it comes in pages)
      draft = Object.assign(emptyDraft(), {slug: route.slug, name: route.name, description: route.description,
                                           start: route.start ? String(route.start) : "", end: route.end ? String(route.end) : "",
                                           sources: route.sources, stops: route.stops});
      fill();
      if (done) done();
    });
  }
  function reload(done) {
    return fetch(API + "data.json?lang=" + encodeURIComponent(lang)).then(function (r) { return r.json(); }).then(function (fresh) {
      data = fresh;
      words = fresh.words;
      var select = $("open-route"), keepValue = select.value;
      select.textContent = "";
      select.appendChild(element("option", {value: ""}, t("(choose a route)")));
      data.routes.forEach(function (route) {
        var option = element("option", {value: route.slug}, route.name);
        if (route.slug === keepValue) option.selected = true;
        select.appendChild(option);
      });
      if (done) done();
    });
  }

  /* ---- import ---- */
  function importFile(file) {
    var problem = $("problem-import"), said = $("import-said");
    problem.textContent = "";
    said.textContent = "";
    var type = (file.name.split(".").pop() || "").toLowerCase();
    if (file.size > MAX_UPLOAD) {
      problem.textContent = t("The file is larger than {size} MB.", {size: MAX_UPLOAD / 1048576}) + " " +
        t("Export only the route's line, without photos or other layers.");
      return;
    }
    fetch(API + "import?type=" + encodeURIComponent(type) + "&lang=" + encodeURIComponent(lang),
          {method: "POST", headers: {"X-Studio-Token": token, "Content-Type": "application/octet-stream"}, body: file})
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.problems) {
          Object.keys(result.problems).forEach(function (key) {
            result.problems[key].forEach(function (p) {
              problem.appendChild(element("p", {}, p.message + (p.fix ? " " + t("Fix:") + " " + p.fix : "")));
            });
          });
          return;
        }
        result.said.forEach(function (line) { said.appendChild(element("li", {}, line)); });
        draft.stops = result.stops.length ? result.stops : emptyDraft().stops;
        changed();
        renderStops(0, "input");
      });
  }

  /* ---- start ---- */
  function start() {
    restore();
    $("safety-confirm").checked = localStorage.getItem(SAFETY_KEY) === "confirmed";
    $("ref-accessed").value = today();
    makeMap();
    fill();
    $("add-stop").addEventListener("click", function () {
      draft.stops.push({name: null, waypoint: false});
      keep();
      renderStops(draft.stops.length - 1, "input");
    });
    ["name", "description", "start", "end"].forEach(function (id) {
      $(id).addEventListener("input", function () { draft[id] = $(id).value; keep(); });
    });
    combobox($("source-search"), $("source-options"), searchSources, function (option) {
      if (draft.sources.indexOf(option.value) < 0) draft.sources.push(option.value);
      $("source-search").value = "";
      changed();
      renderSources();
      renderStops();  // a crossing's source is chosen among the route's
    });
    var towns = [], townsFor = null;  // the towns found, and the words they were found for
    function townsFound() {  // never the last query's towns while the words typed since are looked up
      return townsFor === $("town-search").value ? towns : [];
    }
    combobox($("town-search"), $("town-options"), townsFound, function (option) {
      var town = option.town;
      $("town-search").value = "";
      $("place-name-en").value = town.name;
      $("place-source").value = "naturalearth";
      locate(town.lon, town.lat);
      map.setView([town.lat, town.lon], 7);
      $("place-name-ko").focus();
    });
    $("town-search").addEventListener("input", function () {
      var query = $("town-search").value;
      fetch(API + "towns?q=" + encodeURIComponent(query)).then(function (r) { return r.json(); }).then(function (found) {
        if ($("town-search").value !== query) return;
        townsFor = query;
        towns = found.map(function (town) {
          return {value: town.name, town: town, label: town.name,
                  detail: (data.countries[town.country] || town.country) + (town.region ? " · " + town.region : "")};
        });
        $("town-search").dispatchEvent(new Event("suggestions"));
      });
    });
    $("ref-add").addEventListener("click", addReference);
    $("place-add").addEventListener("click", addPlace);
    $("place-locate").addEventListener("click", function () {
      var lon = parseFloat($("place-lon").value), lat = parseFloat($("place-lat").value);
      if (isFinite(lon) && isFinite(lat)) { locate(lon, lat); map.setView([lat, lon], 7); }
    });
    $("route-form").addEventListener("submit", save);
    $("discard").addEventListener("click", function () {
      if (!window.confirm(t("Discard the draft? What you typed is lost."))) return;
      forget();
      draft = emptyDraft();
      clearProblems();
      fill();
      $("draft-status").textContent = t("Draft discarded.");
    });
    $("new-route").addEventListener("click", function () {
      draft = emptyDraft();
      clearProblems();
      keep();
      fill();
      $("stop-0").focus();
    });
    $("open-button").addEventListener("click", function () {
      var slug = $("open-route").value;
      if (slug) { clearProblems(); read(slug, function () { keep(); $("name").focus(); }); }
    });
    $("delete").addEventListener("click", function () {
      if (!draft.slug || !window.confirm(t("Delete the route “{name}”? Its file is removed from the project.", {name: draft.name}))) return;
      clearProblems();
      post("delete", {lang: lang, slug: draft.slug}).then(function (result) {
        if (!result.ok) { showProblems(result.json.problems || {}); return; }
        forget();
        draft = emptyDraft();
        reload(function () { fill(); $("saved").textContent = t("The route was deleted."); });
      });
    });
    $("import-file").addEventListener("change", function () {
      if (this.files.length) importFile(this.files[0]);
    });
    var zone = document.body;
    zone.addEventListener("dragover", function (event) { event.preventDefault(); $("drop-zone").classList.add("dragging"); });
    zone.addEventListener("dragleave", function () { $("drop-zone").classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      $("drop-zone").classList.remove("dragging");
      if (event.dataTransfer.files.length) importFile(event.dataTransfer.files[0]);
    });
    document.documentElement.setAttribute("data-studio", "ready");
  }

  document.addEventListener("DOMContentLoaded", function () { reload(start); });
})();
