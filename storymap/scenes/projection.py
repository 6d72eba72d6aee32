"""Web Mercator (EPSG:3857), the projection of the Leaflet map: the one place it is computed
(with pyproj).

The static maps draw in it, the detail and the chapter's extent are cut to the part of the map a
view shows, and a step's zoom is the zoom Leaflet fits its bounds at. A view is a step's view as
story.js reads it: {"bounds": [[south, west], [north, east]]} or {"center": [lat, lon], "zoom": z}.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import Transformer

#: The sphere's radius in metres, the tile size in pixels, the latitude limit of EPSG:3857.
EARTH_RADIUS_M = 6378137.0
TILE_PX = 256
MAX_LAT = 85.0511287798
#: Leaflet's zoomSnap on the story's maps: fitted zooms are multiples of this.
ZOOM_SNAP = 0.25


#: pyproj's transformations between longitude/latitude (EPSG:4326) and Web Mercator metres.
_FORWARD = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_INVERSE = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:4326 longitude/latitude -> EPSG:3857 metres."""
    return _FORWARD.transform(lon, max(-MAX_LAT, min(MAX_LAT, lat)))


def inverse_mercator(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres -> EPSG:4326 longitude/latitude."""
    return _INVERSE.transform(x, y)


def project(geometries) -> np.ndarray:
    """Shapely geometries in longitude/latitude -> the same in EPSG:3857 metres (an array)."""
    return shapely.transform(np.asarray(geometries, dtype=object),
                             lambda coords: np.column_stack(_FORWARD.transform(coords[:, 0], coords[:, 1])))


def metres_per_pixel(zoom: float) -> float:
    """Web Mercator metres per pixel at a zoom level (a 256-px tile spans 360/2**zoom degrees)."""
    return 2 * math.pi * EARTH_RADIUS_M / (TILE_PX * 2 ** zoom)


def _fitted_scale(view: dict, width_px: float, height_px: float) -> tuple[float, float, float]:
    """(centre x, centre y, metres per pixel) of a bounds view fitted whole into the map."""
    (south, west), (north, east) = view["bounds"]
    x0, y0 = mercator(west, south)
    x1, y1 = mercator(east, north)
    return (x0 + x1) / 2, (y0 + y1) / 2, max((x1 - x0) / width_px, (y1 - y0) / height_px)


def view_extent(view: dict, width_px: float, height_px: float) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) in EPSG:3857 that a map of this size shows for a view.

    Bounds are fitted like Leaflet's fitBounds: the whole box is shown, centred, and the shorter
    side grows to the map's aspect ratio. A centre and zoom give the extent of that zoom level.
    """
    if "bounds" in view:
        cx, cy, scale = _fitted_scale(view, width_px, height_px)
    else:
        lat, lon = view["center"]
        cx, cy = mercator(lon, lat)
        scale = metres_per_pixel(view["zoom"])
    half_w, half_h = width_px * scale / 2, height_px * scale / 2
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def view_zoom(view: dict, width_px: float, height_px: float) -> float:
    """The zoom Leaflet shows a view at on a map of this size: its own zoom, or the zoom that
    fits its bounds (snapped down to ZOOM_SNAP)."""
    if "zoom" in view:
        return float(view["zoom"])
    _, _, scale = _fitted_scale(view, width_px, height_px)
    zoom = math.log2(2 * math.pi * EARTH_RADIUS_M / (TILE_PX * scale))
    return math.floor(zoom / ZOOM_SNAP) * ZOOM_SNAP


def view_lonlat_box(view: dict, width_px: float, height_px: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees that a view covers: its bounds as given, or what a
    map of this size shows around its centre at its zoom."""
    if "bounds" in view:
        (south, west), (north, east) = view["bounds"]
        return west, south, east, north
    x0, y0, x1, y1 = view_extent(view, width_px, height_px)
    west, south = inverse_mercator(x0, y0)
    east, north = inverse_mercator(x1, y1)
    return west, south, east, north


def pixel_degrees(zoom: float) -> float:
    """Degrees of longitude one screen pixel spans at this zoom."""
    return 360 / (TILE_PX * 2 ** zoom)

