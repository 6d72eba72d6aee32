"""The routes chapter's flow map and the routes catalogue, as a reader uses them."""
from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import ROOT


def open_routes_step(page, base_url):
    page.goto(base_url + "the-long-way-out/#other-routes")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && window.storyKit.active.id === 'other-routes'")


#: The flow map's widest leg and a leg of one route, wherever they are: the routes are contributors' data.
LEGS = """() => {
    const kit = window.storyKit;
    const legs = Object.entries(kit.features).filter(([id, layer]) => layer.storyFeature.count)
        .sort((a, b) => b[1].storyFeature.count - a[1].storyFeature.count);
    const [id, leg] = legs[0];
    const single = legs.find(([i, layer]) => layer.storyFeature.count === 1)[1];
    // A point of the leg no other line is drawn over (a contributor's route may cross its middle).
    const box = window.storyMap.getContainer().getBoundingClientRect();
    const points = leg.getLatLngs().flat(Infinity).map(p => window.storyMap.latLngToContainerPoint(p))
        .map(p => ({x: box.left + p.x, y: box.top + p.y}));
    const middle = Math.floor(points.length / 2);
    const order = points.map((p, i) => [Math.abs(i - middle), p]).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    const clear = order.find(p => document.elementFromPoint(p.x, p.y) === leg.getElement()) || order[0];
    return {x: clear.x, y: clear.y, weight: leg.options.weight, single: single.options.weight,
            id: id, count: leg.storyFeature.count, place: leg.feature.properties.name};
}"""

#: The names of a leg's routes, once the map has loaded its route data.
NAMES = "id => window.storyKit.routeData.legs[id].map(i => window.storyKit.routeData.routes[i].name)"


def test_a_shared_leg_is_one_wide_line_whose_popup_lists_its_routes_and_sources(page, base_url):
    open_routes_step(page, base_url)
    page.locator(".legend summary").click()  # fold the legend to reach the map under it
    leg = page.evaluate(LEGS)
    assert leg["count"] > 1 and leg["weight"] > leg["single"], "several routes make a wider line than one"
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.mouse.move(leg["x"], leg["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    # The routes' names come with the route data, asked for when the reader first points at a leg.
    page.wait_for_function("() => document.querySelector('.leaflet-tooltip').textContent.includes('): ')")
    assert [url for url in requests if url.endswith("/the-long-way-out/routes.json")], "loaded when first needed"
    names = page.evaluate(NAMES, leg["id"])
    assert len(names) == leg["count"]
    assert tooltip.inner_text().startswith(f"{leg['place']} ({leg['count']} routes): ")
    assert names[0] in tooltip.inner_text(), "the tooltip names the routes on the leg"
    page.mouse.click(leg["x"], leg["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert f"{leg['count']} routes" in text.splitlines(), "the popup counts the routes on the leg"
    assert all(name in text for name in names)
    assert popup.locator("a[href*='#ref-']").count() >= len(names), "each route's sources are linked"
    assert page.errors == []


#: Opens the popup of a leg of a route with waypoints, found in the map's route data (fetched here
#: on the side: the map itself has not loaded it yet, so its popup fills in when the data arrives).
WAYPOINT = """async () => {
    const kit = window.storyKit;
    const loaded = kit.routeData !== null;
    const data = await (await fetch((document.body.dataset.root || "") + kit.config.routeData)).json();
    const index = data.routes.findIndex(route => route.drawn && route.drawn.length);
    const id = Object.keys(data.legs).find(leg => data.legs[leg].includes(index));
    kit.features[id].openPopup(kit.features[id].getCenter());
    const words = JSON.parse(document.getElementById("story-strings").textContent);
    return {loaded: loaded, drawn: data.routes[index].drawn, words: words["Drawn through {place} to keep the line in {country}."]};
}"""


@pytest.mark.parametrize("edition", ["", "ko/", "zh/"])
def test_a_legs_popup_says_which_places_were_added_only_to_draw_a_route(page, base_url, edition):
    """The Vietnam route is drawn through Da Nang, which no source names: its leg's popup says so."""
    page.goto(base_url + edition + "the-long-way-out/#other-routes")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && window.storyKit.active.id === 'other-routes'")
    found = page.evaluate(WAYPOINT)
    assert not found["loaded"], "the first view carries no route's names or places"
    words = found["words"] or "Drawn through {place} to keep the line in {country}."
    assert (found["words"] is None) == (edition == ""), "the Korean and Chinese pages carry the sentence translated"
    popup = page.locator(".leaflet-popup-content .popup-waypoint")
    popup.first.wait_for()
    lines = popup.all_inner_texts()
    for place, country in found["drawn"]:
        assert words.replace("{place}", place).replace("{country}", country) in lines
    assert page.errors == []


def test_the_route_picker_shows_one_route_alone_and_says_so_in_the_address(page, base_url):
    open_routes_step(page, base_url)
    page.focus("#route-picker")  # reached by keyboard: its options load then
    page.select_option("#route-picker", "mongolia")
    assert page.url.endswith("?route=mongolia#other-routes")
    ends_js = """() => {
        const map = window.storyMap, legend = document.querySelector('.legend').getBoundingClientRect();
        const box = map.getContainer().getBoundingClientRect();
        return [[106.91, 47.92], [120.33, 36.09]].map(([lon, lat]) => {
            const p = map.latLngToContainerPoint([lat, lon]);
            return {x: box.left + p.x, y: box.top + p.y, right: box.right, bottom: box.bottom, legend: legend.right};
        });
    }"""
    try:  # the map flies to the route: wait for it to come to rest with both ends in view
        page.wait_for_function(f"""() => !window.storyMap._animatingZoom && ({ends_js})().every(
            e => e.legend < e.x && e.x < e.right && 0 < e.y && e.y < e.bottom)""", timeout=5000)
    except PlaywrightTimeout:
        pass  # the assertion below says where the ends are
    ends = page.evaluate(ends_js)
    for end in ends:  # Ulaanbaatar and Qingdao, the route's two ends
        assert end["legend"] < end["x"] < end["right"] and 0 < end["y"] < end["bottom"], \
            f"the route's ends are in view, beside the open legend: {end}"
    opacity = "id => window.storyKit.features[id].options.opacity"
    assert page.evaluate(opacity, "leg-beijing-to-erenhot") > 0.5
    assert page.evaluate(opacity, "leg-hanoi-to-kunming") == 0, "legs of other routes are hidden"
    assert page.evaluate(opacity, "route-china-laos-thailand") == 0, "so is another route drawn on its own"
    page.select_option("#route-picker", "")
    assert "?route" not in page.url
    assert page.evaluate(opacity, "leg-hanoi-to-kunming") > 0.5, "all routes again"
    assert page.errors == []


def test_the_catalogue_is_linked_from_the_routes_map_and_the_educators_page(page, base_url):
    open_routes_step(page, base_url)
    page.get_by_role("link", name="Every route, its places and sources").click()
    assert page.url.endswith("/routes/")
    page.locator("ol.routes > li").first.wait_for()
    assert page.locator("ol.routes > li").count() == len(list((ROOT / "layers" / "routes").glob("*.geojson")))
    mongolia = page.locator("#mongolia").inner_text()
    assert "Qingdao → Beijing → Erenhot → Ulaanbaatar" in mongolia and "Park & Vollers, 2015" in mongolia
    assert "Waypoints" not in mongolia, "every place of this route is named by its sources"
    vietnam = page.locator("#vietnam-cambodia").inner_text()
    assert "Drawn through Da Nang to keep the line in Vietnam." in vietnam
    page.goto(base_url + "educators/")
    assert page.locator("#downloads ~ p a[href='../routes/']").count() == 1
