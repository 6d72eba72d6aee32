"""The registry of kinds (storymap/inputs/kinds.py) is the one place a kind is defined: the feature
contract, the maps, the legend and the data dictionary all follow it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from storymap.inputs import kinds
from storymap.rendering.downloads import data_dictionary
from storymap.inputs.kinds import KINDS, swatch
from storymap.inputs.layers import _validator, load_layers
from storymap.rendering.maps import layers_config
from storymap.rendering.pages import environment
from storymap.core.problems import InputError
from storymap.scenes.scenes import LegendEntry
from storymap.inputs.project import FEATURE_SCHEMA
from tests.support.project import ROOT

EXAMPLE_GEOMETRY = {
    "point": {"type": "Point", "coordinates": [124.39, 40.13]},
    "line": {"type": "LineString", "coordinates": [[124.39, 40.13], [125.0, 41.0]]},
    "area": {"type": "Polygon", "coordinates": [[[126.0, 38.0], [127.0, 38.0], [127.0, 38.5], [126.0, 38.0]]]},
}


def write_layer(folder: Path, kind: str, geometry: dict) -> Path:
    properties = {"id": f"sample-{kind}", "name": "Sample", "kind": kind, "description": "A sample.",
                  "sources": ["naturalearth"], "precision": "approximate", "country": "CHN"}
    layers = folder / "layers"
    layers.mkdir(exist_ok=True)
    (layers / f"{kind}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry, "properties": properties}]}), encoding="utf-8")
    return layers


def test_the_feature_contract_allows_exactly_the_registered_kinds():
    schema = _validator(ROOT / FEATURE_SCHEMA).schema
    assert sorted(schema["properties"]["properties"]["properties"]["kind"]["enum"]) == sorted(KINDS)
    assert "enum" not in json.loads((ROOT / FEATURE_SCHEMA).read_text())["properties"]["properties"]["properties"]["kind"], \
        "the schema file must not keep its own copy of the kinds"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_loads_with_its_geometry_and_is_refused_with_another(tmp_path, kind):
    shape = KINDS[kind].shape
    layers = write_layer(tmp_path, kind, EXAMPLE_GEOMETRY[shape])
    [layer] = load_layers(layers, ["naturalearth"], ROOT / FEATURE_SCHEMA)
    assert layer.features[0]["kind"] == kind
    other = next(s for s in EXAMPLE_GEOMETRY if s != shape)
    write_layer(tmp_path, kind, EXAMPLE_GEOMETRY[other])
    with pytest.raises(InputError) as caught:
        load_layers(layers, ["naturalearth"], ROOT / FEATURE_SCHEMA)
    assert f"a {kind} must be drawn as a {' or '.join(KINDS[kind].geometry_types)}" in str(caught.value)


def test_point_kinds_must_name_their_country(tmp_path):
    layers = write_layer(tmp_path, "city", EXAMPLE_GEOMETRY["point"])
    path = layers / "city.geojson"
    document = json.loads(path.read_text())
    del document["features"][0]["properties"]["country"]
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="country"):
        load_layers(layers, ["naturalearth"], ROOT / FEATURE_SCHEMA)


def test_the_interactive_map_gets_every_kind_with_its_style_and_label(monkeypatch):
    class Scene:
        layers, route_colours, routes = (), {}, ()
    config = layers_config(Scene(), [], {}, bibliography=None)
    assert config["kinds"] == {name: {"style": kind.style, "label": kind.label, "tier": kind.tier}
                               for name, kind in KINDS.items()}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_legend_swatch_is_drawn_in_the_kinds_own_colours(kind):
    html = environment(ROOT / "templates").get_template("partials/legend.html").render(
        scene=type("Scene", (), {"legend": (LegendEntry(KINDS[kind].legend, kind),), "routes": ()}), swatch=swatch, dated=False)
    style = KINDS[kind].style
    assert f'stroke="{style["color"]}"' in html
    if "fillColor" in style:
        assert f'fill="{style["fillColor"]}"' in html
    assert KINDS[kind].legend in html


def test_a_route_swatch_takes_its_own_colour():
    assert swatch("route", "#cc79a7")["attributes"]["stroke"] == "#cc79a7"


def test_the_stylesheet_styles_no_kind_by_hand():
    css = (ROOT / "static" / "story.css").read_text(encoding="utf-8")
    for colour in (kinds.SEA, kinds.LAND):
        assert colour.lower() not in css.lower(), f"story.css copies the map palette's {colour}; kinds.py holds it"
    for name in KINDS:
        assert f".swatch-{name}" not in css, f"story.css styles the {name} swatch; kinds.py does"
        assert f".{name}-label" not in css, f"story.css styles {name} labels; style labels by kinds.py's label mode"


def test_the_data_dictionary_describes_every_kind():
    text = data_dictionary([], b"year,total,male,female,source_url\n2020,229,,,https://example.org\n")
    for name, kind in KINDS.items():
        assert f"| {name} | {kind.shape} | {kind.description} | {kind.legend} |" in text


def test_kinds_module_imports_nothing_from_the_build():
    source = Path(kinds.__file__).read_text(encoding="utf-8")
    assert "from ." not in source and "import storymap" not in source
