"""The routes as a flow map: every leg between two places drawn once, as wide as the routes on it.

A route by place names is a chain of legs (place to place). Legs that several routes share are one
feature of the `flows` layer, whatever the direction, listing the routes that use it; its width
grows with their number and its colour tells the corridor: the country the routes lead to, or a
neutral colour where routes to several countries share it. A drawn route is its own leg.
Aggregating is also safer: the map shows where many went, not anyone's track.

A route shown on its own (a step that names its layer) has its corridor's colour too, so colour
means the same everywhere and is never cycled by file order.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace

import numpy
import shapely
from shapely.geometry.base import BaseGeometry

from ..inputs.kinds import KINDS
from ..inputs.layers import Layer
from ..core.characters import place_key
from ..inputs.routes import Gazetteer, Place, geodesic_line

#: The layer id of the aggregated routes; a step that shows `routes` (every route) shows this.
FLOWS = "flows"
ROUTES_GROUP = "routes"

#: Where routes lead (ISO3 of their last place) -> (legend label, colour): Okabe–Ito colours that
#: no other kind uses. Other countries share ELSEWHERE.
CORRIDORS: dict[str, tuple[str, str]] = {
    "THA": ("Routes to Thailand", "#009e73"),
    "KHM": ("Routes to Cambodia", "#cc79a7"),
    "MNG": ("Routes to Mongolia", "#56b4e9"),
    "VNM": ("Routes to Vietnam", "#8c564b"),
    "LAO": ("Routes to Laos", "#7f7f00"),
}
ELSEWHERE = ("Routes to other countries", "#1f3a93")
SHARED = ("Shared by routes to several countries", "#5b5b5b")

#: Line width in pixels of a leg used by `count` routes: 3 for one, +2.5 per doubling, at most 16.
BASE_WEIGHT, WEIGHT_PER_DOUBLING, MAX_WEIGHT = 3.0, 2.5, 16.0


def leg_weight(count: int) -> float:
    return round(min(BASE_WEIGHT + WEIGHT_PER_DOUBLING * math.log2(max(count, 1)), MAX_WEIGHT), 1)


def corridor_of(country: str | None) -> tuple[str, str]:
    """(label, colour) of the corridor of routes that lead to `country` (ISO3)."""
    return CORRIDORS.get(country, ELSEWHERE)


def leg_style(colour: str, count: int = 1) -> dict:
    """The Leaflet style of a leg of `count` routes, as static/story.js draws it: the route kind's
    style in the corridor's colour and the leg's width."""
    return {**KINDS["route"].style, "color": colour, "weight": leg_weight(count)}


def corridor_label(colour: str) -> str | None:
    """The legend label of a corridor colour."""
    return {c: label for label, c in [*CORRIDORS.values(), ELSEWHERE, SHARED]}.get(colour)


@dataclass(frozen=True)
class RouteInfo:
    """What a leg's popup, the route picker and the catalogue say about one route."""

    id: str
    slug: str
    name: str
    sources: tuple[str, ...]
    corridor: str
    colour: str
    legs: tuple[str, ...]
    #: (place, country) of each waypoint, a place added only to draw the line (routes.py): readers
    #: see "drawn through Da Nang to keep the line in Vietnam".
    waypoints: tuple[tuple[str, str], ...] = ()
    start: int | None = None  # the years its sources date it to (the map by year)
    end: int | None = None


@dataclass(frozen=True)
class RouteMap:
    """Every route's corridor and legs, and the `flows` layer that draws each leg once."""

    routes: dict[str, RouteInfo]  # by route feature id, in layer order
    layer_colours: dict[str, str]  # route layer id -> its corridor's colour
    flows: Layer

    def legs_of(self, route_ids) -> list[str]:
        return list(dict.fromkeys(leg for r in route_ids if r in self.routes for leg in self.routes[r].legs))


def build_route_map(layers: list[Layer]) -> RouteMap | None:
    """The route map of every route layer; None when there are no routes."""
    routes = [(layer, feature) for layer in layers if layer.group == ROUTES_GROUP for feature in layer.features]
    if not routes:
        return None
    gazetteer = Gazetteer([f for layer in layers for f in layer.features])
    countries = {f["country"]: f["name"] for layer in layers for f in layer.features
                 if f["kind"] == "country" and f.get("country")}
    legs: dict[str, dict] = {}
    infos: dict[str, RouteInfo] = {}
    layer_colours: dict[str, str] = {}
    for layer, feature in routes:
        label, colour = _corridor(feature, gazetteer)
        layer_colours[layer.id] = colour
        leg_ids = []
        for leg_id, name, geometry in _legs(feature, gazetteer):
            leg = legs.setdefault(leg_id, {"name": name, "geometry": geometry, "routes": {}})
            leg["routes"][feature["id"]] = None  # a dict as an ordered set: a route passes a leg once
            leg_ids.append(leg_id)
        infos[feature["id"]] = RouteInfo(feature["id"], layer.id.split("/", 1)[1], feature["name"],
                                         tuple(feature["sources"]), label, colour, tuple(leg_ids),
                                         _waypoints(feature, gazetteer, countries), feature.get("start"),
                                         feature.get("end"))
    features = sorted((_leg_feature(leg_id, leg, infos) for leg_id, leg in legs.items()),
                      key=lambda f: (len(f["routes"]), f["id"]))  # the widest legs drawn last, on top
    return RouteMap(infos, layer_colours, Layer(FLOWS, layers[0].path.parent / FLOWS, None, features))


def route_leg_id(route_id: str) -> str:
    """The id of the one leg of a route drawn by hand (or not through its places)."""
    return f"leg-{route_id}"


def place_names(english: list[Layer], edition: list[Layer]) -> dict[str, str]:
    """A place's English name (as the routes' `via` lists write it) -> its name in an edition
    whose layers have the same feature ids."""
    local = {f["id"]: f["name"] for layer in edition for f in layer.features}
    return {f["name"]: local.get(f["id"], f["name"]) for layer in english for f in layer.features}


def localised(route_map: RouteMap | None, english: list[Layer], edition: list[Layer]) -> RouteMap | None:
    """The route map in an edition's words. Legs are worked out once, from the English layers,
    whose place names the routes' `via` lists use; an edition only renames routes and legs (its
    layers have the same feature ids)."""
    if route_map is None:
        return None
    local = {f["id"]: f["name"] for layer in edition for f in layer.features}
    by_name = place_names(english, edition)

    def leg_name(leg: dict) -> str:
        if leg["id"] == route_leg_id(leg["routes"][0]):  # a drawn route: one leg named for the route
            return local.get(leg["routes"][0], leg["name"])
        return " – ".join(by_name.get(place, place) for place in leg["name"].split(" – "))
    routes = {rid: replace(info, name=local.get(rid, info.name),
                           waypoints=tuple((by_name.get(place, place), by_name.get(country, country))
                                           for place, country in info.waypoints))
              for rid, info in route_map.routes.items()}
    flows = replace(route_map.flows, features=[{**leg, "name": leg_name(leg)} for leg in route_map.flows.features])
    return RouteMap(routes, route_map.layer_colours, flows)


def _corridor(feature: dict, gazetteer: Gazetteer) -> tuple[str, str]:
    """(label, colour) of the country a route leads to: its last place's, else the nearest place's."""
    via = feature.get("via") or []
    place = gazetteer.get(via[-1]) if via else None
    if place is None:
        line = feature["geometry"].geoms[-1] if hasattr(feature["geometry"], "geoms") else feature["geometry"]
        nearest = gazetteer.nearest(*line.coords[-1][:2])
        place = nearest[0] if nearest else None
    return corridor_of(place.country if place else None)


def _waypoints(feature: dict, gazetteer: Gazetteer, countries: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(place, country) of each of a route's waypoints, the country worked out from its gazetteer place."""
    found = []
    for name in feature.get("waypoints") or ():
        place = gazetteer.get(name)
        country = place.country if place else None
        found.append((name, countries.get(country, country or "")))
    return tuple(found)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", place_key(name)).strip("-") or "place"


def _legs(feature: dict, gazetteer: Gazetteer):
    """(leg id, name, geometry) of each leg of a route: place to place when its line runs through
    the places it names (a route by place names), else its drawn line as one leg."""
    places = [gazetteer.get(name) for name in feature.get("via") or []]
    if len(places) < 2 or None in places or not _through(feature["geometry"], places):
        yield route_leg_id(feature["id"]), feature["name"], feature["geometry"]
        return
    for a, b in zip(places, places[1:]):
        if a.name != b.name:
            yield _leg(a.name, (a.point.x, a.point.y), b.name, (b.point.x, b.point.y))


@functools.lru_cache(maxsize=4096)
def _leg(a: str, a_point: tuple[float, float], b: str, b_point: tuple[float, float]) -> tuple[str, str, BaseGeometry]:
    """(id, name, geodesic line) of the leg between two places, made once: a thousand routes share
    a few dozen legs. Its id and name are the same whichever way a route passes it."""
    (first, first_point), (second, second_point) = sorted(((a, a_point), (b, b_point)), key=lambda p: place_key(p[0]))
    return (f"leg-{_slug(first)}-to-{_slug(second)}", f"{first} – {second}",
            geodesic_line([first_point, second_point]))


def _through(geometry: BaseGeometry, places: list[Place]) -> bool:
    """Whether the line is the one drawn through the places (storymap.inputs.routes.geodesic_line):
    the same coordinates, compared without making that line again."""
    if geometry.geom_type != "LineString":
        return False
    coords = shapely.get_coordinates(geometry)
    expected = _line_coordinates(tuple((p.point.x, p.point.y) for p in places))
    return coords.shape == expected.shape and float(numpy.abs(coords - expected).max()) <= 1e-9


@functools.lru_cache(maxsize=4096)
def _line_coordinates(points: tuple[tuple[float, float], ...]) -> numpy.ndarray:
    """The coordinates of the line drawn through the points, once per list of points (routes
    through the same places share it)."""
    coords = shapely.get_coordinates(geodesic_line(list(points)))
    coords.flags.writeable = False
    return coords


def _leg_feature(leg_id: str, leg: dict, infos: dict[str, RouteInfo]) -> dict:
    routes = list(leg["routes"])
    looks = {(infos[r].corridor, infos[r].colour) for r in routes}
    corridor, colour = next(iter(looks)) if len(looks) == 1 else SHARED
    count = len(routes)
    return {"id": leg_id, "name": leg["name"], "kind": "route",
            "sources": list(dict.fromkeys(s for r in routes for s in infos[r].sources)),
            "precision": "schematic", "geometry": leg["geometry"], "routes": routes,
            "corridor": corridor, "colour": colour, "weight": leg_weight(count)}
