"""What readers see of a route's places: the catalogue and the flow map's popups say which places
the sources name and which are waypoints added only to draw the line, in every edition."""
from __future__ import annotations

import json
import re

import pytest

from storymap.commands import pipeline
from storymap.commands.pipeline import load_inputs
from storymap.inputs.project import FEATURE_SCHEMA, REFERENCES_SCHEMA, STORY_SCRIPT
from tests.support.layers import owned_project

#: The Vietnam route of the tests' own layers: Da Nang and Ho Chi Minh City are its waypoints.
DRAWN = {"en": ("Drawn through Da Nang to keep the line in Vietnam.", "Drawn through Ho Chi Minh City to keep the line in Vietnam."),
         "ko": ("선이 베트남 안을 지나도록 다낭 경유로 그렸습니다.", "선이 베트남 안을 지나도록 호찌민시 경유로 그렸습니다."),
         "zh": ("为使线条保持在越南境内，经岘港绘制。", "为使线条保持在越南境内，经胡志明市绘制。")}


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """The pages of every edition (no static maps) of a project with the tests' own routes."""
    return build_pages(tmp_path_factory.mktemp("route-pages") / "project")


def build_pages(where, codes=None) -> dict[str, str]:
    project = owned_project(where)
    inputs = load_inputs(project)
    route_map, script_words = pipeline.build_route_map(inputs.layers), pipeline.script_strings(project / STORY_SCRIPT)
    session = pipeline.BuildSession()
    files: dict[str, str] = {}
    for edition in inputs.editions:
        if codes is not None and edition.edition.code not in codes:
            continue
        build = pipeline.EditionBuild(edition, inputs, pipeline.BuildCache(project.cache_dir), session, route_map,
                                      script_words)
        files.update(build.pages(project / "templates", pipeline.Progress(None)))
    return files


def entry(html: str, slug: str) -> str:
    return re.search(rf'<li id="{slug}">(.*?)</li>\s*(?:<li id=|</ol>)', html, re.S).group(1)


@pytest.mark.parametrize("code", DRAWN)
def test_the_catalogue_names_the_sources_places_and_explains_each_waypoint(pages, code):
    prefix = "" if code == "en" else f"{code}/"
    vietnam = entry(pages[f"{prefix}routes/index.html"], "vietnam-cambodia")
    for line in DRAWN[code]:
        assert f"<li>{line}</li>" in vietnam, (code, line)
    named = re.search(r"<dd>([^<]*)</dd>", vietnam).group(1)
    assert "Da Nang" not in named and "다낭" not in named and "岘港" not in named, "a waypoint is not listed as named"
    assert "Drawn through" not in entry(pages[f"{prefix}routes/index.html"], "mongolia"), "every place named"


def map_config(script: str) -> dict:
    """The layers' JSON a chapter's map.js hands to story.js (as a JSON string literal)."""
    literal = re.search(r'JSON\.parse\(("(?:[^"\\]|\\.)*")\)', script).group(1)
    return json.loads(json.loads(literal))


@pytest.mark.parametrize("code", DRAWN)
def test_the_flow_maps_popups_get_each_routes_waypoints_in_the_editions_words(pages, code):
    prefix = "" if code == "en" else f"{code}/"
    configs = {path: map_config(text) for path, text in pages.items()
               if path.startswith(prefix) and path.endswith("/map.js") and path.count("/") == prefix.count("/") + 1}
    # The routes' names, sources and waypoints are not in the first view: in the routes.json the
    # map's config names, beside its map.js, loaded when a popup or the picker is first opened.
    with_routes = [(p, json.loads(pages[prefix + c["routeData"]])) for p, c in configs.items() if c.get("routeData")]
    assert with_routes, "a chapter shows the flow map"
    assert all("routes" not in c and "sources" not in c for c in configs.values())
    places = {"en": ("Da Nang", "Vietnam", "Ho Chi Minh City"), "ko": ("다낭", "베트남", "호찌민시"),
              "zh": ("岘港", "越南", "胡志明市")}[code]
    for path, config in with_routes:
        vietnam = next(r for r in config["routes"] if r["slug"] == "vietnam-cambodia")
        assert vietnam["drawn"] == [[places[0], places[1]], [places[2], places[1]]], "each leg's popup lists these"
        assert "drawn" not in next(r for r in config["routes"] if r["slug"] == "mongolia")
    alone = [f["properties"] for c in configs.values() for layer in c["layers"] if layer["id"] == "routes/china-laos-thailand"
             for f in layer["data"]["features"]]
    assert alone and all(p["drawn"] for p in alone), "a route shown alone explains its waypoints too"
    assert all("via" not in p and "waypoints" not in p for p in alone), "the popup gets the words, not the lists"
    page = pages[path.replace("map.js", "index.html")]
    table = json.loads(re.search(r'<script type="application/json" id="story-strings">(.*?)</script>', page).group(1))
    words = "Drawn through {place} to keep the line in {country}."
    assert table.get(words, words) == {"en": words, "ko": "선이 {country} 안을 지나도록 {place} 경유로 그렸습니다.",
                                       "zh": "为使线条保持在{country}境内，经{place}绘制。"}[code]


def test_the_downloads_list_the_named_places_and_the_waypoints(tmp_path):
    import csv
    import io

    from storymap.rendering.downloads import download_files
    from storymap.inputs.layers import load_layers
    from storymap.inputs.references import load_references
    from tests.support.layers import owned_layers
    from tests.support.project import ROOT

    layers = load_layers(owned_layers(tmp_path / "layers"), None, ROOT / FEATURE_SCHEMA)
    files = download_files(layers, load_references(ROOT / "references.json", ROOT / REFERENCES_SCHEMA), (ROOT / "data" / "defector_arrivals.csv").read_bytes())
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(files["downloads/layers/routes.csv"].decode("utf-8")))}
    assert rows["route-vietnam-cambodia"]["waypoints"] == "Da Nang; Ho Chi Minh City"
    assert rows["route-vietnam-cambodia"]["named_places"].endswith("Hanoi; Phnom Penh")
    assert rows["route-mongolia"]["waypoints"] == ""
    geojson = json.loads(files["downloads/layers/routes.geojson"])
    vietnam = next(f["properties"] for f in geojson["features"] if f["properties"]["id"] == "route-vietnam-cambodia")
    assert vietnam["waypoints"] == ["Da Nang", "Ho Chi Minh City"] and "Da Nang" not in vietnam["named_places"]
    import zipfile

    from storymap.rendering.downloads import ZIP_PATH
    with zipfile.ZipFile(io.BytesIO(files[ZIP_PATH])) as packed:
        dictionary = next(packed.read(n).decode("utf-8") for n in packed.namelist() if n.endswith("DATA-DICTIONARY.md"))
    assert "named_places" in dictionary and "waypoints" in dictionary, "the data dictionary explains both columns"


def test_the_catalogue_comes_in_pages_each_listed_and_each_linking_to_the_map(tmp_path, monkeypatch):
    """With thousands of routes, one page would be over the budget: the catalogue is cut into pages
    of site_pages.routes.CATALOGUE_PAGE routes (two here, for the tests' three routes), each listing every page."""
    from storymap.rendering.site_pages import routes as page_module
    monkeypatch.setattr(page_module, "CATALOGUE_PAGE", 2)
    files = build_pages(tmp_path / "project", {"en"})
    first, second = files["routes/index.html"], files["routes/2/index.html"]
    assert "routes/3/index.html" not in files
    assert first.count('<li id="') == 2 and second.count('<li id="') == 1
    assert '<ol class="routes" start="3">' in second, "numbered on from the page before"
    for html, here in ((first, "../"), (second, "../../")):
        index = re.search(r'<nav class="catalogue-pages" aria-label="Pages of the catalogue">(.*?)</nav>', html, re.S).group(1)
        links = re.findall(r'<a href="([^"]*)"[^>]*>Routes (\d)–(\d)</a>', index)
        assert links == [(f"{here}routes/", "1", "2"), (f"{here}routes/2/", "3", "3")]
        assert index.count('aria-current="page"') == 1
        # "Show alone" and the sources lead from the page's own folder.
        assert re.findall(r'href="([^"]*)\?route=', html) and all(
            link.startswith(f"{here}the-long-way-out/") or not link.endswith("/") for link in re.findall(r'href="([^"]*)\?route=', html))
        assert re.search(rf'href="{re.escape(here)}sources/#ref-', html)
    assert "<h1>Escape routes 3–3</h1>" in second
