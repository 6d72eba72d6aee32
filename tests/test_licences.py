"""The table of data sources (storymap/inputs/licences.py) is where every credit comes from: the
interactive map, the static maps, the downloaded layers, the data dictionary and LICENSE.md."""
from __future__ import annotations

import json

from storymap.rendering.downloads import data_dictionary, layer_geojson, licence_note
from storymap.inputs.layers import Layer
from storymap.inputs.licences import DATA_SOURCES, credit_line, data_sources
from storymap.rendering.maps import attributions
from shapely.geometry import Point

OSM_FENCE = {"id": "fence-a", "name": "Fence", "kind": "fence", "sources": ["guan-2006", "openstreetmap"],
             "precision": "schematic", "description": "A fence.", "geometry": Point(124.4, 40.1)}
CITY = {"id": "city-a", "name": "City", "kind": "city", "sources": ["geonames", "naturalearth"],
        "precision": "approximate", "description": "A city.", "country": "CHN", "geometry": Point(124.4, 40.1)}
LAYERS = [Layer("fences", None, None, [OSM_FENCE]), Layer("cities", None, None, [CITY])]
ARRIVALS = b"year,total,male,female,source_url\n2020,229,,,https://example.org\n"


def test_a_feature_is_credited_for_the_data_sets_its_sources_name_and_no_others():
    assert [s.key for s in data_sources([OSM_FENCE])] == ["openstreetmap"]
    assert credit_line([CITY]) == "Natural Earth; GeoNames (CC BY 4.0)"
    assert credit_line([{"sources": ["king-2023"]}]) == "", "a story source needs no data credit"


def test_the_interactive_map_links_each_credit_once_osm_first():
    credits = attributions(LAYERS)
    assert credits == [DATA_SOURCES[k].credit_html for k in ("openstreetmap", "naturalearth", "geonames")]
    assert credits[0] == ('© <a href="https://www.openstreetmap.org/copyright" rel="noreferrer">'
                          'OpenStreetMap contributors</a> (ODbL)')


def test_downloads_carry_the_same_credits():
    assert json.loads(layer_geojson(LAYERS[0]))["attribution"] == "© OpenStreetMap contributors (ODbL)"
    note = licence_note(LAYERS)
    assert "- `layers/cities`: Natural Earth; GeoNames (CC BY 4.0)" in note
    dictionary = data_dictionary(LAYERS, ARRIVALS)
    for source in DATA_SOURCES.values():
        assert f"**{source.name}**: {source.note}" in note
        assert f"- **{source.name}** ({source.licence}): {source.terms}." in dictionary
    assert "- `fences`: all 1 features" in dictionary
