"""What a reader notices: pages load cleanly and offline, steps move the map, deep links land."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from storymap.inputs.chapters import load_chapters
from storymap.inputs.project import FRONT_MATTER_SCHEMA

from .conftest import ROOT

CHAPTERS = load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA)
OTHER_PAGES = ["", "sources/", "about/"]


def chapter_ids():
    return [c.slug for c in CHAPTERS]


def map_matches_view(page, view) -> bool:
    """True when window.storyMap shows the step's view (its bounds fitted, or its centre and zoom)."""
    return page.evaluate("""(view) => {
        const map = window.storyMap;
        if (view.bounds) {
            const b = L.latLngBounds(view.bounds);
            const fit = window.storyKit.fitOptions(b);
            const padding = L.point(fit.paddingTopLeft || [0, 0]).add(fit.paddingBottomRight || [0, 0]);
            return map.getBounds().contains(b) && Math.abs(map.getZoom() - map.getBoundsZoom(b, false, padding)) < 0.3;
        }
        const c = map.getCenter();
        return Math.abs(c.lat - view.center[0]) < 0.02 && Math.abs(c.lng - view.center[1]) < 0.02
            && Math.abs(map.getZoom() - view.zoom) < 0.01;
    }""", view)


def view_of(step) -> dict:
    if step.view.bounds is not None:
        return {"bounds": [list(step.view.bounds[0]), list(step.view.bounds[1])]}
    return {"center": list(step.view.center), "zoom": step.view.zoom}


@pytest.mark.parametrize("path", OTHER_PAGES + [c.slug + "/" for c in CHAPTERS])
def test_page_loads_without_errors_or_outside_requests(page, base_url, path):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    response = page.goto(base_url + path)
    assert response.ok
    page.wait_for_load_state("networkidle")
    origin = urlparse(base_url).netloc
    assert [u for u in requested if urlparse(u).netloc != origin and not u.startswith("data:")] == []
    assert failed == []
    assert page.errors == []


@pytest.mark.parametrize("slug", chapter_ids())
def test_scrolling_each_step_moves_the_map_and_marks_it_active(page, base_url, slug):
    chapter = next(c for c in CHAPTERS if c.slug == slug)
    page.goto(base_url + slug + "/")
    history_length = page.evaluate("history.length")
    # The first step is active on arrival; scroll through the others, then back to the first.
    for step in chapter.steps[1:] + chapter.steps[:1]:
        page.locator(f"#{step.id}").evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_function("id => document.getElementById(id).getAttribute('aria-current') === 'step'", arg=step.id)
        assert page.locator(".step[aria-current='step']").count() == 1
        page.wait_for_function("() => !window.storyMap._animatingZoom")
        assert map_matches_view(page, view_of(step)), f"map is not at the view of step {step.id}"
        assert page.evaluate("location.hash") == "#" + step.id
        assert page.locator("#map-status").text_content().startswith(step.map_text.strip())
    assert page.evaluate("history.length") == history_length, "scrolling must replace, not push, history entries"
    assert page.errors == []


@pytest.mark.parametrize("slug", chapter_ids())
def test_deep_link_opens_on_its_step_without_replaying_earlier_ones(page, base_url, slug):
    chapter = next(c for c in CHAPTERS if c.slug == slug)
    step = chapter.steps[-1]
    page.goto(f"{base_url}{slug}/#{step.id}")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert page.locator(f"#{step.id}").get_attribute("aria-current") == "step"
    assert map_matches_view(page, view_of(step))
    assert page.evaluate("window.storyKit.activations") == [step.id]


def test_city_names_are_on_the_map_and_fade_when_their_layer_steps_back(page, base_url):
    """protocols: the 1964 step brings the cities forward, the 1986 step does not."""
    labels = ".story-map .point-label"
    page.goto(base_url + "protocols/#protocol-1964")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    names = page.locator(labels).all_text_contents()
    assert "Dandong" in names and "Sinuiju" in names
    assert page.locator(labels + ".faded").count() == 0
    page.goto(base_url + "protocols/#protocol-1986")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert page.locator(labels + ".faded").count() == page.locator(labels).count() > 0


def test_the_locator_inset_does_not_cover_the_view(page, base_url):
    """The long way out opens on a view whose north-east corner (Yanji, where the route starts)
    would otherwise lie under the locator in the map's top-right corner."""
    page.goto(base_url + "the-long-way-out/")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    step = next(c for c in CHAPTERS if c.slug == "the-long-way-out").steps[0]
    corner = page.evaluate("""(bounds) => {
        const map = window.storyMap, point = map.latLngToContainerPoint(L.latLngBounds(bounds).getNorthEast());
        const locator = document.getElementById("locator").getBoundingClientRect();
        const pane = map.getContainer().getBoundingClientRect();
        return {x: point.x, y: point.y, left: locator.left - pane.left, bottom: locator.bottom - pane.top};
    }""", view_of(step)["bounds"])
    assert corner["y"] >= corner["bottom"] - 1 or corner["x"] <= corner["left"] + 1, corner


def test_every_route_colour_on_the_map_is_explained_in_the_legend(page, base_url):
    page.goto(base_url + "the-long-way-out/#other-routes")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    legend = page.locator(".legend .swatch-route").evaluate_all("lines => lines.map(l => getComputedStyle(l).stroke)")
    legs = page.evaluate("""() => window.storyKit.layers.flows.getLayers()
        .map(leg => [leg.feature.properties.colour, getComputedStyle(leg.getElement()).stroke])""")
    drawn = {stroke for _, stroke in legs}
    # As many colours as the routes lead to corridors (and share legs): contributors' routes add some.
    assert len(drawn) == len({colour for colour, _ in legs}), f"each corridor in its own colour: {legs}"
    assert drawn <= set(legend), f"legend swatches {legend} do not explain the routes drawn in {drawn}"


def test_labels_that_would_overlap_give_way_to_the_more_important_one(page, base_url):
    """The conclusion opens on the whole region, where the border towns' names crowd together."""
    page.goto(base_url + "conclusion/")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && !window.storyKit.declutterPending")
    labels = page.evaluate("""() => [...document.querySelectorAll(".story-map .point-label, .story-map .area-label")]
        .map(l => ({name: l.textContent, hidden: l.classList.contains("label-hidden"),
                    box: l.firstChild.getBoundingClientRect().toJSON()}))""")
    shown = [label for label in labels if not label["hidden"]]
    assert len(shown) < len(labels), "some names must give way in a view this wide"
    assert {"Dandong", "Changchun", "Yanji"} <= {label["name"] for label in shown}, "the story's main cities keep their names"
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            apart = (a["box"]["right"] <= b["box"]["left"] or b["box"]["right"] <= a["box"]["left"]
                     or a["box"]["bottom"] <= b["box"]["top"] or b["box"]["bottom"] <= a["box"]["top"])
            assert apart, f"{a['name']} and {b['name']} overlap"


def test_a_quick_n_then_p_ends_on_the_first_step(page, base_url):
    """Scroll events from the 'n' jump can arrive after 'p' has already jumped back; on a slow
    phone (CPU throttled) they must not pull the story forward again."""
    steps = next(c for c in CHAPTERS if c.slug == "the-long-way-out").steps
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.goto(base_url + "the-long-way-out/")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    for _ in range(3):
        page.keyboard.press("n")
        page.keyboard.press("p")
        page.wait_for_timeout(1500)
        assert page.locator(".step[aria-current='step']").evaluate_all("ns => ns.map(n => n.id)") == [steps[0].id]


def flight_duration_ms(browser, base_url, reduced_motion: str) -> float:
    """How long the map takes to move to the second step of the first chapter."""
    chapter = CHAPTERS[0]
    target = chapter.steps[1]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion=reduced_motion)
    page = context.new_page()
    page.goto(base_url + chapter.slug + "/")
    page.evaluate("""() => {
        window.flight = {};
        window.storyMap.on('movestart', () => { window.flight.start = window.flight.start || performance.now(); });
        window.storyMap.on('moveend', () => { window.flight.end = performance.now(); });
    }""")
    page.locator(f"#{target.id}").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_function("() => window.flight.start && window.flight.end")
    page.wait_for_timeout(200)
    assert map_matches_view(page, view_of(target))
    duration = page.evaluate("window.flight.end - window.flight.start")
    context.close()
    return duration


def test_flights_are_animated_but_reduced_motion_jumps(browser, base_url):
    assert flight_duration_ms(browser, base_url, "no-preference") > 500
    assert flight_duration_ms(browser, base_url, "reduce") < 100


def test_table_of_contents_and_prev_next_reach_every_chapter(page, base_url):
    page.goto(base_url)
    toc = page.locator("ol.toc a").evaluate_all("links => links.map(a => a.href)")
    assert [urlparse(u).path.rstrip("/").split("/")[-1] for u in toc] == chapter_ids()
    page.goto(toc[0])
    visited = [CHAPTERS[0].slug]
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        visited.append(urlparse(page.url).path.rstrip("/").split("/")[-1])
    assert visited == chapter_ids()
    while page.locator("a[rel=prev]").count():
        page.locator("a[rel=prev]").click()
        page.wait_for_load_state()
        visited.pop()
        assert urlparse(page.url).path.rstrip("/").split("/")[-1] == visited[-1]
