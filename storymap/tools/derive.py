"""Re-derive the layers built from the shared reference data, and only those.

Derive owns the layers `build` returns (basemap, borders, cities, crossings, dmz, fences, rivers,
sites). The routes in layers/routes/ and the extra places in layers/places.geojson belong to
contributors: derive never writes or removes them.

    python -m storymap.tools.derive [--shared PATH] [--out DIR]

`--shared` is the folder holding `data/` (default: ../shared next to the repository),
`--out` the layers folder to write (default: layers/ of the repository). The output is
deterministic: features in a fixed order, coordinates rounded, JSON written with sorted keys
and compact separators, so running the script twice gives byte-identical files.
Every feature is validated against layers/feature.schema.json before anything is written.

What each layer holds and how it is made is documented in layers/README.md.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import jsonschema
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, nearest_points, substring

from ..core.geo import WGS84
from ..inputs.project import FEATURE_SCHEMA, LAYERS

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO.parent / "shared"
SCHEMA_PATH = REPO / FEATURE_SCHEMA

#: Metric CRS for the China–North Korea border (UTM 52N; the border spans 124–131°E, so the
#: scale error at its western end is about 0.2 %) and for mainland South-East Asia (UTM 48N).
UTM_KOREA = "EPSG:32652"
UTM_MEKONG = "EPSG:32648"

#: Near Mount Paektu the 1962 boundary leaves the rivers and runs in straight lines between
#: boundary markers, across the crater lake (Cheonji) and the mountain. In the OSM line these
#: show as segments longer than STRAIGHT_RUN_KM inside PAEKTU_WINDOW; river stretches there
#: have vertices every 30–300 m. The Yalu ends before the first straight run, the Tumen begins
#: after the last one.
PAEKTU_WINDOW = (127.9, 41.9, 128.6, 42.1)
STRAIGHT_RUN_KM = 1.5

#: Published positions of the two bridges (lat/lon; see references.json). The map point is
#: the bridge's Chinese end: the nearest point of the OSM China land polygon.
FRIENDSHIP_BRIDGE = (124.3906, 40.1164)  # 40°6′59″N 124°23′26″E
TUMEN_BRIDGE = (129.8508, 42.9544)  # 42°57′16″N 129°51′03″E

FENCE_OFFSET_M = 400
DANDONG_FENCE_RADIUS_M = 20_000
DMZ_HALF_WIDTH_M = 2_000
MEKONG_BORDER_BUFFER_M = 3_000

COUNTRY_NAMES = {  # English names for descriptions; NE `name` except where it is an abbreviation
    "CHN": "China", "PRK": "North Korea", "KOR": "South Korea", "LAO": "Laos", "THA": "Thailand",
    "VNM": "Vietnam", "KHM": "Cambodia", "MNG": "Mongolia", "RUS": "Russia", "MMR": "Myanmar",
}


# --------------------------------------------------------------------------- geometry helpers

def _projector(src: str, dst: str):
    fn = Transformer.from_crs(src, dst, always_xy=True).transform
    return lambda geom: shapely.transform(geom, fn, interleaved=False)


def _round_coords(obj, ndigits: int):
    if isinstance(obj, float):
        value = round(obj, ndigits)
        return 0.0 if value == 0 else value
    return [_round_coords(item, ndigits) for item in obj]


def _geometry_json(geom: BaseGeometry, ndigits: int) -> dict:
    """Snap to a 10^-ndigits grid (shapely keeps the result valid and drops repeated
    vertices), then round the floats so the JSON carries no binary noise."""
    grid = 10.0 ** -ndigits
    snapped = shapely.set_precision(geom, grid) if geom.geom_type != "Point" else geom
    if snapped.is_empty:
        raise ValueError(f"geometry vanished when rounded to {ndigits} decimals")
    geo = mapping(snapped)
    return {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"], ndigits)}


def _lines(geom: BaseGeometry) -> list[LineString]:
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    if geom.geom_type == "MultiLineString":
        return list(geom.geoms)
    return [g for part in geom.geoms for g in _lines(part)]


def _merged(geom: BaseGeometry) -> BaseGeometry:
    parts = _lines(geom)
    return linemerge(parts) if len(parts) > 1 else parts[0]


def _segment_km(a, b) -> float:
    return WGS84.line_length([a[0], b[0]], [a[1], b[1]]) / 1000.0


# --------------------------------------------------------------------------- input

class Shared:
    """The shared input files, read once."""

    def __init__(self, shared: Path):
        data = shared / "data"
        ne = data / "naturalearth"
        self.countries = gpd.read_file(ne / "ne_10m_admin_0_countries.geojson")
        self.boundaries = gpd.read_file(ne / "ne_10m_admin_0_boundary_lines_land.geojson")
        self.rivers = gpd.read_file(ne / "ne_10m_rivers_lake_centerlines.geojson")
        self.lakes = gpd.read_file(ne / "ne_10m_lakes.geojson")
        self.admin1 = gpd.read_file(ne / "ne_10m_admin_1_states_provinces.geojson")
        self.osm_land = gpd.read_file(data / "detail" / "osm_countries_land_10m_prk_chn.geojson")
        self.osm_lines = gpd.read_file(data / "detail" / "osm_border_lines_prk_chn_rus.geojson")
        self.cities = gpd.read_file(data / "story_cities.geojson")

    def ne_boundary(self, a: str, b: str) -> BaseGeometry:
        rows = self.boundaries[
            ((self.boundaries.adm0_a3_l == a) & (self.boundaries.adm0_a3_r == b))
            | ((self.boundaries.adm0_a3_l == b) & (self.boundaries.adm0_a3_r == a))
        ]
        if rows.empty:
            raise ValueError(f"no Natural Earth boundary line between {a} and {b}")
        return _merged(shapely.union_all(list(rows.geometry)))

    def osm_line(self, right: str) -> LineString:
        """The land part of the PRK–`right` boundary as one line from west/upstream to east.

        The land segment has small gaps (a 0.3 km estuary piece classed offshore near Dandong,
        a 1.4 km gap at 126.85°E); joining the parts in order bridges them with straight lines.
        """
        rows = self.osm_lines[(self.osm_lines.adm0_a3_r == right) & (self.osm_lines.segment == "land")]
        parts = sorted(_lines(_merged(rows.geometry.iloc[0])), key=lambda line: line.coords[0][0])
        return LineString([c for part in parts for c in part.coords])

    def osm_country(self, iso3: str) -> BaseGeometry:
        return self.osm_land[self.osm_land.adm0_a3 == iso3].geometry.iloc[0]

    def city(self, story_name: str) -> Point:
        return self.cities[self.cities.story_name == story_name].geometry.iloc[0]

    def city_source(self, story_name: str) -> str:
        """The reference key of the data a story city's point comes from."""
        row = self.cities[self.cities.story_name == story_name].iloc[0]
        return "geonames" if row.source.startswith("GeoNames") else "naturalearth"

    def province(self, point: Point) -> str | None:
        hit = self.admin1[self.admin1.contains(point)]
        return None if hit.empty else hit.name_en.iloc[0]


# --------------------------------------------------------------------------- features

def feature(fid, name, kind, description, sources, precision, geometry, ndigits, **extra) -> dict:
    props = {"id": fid, "name": name, "kind": kind, "description": description,
             "sources": sources, "precision": precision, **extra}
    return {"type": "Feature", "properties": props, "geometry": _geometry_json(geometry, ndigits)}


def split_border_rivers(shared: Shared) -> tuple[LineString, LineString, LineString]:
    """The PRK–CHN land boundary split into (Yalu, overland stretch at Paektu, Tumen in China)."""
    line = shared.osm_line("CHN")
    coords = list(line.coords)
    west, south, east, north = PAEKTU_WINDOW
    straight = [
        i for i in range(1, len(coords))
        if all(west <= x <= east and south <= y <= north for x, y in (coords[i - 1], coords[i]))
        and _segment_km(coords[i - 1], coords[i]) > STRAIGHT_RUN_KM
    ]
    if not straight:
        raise ValueError("no straight boundary run found near Mount Paektu")
    first, last = straight[0], straight[-1]
    return LineString(coords[:first]), LineString(coords[first - 1:last + 1]), LineString(coords[last:])


#: Around the China–North Korea border the basemap uses OpenStreetMap land, so that close-up
#: views of the Yalu and Tumen show the real banks, estuaries and reservoirs (degrees of buffer).
BORDER_ZONE_DEG = 0.35
BORDER_ZONE_TOLERANCE = 0.0005
#: Holes smaller than this (square degrees, about 10 km²) are filled in: small lakes would show as
#: stray triangles at this simplification, and snapping to the grid leaves cell-sized slivers.
MIN_HOLE = 1e-3


def _without_small_holes(geometry: BaseGeometry, min_area: float) -> BaseGeometry:
    polygons = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= min_area])
                for p in shapely.get_parts(geometry) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(polygons)


def border_zone(shared: Shared) -> BaseGeometry:
    """The band either side of the PRK–CHN and PRK–RUS boundary where OSM land replaces Natural Earth."""
    lines = shapely.union_all([shared.osm_line("CHN"), shared.osm_line("RUS")])
    return lines.buffer(BORDER_ZONE_DEG).intersection(shapely.box(*shared.osm_land.total_bounds))


def countries_layer(shared: Shared) -> list[dict]:
    """One simplified outline per country. Shared edges stay shared (coverage simplification);
    islands under 0.1 square degrees are dropped, except a country's largest polygon. Inside the
    border zone, China, North Korea and Russia take their OpenStreetMap outline instead."""
    tolerance, min_island = 0.05, 0.1
    keep = shared.countries[shared.countries["type"] != "Indeterminate"].sort_values("adm0_a3")
    simplified = shapely.coverage_simplify(keep.geometry.values, tolerance)
    zone = border_zone(shared)
    detailed = set(shared.osm_land.adm0_a3)
    features = []
    for (_, row), geom in zip(keep.iterrows(), simplified):
        iso3 = row.adm0_a3
        sources, ndigits = ["naturalearth"], 2
        geom = shapely.set_precision(geom, 0.01)  # neighbours' shared edges stay identical
        if iso3 in detailed:
            # Simplify before clipping, so the zone's edge is the same line on both sides of the seam.
            osm = shared.osm_country(iso3).simplify(BORDER_ZONE_TOLERANCE)
            geom = shapely.make_valid(shapely.union(geom.difference(zone), osm.intersection(zone)))
            sources, ndigits = ["naturalearth", "openstreetmap"], 4
        geom = _without_small_holes(geom, MIN_HOLE)
        polys = sorted((p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"), key=lambda p: -p.area)
        polys = [p for i, p in enumerate(polys) if i == 0 or p.area >= min_island]
        name = COUNTRY_NAMES.get(iso3, row["name"])
        features.append(feature(
            f"country-{iso3.lower()}", name, "country", f"{name} (basemap outline).",
            sources, "approximate", shapely.MultiPolygon(polys), ndigits, country=iso3))
    return features


WATER = [  # (id, NE name, display name, why it is on the map)
    ("water-supung", "Supung Reservoir", "Supung Reservoir", "Reservoir on the Yalu between China and North Korea."),
    ("water-khanka", "Lake Khanka", "Lake Khanka", "Lake on the China–Russia border, north of the Tumen."),
    ("water-nam-ngum", "Nam Ngum Reservoir", "Nam Ngum Reservoir", "Reservoir north of Vientiane, Laos."),
    ("water-tonle-sap", "Tonlé Sap", "Tonlé Sap", "The great lake of Cambodia, north-west of Phnom Penh."),
]


def water_layer(shared: Shared) -> list[dict]:
    features = []
    for fid, ne_name, name, description in WATER:
        geom = shared.lakes[shared.lakes.name == ne_name].geometry.iloc[0]
        features.append(feature(fid, name, "water", description + " Basemap outline.", ["naturalearth"],
                                "approximate", geom.simplify(0.005), 3))
    return features


def mekong_border_stretch(shared: Shared) -> BaseGeometry:
    """Natural Earth's Mekong where it lies within a few km of the Laos–Thailand boundary."""
    river = shapely.union_all(list(shared.rivers[shared.rivers.name_en == "Mekong"].geometry))
    to_m, to_deg = _projector("EPSG:4326", UTM_MEKONG), _projector(UTM_MEKONG, "EPSG:4326")
    corridor = to_m(shared.ne_boundary("LAO", "THA")).buffer(MEKONG_BORDER_BUFFER_M)
    stretch = _merged(to_m(river).intersection(corridor))
    return to_deg(MultiLineString([p for p in _lines(stretch) if p.length > 10_000]))


def rivers_layer(shared: Shared) -> list[dict]:
    yalu, _, tumen = split_border_rivers(shared)
    tumen = LineString(list(tumen.coords) + list(shared.osm_line("RUS").coords)[1:])
    osm = ["openstreetmap"]
    return [
        feature("mekong", "Mekong", "river",
                "The Mekong where it divides Laos from Thailand: from the Golden Triangle past Chiang "
                "Khong, and again from Chiang Khan past Vientiane to the south (Natural Earth 1:10m).",
                ["naturalearth"], "approximate", mekong_border_stretch(shared).simplify(0.001), 3),
        feature("tumen", "Tumen", "river",
                "The Tumen (Duman) from its headwaters east of Mount Paektu to the sea: the border "
                "between China and North Korea, then for its last 17 km between Russia and North Korea. "
                "Drawn from the OpenStreetMap boundary, which follows the river.",
                osm, "approximate", tumen.simplify(0.0005), 4, name_local="图们江 / 두만강"),
        feature("yalu", "Yalu", "river",
                "The Yalu (Amnok) from below Mount Paektu to the Yellow Sea at Dandong and Sinuiju: the "
                "western border between China and North Korea. Drawn from the OpenStreetMap boundary, "
                "which follows the river.",
                osm, "approximate", yalu.simplify(0.0005), 4, name_local="鸭绿江 / 압록강"),
    ]


NE_BORDERS = [  # (id, a, b): land borders the story crosses or shows, from Natural Earth
    ("border-cambodia-laos", "KHM", "LAO"),
    ("border-cambodia-thailand", "KHM", "THA"),
    ("border-china-laos", "CHN", "LAO"),
    ("border-china-mongolia", "CHN", "MNG"),
    ("border-china-myanmar", "CHN", "MMR"),
    ("border-china-russia", "CHN", "RUS"),
    ("border-china-vietnam", "CHN", "VNM"),
    ("border-laos-myanmar", "LAO", "MMR"),
    ("border-laos-thailand", "LAO", "THA"),
    ("border-myanmar-thailand", "MMR", "THA"),
    ("border-vietnam-cambodia", "VNM", "KHM"),
    ("border-vietnam-laos", "VNM", "LAO"),
]


def borders_layer(shared: Shared) -> list[dict]:
    features = [
        feature("border-china-north-korea", "China–North Korea border", "border",
                "The border between China and North Korea: down the Yalu, across Mount Paektu and its "
                "crater lake, and down the Tumen (OpenStreetMap).",
                ["openstreetmap"], "approximate", shared.osm_line("CHN").simplify(0.001), 4),
        feature("border-north-korea-russia", "North Korea–Russia border", "border",
                "The 17 km border between North Korea and Russia along the lower Tumen (OpenStreetMap).",
                ["openstreetmap"], "approximate", shared.osm_line("RUS").simplify(0.0005), 4),
        feature("border-north-korea-south-korea", "Military Demarcation Line", "border",
                "The Military Demarcation Line of the 1953 armistice between North and South Korea, "
                "the centre of the Demilitarized Zone (Natural Earth).",
                ["naturalearth"], "approximate", shared.ne_boundary("PRK", "KOR").simplify(0.002), 3),
    ]
    for fid, a, b in NE_BORDERS:
        name = f"{COUNTRY_NAMES[a]}–{COUNTRY_NAMES[b]} border"
        features.append(feature(fid, name, "border",
                                f"The land border between {COUNTRY_NAMES[a]} and {COUNTRY_NAMES[b]} (Natural Earth).",
                                ["naturalearth"], "approximate", shared.ne_boundary(a, b).simplify(0.004), 3))
    return sorted(features, key=lambda f: f["properties"]["id"])


def dmz_layer(shared: Shared) -> list[dict]:
    """2 km either side of the Military Demarcation Line, cut to the two Koreas' land."""
    to_m, to_deg = _projector("EPSG:4326", UTM_KOREA), _projector(UTM_KOREA, "EPSG:4326")
    mdl = to_m(shared.ne_boundary("PRK", "KOR"))
    koreas = shapely.union_all(list(shared.countries[shared.countries.adm0_a3.isin(["PRK", "KOR"])].geometry))
    zone = to_deg(mdl.buffer(DMZ_HALF_WIDTH_M, cap_style="flat")).intersection(koreas)
    return [feature("dmz", "Korean Demilitarized Zone", "region",
                    "The Demilitarized Zone between North and South Korea, drawn as 2 km either side of the "
                    "Military Demarcation Line; approximate.",
                    ["naturalearth"], "approximate", zone.simplify(0.002), 3)]


def _place_words(shared: Shared, story_name: str, iso3: str) -> str:
    province = shared.province(shared.city(story_name))
    parts = [story_name] + ([province] if province and province != story_name else []) + [COUNTRY_NAMES[iso3]]
    return ", ".join(parts)


#: (id, name, city, what, sources, start): the start is the year the sources date the site from.
#: Reuters (park-baptista-2024) names Dandong and Changchun among the new deportation centres of the
#: measures that "took effect since the COVID-19 pandemic" (2020); UPI (upi-2016), citing Newsis,
#: reported in September 2016 that a new detention centre had been built near Tumen.
SITES = [
    ("site-changchun", "Deportation centre at Changchun", "Changchun",
     "Deportation centre for North Koreans reported in 2024", ["park-baptista-2024"], 2020),
    ("site-dandong", "Deportation centre at Dandong", "Dandong",
     "Deportation centre for North Koreans reported in 2024", ["park-baptista-2024"], 2020),
    ("site-tumen", "Border detention centre at Tumen", "Tumen",
     "Border detention centre where North Koreans arrested in China are held before being handed "
     "back across the Tumen, reported in 2016", ["upi-2016"], 2016),
]


def sites_layer(shared: Shared) -> list[dict]:
    features = []
    for fid, name, city, what, sources, start in SITES:
        where = _place_words(shared, city, "CHN")
        features.append(feature(
            fid, name, "site",
            f"{what}, in {where}. The point marks the city, not the facility: the location is "
            f"approximate, at city level.",
            sources + [shared.city_source(city)], "approximate", shared.city(city), 4, country="CHN",
            start=start))
    return features


def fence_line(river: LineString, china: BaseGeometry, name: str) -> BaseGeometry:
    """The river line moved FENCE_OFFSET_M into China: the China-side edge of a flat-ended
    buffer around the line, cut to the OSM China land polygon (which also drops stretches over
    reservoirs), without the buffer's end caps. Pieces shorter than 2 km are dropped."""
    ring = river.buffer(FENCE_OFFSET_M, cap_style="flat").boundary
    ends = shapely.union_all([Point(river.coords[0]), Point(river.coords[-1])]).buffer(FENCE_OFFSET_M * 1.2)
    pieces = _lines(_merged(ring.intersection(china).difference(ends)))
    kept = [p.simplify(60) for p in pieces if p.length > 2_000]
    if not kept:
        raise ValueError(f"fence {name}: nothing left inside China")
    return MultiLineString(kept)


def _split_at_city(river: LineString, city: Point) -> tuple[LineString, LineString]:
    """The river cut where it passes the city: (upstream part, downstream part). The Yalu flows
    south-west, so the part whose middle lies further south-west is downstream. The 2006 fence
    was reported upstream of Dandong (Hushan), the 2024 sighting downstream (the estuary)."""
    at = river.project(city)
    first, second = substring(river, 0, at), substring(river, at, river.length)
    def south_west(line):
        middle = line.interpolate(0.5, normalized=True)
        return middle.x + middle.y
    return (first, second) if south_west(first) > south_west(second) else (second, first)


def fences_layer(shared: Shared) -> list[dict]:
    to_m, to_deg = _projector("EPSG:4326", UTM_KOREA), _projector(UTM_KOREA, "EPSG:4326")
    yalu, _, tumen = (to_m(line) for line in split_border_rivers(shared))
    china = to_m(shared.osm_country("CHN"))
    dandong = to_m(shared.city("Dandong")).buffer(DANDONG_FENCE_RADIUS_M)
    near_dandong = max(_lines(yalu.intersection(dandong)), key=lambda line: line.length)
    upstream, downstream = _split_at_city(near_dandong, to_m(shared.city("Dandong")))
    note = " Schematic: drawn about 400 m inside China along the river, not the fence's course on the ground."
    return [
        feature("fence-2006-dandong", "Border fence of 2006 near Dandong", "fence",
                "From October 2006, after North Korea's first nuclear test, soldiers put up concrete posts "
                "2.5 to 4 m tall strung with barbed wire along stretches of the Yalu near Dandong, the "
                "Associated Press reported; a Seoul analyst it quoted said wire fencing on the main crossing "
                "routes along the Tumen had begun in 2003." + note,
                ["ap-2006", "openstreetmap"], "schematic", to_deg(fence_line(upstream, china, "dandong")), 4,
                start=2006),
        feature("fence-2024-tumen", "Fencing and surveillance on the Tumen since the pandemic", "fence",
                "Reuters reported in 2024 that China had added cameras and boat patrols along the border since "
                "the Covid-19 pandemic, and especially from 2023; NK News published photographs from autumn "
                "2023 of new barbed-wire fencing along parts of the Tumen where none had stood. The reports do "
                "not say which stretches are fenced: the line follows the whole Chinese bank and does not mean "
                "that all of it is fenced." + note,
                ["park-baptista-2024", "nknews-2023", "openstreetmap"], "schematic",
                to_deg(fence_line(tumen, china, "tumen")), 4, start=2023),
        feature("fence-2024-yalu", "Fences on the Yalu near Dandong, seen in 2024", "fence",
                "In October 2024 a Chosun Ilbo correspondent near Dandong saw three layers of fencing along "
                "the Yalu, two of them Chinese and one North Korean, with Chinese and North Korean cameras "
                "facing each other; a local source said border control there had tightened from 2023. The "
                "report describes this stretch, not the whole river." + note,
                ["chosun-ilbo-2024", "park-baptista-2024", "openstreetmap"], "schematic",
                to_deg(fence_line(downstream, china, "yalu")), 4, start=2023),
    ]


def crossings_layer(shared: Shared) -> list[dict]:
    """The border posts. None carries years: the Friendship Bridge at Dandong was finished in May
    1943 (wikipedia-friendship-bridge), before the story's time range (1950 on), and the sources of
    the other three give no year the crossing opened (at Huay Xai the boats are older than the
    bridge of 2013), so the map by year shows them in every period."""
    china = shared.osm_country("CHN")

    def chinese_end(lonlat):
        point = Point(lonlat)
        return point if china.contains(point) else nearest_points(china, point)[0]

    return [
        feature("crossing-dandong-sinuiju", "Sino-Korean Friendship Bridge", "crossing",
                "The road and rail bridge across the Yalu between Dandong, China, and Sinuiju, North "
                "Korea. The point marks the Chinese end of the bridge, approximately.",
                ["wikipedia-friendship-bridge", "openstreetmap"], "approximate",
                chinese_end(FRIENDSHIP_BRIDGE), 4, country="CHN", name_local="中朝友谊桥"),
        feature("crossing-huay-xai-chiang-khong", "Huay Xai–Chiang Khong crossing", "crossing",
                "The Mekong crossing between Huay Xai, Laos, and Chiang Khong, Thailand, by boat and "
                "since 2013 by the Fourth Thai–Lao Friendship Bridge a few km downstream. The point "
                "marks Huay Xai town in Laos: approximate.",
                ["naturalearth"], "approximate", shared.city("Huay Xai"), 4, country="LAO"),
        feature("crossing-mohan-boten", "Mohan–Boten crossing", "crossing",
                "The main road and rail crossing between China (Mohan, Yunnan) and Laos (Boten); Mohan "
                "is the largest land port on the China–Laos border. The shared data has no point for "
                "Mohan, so the point marks Boten, Laos, about 3 km south of the border: approximate.",
                ["xinhua-2023", "geonames"], "approximate", shared.city("Boten"), 4, country="LAO"),
        feature("crossing-tumen-namyang", "Tumen–Namyang bridge", "crossing",
                "The road bridge across the Tumen between Tumen, China, and Namyang, North Korea. The "
                "Human Rights Foundation reported that the returns of 9 October 2023 went through Tumen, "
                "among other border towns; it does not name this bridge. The point marks the Chinese end "
                "of the bridge, approximately.",
                ["hrf-2023", "wikimapia-tumen-bridge", "openstreetmap"], "approximate",
                chinese_end(TUMEN_BRIDGE), 4, country="CHN", name_local="图们国境大桥"),
    ]


#: Names in the local script for the Chinese cities. Natural Earth's name_zh is used where it is
#: the mainland (simplified) form; Shenyang's is traditional (瀋陽) and Hunchun and Jinghong
#: have none, so those are given here.
CHINESE_NAMES = {"Shenyang": "沈阳", "Hunchun": "珲春", "Jinghong": "景洪"}


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def cities_layer(shared: Shared) -> list[dict]:
    """The story's cities in the order of story_cities (its main cities first): where names would
    overlap on the map, the earlier one keeps its label."""
    features = []
    for _, row in shared.cities.iterrows():
        source = "geonames" if row.source.startswith("GeoNames") else "naturalearth"
        iso3 = row.adm0_a3
        extra = {"country": iso3}
        if iso3 == "CHN":
            extra["name_local"] = CHINESE_NAMES.get(row.story_name, row.name_zh)
        features.append(feature(
            f"city-{_slug(row.story_name)}", row.story_name, "city",
            f"{_place_words(shared, row.story_name, iso3)}. City centre point (approximate).",
            [source], "approximate", row.geometry, 4, **extra))
    return features


def build(shared: Shared) -> dict[str, list[dict]]:
    """Every layer by id (its path under layers/ without .geojson)."""
    layers = {
        "basemap/countries": countries_layer(shared),
        "basemap/water": water_layer(shared),
        "borders": borders_layer(shared),
        "cities": cities_layer(shared),
        "crossings": crossings_layer(shared),
        "dmz": dmz_layer(shared),
        "fences": fences_layer(shared),
        "rivers": rivers_layer(shared),
        "sites": sites_layer(shared),
    }
    return layers


# --------------------------------------------------------------------------- output

def validate(layers: dict[str, list[dict]]) -> None:
    """Schema check of every feature and a check that ids are unique across all layers."""
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    seen: dict[str, str] = {}
    errors = []
    for layer_id, features in layers.items():
        for feat in features:
            fid = feat["properties"]["id"]
            errors += [f"{layer_id}/{fid}: {e.message}" for e in validator.iter_errors(feat)]
            if fid in seen:
                errors.append(f"{layer_id}/{fid}: id also used in {seen[fid]}")
            seen[fid] = layer_id
    if errors:
        raise SystemExit("derived layers do not match layers/feature.schema.json:\n" + "\n".join(errors))


def dumps(features: list[dict]) -> str:
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def write(layers: dict[str, list[dict]], out: Path) -> list[Path]:
    paths = []
    for layer_id, features in layers.items():
        path = out / f"{layer_id}.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(features), encoding="utf-8")
        paths.append(path)
    return paths


def derive(shared: Path = DEFAULT_SHARED, out: Path = REPO / LAYERS) -> list[Path]:
    layers = build(Shared(shared))
    validate(layers)
    return write(layers, out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder holding data/ (default ../shared)")
    parser.add_argument("--out", type=Path, default=REPO / LAYERS, help="layers folder to write (default layers/)")
    args = parser.parse_args(argv)
    for path in derive(args.shared, args.out):
        print(path)


if __name__ == "__main__":
    main()
