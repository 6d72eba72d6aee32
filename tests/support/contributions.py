"""Random but valid contributions, as contributors would add them to a copy of the project.

`SEED` is fixed for one test run (the header of every run prints it); CONTRIBUTION_SEED=<seed>
replays a run's contributions exactly.
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

from shapely.geometry import Point, shape

from storymap.core.geo import in_region
from storymap.inputs.routes import SAFE_DECIMALS, route_file_text

SEED_VARIABLE = "CONTRIBUTION_SEED"
SEED = int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(1_000_000))
#: Countries a contributed place may lie in (those the routes lead through).
PLACE_COUNTRIES = ("CHN", "LAO", "THA", "VNM", "KHM", "MNG", "MMR")


def replay_hint() -> str:
    return f"contribution seed {SEED} (replay: {SEED_VARIABLE}={SEED} pytest tests/test_contribution_ci.py)"


def _features(layers: Path, name: str) -> list[dict]:
    return json.loads((layers / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


def _place_countries(layers: Path) -> dict:
    """The basemap's countries a contributed place may lie in (PLACE_COUNTRIES), by code."""
    return {f["properties"]["country"]: shape(f["geometry"]) for f in _features(layers, "basemap/countries")
            if f["properties"].get("country") in PLACE_COUNTRIES}


def gazetteer(root: Path) -> dict[str, str]:
    """The project's places as the studio's save takes them (name -> kind)."""
    from storymap.inputs.layers import load_layers
    from storymap.inputs.project import FEATURE_SCHEMA
    from storymap.tools.contributions import place_kinds

    return place_kinds(load_layers(root / "layers", None, root / FEATURE_SCHEMA))


def reference_keys(root: Path) -> set[str]:
    return {item["id"] for item in json.loads((root / "references.json").read_text(encoding="utf-8"))}


def _random_point_in(rng: random.Random, country) -> tuple[float, float]:
    """A point well inside a country (2 decimals, as the map's safety rules keep places)."""
    west, south, east, north = country.bounds
    inner = country.buffer(-0.1)
    for _ in range(10_000):
        lon, lat = round(rng.uniform(west, east), 2), round(rng.uniform(south, north), 2)
        if in_region(lon, lat) and inner.contains(Point(lon, lat)):
            return lon, lat
    raise AssertionError(f"no point found inside {country.bounds}")


def _words(rng: random.Random, n: int) -> str:
    syllables = "ka lo mi ne su ta ri po ha ye an bo"
    return " ".join("".join(rng.choice(syllables.split()) for _ in range(rng.randint(2, 3))).capitalize()
                    for _ in range(n))


def _reference(rng: random.Random, key: str) -> dict:
    return {"id": key, "type": rng.choice(["report", "article-journal", "book", "webpage"]),
            "title": f"{_words(rng, 3)}: an account of the journey",
            "author": [{"family": _words(rng, 1), "given": "A."}],
            "issued": {"date-parts": [[rng.randint(1998, 2025)]]},
            "publisher": f"{_words(rng, 1)} Press", "URL": f"https://example.org/{key}"}


def add_contributions(project: Path, seed: int = SEED) -> dict:
    """Add to a project a new reference, a new place, routes by place names of random length through
    random gazetteer places (one of them through the new place; some places marked as waypoints, now
    and then a border post) and one drawn route. Returns what
    was added: {"reference": key, "place": name, "routes": {route id: name}}."""
    rng = random.Random(seed)
    layers = project / "layers"
    tag = f"{seed:06d}"

    key = f"contributor-{tag}"
    references_path = project / "references.json"
    references = json.loads(references_path.read_text(encoding="utf-8"))
    references.insert(rng.randint(0, len(references)), _reference(rng, key))
    references_path.write_text(json.dumps(references, indent=rng.choice([1, 2, 4]), ensure_ascii=False) + "\n",
                               encoding="utf-8")

    countries = _place_countries(layers)
    country = rng.choice(sorted(countries))
    place_name = f"{_words(rng, 1)} {tag}"
    places_path = layers / "places.geojson"
    places = json.loads(places_path.read_text(encoding="utf-8"))
    places["features"].append({"type": "Feature", "properties": {
        "id": f"place-contributed-{tag}", "name": place_name, "kind": "city", "country": country,
        "description": f"{place_name}, a town a contributor's source names. Town centre (approximate).",
        "sources": [key], "precision": "approximate"},
        "geometry": {"type": "Point", "coordinates": list(_random_point_in(rng, countries[country]))}})
    places_path.write_text(json.dumps(places, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    cities = sorted({f["properties"]["name"] for name in ("cities", "places") for f in _features(layers, name)}
                    - {place_name})
    all_keys = sorted(item["id"] for item in references)
    routes: dict[str, str] = {}

    def route(slug: str, via: list, geometry: dict | None = None) -> None:
        route_id = f"route-{slug}"
        ends = [entry if isinstance(entry, str) else next(iter(entry.values())) for entry in (via[0], via[-1])]
        properties = {"id": route_id, "name": f"Through {' and '.join(ends)} ({tag})",
                      "kind": "route", "description": f"Schematic: a route a contributor's source describes ({slug}).",
                      "sources": sorted({key, *rng.sample(all_keys, rng.randint(0, 2))}), "precision": "schematic"}
        if rng.random() < 0.5:
            start = rng.randint(1995, 2020)
            properties.update(start=start, end=rng.randint(start, 2025))
        properties["via"] = via
        (layers / "routes" / f"{slug}.geojson").write_text(route_file_text(properties, geometry), encoding="utf-8")
        routes[route_id] = properties["name"]

    def spelt(name: str) -> str:  # as a contributor may type it: the gazetteer ignores case
        return rng.choice([name, name, name.lower(), name.upper()])

    crossings = sorted(f["properties"]["name"] for f in _features(layers, "crossings"))
    points = {f["properties"]["name"]: f["geometry"]["coordinates"]
              for name in ("cities", "places", "crossings") for f in _features(layers, name)}

    def spot(name: str) -> tuple[float, float]:  # where the line passes the place (routes.SAFE_DECIMALS)
        return tuple(round(c, SAFE_DECIMALS) for c in points[name])

    def marked(via: list[str]) -> list:
        """Places between the ends marked now and then as waypoints; now and then a border post,
        named with its source or passed as a waypoint."""
        entries = [spelt(name) if i in (0, len(via) - 1) or rng.random() < 0.6 else {"waypoint": spelt(name)}
                   for i, name in enumerate(via)]
        if rng.random() < 0.5:
            crossing, at = rng.choice(crossings), rng.randint(1, len(entries) - 1)
            if all(spot(crossing) != spot(via[i]) for i in (at - 1, at)):  # not where a neighbour is (a 0 km leg)
                entries.insert(at, rng.choice([{"waypoint": crossing}, {"place": crossing, "sources": [key]}]))
        return entries

    for n in range(rng.randint(2, 4)):
        via = rng.sample(cities, rng.randint(2, 8))
        if n == 0:
            via.insert(rng.randint(0, len(via)), place_name)
        route(f"{_words(rng, 1).lower()}-{tag}-{n}", marked(via))
    drawn_via = rng.sample(cities, rng.randint(2, 5))
    # drawn as a contributor would: from place to place (check refuses a line that starts, ends or
    # passes elsewhere), by a hand that wavers between them
    line = [points[drawn_via[0]]]
    for a, b in zip(drawn_via, drawn_via[1:]):
        (x0, y0), (x1, y1) = points[a], points[b]
        t = rng.uniform(0.3, 0.7)
        line += [[round(x0 + t * (x1 - x0) + rng.uniform(-0.1, 0.1), 5),
                  round(y0 + t * (y1 - y0) + rng.uniform(-0.1, 0.1), 5)], points[b]]
    route(f"{_words(rng, 1).lower()}-drawn-{tag}", drawn_via, {"type": "LineString", "coordinates": line})
    return {"reference": key, "place": place_name, "routes": routes}


#: Hangul and Han syllables for a new place's Korean and Chinese names.
KOREAN, CHINESE = "가나다라마바사아자차카타파하", "安北长东河湖江林南平山石西新阳"


def add_studio_route(project: Path, seed: int = SEED) -> dict:
    """A route saved as the contribution studio saves it (storymap.tools.contributions.save, what its
    Save button posts): through random gazetteer places and a new place with its Korean and Chinese
    names, cited to a new reference from the studio's form. Returns what was added, as
    add_contributions does: {"reference": key, "place": name, "routes": {route id: name}}."""
    from storymap.inputs.editions import Strings
    from storymap.inputs.project import Project
    from storymap.tools.contributions import save

    rng = random.Random(seed + 1)
    tag = f"{seed:06d}"
    places = gazetteer(project)
    countries = _place_countries(project / "layers")
    country = rng.choice(sorted(countries))
    lon, lat = _random_point_in(rng, countries[country])
    place = f"{_words(rng, 1)} Studio {tag}"
    stops = [{"name": name} for name in rng.sample(sorted(n for n, kind in places.items() if kind == "city"),
                                                  rng.randint(2, 5))]
    stops.insert(rng.randint(0, len(stops)), {"name": place})
    for stop in stops[1:-1]:
        if rng.random() < 0.4:
            stop["waypoint"] = True
    name = f"By the studio through {place}"
    keys = reference_keys(project)
    submission = {
        "name": name, "description": "Schematic: as the contributor's source tells it.",
        "sources": ["new-1"], "stops": stops,
        "new_references": [{"client_key": "new-1", "type": rng.choice(["report", "book", "webpage"]),
                            "authors": [{"family": _words(rng, 1), "given": "B."}],
                            "title": f"{_words(rng, 2)}: a second account {tag}", "issued": str(rng.randint(1998, 2025)),
                            "URL": f"https://example.org/studio-{tag}"}],
        "new_places": [{"name": place, "lon": lon, "lat": lat, "country": country, "sources": ["new-1"],
                        "names": {"ko": "".join(rng.sample(KOREAN, 2)) + f" {tag}",
                                  "zh": "".join(rng.sample(CHINESE, 2)) + f" {tag}"}}],
    }
    slug, _files = save(Project(project), submission, places, keys, Strings({}))
    route = json.loads((project / "layers" / "routes" / f"{slug}.geojson").read_text(encoding="utf-8"))
    properties = route["features"][0]["properties"]
    (key,) = reference_keys(project) - keys
    return {"reference": key, "place": place, "routes": {properties["id"]: properties["name"]}}
