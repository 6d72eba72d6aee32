"""Per-view simplification: each view gets geometry as detailed as its zoom can show, no more."""
from __future__ import annotations

import math

import shapely
from shapely.geometry import LineString, Point, box

from storymap.core.geo import REGION
from storymap.scenes.resolution import chapter_extent, clip, composite, detail_region, reduce, tolerance, view_box

WIGGLY = LineString([(124.0 + i * 0.001, 40.0 + 0.0004 * math.sin(i)) for i in range(2000)])


def test_a_zoom_level_in_halves_the_tolerance():
    assert math.isclose(tolerance(8), tolerance(7) / 2)


def test_reduce_drops_what_the_zoom_cannot_show_and_rounds_coordinates():
    coarse, fine = reduce(WIGGLY, tolerance(6)), reduce(WIGGLY, tolerance(14))
    assert len(coarse.coords) < 10 < len(fine.coords)
    assert all(len(repr(x).split(".")[-1]) <= 3 for x, _ in coarse.coords), "rounded to the tolerance"
    assert reduce(Point(124.123456, 40.654321), tolerance(6)) == Point(124.123456, 40.654321), "points never change"


def test_reduce_keeps_areas_valid_and_drops_specks():
    islands = shapely.MultiPolygon([box(120, 30, 125, 35), box(126, 30, 126.001, 30.001)])
    reduced = reduce(islands, tolerance(5))
    assert reduced.is_valid and reduced.geom_type == "Polygon", "the speck is smaller than a few pixels"


def test_clip_keeps_points_and_cuts_lines_to_the_area():
    area = box(124.5, 39, 125.5, 41)
    assert clip(Point(0, 0), area) == Point(0, 0)
    clipped = clip(WIGGLY, area)
    assert clipped.geom_type in ("LineString", "MultiLineString") and area.buffer(1e-9).contains(clipped)


def test_composite_is_detailed_inside_the_region_and_as_the_overview_outside():
    overview = reduce(WIGGLY, tolerance(5))
    region = box(124.5, 39, 125.0, 41)
    mixed = composite(WIGGLY, overview, region, tolerance(14))
    inside, outside = mixed.intersection(region), mixed.difference(region.buffer(1e-6))
    assert len(shapely.get_coordinates(inside)) > 100, "detailed inside"
    assert len(shapely.get_coordinates(outside)) < 20, "as coarse as the overview outside"
    assert mixed.length > 0.99 * overview.length, "the feature stays whole"


def test_detail_reaches_beyond_the_view_and_the_chapter_stays_inside_the_region():
    view = {"center": [40.1, 124.4], "zoom": 11}
    west, south, east, north = view_box(view)
    assert detail_region(view).contains(box(west, south, east, north))
    assert chapter_extent([{"bounds": [[5.0, 90.0], [50.0, 135.0]]}]) == REGION
