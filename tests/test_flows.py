"""The routes chapter as a flow map: shared legs drawn once, width by count, colour by corridor,
a legend that explains the encoding instead of listing routes."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from shapely.geometry import LineString

from storymap.inputs.chapters import Chapter, Step, View
from storymap.scenes.flows import CORRIDORS, FLOWS, SHARED, build_route_map, leg_weight, localised
from storymap.inputs.layers import Layer, load_layers
from storymap.scenes.scenes import build_scene
from storymap.inputs.project import FEATURE_SCHEMA
from tests.support.layers import owned_layers
from tests.support.project import ROOT


@pytest.fixture(scope="module")
def layers(tmp_path_factory) -> list[Layer]:
    """The map's derived layers with the tests' own three routes (not the project's, which contributors change)."""
    return load_layers(owned_layers(tmp_path_factory.mktemp("flows") / "layers"), None, ROOT / FEATURE_SCHEMA)


@pytest.fixture(scope="module")
def routes_chapter():
    """A chapter whose last step shows every route, with the Mongolia route highlighted."""
    view = View(bounds=((10.0, 95.0), (48.0, 130.0)))
    steps = (Step("one-route", view, ("routes/china-laos-thailand", "borders"), (), "One route.", "One route."),
             Step("all-routes", view, ("routes", "borders", "cities"), ("route-mongolia",), "Every route.", "All."))
    return Chapter("routes", "Routes", "The routes.", 7, (), "Intro.", steps, Path("chapters/07-routes.md"))


def legs(route_map) -> dict[str, dict]:
    return {f["id"]: f for f in route_map.flows.features}


def extra_routes(layers: list[Layer], count: int) -> list[Layer]:
    """count copies of the Vietnam route, as contributors' files would add them."""
    (template,) = next(layer for layer in layers if layer.id == "routes/vietnam-cambodia").features
    return [Layer(f"routes/extra-{n}", Path("layers/routes") / f"extra-{n}.geojson", "routes",
                  [{**template, "id": f"route-extra-{n}", "name": f"Extra route {n}"}]) for n in range(count)]


def test_a_leg_several_routes_share_is_drawn_once_and_wider(layers):
    route_map = build_route_map(layers)
    shared = legs(route_map)["leg-beijing-to-shenyang"]  # all three routes pass Shenyang and Beijing
    assert shared["routes"] == ["route-china-laos-thailand", "route-mongolia", "route-vietnam-cambodia"]
    assert shared["colour"] == SHARED[1] and shared["corridor"] == SHARED[0], "routes to three countries"
    alone = legs(route_map)["leg-beijing-to-erenhot"]
    assert alone["routes"] == ["route-mongolia"] and alone["colour"] == CORRIDORS["MNG"][1]
    assert shared["weight"] > alone["weight"] == leg_weight(1)
    assert len([f for f in route_map.flows.features if f["id"] == "leg-beijing-to-shenyang"]) == 1


def test_colour_means_where_the_routes_lead(layers):
    route_map = build_route_map(layers)
    assert route_map.layer_colours == {"routes/china-laos-thailand": CORRIDORS["THA"][1],
                                       "routes/mongolia": CORRIDORS["MNG"][1],
                                       "routes/vietnam-cambodia": CORRIDORS["KHM"][1]}


def test_a_route_drawn_by_hand_is_its_own_leg(layers):
    drawn = Layer("routes/drawn", Path("layers/routes/drawn.geojson"), "routes", [{
        "id": "route-drawn", "name": "Drawn", "kind": "route", "description": "d", "sources": ["king-2023"],
        "precision": "schematic", "via": ["Kunming", "Hanoi"],
        "geometry": LineString([(102.68, 25.07), (104.0, 23.5), (105.85, 21.04)]), "length_km": 500.0}])
    route_map = build_route_map([*layers, drawn])
    assert legs(route_map)["leg-route-drawn"]["geometry"].equals(drawn.features[0]["geometry"])
    assert route_map.routes["route-drawn"].legs == ("leg-route-drawn",)
    assert "route-drawn" not in legs(route_map)["leg-hanoi-to-kunming"]["routes"], \
        "its via names do not replace its drawn line"


def test_the_legend_explains_the_encoding_and_never_lists_every_route(layers, routes_chapter):
    more = [*layers, *extra_routes(layers, 100)]
    scene = build_scene(routes_chapter, more, build_route_map(more))
    labels = [entry.label for entry in scene.legend]
    assert not any("Extra route" in label for label in labels)
    assert {"Routes to Thailand", "Routes to Cambodia", "Routes to Mongolia", SHARED[0]} <= set(labels)
    assert "103 routes on a leg" in labels, "the widest leg (Shenyang–Beijing): every route"
    assert len(labels) < 15
    assert len(scene.routes) == 103, "every route is in the picker"
    widths = [entry.weight for entry in scene.legend if entry.weight]
    assert widths == sorted(widths) and widths[0] < widths[-1]


def test_the_routes_step_shows_the_flow_map_and_highlights_the_legs_of_its_routes(layers, routes_chapter):
    scene = build_scene(routes_chapter, layers)
    step = next(s for s in scene.steps if FLOWS in s.layers)
    assert not any(layer_id.startswith("routes/") for layer_id in step.layers)
    assert "leg-beijing-to-erenhot" in step.highlight, "route-mongolia is highlighted, so are its legs"


def test_a_thousand_routes_make_few_legs(layers):
    route_map = build_route_map([*layers, *extra_routes(layers, 1000)])
    assert len(route_map.flows.features) == len(build_route_map(layers).flows.features)
    assert max(len(f["routes"]) for f in route_map.flows.features) == 1003
    assert dataclasses.asdict(route_map.routes["route-extra-999"])["legs"][0] == "leg-dandong-to-shenyang"


def test_an_edition_shares_the_english_legs_and_names_them_in_its_words(layers):
    """The routes' via lists name places in English; an edition's layers carry its own names, so the
    legs are worked out on the English layers and only renamed (before, every route of the Korean
    map was one unshared leg)."""
    korean = {"city-kunming": "쿤밍", "city-beijing": "베이징", "route-vietnam-cambodia": "베트남과 캄보디아 경유"}
    edition = [dataclasses.replace(layer, features=[{**f, "name": korean.get(f["id"], f["name"])} for f in layer.features])
               for layer in layers]
    english = build_route_map(layers)
    local = localised(english, layers, edition)
    assert [leg["id"] for leg in local.flows.features] == [leg["id"] for leg in english.flows.features]
    assert [leg["routes"] for leg in local.flows.features] == [leg["routes"] for leg in english.flows.features]
    assert "베이징 – 쿤밍" in {leg["name"] for leg in local.flows.features}
    assert local.routes["route-vietnam-cambodia"].name == "베트남과 캄보디아 경유"


def test_a_routes_waypoints_say_which_country_the_line_is_kept_in_and_in_the_editions_words(layers):
    english = build_route_map(layers)
    assert english.routes["route-vietnam-cambodia"].waypoints == (("Da Nang", "Vietnam"), ("Ho Chi Minh City", "Vietnam"))
    assert english.routes["route-mongolia"].waypoints == (), "every place named"
    korean = {"place-da-nang": "다낭", "place-ho-chi-minh-city": "호찌민시", "country-vnm": "베트남"}
    edition = [dataclasses.replace(layer, features=[{**f, "name": korean.get(f["id"], f["name"])} for f in layer.features])
               for layer in layers]
    local = localised(english, layers, edition)
    assert local.routes["route-vietnam-cambodia"].waypoints == (("다낭", "베트남"), ("호찌민시", "베트남"))


def test_a_route_added_changes_nothing_on_a_map_that_shows_no_routes(layers):
    """Its static maps and map data are kept by the content of its scene: a route change must not
    redraw them."""
    from storymap.rendering.static_maps import static_map_jobs

    view = View(bounds=((39.8, 124.0), (43.0, 130.8)))
    rivers = Chapter("rivers", "Rivers", "The rivers.", 2, (), "Intro.",
                     (Step("borders", view, ("borders", "cities"), (), "Borders.", "Borders."),), Path("chapters/02-rivers.md"))
    more = [*layers, *extra_routes(layers, 3)]
    before, after = build_scene(rivers, layers, build_route_map(layers)), build_scene(rivers, more, build_route_map(more))
    assert before.route_colours == after.route_colours == {} and before.drawn_through == after.drawn_through == {}
    assert static_map_jobs({"rivers": before}) == static_map_jobs({"rivers": after})
