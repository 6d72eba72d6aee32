"""The timeline and the map by year, as a teacher preparing a lesson uses them."""
from __future__ import annotations

import json
import re

import pytest

from storymap.inputs.chapters import load_chapters
from storymap.core.dates import overlaps
from storymap.inputs.project import FRONT_MATTER_SCHEMA

from .conftest import ROOT
from .test_gestures import touch_gesture


def dated_steps() -> list[tuple[str, str, int]]:
    return [(c.slug, s.id, s.date.start) for c in load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA) for s in c.steps if s.date]


def routes_by_slug() -> dict[str, dict]:
    """Every route file's feature, by the slug of its file (as the route picker names it)."""
    routes = {}
    for path in sorted((ROOT / "layers" / "routes").glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            routes[path.stem] = feature["properties"]
    return routes


def events(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#timeline-events .event')).map(li => ({
        start: Number(li.dataset.start), end: li.dataset.end ? Number(li.dataset.end) : null,
        href: li.querySelector('.event-text a').getAttribute('href'), feature: li.dataset.feature || null,
        kind: li.className, sources: li.querySelectorAll('.event-sources a').length,
        visible: !!li.getClientRects().length}))""")


def test_every_dated_step_is_on_the_timeline_in_date_order_and_links_to_its_step(page, base_url):
    page.goto(base_url + "timeline/")
    found = events(page)
    starts = [e["start"] for e in found]
    assert starts == sorted(starts), "the events are in date order"
    links = [e["href"] for e in found]
    steps = {(c.slug, s.id) for c in load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA) for s in c.steps}
    for slug, step_id, _start in dated_steps():
        assert f"../{slug}/#{step_id}" in links, f"the dated step {slug}#{step_id} is on the timeline"
    for link in links:
        slug, step_id = re.fullmatch(r"\.\./([a-z0-9-]+)/#([a-z0-9-]+)", link).groups()
        assert (slug, step_id) in steps, f"{link} leads to a step that exists"
    page.locator(".event-text a").first.click()
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert page.evaluate("location.hash") == "#" + links[0].split("#")[1], "the link opens the page at its step"
    assert page.errors == []


def test_without_scripts_the_timeline_lists_every_event_with_its_source(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "timeline/")
    found = events(page)
    assert len(found) >= len(dated_steps())
    assert all(e["visible"] and e["sources"] >= 1 for e in found), "every event is shown with its sources"
    assert page.locator("#year-control").is_hidden(), "no control that cannot work without scripts"
    assert page.locator(".timeline-chart svg .bar").count() > 0, "the arrivals are drawn on the axis"
    context.close()


def flow_chapter() -> str:
    """The chapter with the flow map: the first with a step that shows every route."""
    return next(c.slug for c in load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA) if any("routes" in s.show for s in c.steps))


MAPS = ["flow map", "timeline"]


def flow_map(page, base_url, query: str, where: str = "flow map") -> dict:
    page.goto(base_url + (flow_chapter() if where == "flow map" else "timeline") + "/" + query)
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    # The routes' years come with the map's route data (loaded as soon as a period is chosen).
    return page.evaluate("""async () => { await window.storyKit.loadRoutes(); return {
        period: window.storyKit.period, routes: window.storyKit.visibleRoutes(),
        from: document.getElementById('year-from').value, to: document.getElementById('year-to').value,
        hiddenLegs: Object.values(window.storyKit.features).filter(l => l.storyFeature.count
            && l.options.opacity === 0).length,
        unusedLegs: Object.entries(window.storyKit.features).filter(([id, l]) => l.storyFeature.count
            && window.storyKit.routeData.legs[id].every(i => !window.storyKit.visibleRoutes()
                .includes(window.storyKit.routeData.routes[i].slug))).length}; }""")


@pytest.mark.parametrize("where", MAPS)
def test_a_period_in_the_address_shows_exactly_the_routes_of_those_years(page, base_url, where):
    state = flow_map(page, base_url, "?from=2005&to=2010", where)
    expected = sorted(slug for slug, p in routes_by_slug().items() if overlaps(p.get("start"), p.get("end"), 2005, 2010))
    assert state["period"] == {"from": 2005, "to": 2010}
    assert sorted(state["routes"]) == expected
    assert (state["from"], state["to"]) == ("2005", "2010"), "the control shows the period"
    assert page.locator("#year-status").inner_text() == "" or "2005" in page.locator("#year-status").inner_text()
    assert page.errors == []
    # A leg is hidden when no route of the period uses it (a contributor's route may share all its legs).
    assert state["hiddenLegs"] == state["unusedLegs"], "legs only routes outside the period use are hidden"
    # And a period before the first year a route is dated from leaves that route out.
    starts = [p["start"] for p in routes_by_slug().values() if p.get("start", 1950) > 1950]
    if starts:
        before = min(starts) - 1
        state = flow_map(page, base_url, f"?from=1950&to={before}", where)
        assert sorted(state["routes"]) == sorted(slug for slug, p in routes_by_slug().items()
                                                 if overlaps(p.get("start"), p.get("end"), 1950, before))
        assert len(state["routes"]) < len(routes_by_slug())
        assert state["hiddenLegs"] == state["unusedLegs"], "and hides the legs only it uses"


@pytest.mark.parametrize("where", MAPS)
@pytest.mark.parametrize("query", ["?from=abc", "?from=2030&to=1990", "?from=19999&to=2010", "?to=%E0"])
def test_a_malformed_period_opens_the_full_range_without_an_error(page, base_url, query, where):
    state = flow_map(page, base_url, query, where)
    assert state["period"] is None
    assert sorted(state["routes"]) == sorted(routes_by_slug())
    assert state["hiddenLegs"] == 0
    assert page.errors == []


def test_a_dated_fence_is_absent_before_its_year_and_present_after(page, base_url):
    page.goto(base_url + "timeline/")
    fences = [e for e in events(page) if "event-fence" in e["kind"] and e["start"] > 1950]
    if not fences:
        pytest.skip("no fence of the project's data is dated")
    fence = fences[0]
    step = fence["href"].split("/", 1)[1]  # "<slug>/#<step>"
    slug, step_id = step.split("/#")
    opacity = "id => window.storyKit.features[id].options.opacity"
    for year, present in ((fence["start"] - 1, False), (fence["start"] + 4, True)):
        page.goto(f"{base_url}{slug}/?from={year}&to={year}#{step_id}")
        page.wait_for_function(f"() => window.storyKit && window.storyKit.active && window.storyKit.active.id === '{step_id}'")
        assert (page.evaluate(opacity, fence["feature"]) > 0) == present, f"{fence['feature']} in {year}"
        page.goto(f"{base_url}timeline/?from={year}&to={year}")
        page.wait_for_function("() => window.storyKit && window.storyKit.active")
        assert (page.evaluate(opacity, fence["feature"]) > 0) == present, f"{fence['feature']} in {year} (timeline)"
    assert page.errors == []


def test_the_year_control_works_by_keyboard_alone_and_says_what_it_shows(page, base_url):
    page.goto(base_url + flow_chapter() + "/")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    page.locator(".legend").evaluate("node => node.open = true")
    page.focus("#year-from")
    for _ in range(55):
        page.keyboard.press("ArrowRight")  # 1950 -> 2005
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "year-to", "the second slider is next in the tab order"
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    last = int(page.get_attribute("#year-control", "data-last"))
    period = page.evaluate("window.storyKit.period")
    assert period == {"from": 2005, "to": last - 5}
    assert f"from=2005&to={last - 5}" in page.url, "the address keeps the period"
    assert "2005" in page.locator("#year-status").inner_text(), "the change is announced"
    assert page.get_attribute("#year-status", "aria-live") == "polite"
    page.focus("#year-all")
    page.keyboard.press("Enter")
    assert page.evaluate("window.storyKit.period") is None and "from=" not in page.url
    assert page.errors == []


def test_the_timeline_axis_moves_by_keyboard_and_drag_and_the_wheel_scrolls_the_page(page, base_url):
    page.goto(base_url + "timeline/")
    page.wait_for_selector(".timeline-axis.axis-on")
    axis = page.locator("#timeline-axis")
    axis.focus()
    page.keyboard.press("End")
    at_end = axis.evaluate("node => node.scrollLeft")
    assert at_end > 0, "End goes to the present"
    page.keyboard.press("ArrowLeft")
    assert axis.evaluate("node => node.scrollLeft") < at_end, "the arrows move along the axis"
    box = axis.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    before = axis.evaluate("node => node.scrollLeft")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 200, box["y"] + 40, steps=5)
    page.mouse.up()
    assert axis.evaluate("node => node.scrollLeft") < before, "dragging right moves back in time"
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    left = axis.evaluate("node => node.scrollLeft")
    page.mouse.wheel(0, 300)
    page.wait_for_function("() => window.scrollY > 0")
    assert axis.evaluate("node => node.scrollLeft") == left, "a wheel turn over the axis scrolls the page, not the axis"
    assert page.errors == []


def test_on_a_touch_screen_a_sideways_swipe_moves_the_axis_and_an_upward_one_scrolls_the_page(touch_page, base_url):
    page = touch_page
    page.goto(base_url + "timeline/")
    page.wait_for_selector(".timeline-axis.axis-on")
    page.locator("#timeline-axis").scroll_into_view_if_needed()
    box = page.locator("#timeline-axis").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 150)
    state = "() => ({left: document.getElementById('timeline-axis').scrollLeft, y: window.scrollY})"
    before = page.evaluate(state)
    touch_gesture(page, [(x + 120, y)], [(x - 120, y)])
    after = page.evaluate(state)
    assert after["left"] > before["left"] + 50, "a sideways swipe moves along the axis"
    touch_gesture(page, [(x, y + 100)], [(x, y - 100)])
    assert page.evaluate(state)["y"] > after["y"] + 50, "a swipe up over the axis scrolls the page: no trap"
    assert page.errors == []


def test_every_link_of_the_timeline_embed_opens_in_the_whole_window(page, base_url):
    """An embed that navigated inside its iframe would show the story inside the host's page."""
    page.goto(base_url + "embed/timeline/")
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
        .filter(a => !a.getAttribute('href').startsWith('#'))
        .map(a => [a.getAttribute('href'), a.getAttribute('target')])""")
    assert any("sources/" in href for href, _ in links), "the caption cites its sources"
    assert [href for href, target in links if target != "_top"] == []
