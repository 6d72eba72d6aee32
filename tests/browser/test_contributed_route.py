"""A contributor's route file, dropped into layers/routes/ and naming only its places, appears on the
escape-routes map with no code change: in the legend, forward in the step that shows every route, with a popup."""
from __future__ import annotations

import io
import json

import pytest

from build import build
from storymap.commands import new_route
from tests.support.project import copy_project

from .conftest import serving

NAME = "Via <b>Hanoi</b> & Vientiane"
DESCRIPTION = "A contributed route <script>alert(1)</script> through Vietnam and Laos."
VIA = ["Yanji", "Beijing", "Kunming", "Hanoi", "Vientiane", "Bangkok"]


@pytest.fixture(scope="module")
def contributed_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("contrib") / "project")
    assert new_route(project, "via-hanoi", out=io.StringIO()) == 0
    path = project / "layers" / "routes" / "via-hanoi.geojson"
    route = json.loads(path.read_text(encoding="utf-8"))
    route["features"][0]["properties"].update(name=NAME, description=DESCRIPTION, sources=["king-2023"], via=VIA)
    path.write_text(json.dumps(route), encoding="utf-8")
    assert build(project, out=io.StringIO()) == 0
    with serving(project / "site") as url:
        yield url


def test_contributed_route_is_on_the_map_with_legend_tooltip_and_popup(page, contributed_site):
    page.goto(contributed_site + "the-long-way-out/#other-routes")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && window.storyKit.active.id === 'other-routes'")
    assert NAME in page.locator(".legend").inner_text(), "the route's name is in the legend, as text"
    assert page.locator(".legend b").count() == 0
    page.locator(".legend summary").click()  # fold the legend away, as a reader would, to reach the map under it

    point = page.evaluate("""() => {
        const layer = window.storyKit.features['route-via-hanoi'];
        // Halfway along the Hanoi-Vientiane leg, which no other route follows.
        const latlngs = layer.getLatLngs();
        const at = (lon, lat) => latlngs.findIndex(ll => Math.abs(ll.lng - lon) < 0.05 && Math.abs(ll.lat - lat) < 0.05);
        const a = window.storyMap.latLngToContainerPoint(latlngs[at(105.85, 21.04)]);
        const b = window.storyMap.latLngToContainerPoint(latlngs[at(102.6, 17.97)]);
        const box = window.storyMap.getContainer().getBoundingClientRect();
        return {x: box.left + (a.x + b.x) / 2, y: box.top + (a.y + b.y) / 2, opacity: layer.options.opacity};
    }""")
    assert point["opacity"] > 0.5, "the step that shows every route brings the contributed one forward"
    page.mouse.click(point["x"], point["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert NAME in text and "<script>alert(1)</script>" in text
    assert popup.locator("script, b").count() == 0, "HTML from a layer file is shown as text, never run"
    assert "Length" in text and "km" in text
    assert popup.locator("a[href$='#ref-king-2023']").count() == 1
    assert page.errors == []
