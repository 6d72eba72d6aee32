"""Static PNG maps of the chapters and steps, for printing and for link previews (Open Graph).

Drawn with matplotlib (the Agg canvas, no pyplot: headless, no global state) from the same
layers and the same style table (storymap.kinds) as the interactive Leaflet map, in Web Mercator
(storymap.projection) so that they look like it: the basemap, then the scene's layers, faded
where the step does not talk about them, highlighted features thicker and with a soft shadow, city names with a
white halo, a legend, a scale bar, the credits the data's licences require and a title strip.

Every image is deterministic: fixed size, dpi and font (DejaVu Sans, which ships with
matplotlib), no timestamp or software version in the PNG, so two builds give the same bytes.
Geometries are projected once per layer, then clipped to the view and simplified to its pixel
size before drawing, which keeps one image well under half a second.
"""
from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass

import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from PIL import Image
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from .flows import corridor_label
from .geo import REGION
from .layers import Layer
from .licences import credit_line
from .projection import inverse_mercator, mercator, project, view_extent
from .scenes import BASEMAP_GROUP, ChapterScene
from .kinds import FADED_OPACITY, HIGHLIGHT_WEIGHT_FACTOR, KINDS, LABEL, LINE_KINDS, POINT_KINDS, SEA

#: Open Graph preview size (and the default size of every static map), in pixels.
WIDTH_PX = 1200
HEIGHT_PX = 630
#: Pixels per inch of the rendering: 1 px of a Leaflet style is 1 px of the PNG.
DPI = 100
#: Height of the title strip above the map, in pixels.
TITLE_STRIP_PX = 52
FONT = "DejaVu Sans"
PNG_COMPRESS_LEVEL = 6
SITE_NAME = "BETWEEN BORDERS"

PAPER = "#fbfaf7"
INK = "#1f1e1b"
MUTED = "#6b675e"
RULE = "#ddd8cc"
HALO = "#ffffff"

#: Holes in areas narrower than this (mean width, pixels) are not drawn.
MIN_HOLE_PX = 1.5

_PT = 72.0 / DPI  # points per pixel


def px(value: float) -> float:
    """Pixels (as Leaflet styles give them) in points (as matplotlib wants them)."""
    return value * _PT


# --- layers, projected once ----------------------------------------------------------------------

_PROJECTED: dict[int, tuple[Layer, np.ndarray]] = {}


def _projected(layer: Layer) -> np.ndarray:
    """The layer's geometries in EPSG:3857 (an array of shapely geometries), cached per layer object."""
    cached = _PROJECTED.get(id(layer))
    if cached is not None and cached[0] is layer:
        return cached[1]
    geometries = project([f["geometry"] for f in layer.features])
    if len(_PROJECTED) > 256:
        _PROJECTED.clear()
    _PROJECTED[id(layer)] = (layer, geometries)
    return geometries


@dataclass
class _Drawn:
    """A feature prepared for drawing: clipped to the view and simplified to its pixel size."""

    layer: Layer
    feature: dict
    geometry: BaseGeometry
    style: dict
    faded: bool
    highlighted: bool


def _prepare(scene_layers: list[Layer], extent, scale: float, layers_forward, highlight,
             route_colours: dict[str, str]) -> list[_Drawn]:
    xmin, ymin, xmax, ymax = extent
    margin = 40 * scale
    window = (xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    drawn = []
    for layer in scene_layers:
        geometries = _projected(layer)
        inside = shapely.intersects(geometries, box(*window))
        if not inside.any():
            continue
        clipped = shapely.clip_by_rect(geometries, *window)
        # Exteriors counter-clockwise, holes clockwise, after clipping (which may turn rings):
        # matplotlib fills with the non-zero rule, so a hole turned the wrong way would be filled.
        simple = shapely.orient_polygons(shapely.simplify(clipped, scale * 0.5, preserve_topology=True))
        basemap = layer.group == BASEMAP_GROUP
        for feature, geometry, hit in zip(layer.features, simple, inside):
            if not hit or geometry is None or geometry.is_empty:
                continue
            style = dict(KINDS[feature["kind"]].style)
            if feature["kind"] == "route" and layer.id in route_colours:
                style["color"] = route_colours[layer.id]
            if "colour" in feature:  # a leg of the flow map: its corridor's colour, its routes' width
                style.update(color=feature["colour"], weight=feature["weight"])
            drawn.append(_Drawn(layer, feature, geometry, style,
                                faded=not basemap and layer.id not in layers_forward,
                                highlighted=feature["id"] in highlight))
    return drawn


# --- drawing -------------------------------------------------------------------------------------

def _visible_ring(ring, min_width: float) -> bool:
    """Whether a hole is wide enough to see (mean width 2·area/perimeter, in map units)."""
    area = shapely.area(shapely.Polygon(ring))
    return ring.length > 0 and 2 * area / ring.length >= min_width


def _polygon_path(geometry: BaseGeometry, min_hole_width: float = 0.0) -> MplPath:
    """A compound path of the polygons; holes thinner than min_hole_width are left out (slivers
    where two sources of an outline meet would otherwise be drawn as stray strokes)."""
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        holes = [ring for ring in polygon.interiors if _visible_ring(ring, min_hole_width)]
        for ring in (polygon.exterior, *holes):
            coords = np.asarray(ring.coords)[:, :2]
            codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
            codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            parts.append(MplPath(coords, codes))
    return MplPath.make_compound_path(*parts) if parts else MplPath(np.zeros((0, 2)))


def _line_parts(geometry: BaseGeometry) -> list[np.ndarray]:
    if geometry.geom_type == "LineString":
        return [np.asarray(geometry.coords)[:, :2]]
    if hasattr(geometry, "geoms"):
        return [part for g in geometry.geoms for part in _line_parts(g)]
    return []


def _dashes(style: dict):
    if "dashArray" not in style:
        return "solid"
    return (0, tuple(px(float(v)) for v in style["dashArray"].split()))


def _shadow(width_pt: float) -> list:
    """A soft dark halo under highlighted features, like the page's CSS drop-shadow."""
    return [patheffects.Stroke(linewidth=width_pt + px(3), foreground=(0, 0, 0, 0.12)),
            patheffects.Stroke(linewidth=width_pt + px(1.5), foreground=(0, 0, 0, 0.15)),
            patheffects.Normal()]


def _groups(items: list[_Drawn]) -> list[list[_Drawn]]:
    """The items in runs that share one look (kind, colour, faded, highlighted), in drawing order:
    one matplotlib collection per run keeps the number of artists, and the time, small."""
    groups: dict[tuple, list[_Drawn]] = {}
    for item in items:
        key = (item.feature["kind"], item.style["color"], item.style.get("weight"), item.faded, item.highlighted)
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def _look(item: _Drawn) -> tuple[dict, float, float]:
    """(style, opacity factor, weight in px) of an item: faded items fade, highlighted ones thicken."""
    style = item.style
    weight = style.get("weight", 0) * (HIGHLIGHT_WEIGHT_FACTOR if item.highlighted else 1)
    return style, FADED_OPACITY if item.faded else 1.0, weight


def _draw_areas(ax, items: list[_Drawn], zorder: float, min_hole_width: float) -> None:
    for group in _groups(items):
        style, dim, weight = _look(group[0])
        collection = PathCollection(
            [_polygon_path(item.geometry, min_hole_width) for item in group],
            facecolors=[matplotlib.colors.to_rgba(style.get("fillColor", style["color"]),
                                                  style.get("fillOpacity", 0.2) * dim)],
            edgecolors=[matplotlib.colors.to_rgba(style["color"], style.get("opacity", 1.0) * dim)],
            linewidths=[px(weight)], linestyles=[_dashes(style)], zorder=zorder)
        collection.set_joinstyle("round")
        ax.add_collection(collection, autolim=False)


def _draw_lines(ax, items: list[_Drawn], zorder: float) -> None:
    for group in _groups(items):
        style, dim, weight = _look(group[0])
        collection = LineCollection(
            [part for item in group for part in _line_parts(item.geometry)],
            colors=[matplotlib.colors.to_rgba(style["color"], style.get("opacity", 1.0) * dim)],
            linewidths=[px(weight)], linestyles=[_dashes(style)], zorder=zorder)
        collection.set_capstyle("round")
        collection.set_joinstyle("round")
        if group[0].highlighted:
            collection.set_path_effects(_shadow(px(weight)))
        ax.add_collection(collection, autolim=False)


def _draw_points(ax, items: list[_Drawn], zorder: float) -> None:
    for group in _groups(items):
        style, dim, weight = _look(group[0])
        artist = ax.scatter(
            [item.geometry.x for item in group], [item.geometry.y for item in group],
            s=px(2 * style["radius"]) ** 2, marker="o",
            facecolors=[matplotlib.colors.to_rgba(style["fillColor"], style.get("fillOpacity", 1) * dim)],
            edgecolors=[matplotlib.colors.to_rgba(style["color"], style.get("opacity", 1) * dim)],
            linewidths=px(weight), zorder=zorder)
        if group[0].highlighted:
            artist.set_path_effects([patheffects.withStroke(linewidth=px(weight + 3), foreground=(0, 0, 0, 0.25)),
                                     patheffects.Normal()])


def _veil_outside_region(ax, extent) -> None:
    """Cover what lies beyond the story's region (where the layers stop) with the paper colour and
    edge it with a rule, so a wide view shows a framed map instead of cut-off coastlines."""
    west, south, east, north = REGION
    x0, y0 = mercator(west, south)
    x1, y1 = mercator(east, north)
    region = box(x0, y0, x1, y1)
    outside = box(*extent).difference(region)
    if outside.is_empty:
        return
    ax.add_collection(PathCollection([_polygon_path(outside)], facecolors=[PAPER], edgecolors=["none"],
                                     zorder=15), autolim=False)
    ax.add_collection(PathCollection([_polygon_path(region.intersection(box(*extent)))], facecolors=["none"],
                                     edgecolors=[RULE], linewidths=[px(1.5)], zorder=15), autolim=False)


# --- labels --------------------------------------------------------------------------------------

class _Placer:
    """Greedy label placement: each label takes the first of its candidate spots that is free."""

    def __init__(self, ax, renderer, frame):
        self.ax, self.renderer, self.frame = ax, renderer, frame
        self.taken: list = []

    def block(self, bbox) -> None:
        self.taken.append(bbox)

    def place(self, candidates, text: str, *, force: bool, **kwargs):
        """Try each (x, y, ha, va, dx_px, dy_px); keep the first that is free and inside the frame."""
        first = None
        for x, y, ha, va, dx, dy in candidates:
            artist = self.ax.annotate(text, (x, y), xytext=(px(dx), px(dy)), textcoords="offset points",
                                      ha=ha, va=va, annotation_clip=False, **kwargs)
            bbox = artist.get_window_extent(self.renderer).expanded(1.04, 1.15)
            fits = (self.frame.contains(bbox.x0, bbox.y0) and self.frame.contains(bbox.x1, bbox.y1)
                    and not any(bbox.overlaps(other) for other in self.taken))
            if fits:
                if first is not None:
                    first.remove()
                self.taken.append(bbox)
                return artist
            if force and first is None:
                first = artist
                continue
            artist.remove()
        if first is not None:
            self.taken.append(first.get_window_extent(self.renderer))
        return first


def _halo(width: float = 3.0) -> list:
    return [patheffects.withStroke(linewidth=px(width), foreground=HALO)]


def _point_labels(placer: _Placer, points: list[_Drawn], lines: list[_Drawn], scale: float) -> None:
    """City names beside their points (as the map's permanent tooltips), and the names of the
    highlighted sites and crossings, which the interactive map shows on hover. Where names would
    collide, the highlighted ones win, then the places on the highlighted lines (a route's stops),
    then the step's other places; faded places are named only where there is room."""
    highlighted_lines = [item.geometry for item in lines if item.highlighted]
    near = shapely.union_all(highlighted_lines).buffer(4 * scale) if highlighted_lines else None

    def rank(item: _Drawn):
        on_line = near is not None and near.contains(item.geometry)
        return (not item.highlighted, item.faded, not on_line, KINDS[item.feature["kind"]].label != "always",
                item.feature["name"])

    def symbol_radius(item: _Drawn) -> float:
        """The largest symbol at this spot (a site drawn on its city's point is bigger than the city's dot)."""
        return max(other.style["radius"] for other in points
                   if abs(other.geometry.x - item.geometry.x) <= 3 * scale
                   and abs(other.geometry.y - item.geometry.y) <= 3 * scale)

    for item in sorted(points, key=rank):
        if KINDS[item.feature["kind"]].label != "always" and not item.highlighted:
            continue
        r = symbol_radius(item) + 3
        x, y = item.geometry.x, item.geometry.y
        candidates = [(x, y, "left", "center", r, 0), (x, y, "right", "center", -r, 0),
                      (x, y, "center", "bottom", 0, r - 1), (x, y, "center", "top", 0, -r + 1),
                      (x, y, "left", "bottom", r - 2, r - 3), (x, y, "left", "top", r - 2, -r + 3),
                      (x, y, "right", "bottom", -r + 2, r - 3), (x, y, "right", "top", -r + 2, -r + 3)]
        if item.highlighted:  # a highlighted name must show: further out, stacked, if it comes to that
            candidates += [(x, y, ha, "center", sign * r, dy) for dy in (18, -18, 36, -36)
                           for ha, sign in (("left", 1), ("right", -1))]
        placer.place(candidates, item.feature["name"], force=item.highlighted,
                     fontsize=px(14 if item.highlighted else 13), fontweight="bold", color=INK,
                     alpha=0.4 if item.faded else 1.0, path_effects=_halo(3.5), zorder=30)


def _line_labels(placer: _Placer, lines: list[_Drawn], view_box) -> None:
    """The names of highlighted lines labelled "along" (rivers), in italics beside the middle of
    their longest visible stretch."""
    for item in lines:
        if not (item.highlighted and KINDS[item.feature["kind"]].label == "along"):
            continue
        visible = item.geometry.intersection(view_box)
        parts = [g for g in getattr(visible, "geoms", [visible]) if g.geom_type == "LineString" and not g.is_empty]
        if not parts:
            continue
        longest = max(parts, key=lambda g: g.length)
        candidates = []
        for fraction in (0.5, 0.35, 0.65, 0.2, 0.8):
            point = longest.interpolate(fraction, normalized=True)
            candidates += [(point.x, point.y, "left", "bottom", 6, 6), (point.x, point.y, "right", "top", -6, -6)]
        placer.place(candidates, item.feature["name"], force=False, fontsize=px(15), fontstyle="italic",
                     fontweight="bold", color=item.style["color"], path_effects=_halo(4), zorder=29)


def _label_spots(polygon, scale: float, count: int = 8) -> list:
    """Good spots for a name inside a polygon, roomiest first: its pole of inaccessibility, then
    the points of a 50-px grid farthest from its edge."""
    anchor = polylabel(polygon, tolerance=scale * 4)
    xmin, ymin, xmax, ymax = polygon.bounds
    step = 50 * scale
    xs, ys = np.meshgrid(np.arange(xmin + step / 2, xmax, step), np.arange(ymin + step / 2, ymax, step))
    grid = shapely.points(xs.ravel(), ys.ravel())
    grid = grid[shapely.contains(polygon, grid)]
    spots = [anchor, *grid]
    room = shapely.distance(polygon.boundary, np.asarray(spots, dtype=object)) / scale
    order = np.argsort(-room[1:], kind="stable")[:count - 1] + 1
    return [(spots[i], room[i]) for i in (0, *order) if room[i] >= 10]


def _country_labels(placer: _Placer, countries: list[_Drawn], view_box, scale: float) -> None:
    """Names of areas labelled "area" (countries; upper case, spaced, as on the interactive map)
    inside the visible part of each."""
    inner = view_box.buffer(-24 * scale)
    candidates = []
    for item in countries:
        visible = item.geometry.intersection(inner)
        if visible.is_empty or visible.area < 0.015 * view_box.area:
            continue
        largest = max(getattr(visible, "geoms", [visible]), key=lambda g: g.area)
        if largest.geom_type == "Polygon":
            candidates.append((largest.area, item, largest))
    for _area, item, polygon in sorted(candidates, key=lambda c: -c[0]):
        spots = [(p.x, p.y, "center", "center", 0, 0) for p, _room in _label_spots(polygon, scale)]
        text = "\u2009".join(item.feature["name"].upper())
        placer.place(spots, text, force=False, fontsize=px(12), fontweight="bold", color=MUTED,
                     path_effects=_halo(2.5), zorder=20)


# --- furniture: legend, scale bar, credits, title ------------------------------------------------

def _legend(ax, drawn: list[_Drawn], kind_labels: dict[str, str] | None):
    """A key to what the step brings forward, in the lower left (above the scale bar); or None."""
    handles, labels, seen = [], [], set()
    order = list(KINDS)
    ordered = sorted((d for d in drawn if not d.faded and d.layer.group != BASEMAP_GROUP),
                     key=lambda d: (order.index(d.feature["kind"]), d.layer.id))
    for item in ordered:
        kind, style = item.feature["kind"], item.style
        key = (kind, style["color"]) if kind == "route" else kind
        if key in seen:
            continue
        seen.add(key)
        corridor = corridor_label(style["color"]) if kind == "route" else None
        label = ((kind_labels or {}).get(corridor, corridor) if corridor else item.feature["name"] if kind == "route"
                 else (kind_labels or {}).get(kind, KINDS[kind].legend))
        if kind in POINT_KINDS:
            handle = Line2D([], [], linestyle="none", marker="o", markersize=px(2 * style["radius"]),
                            markerfacecolor=style["fillColor"], markeredgecolor=style["color"],
                            markeredgewidth=px(style.get("weight", 1)))
        elif kind in LINE_KINDS:
            handle = Line2D([], [], color=style["color"], linewidth=px(style["weight"]), solid_capstyle="round",
                            dash_capstyle="round", linestyle=_dashes(style))
        else:
            handle = Patch(facecolor=matplotlib.colors.to_rgba(style["fillColor"], style.get("fillOpacity", 1)),
                           edgecolor=style["color"], linewidth=px(style["weight"]), linestyle=_dashes(style))
        handles.append(handle)
        labels.append(label)
    if not handles:
        return None
    legend = ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(8 / ax.bbox.width, 40 / ax.bbox.height),
                       borderaxespad=0, fontsize=px(12.5), frameon=True, framealpha=0.93, facecolor="#ffffff",
                       edgecolor=RULE, borderpad=0.6, handlelength=2.2, handleheight=0.9, labelspacing=0.45,
                       labelcolor=LABEL, fancybox=False)
    legend.get_frame().set_linewidth(px(1))
    legend.set_zorder(40)
    return legend


def _nice_distance(max_m: float) -> float:
    magnitude = 10 ** math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * magnitude <= max_m:
            return step * magnitude
    return magnitude


def _scale_bar(ax, extent, scale: float):
    """A Leaflet-like metric scale bar in the lower left, true at the map's centre latitude."""
    xmin, ymin, xmax, ymax = extent
    _, lat = inverse_mercator((xmin + xmax) / 2, (ymin + ymax) / 2)
    ground_per_px = scale * math.cos(math.radians(lat))
    distance = _nice_distance(140 * ground_per_px)
    length = distance / ground_per_px
    w, h = ax.bbox.width, ax.bbox.height
    x0, y0 = 14 / w, 12 / h
    background = Rectangle((6 / w, 6 / h), (length + 16) / w, 26 / h, transform=ax.transAxes,
                           facecolor=(1, 1, 1, 0.88), edgecolor="none", zorder=40)
    ax.add_patch(background)
    ax.plot([x0, x0, x0 + length / w, x0 + length / w], [y0 + 8 / h, y0, y0, y0 + 8 / h], transform=ax.transAxes,
            color=INK, linewidth=px(2), solid_joinstyle="miter", solid_capstyle="butt", zorder=41)
    label = f"{distance / 1000:g} km" if distance >= 1000 else f"{distance:g} m"
    ax.text(x0 + 5 / w, y0 + 3 / h, label, transform=ax.transAxes, fontsize=px(12), color=INK,
            ha="left", va="bottom", zorder=42)
    return background


def _credits(ax, text: str):
    """The credits the licences require, in the lower right; or None when nothing needs one."""
    if not text:
        return None
    return ax.text(1 - 6 / ax.bbox.width, 6 / ax.bbox.height, text.replace("; ", " · "), transform=ax.transAxes,
                   ha="right", va="bottom", fontsize=px(11.5), color=LABEL, zorder=42,
                   bbox={"boxstyle": "square,pad=0.35", "facecolor": (1, 1, 1, 0.88), "edgecolor": "none"})


def _title_strip(fig: Figure, title: str, width_px: int, height_px: int) -> None:
    """The strip above the map: the site's name, a rule, the title (smaller, then cut, if long)."""
    strip = TITLE_STRIP_PX / height_px
    ax = fig.add_axes((0, 1 - strip, 1, strip))
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=PAPER, edgecolor="none"))
    ax.plot([0, 1], [0, 0], transform=ax.transAxes, color=RULE, linewidth=px(2), clip_on=False)
    ax.text(18 / width_px, 0.5, SITE_NAME, transform=ax.transAxes, ha="left", va="center", fontsize=px(13),
            fontweight="bold", color=MUTED)
    ax.plot([174 / width_px] * 2, [0.28, 0.72], transform=ax.transAxes, color=RULE, linewidth=px(2))
    left, room = 190, width_px - 190 - 18
    text = ax.text(left / width_px, 0.5, title, transform=ax.transAxes, ha="left", va="center", fontsize=px(24),
                   fontweight="bold", color=INK)
    renderer = fig.canvas.get_renderer()
    width = text.get_window_extent(renderer).width
    if width > room:
        text.set_fontsize(px(max(16.0, 24 * room / width)))
        while text.get_window_extent(renderer).width > room and len(title) > 1:
            title = title[:-1]
            text.set_text(title.rstrip() + "…")


def _credit_text(drawn: list[_Drawn], view_box) -> str:
    shown = [item for item in drawn if item.geometry.intersects(view_box)]
    return credit_line(item.feature for item in shown)


def map_credits(scene_layers: list[Layer], view: dict, width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> str:
    """The credits a static map of this view carries: the data sources of the features it shows."""
    extent = view_extent(view, width_px, height_px - TITLE_STRIP_PX)
    scale = (extent[2] - extent[0]) / width_px
    drawn = _prepare(scene_layers, extent, scale, set(), set(), {})
    return _credit_text(drawn, box(*extent))


def _draw_order(by_kind: dict[str, list[_Drawn]]) -> list[tuple[float, str, list[_Drawn]]]:
    """(zorder, shape, items) batches, tier by tier (storymap/kinds.py: the basemap, then areas,
    lines and points), the faded features of a tier first, then the step's layers; the highlighted
    features come last, above every other feature, as the interactive map brings them to the front.
    Kinds of one tier are drawn in the registry's order."""
    tiers: dict[int, list[str]] = {}
    for kind in KINDS.values():
        tiers.setdefault(kind.tier, []).append(kind.name)
    plain = (lambda i: i.faded and not i.highlighted, lambda i: not i.faded and not i.highlighted)
    passes = [(1 + index + rank / 2, tier, wanted) for index, tier in enumerate(sorted(tiers))
              for rank, wanted in enumerate(plain)]
    passes += [(1 + len(tiers) + index, tier, lambda i: i.highlighted) for index, tier in enumerate(sorted(tiers))]
    order = []
    for zorder, tier, wanted in passes:
        items = [item for kind in tiers[tier] for item in by_kind.get(kind, [])]
        for shape in ("area", "line", "point"):
            chosen = [item for item in items if wanted(item) and KINDS[item.feature["kind"]].shape == shape]
            if chosen:
                order.append((zorder, shape, chosen))
    return order


def _draw_features(ax, by_kind: dict[str, list[_Drawn]], min_hole_width: float) -> None:
    draw = {"area": functools.partial(_draw_areas, min_hole_width=min_hole_width),
            "line": _draw_lines, "point": _draw_points}
    for zorder, shape, items in _draw_order(by_kind):
        draw[shape](ax, items, zorder=zorder)


# --- the public functions ------------------------------------------------------------------------

def render_static_map(scene_layers: list[Layer], view: dict, *, layers_forward: tuple[str, ...],
                      highlight: tuple[str, ...], route_colours: dict[str, str], title: str,
                      width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX, font: str | None = None,
                      kind_labels: dict[str, str] | None = None) -> bytes:
    """One static map as PNG bytes: the scene's layers at a step's view (see the module docstring).

    `layers_forward` are the step's layers (others are drawn faded, the basemap never);
    `highlight` feature ids drawn thicker; `route_colours` layer id -> colour (scenes.route_colours);
    `font` a family with the glyphs of a Korean or Chinese edition (storymap.editions.map_font),
    `kind_labels` the legend's words in the edition's language (by kind, and by the English label
    of a route corridor).
    """
    map_height = height_px - TITLE_STRIP_PX
    extent = view_extent(view, width_px, map_height)
    xmin, ymin, xmax, ymax = extent
    scale = (xmax - xmin) / width_px  # metres per pixel
    drawn = _prepare(scene_layers, extent, scale, set(layers_forward), set(highlight), route_colours)

    with matplotlib.rc_context({"font.family": [font, FONT] if font else FONT, "font.size": px(12), "lines.scale_dashes": False,
                                "path.simplify": True, "text.antialiased": True}):
        fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor=PAPER)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, map_height / height_px))
        ax.set_axis_off()
        ax.set_facecolor(SEA)
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=SEA, edgecolor="none", zorder=0))
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)

        by_kind: dict[str, list[_Drawn]] = {}
        for item in drawn:
            by_kind.setdefault(item.feature["kind"], []).append(item)
        _draw_features(ax, by_kind, min_hole_width=MIN_HOLE_PX * scale)
        _veil_outside_region(ax, extent)
        view_box = box(*extent)
        furniture = [_legend(ax, drawn, kind_labels), _scale_bar(ax, extent, scale), _credits(ax, _credit_text(drawn, view_box))]
        renderer = canvas.get_renderer()
        placer = _Placer(ax, renderer, ax.bbox)
        for artist in furniture:  # labels keep off the legend, the scale bar and the credits
            if artist is not None:
                placer.block(artist.get_window_extent(renderer).expanded(1.0, 1.0).padded(4))
        points = [item for kind in KINDS if kind in POINT_KINDS for item in by_kind.get(kind, [])
                  if view_box.contains(item.geometry)]
        for item in points:  # labels keep off the point symbols
            x, y = ax.transData.transform((item.geometry.x, item.geometry.y))
            r = item.style["radius"] + 1
            placer.block(matplotlib.transforms.Bbox.from_extents(x - r, y - r, x + r, y + r))
        lines = [i for kind in KINDS if kind in LINE_KINDS for i in by_kind.get(kind, [])]
        _point_labels(placer, points, lines, scale)
        _line_labels(placer, lines, view_box)
        _country_labels(placer, [i for i in drawn if KINDS[i.feature["kind"]].label == "area"], view_box, scale)

        _title_strip(fig, title, width_px, height_px)

        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    # A 256-colour palette halves the file with no visible change (a map has few colours), which
    # keeps the no-script preview within the page budget; median cut keeps the kinds' colours exact
    # (fast octree shifts them). zlib level 6 saves about 20 ms a map over level 9 for files about
    # 6% larger. No text chunks: no timestamp, no software version; zlib at a fixed level, so the
    # bytes depend on the pixels alone.
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _scene_map(scene: ChapterScene, step, title: str, **options) -> dict:
    return dict(scene_layers=list(scene.layers), view=step.view, layers_forward=step.layers,
                highlight=step.highlight, route_colours=scene.route_colours, title=title, **options)


def static_map_jobs(scenes: dict[str, ChapterScene], **options) -> dict[str, dict]:
    """<slug>/map.png (the chapter's first step) and <slug>/steps/<step-id>.png for every step
    whose view differs from the first step's; path inside site/ -> `render_static_map` arguments.
    `options` (font, kind_labels: an edition's) go to every map."""
    jobs: dict[str, dict] = {}
    for slug, scene in sorted(scenes.items()):
        if not scene.steps:
            continue
        first = scene.steps[0]
        title = scene.chapter.title
        jobs[f"{slug}/map.png"] = _scene_map(scene, first, title, **options)
        for step in scene.steps[1:]:
            if step.view != first.view:
                jobs[f"{slug}/steps/{step.id}.png"] = _scene_map(scene, step, title, **options)
    return jobs


def static_map_files(scenes: dict[str, ChapterScene], **options) -> dict[str, bytes]:
    """Every static map of `static_map_jobs`, drawn one after another; path inside site/ -> PNG bytes."""
    return {path: render_static_map(**job) for path, job in static_map_jobs(scenes, **options).items()}
