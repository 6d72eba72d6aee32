"""Checks of the committed layers (layers/*.geojson) and references.json.

They read the files directly with json and shapely, so they do not depend on storymap.inputs.layers,
except for the routes, whose lines storymap.inputs.layers draws through the places they name.
Tests that need the shared input data (../shared/data) skip when it is not there. Contributed
files (layers/routes/, layers/places.geojson) must pass every check that is not about derive.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from storymap.tools import derive
from storymap.core.geo import geodesic_length_km
from storymap.inputs.layers import COUNTRY_MARGIN_KM, load_layers
from storymap.inputs.project import FEATURE_SCHEMA
from storymap.inputs.routes import Gazetteer

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
SHARED = REPO.parent / "shared"
LAYER_FILES = sorted(LAYERS.rglob("*.geojson"))
TO_METRES = Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True).transform  # Korean border



def layer_id(path: Path) -> str:
    return path.relative_to(LAYERS).with_suffix("").as_posix()


def load(layer: str) -> list[dict]:
    return json.loads((LAYERS / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]


def geometries(layer: str) -> dict[str, shapely.Geometry]:
    return {f["properties"]["id"]: shape(f["geometry"]) for f in load(layer)}


def metric(geom):
    return shapely.transform(geom, TO_METRES, interleaved=False)


@pytest.fixture(scope="module")
def countries() -> dict[str, shapely.Geometry]:
    return {f["properties"]["country"]: shape(f["geometry"]) for f in load("basemap/countries")}


@pytest.fixture(scope="module")
def china_korea_border():
    borders = geometries("borders")
    return shapely.union_all([borders["border-china-north-korea"], borders["border-north-korea-russia"]])


@pytest.fixture(scope="module")
def drawn():
    """The layers as the build reads them: routes drawn through the places they name."""
    references = {item["id"] for item in json.loads((REPO / "references.json").read_text(encoding="utf-8"))}
    return {layer.id: layer for layer in load_layers(LAYERS, references, REPO / FEATURE_SCHEMA)}


@pytest.fixture(scope="module")
def shared_data() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED


def test_committed_layers_are_the_ones_the_architecture_lists():
    expected = {"basemap/countries", "basemap/water", "borders", "cities", "crossings", "dmz", "fences",
                "rivers", "sites", "places", "routes/china-laos-thailand", "routes/vietnam-cambodia",
                "routes/mongolia"}
    assert expected <= {layer_id(p) for p in LAYER_FILES}


@pytest.mark.parametrize("path", LAYER_FILES, ids=layer_id)
def test_every_feature_matches_the_schema(path):
    validator = jsonschema.Draft202012Validator(json.loads((LAYERS / "feature.schema.json").read_text()))
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and collection["features"]
    for feature in collection["features"]:
        errors = [e.message for e in validator.iter_errors(feature)]
        assert not errors, (feature["properties"].get("id"), errors)
        if feature["geometry"] is None:  # a route drawn through the places it names
            assert feature["properties"]["kind"] == "route" and len(feature["properties"]["via"]) >= 2
        else:
            assert shape(feature["geometry"]).is_valid, feature["properties"]["id"]


def test_ids_are_unique_across_layers():
    ids = [f["properties"]["id"] for path in LAYER_FILES for f in json.loads(path.read_text())["features"]]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_ids_the_chapters_rely_on_exist():
    ids = {f["properties"]["id"] for path in LAYER_FILES for f in json.loads(path.read_text())["features"]}
    cities = ("dandong changchun shenyang yanji tumen hunchun harbin sinuiju hyesan musan hoeryong pyongyang "
              "seoul beijing qingdao kunming jinghong boten luang-namtha luang-prabang vientiane huay-xai "
              "chiang-saen chiang-rai bangkok hanoi phnom-penh ulaanbaatar").split()
    required = {
        "yalu", "tumen", "mekong", "dmz", "site-dandong", "site-changchun", "site-tumen",
        "fence-2006-dandong", "fence-2024-yalu", "fence-2024-tumen", "crossing-dandong-sinuiju",
        "crossing-mohan-boten", "crossing-tumen-namyang", "crossing-huay-xai-chiang-khong",
        "border-china-north-korea", "border-north-korea-russia", "border-china-laos", "border-laos-thailand",
        "border-china-vietnam", "border-china-mongolia", "route-china-laos-thailand",
        "route-vietnam-cambodia", "route-mongolia",
        *(f"country-{c}" for c in "chn prk kor rus mng lao tha vnm khm mmr".split()),
        *(f"city-{c}" for c in cities),
    }
    assert required <= ids, sorted(required - ids)


def test_every_source_is_in_the_bibliography():
    references = json.loads((REPO / "references.json").read_text(encoding="utf-8"))
    keys = {item["id"] for item in references}
    assert len(keys) == len(references), "duplicate reference ids"
    for path in LAYER_FILES:
        for feature in json.loads(path.read_text())["features"]:
            missing = set(feature["properties"]["sources"]) - keys
            assert not missing, (feature["properties"]["id"], missing)


def test_bibliography_has_the_essay_and_data_references():
    keys = {item["id"] for item in json.loads((REPO / "references.json").read_text(encoding="utf-8"))}
    essay = ("ahn-2018 chosun-ilbo-2024 cohen-2012 dprk-prc-1986 guan-2006 hrw-2024 king-2023 kwan-2017 "
             "france24-2023 link-2017 mou-2024 ohchr-2023 park-baptista-2024 prc-mission-2023 protocol-1964 "
             "saluck-2023 smith-2012 state-2021 yeung-seo-2024 zheng-essay").split()
    data = "naturalearth openstreetmap geonames mou-defector-statistics voa-2022".split()
    assert set(essay + data) <= keys, sorted(set(essay + data) - keys)


@pytest.mark.parametrize("river, low, high", [("yalu", 650, 900), ("tumen", 400, 600)])
def test_border_rivers_follow_the_border_and_have_plausible_lengths(river, low, high, china_korea_border):
    line = geometries("rivers")[river]
    assert low <= geodesic_length_km(line) <= high
    near = metric(line).intersection(metric(china_korea_border).buffer(1_000))
    assert near.length / metric(line).length > 0.95


def test_mekong_stretch_runs_along_the_laos_thailand_border():
    mekong, border = geometries("rivers")["mekong"], geometries("borders")["border-laos-thailand"]
    assert 500 <= geodesic_length_km(mekong) <= 1_100
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform
    mekong_m, border_m = (shapely.transform(g, to_m, interleaved=False) for g in (mekong, border))
    assert mekong_m.difference(border_m.buffer(3_500)).length < 0.01 * mekong_m.length
    assert all(13.5 < y < 20.6 for part in mekong.geoms for _, y in part.coords)


ROUTE_LAYERS = [layer_id(p) for p in LAYER_FILES if layer_id(p).startswith("routes/")]


@pytest.mark.parametrize("layer", ROUTE_LAYERS)
def test_routes_run_through_the_countries_of_the_places_they_list(layer, countries, drawn):
    """Any route, committed or contributed: its line begins and ends in the countries of its first
    and last places, which its sources name, and crosses the country of every place it lists."""
    gazetteer = Gazetteer([f for layer in drawn.values() for f in layer.features if f["geometry"] is not None])
    for feature in drawn[layer].features:
        if not feature.get("via"):  # a drawn route, coarsened; it lists no places
            continue
        line, places = feature["geometry"], [gazetteer.get(name) for name in feature["via"]]
        assert feature["named_places"][:1] == feature["via"][:1] and feature["named_places"][-1:] == feature["via"][-1:], \
            "a route begins and ends at places its sources name"
        ends = shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])
        for place, end in zip((places[0], places[-1]), ends):
            assert near(countries[place.country], end), (feature["id"], place.name, place.country)
        for place in places:
            assert near(countries[place.country], line), (feature["id"], place.name, place.country)


def near(country: shapely.Geometry, geom: shapely.Geometry, metres: float = 1_000 * (COUNTRY_MARGIN_KM + 1)) -> bool:
    """Inside the country, or within the few kilometres check allows (border towns and crossings),
    with a kilometre's slack: check measures on the ellipsoid, this test in a projection."""
    return country.intersects(geom) or metric(geom).distance(metric(country)) < metres


@pytest.mark.parametrize("layer", ["sites", "crossings", "cities", "places"])
def test_points_lie_in_the_country_they_name(layer, countries):
    for feature in load(layer):
        props, point = feature["properties"], shape(feature["geometry"])
        country = countries[props["country"]]
        assert near(country, point), props["id"]


def test_sites_are_city_level_and_say_so():
    city_points = {f["properties"]["name"]: shape(f["geometry"]) for f in load("cities")}
    names = {"CHN": "China"}
    for feature in load("sites"):
        props, point = feature["properties"], shape(feature["geometry"])
        assert props["precision"] == "approximate"
        assert "approximate" in props["description"] and "city level" in props["description"]
        assert names[props["country"]] in props["description"]
        assert any(point.equals(p) for p in city_points.values()), f"{props['id']} is not at a city point"


def test_fences_lie_in_china_near_the_border(china_korea_border, shared_data):
    china_land = json.loads((shared_data / "data/detail/osm_countries_land_10m_prk_chn.geojson").read_text())
    china = next(shape(f["geometry"]) for f in china_land["features"] if f["properties"]["adm0_a3"] == "CHN")
    china_m, border_m = metric(china).buffer(30), metric(china_korea_border)
    for feature in load("fences"):
        fence = metric(shape(feature["geometry"]))
        assert feature["properties"]["precision"] == "schematic"
        assert fence.difference(china_m).length < 0.01 * fence.length, feature["properties"]["id"]
        assert fence.hausdorff_distance(fence.intersection(border_m.buffer(2_000))) < 1, feature["properties"]["id"]


def test_dmz_straddles_the_military_demarcation_line(countries):
    dmz = geometries("dmz")["dmz"]
    mdl = geometries("borders")["border-north-korea-south-korea"]
    assert dmz.intersection(mdl).length > 0.9 * mdl.length
    assert dmz.intersects(countries["PRK"]) and dmz.intersects(countries["KOR"])
    assert 600 < metric(dmz).area / 1e6 < 1_000  # about 4 km x 200 km


def test_derive_reproduces_the_committed_layers(tmp_path, shared_data):
    written = derive.derive(shared_data, tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        "basemap/countries.geojson", "basemap/water.geojson", "borders.geojson", "cities.geojson",
        "crossings.geojson", "dmz.geojson", "fences.geojson", "rivers.geojson", "sites.geojson"}
    for path in written:
        assert path.read_bytes() == (LAYERS / path.relative_to(tmp_path)).read_bytes(), path


def test_derive_leaves_contributed_layers_alone(tmp_path, shared_data):
    contributed = tmp_path / "routes" / "mine.geojson"
    contributed.parent.mkdir()
    contributed.write_text("contributed", encoding="utf-8")
    written = derive.derive(shared_data, tmp_path)
    assert not any(p.parent.name == "routes" or p.name == "places.geojson" for p in written)
    assert contributed.read_text(encoding="utf-8") == "contributed"
