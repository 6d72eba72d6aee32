"""The educators' downloads: layers as GeoJSON and CSV, the zip, the arrivals table, the bibliography."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import geopandas as gpd
import pytest
from pybtex.database import parse_string

from storymap.rendering.downloads import (BASE_COLUMNS, REFERENCES_BIB_PATH, REFERENCES_JSON_PATH, ZIP_FOLDER, ZIP_PATH,
                                bibtex_entry, download_files, download_index, downloadable, layer_path,
                                references_bibtex)
from storymap.commands.pipeline import load_inputs
from storymap.inputs.kinds import AREA_KINDS, LINE_KINDS, POINT_KINDS
from tests.support.project import ROOT, repository

ARRIVALS = (ROOT / "data" / "defector_arrivals.csv").read_bytes()


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(repository())


@pytest.fixture(scope="module")
def files(inputs):
    return download_files(inputs.layers, inputs.references, ARRIVALS)


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_every_layer_geojson_round_trips_through_geopandas(inputs, files):
    for layer in downloadable(inputs.layers):
        data = files[layer_path(layer.id, "geojson")]
        assert data.endswith(b"\n") and json.loads(data)["type"] == "FeatureCollection"
        frame = gpd.read_file(io.BytesIO(data))
        assert list(frame["id"]) == [f["id"] for f in layer.features], layer.id
        assert list(frame.geometry.geom_type) == [f["geometry"].geom_type for f in layer.features], layer.id
        assert frame.crs is None or frame.crs.to_epsg() == 4326
        for feature, row in zip(layer.features, frame.itertuples()):
            assert row.geometry.equals_exact(feature["geometry"], 1e-9), feature["id"]
            if feature["kind"] in LINE_KINDS:
                assert row.length_km == round(feature["length_km"], 1)


def test_geojson_keeps_the_source_properties(inputs, files):
    for layer in downloadable(inputs.layers):
        collection = json.loads(files[layer_path(layer.id, "geojson")])
        for feature, out in zip(layer.features, collection["features"]):
            source = {k: v for k, v in feature.items() if k not in ("geometry", "length_km")}
            assert {k: v for k, v in out["properties"].items() if k != "length_km"} == source


def test_csv_has_the_columns_and_a_row_per_feature(inputs, files):
    for layer in downloadable(inputs.layers):
        rows = read_csv(files[layer_path(layer.id, "csv")])
        assert len(rows) == len(layer.features), layer.id
        columns = list(rows[0])
        assert tuple(columns[:len(BASE_COLUMNS)]) == BASE_COLUMNS, layer.id
        for feature, row in zip(layer.features, rows):
            assert row["id"] == feature["id"] and row["name"] == feature["name"]
            assert row["sources"].split("; ") == feature["sources"]
            if feature["kind"] in POINT_KINDS | AREA_KINDS:
                lon, lat = float(row["lon"]), float(row["lat"])
                assert -180 <= lon <= 180 and -90 <= lat <= 90, feature["id"]
            if feature["kind"] in POINT_KINDS:
                assert (lon, lat) == pytest.approx((feature["geometry"].x, feature["geometry"].y), abs=1e-6)
            if feature["kind"] in LINE_KINDS:
                assert float(row["length_km"]) == pytest.approx(feature["length_km"], abs=0.05)


def test_csv_quotes_commas_and_keeps_unicode(inputs, files):
    rows = read_csv(files[layer_path("cities", "csv")])
    beijing = next(r for r in rows if r["id"] == "city-beijing")
    assert "," in beijing["description"] and beijing["name_local"] == "北京"


def test_zip_holds_every_layer_and_the_data_dictionary_and_is_byte_identical(inputs, files):
    again = download_files(inputs.layers, inputs.references, ARRIVALS)
    assert again == files
    with zipfile.ZipFile(io.BytesIO(files[ZIP_PATH])) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        for layer in downloadable(inputs.layers):
            for suffix in ("geojson", "csv"):
                name = f"{ZIP_FOLDER}/layers/{layer.id}.{suffix}"
                assert archive.read(name) == files[layer_path(layer.id, suffix)]
        dictionary = archive.read(f"{ZIP_FOLDER}/DATA-DICTIONARY.md").decode("utf-8")
        assert f"{ZIP_FOLDER}/LICENSE.md" in names
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
    for word in ("length_km", "lon, lat", "centroid", "schematic", "approximate", "ODbL",
                 "© OpenStreetMap contributors", "public domain", "CC BY 4.0", "Ministry of Unification"):
        assert word in dictionary, word
    assert "`fences`: all 3 features" in dictionary, "the fences are derived from the OSM boundary"


def test_arrivals_csv_is_the_series(files):
    rows = read_csv(files["downloads/defector-arrivals.csv"])
    assert list(rows[0]) == ["year", "total", "male", "female", "source_url"]
    assert {r["year"]: r["total"] for r in rows}["2021"] == "63"


def test_references_json_round_trips_sorted(inputs, files):
    items = json.loads(files[REFERENCES_JSON_PATH])
    assert [item["id"] for item in items] == sorted(inputs.references)
    assert {item["id"]: item for item in items} == inputs.references


def test_bibtex_parses_with_an_entry_per_reference(inputs, files):
    bibliography = parse_string(files[REFERENCES_BIB_PATH].decode("utf-8"), "bibtex")
    assert sorted(bibliography.entries) == sorted(inputs.references)
    ahn = bibliography.entries["ahn-2018"]
    assert ahn.type == "article" and ahn.fields["journal"] == "BYU Asian Studies Journal"
    assert ahn.fields["pages"] == "1--12" and ahn.fields["year"] == "2018"
    assert str(ahn.persons["author"][0]) == "Ahn, C."
    hrw = bibliography.entries["hrw-2024"]
    assert hrw.type == "misc" and hrw.persons["author"][0].last_names == ["{Human Rights Watch}"]
    chosun = bibliography.entries["chosun-ilbo-2024"]
    assert "&cate=" in chosun.fields["url"], "URLs are written verbatim"
    assert bibliography.entries["unhrc-coi-2014"].type == "techreport"


def test_bibtex_maps_csl_types_and_fields():
    entry = bibtex_entry({"id": "x", "type": "report", "title": "Report & 50% more", "publisher": "UN",
                          "issued": {"date-parts": [[2014, 2, 7]]}, "accessed": {"date-parts": [[2026, 1, 2]]},
                          "number": "A/HRC/25", "author": [{"family": "Kim", "given": "J."}]})
    assert entry.type == "techreport"
    assert entry.fields["institution"] == "UN" and entry.fields["month"] == "2" and entry.fields["urldate"] == "2026-01-02"
    text = references_bibtex({"x": {"id": "x", "type": "article-newspaper", "title": "A & B",
                                    "container-title": "Reuters", "URL": "https://a.example/?q=1&r=2"}})
    assert "A \\& B" in text.decode() and "https://a.example/?q=1&r=2" in text.decode()
    assert parse_string(text.decode(), "bibtex").entries["x"].fields["journal"] == "Reuters"


def test_download_index_lists_every_file_with_its_size(inputs, files):
    index = download_index(inputs.layers, files)
    assert index[0]["path"] == ZIP_PATH
    assert {entry["path"] for entry in index} == set(files)
    for entry in index:
        assert entry["size"] == len(files[entry["path"]]) and entry["label"] and entry["format"]
    counts = {entry["path"]: entry["features"] for entry in index}
    for layer in downloadable(inputs.layers):
        assert counts[layer_path(layer.id, "csv")] == len(layer.features)


def test_every_route_is_in_one_routes_download_listed_once(inputs, files):
    routes = [f["id"] for layer in inputs.layers if layer.group == "routes" for f in layer.features]
    assert len(routes) >= 3
    collection = json.loads(files[layer_path("routes", "geojson")])
    assert sorted(f["properties"]["id"] for f in collection["features"]) == sorted(routes)
    assert not any(path.startswith("downloads/layers/routes/") for path in files), "no file per route"
    rows = [row for row in download_index(inputs.layers, files) if row["path"].startswith("downloads/layers/routes.")]
    assert [row["format"] for row in rows] == ["GeoJSON", "CSV"]
    assert rows[0]["label"] == f"Escape routes, all {len(routes)} (one feature per route)"


def test_a_zip_from_members_compressed_before_is_the_zip_compressed_afresh(monkeypatch):
    from storymap.rendering import downloads

    files = {"a/index.html": "<p>Dandong</p>".encode() * 500, "a/map.png": b"\x89PNG" * 10,
             "b/routes.json": json.dumps({"via": ["Shenyang", "Kunming"] * 300}).encode(), "empty.txt": b""}
    afresh = downloads.deterministic_zip(files)
    deflated: dict = {}
    assert downloads.deterministic_zip(files, deflated=deflated) == afresh
    assert len(deflated) == 3, "every deflated member is kept; the stored PNG is not"
    compressed = []
    real = downloads._deflate
    monkeypatch.setattr(downloads, "_deflate", lambda data, level: compressed.append(data) or real(data, level))
    changed = {**files, "b/routes.json": b'{"via": ["Dandong"]}'}
    zipped = downloads.deterministic_zip(changed, deflated=deflated)
    assert compressed == [b'{"via": ["Dandong"]}'], "only the changed member is compressed again"
    assert zipped == downloads.deterministic_zip(changed), "byte for byte what zipfile writes"
    assert len(deflated) == 3, "the replaced member's old bytes are not kept"
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == changed
