"""The routes chapter's flow map and the routes catalogue, as a reader uses them."""
from __future__ import annotations


def open_routes_step(page, base_url):
    page.goto(base_url + "the-long-way-out/#other-routes")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && window.storyKit.active.id === 'other-routes'")


def test_a_shared_leg_is_one_wide_line_whose_popup_lists_its_routes_and_sources(page, base_url):
    open_routes_step(page, base_url)
    page.locator(".legend summary").click()  # fold the legend to reach the map under it
    leg = page.evaluate("""() => {
        const leg = window.storyKit.features['leg-beijing-to-shenyang'];
        const single = window.storyKit.features['leg-beijing-to-erenhot'];
        const middle = window.storyMap.latLngToContainerPoint(leg.getCenter());
        const box = window.storyMap.getContainer().getBoundingClientRect();
        return {x: box.left + middle.x, y: box.top + middle.y, weight: leg.options.weight, single: single.options.weight,
                colour: leg.options.color, singleColour: single.options.color};
    }""")
    assert leg["weight"] > leg["single"], "three routes make a wider line than one"
    assert leg["colour"] != leg["singleColour"], "routes to several countries share a neutral colour"
    page.mouse.move(leg["x"], leg["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text().startswith("Beijing – Shenyang (3 routes): ")
    assert "Through China to Mongolia" in tooltip.inner_text(), "the tooltip names the routes on the leg"
    page.mouse.click(leg["x"], leg["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "3 routes" in text.splitlines(), "the popup counts the routes on the leg"
    for name in ("Through China, Laos and Thailand", "Through China to Mongolia", "Through China, Vietnam and Cambodia"):
        assert name in text
    assert popup.locator("a[href$='#ref-park-2015']").count() == 1, "each route's sources are linked"
    assert page.errors == []


def test_the_route_picker_shows_one_route_alone_and_says_so_in_the_address(page, base_url):
    open_routes_step(page, base_url)
    page.select_option("#route-picker", "mongolia")
    assert page.url.endswith("?route=mongolia#other-routes")
    page.wait_for_timeout(1500)  # the map flies to the route
    ends = page.evaluate("""() => {
        const map = window.storyMap, legend = document.querySelector('.legend').getBoundingClientRect();
        const box = map.getContainer().getBoundingClientRect();
        return [[106.91, 47.92], [123.45, 41.81]].map(([lon, lat]) => {
            const p = map.latLngToContainerPoint([lat, lon]);
            return {x: box.left + p.x, y: box.top + p.y, right: box.right, bottom: box.bottom, legend: legend.right};
        });
    }""")
    for end in ends:  # Ulaanbaatar and Shenyang, the route's two ends
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
    assert page.locator("ol.routes > li").count() == 3
    mongolia = page.locator("#mongolia").inner_text()
    assert "Shenyang → Beijing → Erenhot → Ulaanbaatar" in mongolia and "Park & Vollers, 2015" in mongolia
    page.goto(base_url + "educators/")
    assert page.locator("#downloads ~ p a[href='../routes/']").count() == 1
