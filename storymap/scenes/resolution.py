"""Per-use simplification: each map view gets geometry as detailed as its zoom can show, no more.

A chapter's map opens with every layer simplified for its opening view (the overview). A step
that zooms in further gets a *detail* payload: for each line or area that crosses the step's
surroundings, a composite geometry, detailed inside that region and as in the overview outside
it, so the feature stays whole if the reader pans away. Points never change.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from . import projection
from ..core.geo import REGION

#: The map pane of a typical desktop layout, for estimating the zoom a fitted bounds view gets.
MAP_PIXELS = (880, 780)
#: Simplify to this fraction of a screen pixel at the view's zoom (Leaflet itself smooths lines at 1 px).
PIXEL_FRACTION = 1.0
#: How far around a step's view its detail reaches (fraction of the view's size on each side).
DETAIL_MARGIN = 0.5
#: How far beyond its views a chapter's map reaches (fraction of the views' extent on each side).
CHAPTER_MARGIN = 1.0
#: A step needs its own detail when it zooms in this much further than the overview.
DETAIL_ZOOM_STEP = 1.5
#: The overview is never more detailed than this zoom (close-up steps load detail instead).
OVERVIEW_MAX_ZOOM = 7.0


def view_zoom(view: dict) -> float:
    """The zoom Leaflet shows a view at on the typical map pane."""
    return projection.view_zoom(view, *MAP_PIXELS)


def view_box(view: dict) -> tuple[float, float, float, float]:
    """(west, south, east, north) the view covers on the typical map pane."""
    return projection.view_lonlat_box(view, *MAP_PIXELS)


def detail_region(view: dict) -> BaseGeometry:
    west, south, east, north = view_box(view)
    dx, dy = (east - west) * DETAIL_MARGIN, (north - south) * DETAIL_MARGIN
    return box(west - dx, south - dy, east + dx, north + dy)


def chapter_extent(views: list[dict]) -> tuple[float, float, float, float]:
    """(west, south, east, north) a chapter's map draws: its views with a wide margin, inside the
    story's region. Nothing beyond it is sent: a reader who pans that far is far from the story."""
    boxes = [view_box(v) for v in views]
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    dx, dy = (east - west) * CHAPTER_MARGIN, (north - south) * CHAPTER_MARGIN
    r_west, r_south, r_east, r_north = REGION
    return (max(west - dx, r_west), max(south - dy, r_south), min(east + dx, r_east), min(north + dy, r_north))


def tolerance(zoom: float) -> float:
    """Degrees of simplification invisible at this zoom."""
    return PIXEL_FRACTION * projection.pixel_degrees(zoom)


def reduce(geometry: BaseGeometry, tol: float) -> BaseGeometry:
    """Simplified for tolerance `tol`, areas smaller than a few pixels dropped, coordinates rounded."""
    if geometry.geom_type == "Point":
        return geometry
    shape = geometry.simplify(tol, preserve_topology=True)
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        parts = [p for p in shapely.get_parts(shape) if p.area >= (4 * tol) ** 2]
        shape = shapely.MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else shape)
    digits = max(1, math.ceil(-math.log10(tol)))
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        shape = shapely.set_precision(shape, 10.0 ** -digits)  # snaps to the grid, keeping rings valid
    # Rounding again writes each coordinate with its shortest decimal form.
    return shapely.transform(shape, lambda coords: np.round(coords, digits))


def clip(geometry: BaseGeometry, area: BaseGeometry) -> BaseGeometry:
    """The part of a line or area inside `area` (points are kept whole)."""
    if geometry.geom_type == "Point" or area.contains(geometry):
        return geometry
    return _like(geometry.intersection(area), shapely.get_dimensions(geometry))


def _like(shape: BaseGeometry, dimension: int) -> BaseGeometry:
    """Only the parts of `shape` of the given dimension (clipping can leave stray points or lines)."""
    parts = [p for p in shapely.get_parts(shape) if shapely.get_dimensions(p) == dimension]
    return shapely.union_all(parts) if parts else shapely.GeometryCollection()


def composite(full: BaseGeometry, overview: BaseGeometry, region: BaseGeometry, tol: float) -> BaseGeometry:
    """Detailed inside `region`, as in the overview outside it."""
    dimension = shapely.get_dimensions(full)
    inside = _like(reduce(full.intersection(region), tol), dimension)
    outside = _like(overview.difference(region), dimension)
    return shapely.union(inside, outside)
