"""A contributor's route file, dropped into layers/routes/ and naming only its places, appears on the
escape-routes map with no code change: in the legend, forward in the step that shows every route, with a popup."""
from __future__ import annotations

import io
import json

import pytest

from build import build
from storymap.commands.run import new_route
from tests.support.layers import owned_project

from .conftest import serving

NAME = "Via <b>Hanoi</b> & Vientiane"
DESCRIPTION = "A contributed route <script>alert(1)</script> through Vietnam and Laos."
VIA = ["Yanji", "Beijing", "Kunming", "Hanoi", "Vientiane", "Bangkok"]


@pytest.fixture(scope="module")
def contributed_site(tmp_path_factory):
    # The tests' own routes: a contributor's via-hanoi file, or route from Hanoi to Vientiane, would meet this one.
    project = owned_project(tmp_path_factory.mktemp("contrib") / "project")
    assert new_route(project, "via-hanoi", out=io.StringIO()) == 0
    path = project / "layers" / "routes" / "via-hanoi.geojson"
    route = json.loads(path.read_text(encoding="utf-8"))
    route["features"][0]["properties"].update(name=NAME, description=DESCRIPTION, sources=["king-2023"], via=VIA)
    path.write_text(json.dumps(route), encoding="utf-8")
    assert build(project, out=io.StringIO()) == 0
    with serving(project / "site") as url:
        yield url


def test_contributed_route_is_on_the_flow_map_with_tooltip_popup_and_picker(page, contributed_site):
    page.goto(contributed_site + "the-long-way-out/#other-routes")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && window.storyKit.active.id === 'other-routes'")
    picker = page.locator("#route-picker")
    picker.focus()  # the routes' names load when the reader reaches the picker
    page.wait_for_function("() => document.querySelectorAll('#route-picker option').length > 1")
    assert NAME in picker.inner_text(), "the route's name is in the route picker, as text"
    assert page.locator(".legend b").count() == 0
    assert NAME not in page.locator(".legend ul").inner_text(), "the legend explains colours and widths, not routes"
    page.locator(".legend summary").click()  # fold the legend away, as a reader would, to reach the map under it

    point = page.evaluate("""() => {
        const leg = window.storyKit.features['leg-hanoi-to-vientiane'];  // no other route follows it
        const middle = window.storyMap.latLngToContainerPoint(leg.getCenter());
        const box = window.storyMap.getContainer().getBoundingClientRect();
        return {x: box.left + middle.x, y: box.top + middle.y, opacity: leg.options.opacity};
    }""")
    assert point["opacity"] > 0.5, "the step that shows every route brings the contributed one forward"
    page.mouse.click(point["x"], point["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Hanoi – Vientiane" in text and "1 route" in text.splitlines() and NAME in text
    assert popup.locator("script, b").count() == 0, "HTML from a layer file is shown as text, never run"
    assert popup.locator("a[href$='#ref-king-2023']").count() == 1
    assert page.errors == []


def test_contributed_route_is_in_the_catalogue_and_opens_alone(page, contributed_site):
    page.goto(contributed_site + "routes/")
    entry = page.locator("#via-hanoi")
    text = entry.inner_text()
    assert NAME in text and DESCRIPTION in text, "contributors' text is shown as written"
    assert "Yanji → Beijing → Kunming → Hanoi → Vientiane → Bangkok" in text
    assert entry.locator("script, b").count() == 0
    entry.get_by_role("link", name="alone on the map").click()
    page.wait_for_function("() => window.storyKit && window.storyKit.routeFilter !== null")
    page.wait_for_function("() => document.getElementById('route-picker').value !== ''")
    assert page.locator("#route-picker").input_value() == "via-hanoi"
    assert "?route=via-hanoi" in page.url
    assert page.evaluate("() => window.storyKit.features['leg-hanoi-to-vientiane'].options.opacity") > 0.5
    assert page.evaluate("() => window.storyKit.features['leg-beijing-to-erenhot'].options.opacity") == 0, \
        "a leg the route does not use is hidden"
    assert page.errors == []
