"""Geodesic measures on the WGS84 ellipsoid (pyproj), shared by every stage."""
from __future__ import annotations

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

WGS84 = Geod(ellps="WGS84")

#: The story's region (lon/lat): the border rivers down to Bangkok, Mongolia to the Gulf of Thailand.
#: Matches the clip box of ../shared/data/naturalearth.
REGION = (90.0, 5.0, 135.0, 50.0)  # west, south, east, north


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Length of a (multi)line along the ellipsoid, in kilometres."""
    return WGS84.geometry_length(geometry) / 1000.0


def in_region(lon: float, lat: float) -> bool:
    west, south, east, north = REGION
    return west <= lon <= east and south <= lat <= north
