"""The licences the team chose (code MIT; the story's text, figures and own data CC BY 4.0;
OpenStreetMap-derived layers ODbL) are in the licence files and in what a reuser downloads."""
from __future__ import annotations

from shapely.geometry import Point

from storymap.rendering.downloads import data_dictionary, licence_note
from storymap.inputs.layers import Layer
from storymap.inputs.licences import STORY_CONTENT_TERMS, STORY_LICENCE
from tests.support.project import ROOT

OWN_ROUTE = {"id": "route-a", "name": "Route", "kind": "route", "sources": ["king-2023"], "precision": "schematic",
             "description": "A route.", "geometry": Point(124.4, 40.1)}
ARRIVALS = b"year,total,male,female,source_url\n2020,229,,,https://example.org\n"


def test_code_is_mit_and_the_content_file_names_each_licence():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    content = (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/" in content and "CC BY 4.0" in content
    assert "https://opendatacommons.org/licenses/odbl/1-0/" in content
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "project's own" not in readme, "the placeholder wording is gone"
    assert "MIT" in readme and "CC BY 4.0" in readme and "Open Database License" in readme


def test_the_download_gives_the_story_data_its_licence_not_a_placeholder():
    layers = [Layer("routes/a", None, None, [OWN_ROUTE])]
    dictionary = data_dictionary(layers, ARRIVALS)
    assert f"{STORY_LICENCE} (the story's own data)" in dictionary, "a layer of the story's own data says CC BY 4.0"
    assert "the story's own content" not in dictionary
    note = licence_note(layers)
    assert STORY_CONTENT_TERMS in note and "CC BY 4.0" in STORY_CONTENT_TERMS
    assert "ODbL 1.0" in STORY_CONTENT_TERMS, "OSM-derived layers stay under the ODbL"
