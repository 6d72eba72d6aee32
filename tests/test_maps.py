"""The folium map of a chapter: what story.js receives, where detail goes, the same bytes every time."""
from __future__ import annotations

import json

from storymap.rendering.maps import detail_file, feature_json, map_data, render_map
from storymap.inputs.references import Bibliography
from storymap.scenes.scenes import build_scene
from tests.test_scenes import CLOSE, LAYERS, WIDE, chapter

BIBLIOGRAPHY = Bibliography({"naturalearth": {"id": "naturalearth", "type": "dataset", "title": "Natural Earth",
                                              "author": [{"literal": "Natural Earth"}],
                                              "issued": {"date-parts": [[2023]]}}})


def config_of(data) -> dict:
    return json.loads(data.config_json)


def test_a_feature_reaches_the_page_with_linked_sources_and_without_its_raw_fields():
    river = LAYERS[2].features[0]
    out = feature_json({**river, "length_km": 123.456}, river["geometry"], BIBLIOGRAPHY)
    properties = out["properties"]
    assert properties["sources"] == [{"label": "Natural Earth, 2023", "href": "sources/#ref-naturalearth"}]
    assert properties["length_km"] == 123 and "geometry" not in properties
    assert out["geometry"]["type"] == "LineString"


def test_an_area_labelled_by_name_gets_a_point_for_its_label():
    china = LAYERS[0].features[0]
    assert feature_json(china, china["geometry"], BIBLIOGRAPHY)["properties"]["label_point"] == [115.0, 32.5]


def test_the_opening_steps_detail_is_inline_and_later_steps_load_theirs():
    opening_close = map_data(build_scene(chapter(CLOSE, WIDE), LAYERS), BIBLIOGRAPHY)
    assert set(config_of(opening_close)["detail"]) == {"close"} and opening_close.detail_files == {}
    close_later = map_data(build_scene(chapter(WIDE, CLOSE), LAYERS), BIBLIOGRAPHY)
    assert config_of(close_later)["detail"] == {}
    assert list(close_later.detail_files) == [detail_file("close")] == ["detail-close.json"]
    assert "yalu" in json.loads(close_later.detail_files["detail-close.json"]), "the river near Dandong is detailed"


def test_the_map_gets_its_layers_kinds_and_credits():
    config = config_of(map_data(build_scene(chapter(WIDE, CLOSE), LAYERS), BIBLIOGRAPHY))
    assert [layer["id"] for layer in config["layers"]] == ["basemap/countries", "cities", "rivers"]
    assert config["attributions"][0].endswith(">Natural Earth</a>")
    assert {"river", "city", "country"} <= set(config["kinds"])


def test_the_same_scene_renders_the_same_bytes_with_no_inline_style_or_cdn():
    scene = build_scene(chapter(WIDE, CLOSE), LAYERS)
    first, second = (render_map(scene, map_data(scene, BIBLIOGRAPHY), asset_prefix="../assets/") for _ in range(2))
    assert first == second
    assert "../assets/leaflet/leaflet.js" in first.header and "cdn" not in first.header.lower()
    assert "style=" not in first.html and "window.storyMap" in first.script
