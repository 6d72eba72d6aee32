"""Web Mercator in one place (storymap/scenes/projection.py): the static maps show what Leaflet shows,
steps get the zoom Leaflet gives them, and detail covers what a step's view shows."""
from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point

from storymap.scenes.projection import (inverse_mercator, mercator, metres_per_pixel, project, view_extent,
                                 view_lonlat_box, view_zoom)

TOLERANCE_M = 1e-6


def test_bounds_are_fitted_like_leaflet_fit_bounds():
    view = {"bounds": [[39.7, 124.0], [43.2, 131.0]]}
    xmin, ymin, xmax, ymax = view_extent(view, 1200, 578)
    (x0, y0), (x1, y1) = mercator(124.0, 39.7), mercator(131.0, 43.2)
    assert xmin <= x0 + TOLERANCE_M and x1 <= xmax + TOLERANCE_M
    assert ymin <= y0 + TOLERANCE_M and y1 <= ymax + TOLERANCE_M
    assert math.isclose((xmax - xmin) / (ymax - ymin), 1200 / 578)
    assert math.isclose(xmax - xmin, x1 - x0) or math.isclose(ymax - ymin, y1 - y0)


def test_centre_and_zoom_use_web_mercator_tiles():
    xmin, _, xmax, _ = view_extent({"center": [40.1, 124.4], "zoom": 11}, 1200, 578)
    assert math.isclose(xmax - xmin, 1200 * metres_per_pixel(11))
    # a 256-px tile spans 360 / 2**zoom degrees of longitude
    assert math.isclose(256 * metres_per_pixel(3), mercator(45, 0)[0] - mercator(0, 0)[0])


def test_mercator_round_trips_and_matches_epsg_3857():
    assert mercator(0, 0) == pytest.approx((0, 0), abs=1e-6)
    assert mercator(180, 0)[0] == pytest.approx(20037508.342789244)
    lon, lat = inverse_mercator(*mercator(124.4, 40.1))
    assert (lon, lat) == pytest.approx((124.4, 40.1))


def test_project_moves_every_vertex_as_mercator_does():
    line, point = project([LineString([(124.0, 39.7), (131.0, 43.2)]), Point(124.4, 40.1)])
    assert list(line.coords)[1] == pytest.approx(mercator(131.0, 43.2))
    assert (point.x, point.y) == pytest.approx(mercator(124.4, 40.1))


def test_a_view_keeps_its_zoom_and_bounds_get_the_zoom_that_fits_them():
    assert view_zoom({"center": [40.1, 124.4], "zoom": 11}, 880, 780) == 11
    world = view_zoom({"bounds": [[-60, -180], [60, 180]]}, 512, 512)
    assert world == 1.0, "360 degrees fit 512 px at zoom 1"
    snapped = view_zoom({"bounds": [[39.7, 124.0], [43.2, 131.0]]}, 880, 780)
    assert snapped * 4 == int(snapped * 4), "zooms snap to Leaflet's 0.25"
    wider = view_zoom({"bounds": [[30.0, 110.0], [45.0, 135.0]]}, 880, 780)
    assert wider < snapped


def test_a_centred_view_covers_what_its_zoom_shows_around_the_centre():
    west, south, east, north = view_lonlat_box({"center": [40.1, 124.4], "zoom": 8}, 880, 780)
    assert west < 124.4 < east and south < 40.1 < north
    assert east - west == pytest.approx(880 * 360 / (256 * 2 ** 8))
    assert (north - 40.1) < (40.1 - south), "Mercator stretches the north of a view less than its south"
    assert view_lonlat_box({"bounds": [[39.7, 124.0], [43.2, 131.0]]}, 880, 780) == (124.0, 39.7, 131.0, 43.2)
