"""Load the map layers (GeoJSON files under layers/) and check them for contributors' mistakes.

Every file is read and checked in full before anything is returned, so that one run reports
every mistake in every file. Mistakes become `Problem`s in plain words (which file, which
feature, which field, what is wrong, how to fix it); `load_layers` raises `InputError` with all
of them. Nothing a contributor writes into a layer file should end in a traceback.

The checks come in two parts: the feature contract (layers/feature.schema.json, checked with
`jsonschema`) and the geometry (shape of the coordinates, finite numbers, longitude/latitude
inside the story's region, the right geometry type for the kind, valid lines and polygons),
checked here in code.
"""
from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from shapely.errors import GEOSException
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from shapely.validation import explain_validity

from ..core.geo import REGION, WGS84, geodesic_length_km, in_region
from ..core.dates import year_problems
from ..core.problems import InputError, Phrase, Problem
from ..core.schema_words import DEEP, DEPTH_FIX, MAX_DEPTH, TYPE_WORDS, Words, explain, missing, too_deep
from ..core.schema_words import describe as _describe
from .kinds import KINDS, LINE_KINDS, POINT_KINDS
from ..core.characters import invisible_problems, look_alike_key
from .routes import (PLACE_KINDS, SAFE_DECIMALS, SLUG_RULE, VIA_FORMS, Gazetteer, Place, Stop, coarsen, is_slug,
                     line_through, unknown_place_fix, vertex_count, via_stops)

#: Geometry types each kind may have (storymap/inputs/kinds.py).
GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {name: kind.geometry_types for name, kind in KINDS.items()}

#: How deeply each geometry type nests its [longitude, latitude] positions, with an example.
NESTING: dict[str, tuple[int, str]] = {
    "Point": (0, "[124.39, 40.13]"),
    "MultiPoint": (1, "[[124.39, 40.13], [129.84, 42.96]]"),
    "LineString": (1, "[[102.71, 25.04], [101.67, 21.19]]"),
    "MultiLineString": (2, "[[[102.71, 25.04], [101.67, 21.19]], [[101.4, 20.3], [100.4, 20.3]]]"),
    "Polygon": (2, "[[[126.0, 38.0], [127.0, 38.0], [127.0, 38.5], [126.0, 38.0]]]"),
    "MultiPolygon": (3, "[[[[126.0, 38.0], [127.0, 38.0], [127.0, 38.5], [126.0, 38.0]]]]"),
}

GEOMETRY_EXAMPLE = '{"type": "LineString", "coordinates": [[102.71, 25.04], [101.67, 21.19]]}'
DRAW_HINT = ("draw it in geojson.io or QGIS (export as GeoJSON, WGS84 / EPSG:4326) and paste its "
             f"geometry here, e.g. {GEOMETRY_EXAMPLE}.")

PRECISION_MEANINGS = ("exact (drawn from survey-grade data), approximate (placed as precisely as "
                      "public sources allow, e.g. city level), schematic (a diagram of where something "
                      "runs, not its course on the ground; use this for routes)")

PLACEHOLDER = "TODO"


@dataclass(frozen=True)
class Layer:
    """One GeoJSON file under layers/, checked. `features` are plain dicts (see `load_layers`)."""

    id: str
    path: Path
    group: str | None
    features: list[dict]
    #: What the check changed without it being a mistake (a drawn route coarsened), in plain words.
    notes: tuple[str, ...] = dataclass_field(default=())

    @property
    def title(self) -> str:
        """The name of the layer's only feature (a route file holds one), else the layer id."""
        return self.features[0]["name"] if len(self.features) == 1 else self.id


def load_layers(layers_dir: Path, reference_keys: Collection[str] | None, schema_path: Path,
                contents: Mapping[Path, bytes] | None = None) -> list[Layer]:
    """Every layer under `layers_dir`, sorted by id, or `InputError` with every problem found.

    A layer's id is its path below `layers_dir` without ".geojson" ("routes/mongolia"); files and
    folders whose names start with "_" or "." are skipped. Each feature becomes a dict of its
    properties plus "geometry" (a shapely geometry) and, for line kinds, "length_km" (geodesic).
    `reference_keys` are the keys of references.json; None skips the check of `sources` (used
    when references.json itself could not be read, so its problem is not repeated per feature).
    `schema_path` is the feature contract (the project's layers/feature.schema.json). `contents`
    holds the bytes of files read already (storymap/cache/renderers.py reads them for its key).
    """
    root = layers_dir.parent
    if not layers_dir.is_dir():
        raise InputError([Problem(_display(layers_dir, root), "the layers folder does not exist.",
                                  "run the command from the project folder, next to build.py.")])
    contract = _validator(schema_path, (contents or {}).get(schema_path))
    keys = None if reference_keys is None else frozenset(reference_keys)
    seen_ids: dict[str, tuple[str, int]] = {}
    layers, problems, by_place = [], [], []
    for path in _layer_files(layers_dir):
        display = _display(path, root)
        try:
            raw = _read_features(path, display, (contents or {}).get(path))
        except InputError as err:
            problems.extend(err.problems)
            continue
        features, found, notes = _check_features(raw, display, contract, keys, seen_ids)
        problems.extend(found)
        layer_id = path.relative_to(layers_dir).with_suffix("").as_posix()
        group = layer_id.split("/")[0] if "/" in layer_id else None
        if group == "routes" and not is_slug(layer_id.split("/", 1)[1]):
            slug = "-".join(re.findall(r"[a-z0-9]+", path.stem.lower())) or "via-vietnam"
            problems.append(Problem(display, f"the file name {path.stem!r} cannot be a route's address (its slug).",
                                    f"rename it layers/routes/{slug}.geojson: {SLUG_RULE}, and no sub-folders."))
        layer = Layer(layer_id, path, group, features, tuple(notes))
        layers.append(layer)
        by_place += [(layer, display, index, feature) for index, feature in enumerate(features)
                     if feature["geometry"] is None or (feature.get("kind") == "route" and "via" in feature)]
    countries = _countries(layers)
    problems.extend(_draw_routes_by_place(layers, by_place, root, keys, countries))
    problems.extend(_country_problems(layers, root, countries))
    if problems:
        raise InputError(problems)
    return sorted(layers, key=lambda layer: layer.id)


@dataclass(frozen=True)
class Contract:
    """The feature contract, compiled twice: by fastjsonschema to Python (`conforms`, some forty
    times quicker than jsonschema: a project may hold thousands of route files), and by jsonschema
    (`validator`), which words the problems and runs only on a feature that does not conform."""

    validator: Draft202012Validator
    quick: Callable[[object], object]

    @property
    def schema(self) -> dict:
        return self.validator.schema

    def conforms(self, feature) -> bool:
        try:
            self.quick(feature)
        except fastjsonschema.JsonSchemaException:
            return False
        return True


def _validator(schema_path: Path, data: bytes | None = None) -> Contract:
    """The compiled feature contract (from `data`, its bytes, when read already)."""
    display = _display(schema_path, schema_path.parent.parent)
    try:
        return _compiled(schema_path.read_bytes() if data is None else data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError([Problem(display, f"the feature contract cannot be read ({err}).",
                                  "restore it from git: git checkout -- layers/feature.schema.json")]) from None


@functools.lru_cache(maxsize=4)
def _compiled(data: bytes) -> Contract:
    """A feature contract compiled once per version (its bytes: a function of them alone), not once per file."""
    schema = json.loads(data.decode("utf-8"))
    _fill_in_kinds(schema)
    Draft202012Validator.check_schema(schema)
    # A route's `via` entries are read by routes.via_stop, which names a malformed entry with the
    # forms it may take; the contract's `items` documents those forms (tests/test_routes.py keeps
    # the two in step) and is not run again for every place of every route.
    schema["properties"]["properties"]["properties"]["via"].pop("items", None)
    # The contract's keywords mean the same in draft 7, the newest draft fastjsonschema compiles.
    return Contract(Draft202012Validator(schema),
                    fastjsonschema.compile({**schema, "$schema": "http://json-schema.org/draft-07/schema#"}))


def _fill_in_kinds(schema: dict) -> None:
    """Give the contract the kinds of storymap/inputs/kinds.py: the `kind` enum, and `country` required
    of every point kind. The schema file leaves both to the registry, so they live in one place."""
    properties = schema["properties"]["properties"]
    properties["properties"]["kind"]["enum"] = sorted(KINDS)
    properties["allOf"] = [{"if": {"properties": {"kind": {"enum": sorted(POINT_KINDS)}}, "required": ["kind"]},
                            "then": {"required": ["country"]}}]


def _layer_files(layers_dir: Path) -> list[Path]:
    return sorted(path for path in layers_dir.rglob("*.geojson") if path.is_file()
                  and not any(part.startswith(("_", ".")) for part in path.relative_to(layers_dir).parts))


def _display(path: Path, root: Path) -> str:
    """The path as a contributor sees it: relative to the project folder when possible."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- reading a file ------------------------------------------------------------------------------

def _read_features(path: Path, display: str, data: bytes | None = None) -> list:
    """The file's list of features (from `data`, its bytes, when read already), or InputError
    naming what keeps the file from being read."""
    def fail(message: str, fix: str) -> InputError:
        return InputError([Problem(display, message, fix)])

    try:
        data = path.read_bytes() if data is None else data
    except OSError as err:
        raise fail(f"cannot be opened ({err.strerror}).", "check that the file exists and that you may read it.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise fail(f"is not saved as UTF-8 text (byte 0x{data[err.start]:02x} on line {line} cannot be read).",
                   "save the file again with the encoding UTF-8 (QGIS: Export > Save Features As, "
                   "Encoding UTF-8; a text editor: Save As, encoding UTF-8).") from None
    if not text.strip():
        raise fail("the file is empty.", "paste a GeoJSON FeatureCollection into it, or delete the file.")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise _json_problem(err, text, fail) from None
    except RecursionError:
        document = DEEP
    if document is DEEP or too_deep(document):
        raise fail(f"nests lists and objects more than {MAX_DEPTH} levels deep.", DEPTH_FIX)
    return _collection_features(document, fail)


def _json_problem(err: json.JSONDecodeError, text: str, fail) -> InputError:
    where = f"line {err.lineno}, column {err.colno}"
    if err.pos >= len(text.rstrip()):
        return fail(f"the file ends before the JSON is complete ({where}); it looks cut off.",
                    "save or export the file again; it must end with the ]} that close the FeatureCollection.")
    return fail(f"is not valid JSON: {err.msg} at {where}.",
                "look for a missing or extra comma, bracket or quote at that spot "
                "(geojson.io or jsonlint.com show it too).")


def _collection_features(document, fail) -> list:
    """The features of a FeatureCollection, or InputError saying what the document is instead."""
    wrap = 'put it inside {"type": "FeatureCollection", "features": [ ... ]}.'
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "Feature":
        raise fail("holds a single Feature, not a FeatureCollection.", wrap)
    if kind in NESTING:
        raise fail(f"holds a bare {kind} geometry, not a FeatureCollection.",
                   "make it a Feature with properties (see CONTRIBUTING.md) and " + wrap)
    if kind != "FeatureCollection":
        found = f'its "type" is {json.dumps(kind)}' if isinstance(document, dict) else f"it is {_describe(document)}"
        raise fail(f"is not a GeoJSON FeatureCollection ({found}).",
                   'start the file with {"type": "FeatureCollection", "features": [ ... ]}.')
    features = document.get("features")
    if not isinstance(features, list):
        raise fail(f'"features" should be {TYPE_WORDS["array"]}, but it is {_describe(features)}.',
                   'write "features": [ ... ] with one { } per feature.')
    if not features:
        raise fail("the FeatureCollection has no features.", "add at least one feature, or delete the file.")
    return features


# --- checking features ---------------------------------------------------------------------------

def _check_features(raw: list, display: str, contract: Contract, keys: frozenset[str] | None,
                    seen_ids: dict[str, tuple[str, int]]) -> tuple[list[dict], list[Problem], list[str]]:
    """The features as plain dicts, every problem found in them, and notes on what was coarsened.

    A route with a null geometry comes back with geometry None: `_draw_routes_by_place` draws it
    once every layer, and so the whole gazetteer, is read.
    """
    features, problems, notes = [], [], []
    for index, feature in enumerate(raw):
        if not isinstance(feature, dict):
            problems.append(Problem(display, f"should be a Feature in curly braces {{ }}, but is {_describe(feature)}.",
                                    'write it as {"type": "Feature", "geometry": ..., "properties": {...}}.',
                                    feature_index=index))
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        feature_id = properties.get("id") if isinstance(properties.get("id"), str) else None
        spot = functools.partial(Problem, display, feature_index=index, feature_id=feature_id)
        errors = [] if contract.conforms(feature) else list(contract.validator.iter_errors(feature))
        problems.extend(_schema_problems(errors, spot))
        problems.extend(_property_problems(properties, spot, keys))
        problems.extend(_duplicate_id_problems(feature_id, (display, index), seen_ids, spot))
        geometry_schema_ok = not any(list(error.absolute_path)[:1] == ["geometry"] for error in errors)
        if geometry_schema_ok and isinstance(feature.get("geometry"), dict):
            geometry, found = _geometry(feature["geometry"], properties.get("kind"), spot)
            problems.extend(found)
            if geometry is not None and properties.get("kind") == "route":
                geometry, note = _coarsened(geometry, display, index, feature_id)
                notes += [note] if note else []
            if geometry is not None:
                features.append(_as_dict(properties, geometry))
        elif geometry_schema_ok and "geometry" in feature:
            problem = _placeless_problem(properties, spot)
            if problem:
                problems.append(problem)
            else:
                features.append({**properties, "geometry": None})
    return features, problems, notes


def _coarsened(geometry: BaseGeometry, display: str, index: int, feature_id: str | None) -> tuple[BaseGeometry, str | None]:
    """A drawn route at the map's safety precision, and a note for the check when that changed it."""
    coarse = coarsen(geometry)
    if coarse.equals_exact(geometry, 0) and vertex_count(coarse) == vertex_count(geometry):
        return geometry, None
    who = f"feature {index}" + (f" (id {feature_id!r})" if feature_id else "")
    return coarse, (f"{display}, {who}: the drawn line was rounded to {SAFE_DECIMALS} decimals (about 1 km) and "
                    f"simplified from {vertex_count(geometry)} to {vertex_count(coarse)} points, as the map's "
                    "safety rules ask; the map shows it that way. Nothing to fix; listing the places in 'via' "
                    "with no geometry is simpler still (CONTRIBUTING.md).")


def _placeless_problem(properties: dict, spot) -> Problem | None:
    """Why a feature with a null geometry cannot be drawn, or None for a route with places to pass."""
    if properties.get("kind") != "route":
        return spot("the feature has no geometry (it is null).", DRAW_HINT, field="geometry")
    names = properties.get("via")
    if not isinstance(names, list):
        return None if "via" in properties else spot(
            "the route has no geometry (it is null) and no 'via' list of the places it passes.",
            f"{VIA_HINT[0].upper()}{VIA_HINT[1:-1]}; or {DRAW_HINT}", field="geometry")
    if len(names) < 2:
        return spot(f"the route has no geometry, so it is drawn through the places in 'via', but 'via' lists "
                    f"{len(names)} place{'' if len(names) == 1 else 's'}.", VIA_HINT, field="via")
    return None


#: A point may lie this far outside the country it names (a border town, a crossing on the river).
COUNTRY_MARGIN_KM = 5.0
#: The basemap's layer, whose countries a point's `country` must be one of.
COUNTRIES_LAYER = "basemap/countries"


def _countries(layers: list[Layer]) -> dict[str, BaseGeometry]:
    """The basemap's countries by code; none when the layers have no basemap (a test's fixture)."""
    basemap = next((layer for layer in layers if layer.id == COUNTRIES_LAYER), None)
    return {} if basemap is None else {f["country"]: f["geometry"] for f in basemap.features
                                       if f.get("country") and f["geometry"] is not None}


def _country_problems(layers: list[Layer], root: Path, countries: dict[str, BaseGeometry]) -> list[Problem]:
    """A point whose `country` is not a country of the basemap, or which lies farther than
    COUNTRY_MARGIN_KM from the country it names: readers and routes would be told the wrong country."""
    if not countries:
        return []
    codes = ", ".join(sorted(countries))
    problems = []
    for layer in layers:
        for index, feature in enumerate(layer.features):
            code, point = feature.get("country"), feature["geometry"]
            if layer.id == COUNTRIES_LAYER or not isinstance(code, str) or not isinstance(point, Point):
                continue
            spot = functools.partial(Problem, _display(layer.path, root), feature_index=index,
                                     feature_id=feature.get("id"), field="country")
            if code not in countries:
                problems.append(spot(f"its country {code!r} is not one of the map's countries.",
                                     f"use the code of the country the point lies in, one of: {codes}."))
                continue
            km = _km_outside(point, countries[code])
            if km > COUNTRY_MARGIN_KM:
                inside = _country_at(point, countries)
                problems.append(spot(
                    f"the point lies {km:,.0f} km outside {code}, the country it names"
                    + (f"; it is in {inside}." if inside else "."),
                    f'write "country": "{inside}", or correct the coordinates.' if inside
                    else "check the coordinates: longitude first, then latitude."))
    return problems


def _country_at(point: Point, countries: dict[str, BaseGeometry]) -> str | None:
    """The code of the basemap's country a point lies in, if any."""
    return next((code for code, shape_ in countries.items() if shape_.intersects(point)), None)


def _km_outside(geometry: BaseGeometry, country: BaseGeometry) -> float:
    """How far a point or line lies outside a country at its nearest, along the ellipsoid; 0 if it
    touches the country."""
    if country.intersects(geometry):
        return 0.0
    ours, nearest = nearest_points(geometry, country)
    return WGS84.line_length([ours.x, nearest.x], [ours.y, nearest.y]) / 1000.0


def _drawn_line_problems(line: BaseGeometry, places: list[Place], countries: dict[str, BaseGeometry],
                         spot) -> list[Problem]:
    """A drawn route that lists its places must begin in the country of its first place, end in
    the country of its last and pass through the country of each (within COUNTRY_MARGIN_KM), or
    the map would draw one journey and the catalogue describe another."""
    if not countries or line.geom_type != "LineString":
        return []
    problems, refused = [], set()  # a place whose end is refused is not also said to be missed
    for place, end, first in ((places[0], Point(line.coords[0]), True), (places[-1], Point(line.coords[-1]), False)):
        country = countries.get(place.country)
        if country is None or _km_outside(end, country) <= COUNTRY_MARGIN_KM:
            continue
        refused.add(id(place))
        said = dict(inside=_country_at(end, countries) or Phrase("none of the map's countries"),
                    country=place.country, name=json.dumps(place.name, ensure_ascii=False))
        problems.append(spot(
            Phrase("the drawn line starts in {inside}, but its first place, {name}, is in {country}.", **said),
            Phrase("start the line at the place your source names, or list first the place it starts at."))
            if first else spot(
            Phrase("the drawn line ends in {inside}, but its last place, {name}, is in {country}.", **said),
            Phrase("end the line at the place your source names, or list last the place it ends at.")))
    for number, place in enumerate(places, start=1):
        country = countries.get(place.country)
        if country is not None and _km_outside(line, country) > COUNTRY_MARGIN_KM \
                and id(place) not in refused:
            problems.append(spot(
                Phrase("place {number}, {name}, is in {country}, but the drawn line never enters {country}.",
                       number=number, name=json.dumps(place.name, ensure_ascii=False), country=place.country),
                Phrase("draw the line through the places it lists, or take the place out of 'via'.")))
    return problems


def _clash_problem(layers: list[Layer], root: Path, feature: dict, known, km: float) -> Problem:
    layer, index = next((layer, i) for layer in layers for i, f in enumerate(layer.features) if f is feature)
    return Problem(_display(layer.path, root),
                   Phrase("another place is already called {name}, {km} km away; routes name their places, so one "
                          "name may mean one place only.", name=json.dumps(known.name, ensure_ascii=False),
                          km=f"{km:,.0f}"),
                   Phrase("give this place a name that tells it apart, e.g. {example}, or use the existing place.",
                          example=f'"{feature["name"]} ({feature.get("country") or "country"})"'),
                   feature_index=index, feature_id=feature.get("id"), field="name")


def _look_alike_problems(layers: list[Layer], root: Path, skip: set[int]) -> list[Problem]:
    """A place whose name differs from another place's only by case, accents or look-alike
    letters (characters.look_alike_key): readers, and routes' `via`, could take one for the other.
    The features in `skip` (by id()) are reported already, as another place of their name."""
    first: dict[str, tuple[str, Layer]] = {}
    problems = []
    for layer in layers:
        for index, feature in enumerate(layer.features):
            if (feature.get("kind") not in PLACE_KINDS or not isinstance(feature.get("name"), str)
                    or id(feature) in skip):
                continue
            name = feature["name"]
            other, other_layer = first.setdefault(look_alike_key(name), (name, layer))
            if other != name:
                problems.append(Problem(
                    _display(layer.path, root),
                    Phrase("its name {name} differs from {other} ({file}) only by case, accents or look-alike "
                           "letters.", name=json.dumps(name, ensure_ascii=False),
                           other=json.dumps(other, ensure_ascii=False), file=_display(other_layer.path, root)),
                    Phrase("if they are one place, keep one of the two; if they are two, give this one a name that "
                           "tells it apart (typed on a plain keyboard)."), feature_index=index, feature_id=feature.get("id"),
                    field="name"))
    return problems


VIA_HINT = ('list at least two places the route passes, in order, e.g. "via": ["Kunming", {"waypoint": "Jinghong"}, '
            '"Luang Namtha"]; the map draws the line through them.')


def _draw_routes_by_place(layers: list[Layer], pending: list[tuple[Layer, str, int, dict]], root: Path,
                          keys: frozenset[str] | None, countries: dict[str, BaseGeometry]) -> list[Problem]:
    """Check every route's `via` and draw each route that has only `via` through its places; a
    problem for each malformed entry, unknown place, crossing named without a source and waypoint
    at an end, and for each place whose name the gazetteer already gives to another place.

    A route comes out with `via` (every place, in the gazetteer's spelling), `named_places` (those
    its sources name) and `waypoints` (those added only to draw the line)."""
    gazetteer = Gazetteer([f for layer in layers for f in layer.features if f["geometry"] is not None])
    problems = [_clash_problem(layers, root, *clash) for clash in gazetteer.clashes]
    problems += _look_alike_problems(layers, root, skip={id(feature) for feature, *_ in gazetteer.clashes})
    for layer, display, index, feature in pending:
        spot = functools.partial(Problem, display, feature_index=index, feature_id=feature.get("id"), field="via")
        stops = via_stops(feature.get("via")) or []
        places = [gazetteer.get(stop.name) if stop else None for stop in stops]
        found = [problem for number, (entry, stop, place) in enumerate(zip(feature["via"], stops, places), start=1)
                 for problem in _stop_problems(number, entry, stop, place, gazetteer, keys, spot)]
        found += _end_problems(stops, spot)
        problems += found
        if found or None in places or len(stops) < 2:
            if feature["geometry"] is None:
                layer.features.remove(feature)
            continue
        repeated = [number for number, (a, b) in enumerate(zip(places, places[1:]), start=1)
                    if _rounded(a.point) == _rounded(b.point)]
        for number in repeated:
            problems.append(spot(Phrase("places {number} and {next} are both {name}: the route would have a leg of "
                                        "0 km there.", number=number, next=number + 1, name=places[number].name),
                                 Phrase("list the place once where the route passes it.")))
        if repeated:
            if feature["geometry"] is None:
                layer.features.remove(feature)
            continue
        drawn = [] if feature["geometry"] is None else _drawn_line_problems(feature["geometry"], places, countries,
                                                                            spot)
        if drawn:
            problems += drawn
            continue
        named = [place.name for stop, place in zip(stops, places) if stop.named]
        sources = [*feature["sources"], *(key for stop in stops for key in stop.sources)]
        if feature["geometry"] is None:
            line, km = line_through([(p.point.x, p.point.y) for p in places])
            sources += [s for p in places for s in p.sources]
            feature.update(geometry=line, length_km=km)
        feature.update(via=[p.name for p in places], named_places=named,
                       waypoints=[place.name for stop, place in zip(stops, places) if not stop.named],
                       sources=list(dict.fromkeys(sources)))
    return problems


def _rounded(point) -> tuple[float, float]:
    """A place's point as a route drawn through it keeps it."""
    return round(point.x, SAFE_DECIMALS), round(point.y, SAFE_DECIMALS)


def _stop_problems(number: int, entry, stop: Stop | None, place: Place | None, gazetteer: Gazetteer,
                   keys: frozenset[str] | None, spot) -> list[Problem]:
    """What is wrong with one `via` entry: its form, its place, a crossing named without a source."""
    if stop is None:
        return [spot(f"place {number} is {_describe_entry(entry)}, which is not a way of listing a place.",
                     f"write it as {VIA_FORMS}.")]
    quoted = json.dumps(stop.name, ensure_ascii=False)
    if place is None:
        return [spot(Phrase("place {number}, {name}, is not in the map's gazetteer.", number=number, name=quoted),
                     unknown_place_fix(gazetteer, stop.name))]
    problems = []
    if place.kind == "crossing" and stop.named and not stop.sources:
        name = json.dumps(place.name, ensure_ascii=False)
        problems.append(spot(
            Phrase("place {number}, {name}, is an official border post, which a route names only where a source "
                   "says people crossed there.", number=number, name=quoted),
            Phrase("write {named} with the source that says so, or {waypoint} if the line only passes it.",
                   named=f'{{"place": {name}, "sources": ["reference-key"]}}', waypoint=f'{{"waypoint": {name}}}')))
    for key in stop.sources:
        if keys is not None and key not in keys:
            problems.append(spot(Phrase("place {number}, {name}, cites {key}, which is not in references.json.",
                                        number=number, name=quoted, key=json.dumps(key)),
                                 _unknown_key_fix(key, keys)))
    return problems


def _end_problems(stops: list[Stop | None], spot) -> list[Problem]:
    """A route must begin and end at places its sources name, never at a waypoint."""
    problems = []
    first, last = stops[0] if stops else None, stops[-1] if len(stops) > 1 else None
    if first is not None and not first.named:
        name = json.dumps(first.name, ensure_ascii=False)
        problems.append(spot(
            Phrase("the route starts at {name}, a waypoint; a route's first and last places must be places its "
                   "sources name.", name=name),
            Phrase("write {name} as a plain name if your source names it, or make the route begin at a place your "
                   "source names.", name=name)))
    if last is not None and not last.named:
        name = json.dumps(last.name, ensure_ascii=False)
        problems.append(spot(
            Phrase("the route ends at {name}, a waypoint; a route's first and last places must be places its "
                   "sources name.", name=name),
            Phrase("write {name} as a plain name if your source names it, or make the route end at a place your "
                   "source names.", name=name)))
    return problems


def _describe_entry(entry) -> str:
    text = json.dumps(entry, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_dict(properties: dict, geometry: BaseGeometry) -> dict:
    feature = {**properties, "geometry": geometry}
    if properties.get("kind") in LINE_KINDS:
        feature["length_km"] = geodesic_length_km(geometry)
    return feature


def _property_problems(properties: dict, spot, keys: frozenset[str] | None) -> Iterator[Problem]:
    """Checks the schema cannot make: placeholders, reference keys, years in order."""
    for field, fix in (("name", Phrase("replace it with the feature's real name.")),
                       ("description", Phrase("replace it with the feature's real description."))):
        value = properties.get(field)
        if isinstance(value, str) and value.lstrip().upper().startswith(PLACEHOLDER):
            yield spot(Phrase("still has the template's placeholder text ({text}).", text=json.dumps(value)), fix,
                       field=field)
    for field in ("name", "name_local"):
        value = properties.get(field)
        if isinstance(value, str):
            for problem in invisible_problems("", Phrase("the {field}", field=field), value):
                yield spot(problem.message, problem.fix, field=field)
    sources = properties.get("sources")
    if keys is not None and isinstance(sources, list):
        for key in sources:
            if isinstance(key, str) and key and key not in keys:
                yield spot(Phrase("{key} is not a reference key in references.json.", key=json.dumps(key)),
                           _unknown_key_fix(key, keys), field="sources")
    # The feature's sources date it: the schema requires at least one.
    for field, message, fix in year_problems(properties.get("start"), properties.get("end")):
        yield spot(message, fix, field=field)


def _unknown_key_fix(key: str, keys: frozenset[str]) -> str:
    close = difflib.get_close_matches(key, keys, n=3)
    add = Phrase("add the reference to references.json (see CONTRIBUTING.md) and use its id here.")
    if close:
        return Phrase("did you mean {close}? If not, {add}", close=" or ".join(map(json.dumps, close)), add=add)
    return add


def _duplicate_id_problems(feature_id: str | None, place: tuple[str, int],
                           seen_ids: dict[str, tuple[str, int]], spot) -> Iterator[Problem]:
    """Feature ids are unique across all layers: chapters refer to features by id alone."""
    if feature_id is None:
        return
    if feature_id not in seen_ids:
        seen_ids[feature_id] = place
        return
    file, index = seen_ids[feature_id]
    first = f"feature {index} of this file" if file == place[0] else f"{file}, feature {index}"
    yield spot(f"the id {json.dumps(feature_id)} is already used by {first}.",
               f"give each feature its own id, e.g. {json.dumps(feature_id + '-2')}.", field="id")


# --- translating schema errors into plain words (storymap/core/schema_words.py) ----------------------

def _where(path: list) -> tuple[str | None, str]:
    """A feature's field is named by itself ("sources"), an item of a list as "item 2 of 'sources' "."""
    field = str(path[1]) if path[:1] == ["properties"] and len(path) > 1 else str(path[0]) if path else None
    item = f"item {path[2] + 1} of {field!r} " if len(path) > 2 and isinstance(path[2], int) else ""
    return field, item


_MISSING_FIX = {
    "type": 'add "type": "Feature".',
    "properties": 'add "properties": { ... } with id, name, kind, description, sources and precision.',
    "id": 'add a unique id of lower-case letters, digits and hyphens, e.g. "route-via-vietnam".',
    "kind": f"add one of: {', '.join(sorted(GEOMETRY_TYPES))}.",
    "name": 'add a short name shown on the map, e.g. "Through Laos to Thailand".',
    "description": "add one or two plain sentences for the popup.",
    "sources": 'add a list of reference keys from references.json, e.g. ["park-baptista-2024"].',
    "precision": f"add one of: {PRECISION_MEANINGS}.",
    "country": 'add the three-letter ISO code of the country the point lies in, e.g. "CHN".',
    "geometry": DRAW_HINT,
}

WORDS = Words(
    missing=_MISSING_FIX,
    patterns={"id": 'use lower-case letters, digits and single hyphens only, e.g. "route-via-vietnam".',
              "country": 'use the three capital letters of the ISO 3166 code, e.g. "CHN", "PRK", "LAO".'},
    empty={"geometry": "the geometry has no coordinates.", "sources": "lists no sources."},
    choices={"precision": f"use one of: {PRECISION_MEANINGS}."},
    numbers={"start": ("year", "correct the year."), "end": ("year", "correct the year.")},
    where=_where,
)


def _schema_problems(errors: list[ValidationError], spot) -> list[Problem]:
    problems = []
    for error in errors:
        if error.validator == "required":
            problems.extend(_missing_field(name, error.absolute_path, spot)
                            for name in error.validator_value if name not in error.instance)
        else:
            field, message, fix = _explain(error)
            problems.append(spot(message, fix, field=field))
    return list(dict.fromkeys(problems))  # one "required" error per missing field repeats the others


def _missing_field(name: str, path, spot) -> Problem:
    if list(path)[:1] == ["geometry"]:
        return spot(f"the geometry has no {name!r}.", DRAW_HINT, field="geometry")
    if not path and name == "geometry":
        return spot("the feature has no geometry.", DRAW_HINT, field="geometry")
    if not path:
        return spot(f"the feature has no {name!r}.", _MISSING_FIX.get(name, ""), field=name)
    return spot(*missing(name, path, WORDS)[1:], field=name)


def _explain(error: ValidationError) -> tuple[str, str, str]:
    """(field, what is wrong, how to fix it) for one schema error other than "required"."""
    path = list(error.absolute_path)
    if path[:1] == ["geometry"] and error.instance is None:
        return "geometry", "the feature has no geometry (it is null).", DRAW_HINT
    if error.validator == "type" and path == ["properties"]:
        return "properties", f"the feature's properties should be {TYPE_WORDS['object']}, but are " \
                             f"{_describe(error.instance)}.", _MISSING_FIX["properties"]
    return explain(error, WORDS)


# --- geometry ------------------------------------------------------------------------------------

class _Malformed(ValueError):
    """Coordinates not nested the way their geometry type needs."""


def _geometry(geojson: dict, kind, spot) -> tuple[BaseGeometry | None, list[Problem]]:
    """The shapely geometry, or None with the problems that keep it from being drawn."""
    problem = functools.partial(spot, field="geometry")
    geometry_type = geojson["type"]
    depth, example = NESTING[geometry_type]
    try:
        positions = list(_positions(geojson["coordinates"], depth))
    except _Malformed as err:
        return None, [problem(f"the coordinates are not in the shape a {geometry_type} needs: {err}.",
                              f"write them as {example} (longitude first, then latitude).")]
    problems = []
    allowed = GEOMETRY_TYPES.get(kind)
    if allowed and geometry_type not in allowed:
        problems.append(problem(f"a {kind} must be drawn as a {' or '.join(allowed)}, but this is a {geometry_type}.",
                                f"draw it again as a {allowed[0]}, or change 'kind' if it is not a {kind}."))
    location = _location_problem(positions)
    if location:
        problems.append(problem(*location))
        return None, problems
    drawing = _drawing_problem(geojson)
    if drawing:
        return None, problems + [problem(*drawing)]
    return shape(geojson), problems


def _positions(coordinates, depth: int) -> Iterator[tuple]:
    """Every position in `coordinates`, nested `depth` lists deep; _Malformed when it is not."""
    if not isinstance(coordinates, list):
        raise _Malformed(f"found {_describe(coordinates)} where a list was expected")
    if depth == 0:
        if len(coordinates) not in (2, 3) or not all(_is_number(c) for c in coordinates):
            raise _Malformed(f"found {json.dumps(coordinates)[:60]} where a [longitude, latitude] pair was expected")
        yield tuple(coordinates)
        return
    if not coordinates:
        raise _Malformed("found an empty list [ ]")
    for part in coordinates:
        yield from _positions(part, depth - 1)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _location_problem(positions: list[tuple]) -> tuple[str, str] | None:
    """(message, fix) when the numbers are not longitude/latitude inside the story's region."""
    for number, (lon, lat, *_) in enumerate(positions, start=1):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return (f"position {number} contains NaN or Infinity, which are not coordinates a map can place.",
                    "replace it with real longitude and latitude numbers, or delete that position.")
    outside = [(n, lon, lat) for n, (lon, lat, *_) in enumerate(positions, start=1) if not in_region(lon, lat)]
    if not outside:
        return None
    if all(in_region(lat, lon) for lon, lat, *_ in positions):
        return ("longitude and latitude look swapped; GeoJSON wants [longitude, latitude].",
                "swap the two numbers in every position, e.g. [40.1, 124.4] becomes [124.4, 40.1].")
    number, lon, lat = outside[0]
    if any(abs(x) > 180 or abs(y) > 90 for x, y, *_ in positions):
        return (f"position {number} is [{lon}, {lat}]: this looks like projected coordinates (metres), "
                "not longitude and latitude.",
                "convert to WGS84 longitude/latitude, EPSG:4326 (QGIS: Export > Save Features As, "
                "CRS EPSG:4326 - WGS 84).")
    west, south, east, north = REGION
    return (f"{len(outside)} of {len(positions)} positions lie outside the story's region (longitude {west:g} "
            f"to {east:g}, latitude {south:g} to {north:g}); the first is position {number}: [{lon}, {lat}].",
            "check the numbers (longitude first, then latitude) and that the map covers this place.")


def _drawing_problem(geojson: dict) -> tuple[str, str] | None:
    """(message, fix) when lines have fewer than two distinct points or polygons are not valid."""
    lines, rings = _lines_and_rings(geojson["type"], geojson["coordinates"])
    for line in lines:
        if len({tuple(position) for position in line}) < 2:
            return ("the line has only one point (or all its points are the same), so it has no length.",
                    "draw the line with at least two different points.")
    for ring in rings:
        if len(ring) < 4:
            return (f"an outline has only {len(ring)} positions; a closed outline needs at least 4, "
                    "the last the same as the first.", "redraw the shape as a closed outline.")
    if rings:
        return _polygon_problem(geojson)
    return None


def _lines_and_rings(geometry_type: str, coordinates: list) -> tuple[list, list]:
    if geometry_type == "LineString":
        return [coordinates], []
    if geometry_type == "MultiLineString":
        return coordinates, []
    if geometry_type == "Polygon":
        return [], coordinates
    if geometry_type == "MultiPolygon":
        return [], [ring for polygon in coordinates for ring in polygon]
    return [], []


def _polygon_problem(geojson: dict) -> tuple[str, str] | None:
    try:
        reason = explain_validity(shape(geojson))
    except (ValueError, GEOSException) as err:
        reason = str(err)
    if reason == "Valid Geometry":
        return None
    reason, _, point = reason.partition("[")
    where = f" near [{', '.join(point.rstrip(']').split())}]" if point else ""
    return (f"the shape is not valid: {reason.lower()}{where}; an outline probably crosses itself.",
            "redraw the outline so that it does not cross itself "
            "(QGIS: Vector > Geometry Tools > Fix Geometries).")
