"""Routes by place names: the gazetteer, the line through a route's places, drawn routes coarsened.

A route file in layers/routes/ may leave `geometry` null and list, in `via`, two or more places.
Those names are looked up in the gazetteer, which is every city and crossing the layers hold
(layers/cities.geojson, layers/crossings.geojson and the contributors' layers/places.geojson),
each with its source, at city precision. The line is drawn through them with geodesic legs, so
`via` is the only truth and the line derives from it; the data sets the places' points come from
(Natural Earth, GeoNames, ...) join the route's sources.

Each `via` entry says why the place is there. A plain name is a place the route's sources name;
{"waypoint": "Da Nang"} is a place added only to draw the line (readers see "drawn through Da Nang
to keep the line in Vietnam"); {"place": "...", "sources": ["key"]} is a named place with the
sources that name it, the only form in which an official border post (a `crossing`) may be named,
since people without papers do not pass one unless a source says they did. A route's first and last
places must be named.

A route drawn by hand keeps its geometry, coarsened to the map's safety precision (SAFE_DECIMALS,
about a kilometre) and simplified; the check says when it did.
"""
from __future__ import annotations

import difflib
import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy
import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry

from ..core.characters import place_key
from ..core.geo import WGS84
from ..core.problems import Phrase
from .licences import DATA_SOURCES

#: A new route file as `build.py new-route` writes it (the studio and import-route start from it too).
TEMPLATE = Path(__file__).with_name("route_template.geojson")
#: The text in the template that becomes the new route's slug.
TEMPLATE_SLUG = "SLUG"

#: A route file's name, layers/routes/<slug>.geojson: the slug is in the route's address
#: (/<chapter>/?route=<slug>, the catalogue's #<slug>), so a "#" or a space would break its links.
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
#: Feature ids are at most 80 characters (layers/feature.schema.json); a route's id is "route-" + its slug.
MAX_ID_LENGTH = 80
MAX_SLUG_LENGTH = MAX_ID_LENGTH - len("route-")
SLUG_RULE = f"lower-case letters, digits and single hyphens (at most {MAX_SLUG_LENGTH} characters)"


def is_slug(slug: str) -> bool:
    return bool(SLUG.fullmatch(slug)) and len(slug) <= MAX_SLUG_LENGTH


#: Kinds of point feature a route may pass through by name.
PLACE_KINDS = ("city", "crossing")
#: Where a contributor adds a place the gazetteer lacks.
PLACES_FILE = "layers/places.geojson"
#: Decimals of longitude/latitude a route keeps: 0.01 degree, about one kilometre.
SAFE_DECIMALS = 2
#: A drawn route is simplified by this many degrees (after rounding): a schematic line, not a track.
SIMPLIFY_DEGREES = 0.02
#: Two gazetteer entries of one name this close are one place (a town and its crossing); farther
#: apart, the name would be ambiguous in a route's `via`.
SAME_PLACE_KM = 10.0
#: Geodesic legs are densified about this often, so they curve as they should on the map.
LEG_STEP_KM = 25



@dataclass(frozen=True)
class Place:
    name: str
    point: Point
    #: The data sets the point comes from (keys of licences.DATA_SOURCES); a route through the
    #: place is drawn from them too, so they join its sources and its licence terms.
    sources: tuple[str, ...]
    country: str | None = None
    kind: str = "city"


class Gazetteer:
    """Every named place a route may pass through, by `place_key` of its name."""

    def __init__(self, features: list[dict]):
        self.places: dict[str, Place] = {}
        #: (feature, the place that already has its name, km apart): one name may mean one place only.
        self.clashes: list[tuple[dict, Place, float]] = []
        for feature in features:
            if feature.get("kind") not in PLACE_KINDS or not isinstance(feature.get("geometry"), Point):
                continue
            point, key = feature["geometry"], place_key(feature["name"])
            known = self.places.get(key)
            if known is None:
                data = tuple(key for key in feature.get("sources", ()) if key in DATA_SOURCES)
                self.places[key] = Place(feature["name"], point, data, feature.get("country"), feature["kind"])
                continue
            km = WGS84.line_length([point.x, known.point.x], [point.y, known.point.y]) / 1000.0
            if km > SAME_PLACE_KM:
                self.clashes.append((feature, known, km))

    def get(self, name: str) -> Place | None:
        return self.places.get(place_key(name))

    def close_names(self, name: str, n: int = 3) -> list[str]:
        keys = difflib.get_close_matches(place_key(name), list(self.places), n=n, cutoff=0.6)
        return [self.places[key].name for key in keys]

    def nearest(self, lon: float, lat: float) -> tuple[Place, float] | None:
        """The place closest to a point and its distance in kilometres along the ellipsoid."""
        best = None
        for place in self.places.values():
            km = WGS84.line_length([lon, place.point.x], [lat, place.point.y]) / 1000.0
            if best is None or km < best[1]:
                best = (place, km)
        return best


def unknown_place_fix(gazetteer: Gazetteer, name: str) -> str:
    close = gazetteer.close_names(name)
    if close:
        return Phrase("did you mean {close}? If it is another place, add it to {file} with its source "
                      "(CONTRIBUTING.md, \"A place the map does not know\").", close=" or ".join(close), file=PLACES_FILE)
    return Phrase("If it is another place, add it to {file} with its source (CONTRIBUTING.md, \"A place the map does "
                  "not know\").", file=PLACES_FILE)


def geodesic_line(points: list[tuple[float, float]]) -> LineString:
    """A line through the points, each leg following the geodesic, rounded to SAFE_DECIMALS."""
    return line_through(points)[0]


def line_through(points: list[tuple[float, float]]) -> tuple[LineString, float]:
    """`geodesic_line` and its geodesic length in km (the sum of its legs' lengths)."""
    coords, km = [], 0.0
    for a, b in zip(points, points[1:]):
        leg, leg_km = _leg(a, b)
        coords += leg if not coords or coords[-1] != leg[0] else leg[1:]
        km += leg_km
    if len(coords) == 1:
        coords.append(coords[0])  # every place the same: a line of no length, which the check refuses
    return shapely.linestrings(numpy.asarray(coords)), km


@functools.lru_cache(maxsize=4096)
def _leg(a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[tuple[float, float], ...], float]:
    """The geodesic from a to b, densified every ~LEG_STEP_KM and rounded to SAFE_DECIMALS, and
    its length in km. Routes share legs, so each is worked out once."""
    (lon1, lat1), (lon2, lat2) = a, b
    km = WGS84.line_length([lon1, lon2], [lat1, lat2]) / 1000.0
    n = max(0, math.ceil(km / LEG_STEP_KM) - 1)
    points = [a, *(WGS84.npts(lon1, lat1, lon2, lat2, n) if n else ()), b]
    rounded = [(round(x, SAFE_DECIMALS), round(y, SAFE_DECIMALS)) for x, y in points]
    return tuple(c for i, c in enumerate(rounded) if i == 0 or c != rounded[i - 1]), km


def coarsen(geometry: BaseGeometry) -> BaseGeometry:
    """A drawn line at the map's safety precision: rounded to SAFE_DECIMALS, then simplified."""
    rounded = shapely.remove_repeated_points(
        shapely.transform(geometry, lambda coords: numpy.round(coords, SAFE_DECIMALS)))
    simple = shapely.simplify(rounded, SIMPLIFY_DEGREES, preserve_topology=False)
    lines = [line for line in getattr(simple, "geoms", [simple]) if not line.is_empty and line.length > 0]
    if not lines:  # the whole drawing fits inside one rounding cell
        return rounded
    return lines[0] if len(lines) == 1 else MultiLineString(lines)


def vertex_count(geometry: BaseGeometry) -> int:
    return int(shapely.get_num_coordinates(geometry))


@dataclass(frozen=True)
class Stop:
    """One entry of a route's `via`: a place by name, whether its sources name it, and the sources
    given for this place alone ({"place": ..., "sources": [...]})."""

    name: str
    named: bool
    sources: tuple[str, ...] = ()


def via_stop(entry) -> Stop | None:
    """A `via` entry as a Stop, or None when it is none of the three forms."""
    if isinstance(entry, str):
        return Stop(entry, True) if entry.strip() else None
    if not isinstance(entry, dict):
        return None
    if set(entry) == {"waypoint"} and isinstance(entry["waypoint"], str) and entry["waypoint"].strip():
        return Stop(entry["waypoint"], False)
    sources = entry.get("sources")
    if (set(entry) == {"place", "sources"} and isinstance(entry["place"], str) and entry["place"].strip()
            and isinstance(sources, list) and sources and all(isinstance(k, str) and k for k in sources)):
        return Stop(entry["place"], True, tuple(sources))
    return None


def via_stops(via) -> list[Stop | None] | None:
    """Each `via` entry as a Stop (None where malformed), or None when `via` is not a list."""
    return [via_stop(entry) for entry in via] if isinstance(via, list) else None


def via_names(via) -> list[str] | None:
    """The names of the places in `via` when every entry is well formed, else None."""
    stops = via_stops(via)
    if stops is None or None in stops:
        return None
    return [stop.name for stop in stops]


#: How each form of a `via` entry is written, for the fixes of the check's messages.
VIA_FORMS = ('a place your source names as its name ("Kunming"), a place added only to draw the line as '
             '{"waypoint": "Da Nang"}, or a border post a source says people crossed at as '
             '{"place": "Mohan–Boten crossing", "sources": ["reference-key"]}')


def route_file_text(properties: dict, geometry: dict | None = None) -> str:
    """A route file as a contributor reads it: one property per line, null or a compact geometry."""
    fields = ",\n".join(f"        {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
                        for key, value in properties.items())
    drawn = "null" if geometry is None else json.dumps(geometry, separators=(", ", ": "))
    return ('{\n  "type": "FeatureCollection",\n  "features": [\n    {\n      "type": "Feature",\n'
            f'      "properties": {{\n{fields}\n      }},\n      "geometry": {drawn}\n    }}\n  ]\n}}\n')
