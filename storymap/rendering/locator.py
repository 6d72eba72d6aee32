"""The small locator inset: an inline SVG of the whole story region, on which story.js draws
the current map view as a rectangle. Made at build time from the basemap, so it costs no request."""
from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from ..core.geo import REGION
from ..inputs.layers import Layer

#: Pixels per degree of longitude in the inset; latitude is stretched Mercator-like at mid-region.
SCALE = 2.4
SIMPLIFY_DEG = 0.4


@dataclass(frozen=True)
class Inset:
    width: float
    height: float
    paths: tuple[str, ...]
    region: tuple[float, float, float, float]
    scale: float


def _path(geometry: BaseGeometry) -> str:
    west, _, _, north = REGION
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        coords = polygon.exterior.coords
        points = " ".join(f"{(x - west) * SCALE:.1f},{(north - y) * SCALE:.1f}" for x, y in coords)
        parts.append(f"M{points}Z")
    return "".join(parts)


def build_inset(layers: list[Layer]) -> Inset:
    """Outline of every basemap country inside the region, simplified to inset scale."""
    region_box = box(*REGION)
    paths = []
    for layer in layers:
        if layer.group != "basemap":
            continue
        for feature in layer.features:
            if feature["kind"] != "country":
                continue
            shape = feature["geometry"].intersection(region_box).simplify(SIMPLIFY_DEG)
            if not shape.is_empty and shape.geom_type in ("Polygon", "MultiPolygon"):
                paths.append(_path(shape))
    west, south, east, north = REGION
    return Inset((east - west) * SCALE, (north - south) * SCALE, tuple(paths), REGION, SCALE)
