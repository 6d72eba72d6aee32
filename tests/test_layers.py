"""Loading layers: every contributor's mistake becomes a plain-words Problem, never a traceback.

Each bad fixture in tests/fixtures/layers/bad/ holds one mistake (three-mistakes.geojson holds three).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shapely.geometry.base import BaseGeometry

from storymap.inputs.layers import load_layers
from storymap.core.problems import InputError, Problem
from storymap.inputs.project import FEATURE_SCHEMA
from tests.support.project import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "layers"
KEYS = ["park-baptista-2024", "king-2023", "naturalearth"]


def make_project(tmp_path: Path, *fixtures: str) -> Path:
    """A project folder with a layers/ folder holding copies of fixtures (paths below fixtures/layers).

    A fixture folder is copied with its contents; a file lands directly in layers/.
    """
    layers = tmp_path / "layers"
    layers.mkdir(exist_ok=True)
    for name in fixtures:
        source = FIXTURES / name
        if source.is_dir():
            shutil.copytree(source, layers, dirs_exist_ok=True)
        else:
            shutil.copy(source, layers / source.name)
    return tmp_path


def problems_in(root: Path, keys=KEYS) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_layers(root / "layers", keys, ROOT / FEATURE_SCHEMA)
    return caught.value.problems


def only_problem(tmp_path: Path, fixture: str) -> Problem:
    problems = problems_in(make_project(tmp_path, f"bad/{fixture}.geojson"))
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


FILE_MISTAKES = [
    ("not-json", "line 3, column 22", "comma"),
    ("truncated", "cut off", "]}"),
    ("empty", "the file is empty", "FeatureCollection"),
    ("not-utf8", "not saved as UTF-8 text (byte 0xe9 on line", "UTF-8"),
    ("single-feature", "single Feature, not a FeatureCollection", '"FeatureCollection"'),
    ("features-not-list", '"features" should be a list', '"features": ['),
    ("empty-collection", "has no features", "add at least one feature"),
]


@pytest.mark.parametrize(("fixture", "words", "fix"), FILE_MISTAKES)
def test_a_file_that_cannot_be_read_is_named_with_a_fix(tmp_path, fixture, words, fix):
    problem = only_problem(tmp_path, fixture)
    assert str(problem).startswith(f"layers/{fixture}.geojson: ")
    assert words in problem.message
    assert fix in problem.fix


FEATURE_MISTAKES = [
    ("null-geometry", "geometry", "has no geometry (it is null)", "geojson.io"),
    ("missing-geometry", "geometry", "has no geometry", "QGIS"),
    ("wrong-geometry-type", "geometry", "a route must be drawn as a LineString or MultiLineString, but this is a Point",
     "LineString"),
    ("swapped", "geometry", "longitude and latitude look swapped; GeoJSON wants [longitude, latitude]", "swap"),
    ("projected", "geometry", "looks like projected coordinates (metres)", "WGS84 longitude/latitude, EPSG:4326"),
    ("outside-region", "geometry", "outside the story's region", "longitude first"),
    ("nan", "geometry", "position 2 contains NaN or Infinity", "real longitude and latitude"),
    ("one-point-line", "geometry", "only one point", "at least two different points"),
    ("identical-points", "geometry", "all its points are the same", "at least two different points"),
    ("self-intersecting", "geometry", "self-intersection near [126.5, 38.25]", "does not cross itself"),
    ("malformed-coordinates", "geometry", 'found ["102.71", "25.04"] where a [longitude, latitude] pair', "[[102.71"),
    ("wrongly-nested", "geometry", "found a number (102.71) where a list was expected", "[[102.71"),
    ("unknown-kind", "kind", '"road" is not an allowed kind', "border, city, country, crossing, fence, region, river, route, site, water"),
    ("unknown-precision", "precision", '"rough" is not an allowed precision', "exact (drawn"),
    ("unknown-reference", "sources", '"park-baptista-2042" is not a reference key', 'did you mean "park-baptista-2024"'),
    ("end-before-start", "end", "the end year 2009 is before the start year 2015", "swap"),
    ("year-before-the-story", "start", "the year 1930 is outside the story's range (1950 to", "1950 to the present"),
    ("name-not-string", "name", "should be text in double quotes, but is a number (1998)", '"1998"'),
    ("bad-id", "id", '"Route Sample" is not written the way', "lower-case letters"),
    ("city-without-country", "country", "'country' is missing", '"CHN"'),
]


@pytest.mark.parametrize(("fixture", "field", "words", "fix"), FEATURE_MISTAKES)
def test_a_feature_mistake_names_file_feature_and_field_with_a_fix(tmp_path, fixture, field, words, fix):
    problem = only_problem(tmp_path, fixture)
    assert problem.feature_index == 0 and problem.feature_id
    assert str(problem).startswith(f"layers/{fixture}.geojson, feature 0 (id {problem.feature_id!r}), field {field!r}: ")
    assert words in problem.message
    assert fix in problem.fix


def test_an_id_used_twice_in_a_file_names_both_features(tmp_path):
    problem = only_problem(tmp_path, "duplicate-id")
    assert str(problem).startswith("layers/duplicate-id.geojson, feature 1 (id 'route-sample'), field 'id': ")
    assert "already used by feature 0 of this file" in problem.message
    assert '"route-sample-2"' in problem.fix


def test_an_id_used_in_two_files_names_both_files(tmp_path):
    [problem] = problems_in(make_project(tmp_path, "good", "bad/duplicate-of-good.geojson"))
    files = {problem.file, problem.message.split("already used by ")[1].split(",")[0]}
    assert files == {"layers/duplicate-of-good.geojson", "layers/routes/sample-route.geojson"}
    assert problem.field == "id" and problem.fix


def test_every_missing_required_field_is_named_with_a_fix(tmp_path):
    problems = problems_in(make_project(tmp_path, "bad/missing-fields.geojson"))
    by_field = {problem.field: problem for problem in problems}
    assert {"name", "kind", "sources", "precision"} <= by_field.keys()
    assert by_field["sources"].message == "the required field 'sources' is missing."
    assert by_field["sources"].fix == 'add a list of reference keys from references.json, e.g. ["park-baptista-2024"].'
    assert "river" in by_field["kind"].fix and "schematic" in by_field["precision"].fix


def test_a_misspelt_field_is_named_with_the_right_spelling(tmp_path):
    problems = problems_in(make_project(tmp_path, "bad/unknown-field.geojson"))
    assert [problem.field for problem in problems] == ["sources", "source"]
    assert "'source' -> 'sources'" in problems[1].fix


def test_template_placeholders_are_refused(tmp_path):
    problems = problems_in(make_project(tmp_path, "bad/placeholder.geojson"))
    assert [problem.field for problem in problems] == ["name", "description"]
    assert all("still has the template's placeholder text" in problem.message for problem in problems)


def test_all_problems_in_all_files_are_reported_in_one_run(tmp_path):
    problems = problems_in(make_project(tmp_path, "good", "bad/three-mistakes.geojson", "bad/empty.geojson"))
    assert [(problem.file, problem.feature_index, problem.field) for problem in problems] == [
        ("layers/empty.geojson", None, None),
        ("layers/three-mistakes.geojson", 0, "kind"),
        ("layers/three-mistakes.geojson", 0, "precision"),
        ("layers/three-mistakes.geojson", 1, "geometry"),
    ]


@pytest.mark.parametrize("coordinates", [
    "102.7, 25.0", None, {"lon": 102.7}, [], [[]], [[102.7]], [[102.7, 25.0, 1.0, 2.0]],
    [[[102.7, 25.0], [101.6, 21.1]]], [[True, False], [101.6, 21.1]], [["Infinity", 25.0], [101.6, 21.1]],
])
def test_malformed_coordinates_are_reported_not_crashed_on(tmp_path, coordinates):
    feature = json.loads((FIXTURES / "bad/duplicate-of-good.geojson").read_text())
    feature["features"][0]["geometry"]["coordinates"] = coordinates
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "route.geojson").write_text(json.dumps(feature))
    [problem] = problems_in(tmp_path)
    assert problem.field == "geometry" and problem.fix


def test_valid_layers_load_sorted_with_groups_geometry_and_length(tmp_path):
    layers = load_layers(make_project(tmp_path, "good") / "layers", KEYS, ROOT / FEATURE_SCHEMA)
    assert [(layer.id, layer.group) for layer in layers] == [
        ("cities", None), ("dmz", None), ("routes/sample-route", "routes")]
    route = layers[2].features[0]
    assert layers[2].title == "Kunming to Huay Xai"
    assert isinstance(route["geometry"], BaseGeometry) and route["geometry"].geom_type == "LineString"
    assert 550 < route["length_km"] < 650
    assert route["via"] == ["Kunming", "Boten"] and route["start"] == 2000
    assert "length_km" not in layers[0].features[0]


def test_html_in_names_and_descriptions_is_kept_as_literal_text(tmp_path):
    layers = load_layers(make_project(tmp_path, "good") / "layers", KEYS, ROOT / FEATURE_SCHEMA)
    assert layers[0].features[0]["name"] == "Dandong <丹东>"
    assert "<b>overland</b>" in layers[2].features[0]["description"]


def test_drafts_hidden_files_and_a_byte_order_mark(tmp_path):
    root = make_project(tmp_path, "good")
    (root / "layers" / "_draft.geojson").write_text("not yet")
    (root / "layers" / ".cache").mkdir()
    (root / "layers" / ".cache" / "old.geojson").write_text("junk")
    bom = root / "layers" / "routes" / "sample-route.geojson"
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    assert len(load_layers(root / "layers", KEYS, ROOT / FEATURE_SCHEMA)) == 3


def test_sources_are_not_checked_when_references_could_not_be_read(tmp_path):
    root = make_project(tmp_path, "bad/unknown-reference.geojson")
    assert load_layers(root / "layers", None, ROOT / FEATURE_SCHEMA)[0].id == "unknown-reference"


def test_a_missing_layers_folder_is_a_problem(tmp_path):
    [problem] = problems_in(tmp_path)
    assert problem.file == "layers" and "does not exist" in problem.message


def test_the_quick_check_of_the_contract_agrees_with_jsonschema_on_every_fixture():
    """The contract's quick check (fastjsonschema) lets a feature through only where jsonschema finds nothing."""
    from storymap.inputs.layers import _validator

    contract = _validator(ROOT / FEATURE_SCHEMA)
    features = [feature for path in [*sorted(FIXTURES.rglob("*.geojson")), *sorted((FIXTURES.parents[2] / "layers").rglob("*.geojson"))]
                for feature in _fixture_features(path)]
    assert len(features) > 20
    for feature in features:
        assert contract.conforms(feature) == (not list(contract.validator.iter_errors(feature))), feature


def _fixture_features(path):
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    return document.get("features", []) if isinstance(document, dict) and isinstance(document.get("features"), list) \
        else [document] if isinstance(document, dict) else []
