"""Scenes: what each chapter's map shows at each step, decided before anything is drawn."""
from __future__ import annotations

from pathlib import Path

from shapely.geometry import LineString, Point, box

from storymap.inputs.chapters import Chapter, Step, View
from storymap.scenes.flows import ELSEWHERE
from storymap.inputs.kinds import KINDS
from storymap.inputs.layers import Layer
from storymap.scenes.scenes import build_scene, describe_step, expand_layer_names


def feature(fid, kind, geometry, name=None):
    return {"id": fid, "name": name or fid.title(), "kind": kind, "sources": ["naturalearth"],
            "description": "d", "precision": "approximate", "geometry": geometry}


LAYERS = [
    Layer("basemap/countries", Path("c"), "basemap", [feature("country-chn", "country", box(100, 20, 130, 45), "China")]),
    Layer("cities", Path("c"), None, [feature("city-dandong", "city", Point(124.4, 40.1), "Dandong"),
                                       feature("city-yanji", "city", Point(129.5, 42.9), "Yanji")]),
    Layer("rivers", Path("r"), None, [feature("yalu", "river", LineString([(124.3, 40.0), (126.0, 41.5)]), "Yalu")]),
    Layer("routes/b-route", Path("b"), "routes", [feature("route-b", "route", LineString([(102, 25), (101, 21)]), "B")]),
    Layer("routes/a-route", Path("a"), "routes", [feature("route-a", "route", LineString([(116, 40), (106, 47)]), "A")]),
]


def chapter(*steps: Step) -> Chapter:
    return Chapter(slug="rivers", title="Rivers", summary="s", order=1, questions=(), intro="", steps=steps,
                   path=Path("chapters/01-rivers.md"))


WIDE = Step("wide", View(bounds=((30.0, 100.0), (45.0, 131.0))), ("rivers", "cities"), ("yalu",),
            "The rivers.", "")
CLOSE = Step("close", View(center=(40.1, 124.4), zoom=11), ("rivers",), (), "Dandong.", "")
ROUTES = Step("routes", View(bounds=((20.0, 100.0), (48.0, 120.0))), ("routes",), ("route-a",), "", "")


def test_a_group_name_stands_for_its_layers_once_each_and_every_route_is_the_flow_map():
    assert expand_layer_names(("routes", "routes/a-route", "rivers", "basemap"), LAYERS) == \
        ("flows", "routes/a-route", "rivers", "basemap/countries")


def test_a_chapter_carries_the_basemap_and_only_the_layers_its_steps_show():
    scene = build_scene(chapter(WIDE, CLOSE), LAYERS)
    assert [layer.id for layer in scene.layers] == ["basemap/countries", "cities", "rivers"]
    assert scene.steps[0].layers == ("rivers", "cities")


def test_a_step_that_zooms_far_in_gets_its_own_detail_and_the_widest_sets_the_overview():
    scene = build_scene(chapter(WIDE, CLOSE), LAYERS)
    wide, close = scene.steps
    assert close.zoom == 11 and close.detail and not wide.detail
    assert scene.overview_zoom == wide.zoom < close.zoom
    west, south, east, north = scene.extent
    assert west <= 100 and east >= 131 and south <= 30 and north >= 45, "the extent covers every view"


def test_the_legend_names_each_kind_once_and_routes_by_where_they_lead():
    scene = build_scene(chapter(WIDE, ROUTES), sorted(LAYERS, key=lambda layer: layer.id))
    entries = [(e.label, e.kind, e.colour) for e in scene.legend]
    assert (KINDS["city"].legend, "city", None) in entries and (KINDS["river"].legend, "river", None) in entries
    routes = [entry for entry in entries if entry[1] == "route" and entry[2] == ELSEWHERE[1]]
    assert routes == [(ELSEWHERE[0], "route", ELSEWHERE[1])], "two routes to the same place share one entry"
    assert not any(label in ("A", "B") for label, _, _ in entries)
    assert [e.label for e in scene.legend if e.weight] == ["1 route on a leg (line width)"]
    assert not any(kind == "country" for _, kind, _ in entries), "the basemap needs no legend"
    assert len(entries) == len(set(entries))


def test_a_screen_reader_hears_the_map_text_and_what_is_highlighted():
    scene = build_scene(chapter(WIDE, CLOSE), LAYERS)
    assert scene.steps[0].description == "The rivers. Highlighted: Yalu."
    assert describe_step("", ["Yalu", "Tumen"]) == "Highlighted: Yalu, Tumen."
