"""Routes by place names and drawn routes at safe precision, as a contributor meets them."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from storymap.commands.run import run_check
from storymap.inputs.layers import load_layers
from storymap.core.problems import InputError
from storymap.inputs.routes import route_file_text
from storymap.inputs.project import FEATURE_SCHEMA
from tests.support.layers import owned_layers, owned_project
from tests.support.project import ROOT

KEYS = {item["id"] for item in json.loads((ROOT / "references.json").read_text(encoding="utf-8"))}


def route(via=None, geometry=None, **extra) -> str:
    properties = {"id": "route-mine", "name": "My route", "kind": "route", "description": "A schematic route.",
                  "sources": ["king-2023"], "precision": "schematic", **extra}
    if via is not None:
        properties["via"] = via
    return route_file_text(properties, geometry)


@pytest.fixture()
def layers(tmp_path) -> Path:
    """The map's layers with the tests' own places and routes, where a test may add a route file
    (a contributor's route "mine", or place first in layers/places.geojson, must not meet the test's)."""
    return owned_layers(tmp_path / "layers")


def add(layers: Path, text: str, name: str = "mine") -> Path:
    path = layers / "routes" / f"{name}.geojson"
    path.write_text(text, encoding="utf-8")
    return path


def loaded_route(layers: Path) -> dict:
    (layer,) = [layer for layer in load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA) if layer.id == "routes/mine"]
    return layer.features[0]


def test_a_route_by_place_names_is_drawn_through_them_with_their_sources(layers):
    add(layers, route(["Dandong", "shenyang", {"waypoint": "Mohan-Boten crossing"}, "Luang Namtha"]))
    feature = loaded_route(layers)
    coords = list(feature["geometry"].coords)
    assert coords[0] == (124.39, 40.15) and coords[-1] == (101.42, 20.95), "from Dandong to Luang Namtha"
    assert (123.45, 41.81) in coords, "through Shenyang"
    assert all(round(x, 2) == x and round(y, 2) == y for x, y in coords), "two decimals at most"
    assert len(coords) > 50, "legs follow the geodesic, densified"
    assert feature["via"] == ["Dandong", "Shenyang", "Mohan–Boten crossing", "Luang Namtha"], "the gazetteer's names"
    assert feature["named_places"] == ["Dandong", "Shenyang", "Luang Namtha"]
    assert feature["waypoints"] == ["Mohan–Boten crossing"]
    assert feature["sources"] == ["king-2023", "naturalearth", "geonames"], "the places' sources join the route's"
    assert 3_000 < feature["length_km"] < 3_600


def test_an_unknown_place_is_refused_with_the_nearest_known_names(layers):
    add(layers, route(["Kunming", "Luang Namta", "Atlantis"]))
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    said = [str(p) for p in caught.value.problems]
    assert len(said) == 2
    assert said[0].startswith("layers/routes/mine.geojson, feature 0 (id 'route-mine'), field 'via': "
                              'place 2, "Luang Namta", is not in the map\'s gazetteer.')
    assert "did you mean Luang Namtha" in said[0]
    assert '"Atlantis"' in said[1] and "layers/places.geojson" in said[1], "says where to add a missing place"


@pytest.mark.parametrize("via", [["Kunming"], []])
def test_a_route_with_no_geometry_needs_two_places(layers, via):
    add(layers, route(via))
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    (problem,) = caught.value.problems
    assert problem.field == "via" and f"lists {len(via)} place" in problem.message and '"via": [' in problem.fix


def test_a_place_outside_the_map_is_refused(layers):
    places = json.loads((layers / "places.geojson").read_text(encoding="utf-8"))
    places["features"][0]["geometry"]["coordinates"] = [2.35, 48.86]  # Paris
    (layers / "places.geojson").write_text(json.dumps(places), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    said = "\n".join(map(str, caught.value.problems))
    assert "layers/places.geojson, feature 0" in said and "outside the story's region" in said


@pytest.mark.parametrize("code, words, fix", [
    ("LAO", "lies 87 km outside LAO", '"country": "VNM"'),  # Da Nang is in Vietnam, far from Laos
    ("USA", "'USA' is not one of the map's countries", "CHN"),
])
def test_a_place_must_lie_in_the_country_it_names(layers, code, words, fix):
    places = json.loads((layers / "places.geojson").read_text(encoding="utf-8"))
    places["features"][0]["properties"]["country"] = code
    (layers / "places.geojson").write_text(json.dumps(places), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    (problem,) = caught.value.problems
    assert (problem.file, problem.feature_id, problem.field) == ("layers/places.geojson", "place-da-nang", "country")
    assert words in problem.message and fix in problem.fix


@pytest.mark.parametrize("line, words", [
    # Kunming to Vientiane, but the line starts in Vietnam (Hanoi) or ends in Thailand (Bangkok)
    ([[105.85, 21.03], [102.6, 17.97]], 'the drawn line starts in VNM, but its first place, "Kunming", is in CHN'),
    ([[102.71, 25.04], [100.5, 13.75]], 'the drawn line ends in THA, but its last place, "Vientiane", is in LAO'),
])
def test_a_drawn_route_must_start_and_end_where_its_places_are(layers, line, words):
    """A contributor's drawn line that lists places: the map and the catalogue must tell one journey."""
    add(layers, route(via=["Kunming", "Vientiane"], geometry={"type": "LineString", "coordinates": line}))
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    (problem,) = caught.value.problems
    assert (problem.file, problem.feature_id, problem.field) == ("layers/routes/mine.geojson", "route-mine", "via")
    assert words in problem.message and "the place your source names" in problem.fix


def test_a_drawn_route_must_pass_through_the_country_of_each_place_it_lists(layers):
    line = [[102.71, 25.04], [101.5, 22.0], [102.6, 17.97]]  # Kunming to Vientiane, never in Vietnam
    add(layers, route(via=["Kunming", {"waypoint": "Hanoi"}, "Vientiane"],
                      geometry={"type": "LineString", "coordinates": line}))
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    (problem,) = caught.value.problems
    assert problem.message.startswith('place 2, "Hanoi", is in VNM, but the drawn line never enters VNM')
    add(layers, route(via=["Kunming", {"waypoint": "Hanoi"}, "Vientiane"], geometry={
        "type": "LineString", "coordinates": [[102.71, 25.04], [105.85, 21.03], [102.6, 17.97]]}))
    assert loaded_route(layers)["waypoints"] == ["Hanoi"], "through Hanoi, the same route passes"


def test_a_drawn_route_is_coarsened_and_the_check_says_so(tmp_path):
    project = owned_project(tmp_path / "project")
    fine = [[129.51234, 42.88111], [129.50111, 42.87999], [116.38631, 39.93077], [102.67812, 25.07193]]
    add(project / "layers", route(geometry={"type": "LineString", "coordinates": fine}))
    out = io.StringIO()
    assert run_check(project, out) == 0
    said = out.getvalue()
    assert ("layers/routes/mine.geojson, feature 0 (id 'route-mine'): the drawn line was rounded to 2 decimals"
            in said) and "simplified from 4 to 3 points" in said and said.rstrip().splitlines()[-1].startswith("OK")
    feature = loaded_route(project / "layers")
    assert list(feature["geometry"].coords) == [(129.51, 42.88), (116.39, 39.93), (102.68, 25.07)]


def test_a_route_already_at_safe_precision_passes_without_a_note(tmp_path):
    project = owned_project(tmp_path / "project")
    add(project / "layers", route(geometry={"type": "LineString", "coordinates": [[129.51, 42.88], [102.68, 25.07]]}))
    out = io.StringIO()
    assert run_check(project, out) == 0
    assert "layers/routes/mine.geojson" not in out.getvalue() and out.getvalue().rstrip().splitlines()[-1].startswith("OK")


def test_a_second_place_of_the_same_name_elsewhere_is_refused(layers):
    places = json.loads((layers / "places.geojson").read_text(encoding="utf-8"))
    copy = json.loads(json.dumps(places["features"][0]))
    copy["properties"].update(id="place-boten-2", name="boten")  # Boten, Laos, is a story city already
    places["features"].append(copy)  # ... but this point is Da Nang's
    (layers / "places.geojson").write_text(json.dumps(places), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    (problem,) = caught.value.problems
    assert problem.file == "layers/places.geojson" and problem.feature_id == "place-boten-2" and problem.field == "name"
    assert 'already called "Boten"' in problem.message and "km away" in problem.message


# --- named places and waypoints -------------------------------------------------------------------

def via_problems(layers: Path, via) -> list:
    add(layers, route(via))
    with pytest.raises(InputError) as caught:
        load_layers(layers, KEYS, ROOT / FEATURE_SCHEMA)
    return caught.value.problems


def test_a_route_whose_places_are_all_named_has_no_waypoints(layers):
    add(layers, route(["Kunming", "Hanoi", "Vientiane"]))
    feature = loaded_route(layers)
    assert feature["named_places"] == feature["via"] == ["Kunming", "Hanoi", "Vientiane"] and feature["waypoints"] == []


def test_a_waypoint_is_drawn_through_but_not_counted_as_named(layers):
    add(layers, route(["Kunming", {"waypoint": "Hanoi"}, {"waypoint": "Da Nang"}, "Phnom Penh"]))
    feature = loaded_route(layers)
    assert feature["via"] == ["Kunming", "Hanoi", "Da Nang", "Phnom Penh"], "the line goes through every place"
    assert feature["named_places"] == ["Kunming", "Phnom Penh"] and feature["waypoints"] == ["Hanoi", "Da Nang"]
    assert (108.25, 16.06) in list(feature["geometry"].coords), "through Da Nang"


@pytest.mark.parametrize("via, end", [(["Kunming", {"waypoint": "Hanoi"}], "ends"),
                                      ([{"waypoint": "Kunming"}, "Hanoi"], "starts")])
def test_a_route_whose_end_is_a_waypoint_is_refused(layers, via, end):
    (problem,) = via_problems(layers, via)
    assert problem.field == "via" and problem.feature_id == "route-mine"
    assert f"the route {end} at" in problem.message and "a waypoint" in problem.message
    assert "plain name if your source names it" in problem.fix


def test_a_crossing_named_without_a_source_is_refused_with_both_forms(layers):
    (problem,) = via_problems(layers, ["Kunming", "Mohan–Boten crossing", "Luang Namtha"])
    assert 'place 2, "Mohan–Boten crossing", is an official border post' in problem.message
    assert '{"place": "Mohan–Boten crossing", "sources": ["reference-key"]}' in problem.fix
    assert '{"waypoint": "Mohan–Boten crossing"}' in problem.fix


def test_a_crossing_named_with_the_source_that_says_people_crossed_there_is_named(layers):
    add(layers, route(["Kunming", {"place": "Mohan-Boten crossing", "sources": ["donga-2013"]}, "Luang Namtha"]))
    feature = loaded_route(layers)
    assert feature["named_places"] == ["Kunming", "Mohan–Boten crossing", "Luang Namtha"]
    assert feature["sources"][:2] == ["king-2023", "donga-2013"], "the place's source joins the route's"


@pytest.mark.parametrize("entry", [{"waypiont": "Hanoi"}, {"waypoint": ""}, {"place": "Hanoi"},
                                   {"place": "Hanoi", "sources": []}, 42, ["Hanoi"]])
def test_a_malformed_marking_names_the_place_and_the_three_forms(layers, entry):
    (problem,) = via_problems(layers, ["Kunming", entry, "Vientiane"])
    assert problem.field == "via" and problem.message.startswith("place 2 is ")
    assert '{"waypoint": "Da Nang"}' in problem.fix and '"sources": ["reference-key"]' in problem.fix


def test_unknown_waypoints_and_place_sources_are_refused(layers):
    problems = via_problems(layers, ["Kunming", {"waypoint": "Atlantis"}, {"place": "Hanoi", "sources": ["nobody-2020"]}])
    said = [str(p) for p in problems]
    assert len(said) == 2 and '"Atlantis", is not in the map\'s gazetteer' in said[0]
    assert '"nobody-2020", which is not in references.json' in said[1]


def test_the_check_refuses_a_waypoint_at_the_end_without_a_traceback(tmp_path):
    project = owned_project(tmp_path / "project")
    add(project / "layers", route(["Kunming", {"waypoint": "Hanoi"}]))
    out = io.StringIO()
    assert run_check(project, out) == 1
    said = out.getvalue()
    assert "layers/routes/mine.geojson, feature 0 (id 'route-mine'), field 'via': the route ends at \"Hanoi\"" in said
    assert "Traceback" not in said


@pytest.mark.parametrize("entry", ["Hanoi", {"waypoint": "Hanoi"}, {"place": "Hanoi", "sources": ["king-2023"]}, " ", {"waypoint": " "},
                                   "", {"waypoint": ""}, {"waypiont": "Hanoi"}, {"waypoint": "Hanoi", "x": 1},
                                   {"place": "Hanoi"}, {"place": "Hanoi", "sources": []}, 42, None, ["Hanoi"]])
def test_the_feature_contract_documents_the_via_forms_the_check_accepts(entry):
    """layers/feature.schema.json describes a `via` entry; routes.via_stop is what check runs."""
    import jsonschema

    from storymap.inputs.routes import via_stop

    schema = json.loads((ROOT / FEATURE_SCHEMA).read_text(encoding="utf-8"))
    items = schema["properties"]["properties"]["properties"]["via"]["items"]
    assert jsonschema.Draft202012Validator(items).is_valid(entry) == (via_stop(entry) is not None)
