"""`python build.py import-route FILE SLUG`: a route drawn in Google My Maps, a GPS or QGIS becomes a
route file, by place names when every point lies at a known place; unusable files are refused."""
from __future__ import annotations

import io
import json
import zipfile

import geopandas
import pytest
from shapely.geometry import LineString

from storymap.commands.run import run_check
from storymap.tools.importing import import_route
from tests.support.layers import owned_project

# Kunming, Boten, Luang Namtha, Huay Xai: near the gazetteer's points, not on them.
STOPS = [(102.678, 25.072), (101.666, 21.176), (101.417, 20.95), (100.41, 20.28)]
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>My route</name>
<Placemark><name>Line 1</name><LineString><tessellate>1</tessellate><coordinates>{}</coordinates></LineString></Placemark>
<Placemark><name>Start</name><Point><coordinates>102.678,25.072,0</coordinates></Point></Placemark>
</Document></kml>"""
POINTS_ONLY = KML.split("<Placemark>")[0] + "<Placemark>" + KML.split("<Placemark>")[2]
GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Track</name><trkseg>{}</trkseg></trk></gpx>"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The tests' own routes and places: a contributor's from-kml route, or place beside a track, would meet these."""
    return owned_project(tmp_path_factory.mktemp("import") / "project")


def run(project, path, slug):
    out = io.StringIO()
    status = import_route(project, path, slug, out)
    return status, out.getvalue()


def written(project, slug) -> dict:
    path = project / "layers" / "routes" / f"{slug}.geojson"
    feature = json.loads(path.read_text(encoding="utf-8"))["features"][0]
    path.unlink()  # the module's project stays clean for the next test
    return feature


def test_a_kml_line_through_known_places_becomes_a_route_by_place_names(project, tmp_path):
    source = tmp_path / "route.kml"
    source.write_text(KML.format(" ".join(f"{x},{y},0" for x, y in STOPS)), encoding="utf-8")
    status, said = run(project, source, "from-kml")
    assert status == 0, said
    assert "Read 1 line from route.kml" in said and "within 10 km" in said
    assert "Wrote layers/routes/from-kml.geojson" in said
    assert '"name" and "description"' in said and '"sources"' in said, "says what is still to fill in"
    check = io.StringIO()
    assert run_check(project, check) == 1, "the TODO texts and the missing sources keep it off the site"
    assert "from-kml.geojson" in check.getvalue() and "placeholder" in check.getvalue()
    feature = written(project, "from-kml")
    assert feature["geometry"] is None
    assert feature["properties"]["via"] == ["Kunming", "Boten", "Luang Namtha", "Huay Xai"]


def test_a_gps_track_away_from_known_places_keeps_its_coarsened_line(project, tmp_path):
    # A wiggly track from Kunming south-west: most points are far from any town the map knows.
    points = [(102.678 - i * 0.05, 25.072 - i * 0.04 + (0.013 if i % 2 else 0)) for i in range(40)]
    source = tmp_path / "track.gpx"
    source.write_text(GPX.format("".join(f'<trkpt lat="{y}" lon="{x}"></trkpt>' for x, y in points)), encoding="utf-8")
    status, said = run(project, source, "from-gpx")
    assert status == 0, said
    assert "40 points became" in said and "keeps its drawn line" in said and "nearest:" in said
    feature = written(project, "from-gpx")
    coords = feature["geometry"]["coordinates"]
    assert feature["geometry"]["type"] == "LineString" and 2 <= len(coords) < 40
    assert all(round(v, 2) == v for point in coords for v in point), "two decimals at most"


def test_a_zipped_shapefile_in_metres_is_reprojected(project, tmp_path):
    frame = geopandas.GeoDataFrame({"name": ["r"]}, geometry=[LineString(STOPS)], crs="EPSG:4326").to_crs("EPSG:32648")
    frame.to_file(tmp_path / "route.shp")
    source = tmp_path / "route.zip"
    with zipfile.ZipFile(source, "w") as archive:
        for part in tmp_path.glob("route.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    status, said = run(project, source, "from-shapefile")
    assert status == 0, said
    assert "EPSG:32648" in said and "reprojected to WGS 84" in said
    assert written(project, "from-shapefile")["properties"]["via"] == ["Kunming", "Boten", "Luang Namtha", "Huay Xai"]


def shapefile_without_prj(tmp_path):
    geopandas.GeoDataFrame({"name": ["r"]}, geometry=[LineString(STOPS)], crs="EPSG:4326").to_file(tmp_path / "r.shp")
    source = tmp_path / "no-prj.zip"
    with zipfile.ZipFile(source, "w") as archive:
        for part in tmp_path.glob("r.*"):
            if part.suffix != ".prj":
                archive.write(part, part.name)
    return source


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / name


REFUSALS = [
    ("empty", lambda t: write(t, "empty.geojson", '{"type": "FeatureCollection", "features": []}'), "it is empty"),
    ("no line", lambda t: write(t, "points.kml", POINTS_ONLY), "holds no line, only Point"),
    ("corrupt", lambda t: write(t, "broken.kml", "<kml><Document><Placemark>\x00 not really"), "cannot be read as KML"),
    ("no CRS", shapefile_without_prj, "no usable coordinate system"),
    ("outside the map", lambda t: write(t, "europe.kml", KML.format("2.35,48.86,0 13.4,52.52,0")),
     "outside the map's area"),
    ("missing", lambda t: t / "nowhere.kml", "cannot be found"),
]


@pytest.mark.parametrize(("case", "make", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_an_unusable_file_is_refused_in_plain_words_and_nothing_is_written(project, tmp_path, case, make, words):
    source = make(tmp_path)
    status, said = run(project, source, "refused")
    assert status == 1
    assert said.startswith(f"{source}: ") and words in said and "Traceback" not in said, said
    assert said.rstrip().endswith("Nothing was written.")
    assert not (project / "layers" / "routes" / "refused.geojson").exists()


def test_an_existing_route_is_never_overwritten(project, tmp_path):
    source = write(tmp_path, "route.kml", KML.format(" ".join(f"{x},{y},0" for x, y in STOPS)))
    before = (project / "layers" / "routes" / "mongolia.geojson").read_bytes()
    status, said = run(project, source, "mongolia")
    assert status == 1 and "already exists" in said
    assert (project / "layers" / "routes" / "mongolia.geojson").read_bytes() == before


def test_points_are_never_snapped_beyond_the_stated_distance(project, tmp_path):
    far = [(102.678, 25.072), (102.2, 24.2)]  # the second point is about 100 km from Kunming or any place
    status, said = run(project, write(tmp_path, "far.kml", KML.format(" ".join(f"{x},{y},0" for x, y in far))), "far")
    assert status == 0 and "1 of 2 points are not within 10 km" in said
    assert written(project, "far")["geometry"]["coordinates"] == [[102.68, 25.07], [102.2, 24.2]]


# --- nothing but the line ------------------------------------------------------------------------

TRACES = ("Kim Minsu", "example.org/kim", "Family escape", "Met the broker", "+86 138", "Room 12", "Jinghong bus")
KML_WITH_TRACES = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:atom="http://www.w3.org/2005/Atom"><Document>
<name>Family escape</name><atom:author><atom:name>Kim Minsu</atom:name></atom:author>
<atom:link href="https://example.org/kim"/>
<ExtendedData><Data name="drawn_by"><value>Kim Minsu</value></Data></ExtendedData>
<Placemark><name>Family escape, day 3</name><description>Met the broker at the Jinghong bus station</description>
<ExtendedData><Data name="phone"><value>+86 138 0000 0000</value></Data><Data name="safehouse"><value>Room 12</value></Data>
</ExtendedData><LineString><coordinates>{}</coordinates></LineString></Placemark>
</Document></kml>"""


def assert_keeps_nothing_but_the_line(text: str):
    assert not [trace for trace in TRACES if trace in text], "the route file holds none of the file's other content"
    feature = json.loads(text)["features"][0]
    assert set(feature["properties"]) == {"id", "name", "kind", "description", "sources", "precision", "via"}
    assert feature["properties"]["name"].startswith("TODO") and feature["properties"]["sources"] == []


def test_a_kml_keeps_neither_its_author_nor_its_extended_data(project, tmp_path):
    source = tmp_path / "family.kml"
    source.write_text(KML_WITH_TRACES.format(" ".join(f"{x},{y},0" for x, y in STOPS)), encoding="utf-8")
    status, said = run(project, source, "kml-traces")
    assert status == 0, said
    path = project / "layers" / "routes" / "kml-traces.geojson"
    assert_keeps_nothing_but_the_line(path.read_text(encoding="utf-8"))
    written(project, "kml-traces")
    assert "Kept only the line" in said and "its author" in said and "extended data" in said
    assert "phone" in said and "safehouse" in said, "names the fields it left out"
    assert not [trace for trace in TRACES if trace in said], "and never repeats what they hold"


def test_a_zipped_shapefile_keeps_none_of_its_attribute_table(project, tmp_path):
    frame = geopandas.GeoDataFrame({"traveller": ["Kim Minsu"], "note": ["Met the broker"], "phone": ["+86 138"]},
                                   geometry=[LineString(STOPS)], crs="EPSG:4326")
    frame.to_file(tmp_path / "escape.shp")
    source = tmp_path / "escape.zip"
    with zipfile.ZipFile(source, "w") as archive:
        for part in tmp_path.glob("escape.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    status, said = run(project, source, "shapefile-traces")
    assert status == 0, said
    assert_keeps_nothing_but_the_line((project / "layers" / "routes" / "shapefile-traces.geojson").read_text(encoding="utf-8"))
    written(project, "shapefile-traces")
    assert "Kept only the line" in said and "fields (note, phone, traveller)" in said


def test_geojson_properties_are_left_out_and_a_file_of_only_a_line_says_nothing_of_it(project, tmp_path):
    drawn = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"owner": "Kim Minsu"},
                                                        "geometry": {"type": "LineString", "coordinates": STOPS}}]}
    source = tmp_path / "drawn.geojson"
    source.write_text(json.dumps(drawn), encoding="utf-8")
    status, said = run(project, source, "geojson-traces")
    assert status == 0 and "a field (owner)" in said, said
    assert_keeps_nothing_but_the_line((project / "layers" / "routes" / "geojson-traces.geojson").read_text(encoding="utf-8"))
    written(project, "geojson-traces")
    drawn["features"][0]["properties"] = {}
    source.write_text(json.dumps(drawn), encoding="utf-8")
    status, said = run(project, source, "geojson-bare")
    assert status == 0 and "Kept only the line" not in said, said
    written(project, "geojson-bare")


def test_a_snapped_border_post_is_written_as_a_waypoint(project, tmp_path):
    crossings = json.loads((project / "layers" / "crossings.geojson").read_text(encoding="utf-8"))["features"]
    post = next(f for f in crossings if f["properties"]["id"] == "crossing-dandong-sinuiju")
    shenyang, pyongyang = (123.45, 41.81), (125.75, 39.02)
    line = [shenyang, tuple(post["geometry"]["coordinates"]), pyongyang]
    source = tmp_path / "post.kml"
    source.write_text(KML.format(" ".join(f"{x},{y},0" for x, y in line)), encoding="utf-8")
    status, said = run(project, source, "post")
    assert status == 0, said
    via = written(project, "post")["properties"]["via"]
    assert via[1] == {"waypoint": post["properties"]["name"]}, "no source is known to say people crossed there"
    assert all(isinstance(entry, str) for entry in (via[0], via[-1])), via
