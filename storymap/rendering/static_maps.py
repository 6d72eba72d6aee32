"""Static PNG maps of the chapters and steps, for printing and for link previews (Open Graph).

The art is drawn with matplotlib (the Agg canvas, no pyplot: headless, no global state) from the
same layers and the same style table (storymap.inputs.kinds) as the interactive Leaflet map, in Web
Mercator (storymap.scenes.projection) so that they look like it: the basemap, then the scene's layers,
faded where the step does not talk about them, highlighted features thicker and with a soft
shadow. The words (names, legend, scale bar, credits, title) are written on it with Pillow
(storymap.rendering.map_text). A view's art is the same in every edition, so the maps of one view in all
editions are drawn together (`render_static_maps`): the art once, the words once per edition.

Every image is deterministic: fixed size, dpi and fonts, no timestamp or software version in the
PNG, so two builds give the same bytes. Geometries are projected once per layer, then clipped to
the view and simplified to its pixel size before drawing.
"""
from __future__ import annotations

import dataclasses
import functools
import io
import json
import math
from dataclasses import dataclass

import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath
from PIL import Image
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from . import map_text
from ..core.memo import ByIdentity
from ..scenes.flows import corridor_label
from ..core.geo import REGION
from ..inputs.kinds import FADED_OPACITY, HIGHLIGHT_WEIGHT_FACTOR, KINDS, LINE_KINDS, POINT_KINDS, SEA
from ..inputs.layers import Layer
from ..inputs.licences import credit_line
from .map_text import INK, MUTED, PAPER, RULE, Box, Placer, Symbol, Words
from ..scenes.projection import inverse_mercator, mercator, project, view_extent
from ..scenes.scenes import BASEMAP_GROUP, ChapterScene

#: Open Graph preview size (and the default size of every static map), in pixels.
WIDTH_PX = 1200
HEIGHT_PX = 630
#: Pixels per inch of the rendering: 1 px of a Leaflet style is 1 px of the PNG.
DPI = 100
#: Height of the title strip above the map, in pixels.
TITLE_STRIP_PX = 52
PNG_COMPRESS_LEVEL = 6
#: At most this many of a PNG's 256 colours are kept exact: its styles', its words' and the
#: COMMON_COLOURS most common in its art.
RESERVED_COLOURS = 96
COMMON_COLOURS = 32

#: Holes in areas narrower than this (mean width, pixels) are not drawn.
MIN_HOLE_PX = 1.5

_PT = 72.0 / DPI  # points per pixel


def px(value: float) -> float:
    """Pixels (as Leaflet styles give them) in points (as matplotlib wants them)."""
    return value * _PT


# --- layers, projected once ----------------------------------------------------------------------

def _projected(layer: Layer, projected: ByIdentity) -> np.ndarray:
    """The layer's geometries in EPSG:3857 (an array of shapely geometries), once per layer object
    that `projected` (the build session's, storymap/cache/session.py) remembers."""
    return projected.get(layer, "3857", lambda: project([f["geometry"] for f in layer.features]))


@dataclass
class _Drawn:
    """A feature prepared for drawing: clipped to the view and simplified to its pixel size."""

    layer: Layer
    feature: dict
    geometry: BaseGeometry
    style: dict
    faded: bool
    highlighted: bool
    #: (index of the layer in the scene's layers, of the feature in the layer): the same feature
    #: in another edition's layers, for its words.
    at: tuple[int, int]


def _prepare(scene_layers: list[Layer], extent, scale: float, layers_forward, highlight,
             route_colours: dict[str, str], projected: ByIdentity) -> list[_Drawn]:
    xmin, ymin, xmax, ymax = extent
    margin = 40 * scale
    window = (xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    drawn = []
    for layer_index, layer in enumerate(scene_layers):
        geometries = _projected(layer, projected)
        inside = shapely.intersects(geometries, box(*window))
        if not inside.any():
            continue
        clipped = shapely.clip_by_rect(geometries, *window)
        # Exteriors counter-clockwise, holes clockwise, after clipping (which may turn rings):
        # matplotlib fills with the non-zero rule, so a hole turned the wrong way would be filled.
        simple = shapely.orient_polygons(shapely.simplify(clipped, scale * 0.5, preserve_topology=True))
        basemap = layer.group == BASEMAP_GROUP
        for feature_index, (feature, geometry, hit) in enumerate(zip(layer.features, simple, inside)):
            if not hit or geometry is None or geometry.is_empty:
                continue
            style = dict(KINDS[feature["kind"]].style)
            if feature["kind"] == "route" and layer.id in route_colours:
                style["color"] = route_colours[layer.id]
            if "colour" in feature:  # a leg of the flow map: its corridor's colour, its routes' width
                style.update(color=feature["colour"], weight=feature["weight"])
            drawn.append(_Drawn(layer, feature, geometry, style,
                                faded=not basemap and layer.id not in layers_forward,
                                highlighted=feature["id"] in highlight, at=(layer_index, feature_index)))
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


# --- words ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Frame:
    """Where the map lies in the image: map coordinates (EPSG:3857) to pixels (y down)."""

    extent: tuple[float, float, float, float]
    scale: float  # metres per pixel
    top: float  # the title strip's height
    width: int
    height: int

    def px(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.extent[0]) / self.scale, self.top + (self.extent[3] - y) / self.scale

    @property
    def box(self) -> Box:
        return Box(0, self.top, self.width, self.height)


@dataclass(frozen=True)
class _Placing:
    """What placing the names needs of a view's geometry: the same in every edition, so worked out
    once a view (`_placing`). Features are named by `_Drawn.at`."""

    #: The points inside the view: (on a highlighted line, radius of the largest symbol there).
    points: dict[tuple[int, int], tuple[bool, float]]
    #: The countries to name, the largest visible first, each with its candidate spots.
    countries: list[tuple[tuple[int, int], list]]


def _placing(drawn: list[_Drawn], frame: _Frame) -> _Placing:
    scale, view_box = frame.scale, box(*frame.extent)
    points = [item for item in drawn if item.feature["kind"] in POINT_KINDS and view_box.contains(item.geometry)]
    highlighted_lines = [item.geometry for item in drawn if item.feature["kind"] in LINE_KINDS and item.highlighted]
    near = shapely.union_all(highlighted_lines).buffer(4 * scale) if highlighted_lines else None

    def symbol_radius(item: _Drawn) -> float:
        """The largest symbol at this spot (a site drawn on its city's point is bigger than the city's dot)."""
        return max(other.style["radius"] for other in points
                   if abs(other.geometry.x - item.geometry.x) <= 3 * scale
                   and abs(other.geometry.y - item.geometry.y) <= 3 * scale)

    inner = view_box.buffer(-24 * scale)
    candidates = []
    for item in drawn:
        if KINDS[item.feature["kind"]].label != "area":
            continue
        visible = item.geometry.intersection(inner)
        if visible.is_empty or visible.area < 0.015 * view_box.area:
            continue
        largest = max(getattr(visible, "geoms", [visible]), key=lambda g: g.area)
        if largest.geom_type == "Polygon":
            candidates.append((largest.area, item.at, largest))
    return _Placing(
        points={item.at: (near is not None and near.contains(item.geometry), symbol_radius(item)) for item in points},
        countries=[(at, [(*frame.px(p.x, p.y), "center", "center", 0, 0) for p, _room in _label_spots(polygon, scale)])
                   for _area, at, polygon in sorted(candidates, key=lambda c: -c[0])])


def _point_labels(placer: Placer, points: list[_Drawn], placing: _Placing, frame: _Frame, family: str | None) -> None:
    """City names beside their points (as the map's permanent tooltips), and the names of the
    highlighted sites and crossings, which the interactive map shows on hover. Where names would
    collide, the highlighted ones win, then the places on the highlighted lines (a route's stops),
    then the step's other places; faded places are named only where there is room."""
    def rank(item: _Drawn):
        return (not item.highlighted, item.faded, not placing.points[item.at][0],
                KINDS[item.feature["kind"]].label != "always", item.feature["name"])

    for item in sorted(points, key=rank):
        if KINDS[item.feature["kind"]].label != "always" and not item.highlighted:
            continue
        r = placing.points[item.at][1] + 3
        x, y = frame.px(item.geometry.x, item.geometry.y)
        candidates = [(x, y, "left", "center", r, 0), (x, y, "right", "center", -r, 0),
                      (x, y, "center", "bottom", 0, r - 1), (x, y, "center", "top", 0, -r + 1),
                      (x, y, "left", "bottom", r - 2, r - 3), (x, y, "left", "top", r - 2, -r + 3),
                      (x, y, "right", "bottom", -r + 2, r - 3), (x, y, "right", "top", -r + 2, -r + 3)]
        if item.highlighted:  # a highlighted name must show: further out, stacked, if it comes to that
            candidates += [(x, y, ha, "center", sign * r, dy) for dy in (18, -18, 36, -36)
                           for ha, sign in (("left", 1), ("right", -1))]
        words = Words(map_text.font(family, 14 if item.highlighted else 13, bold=True), INK, halo_px=3.5,
                      opacity=0.4 if item.faded else 1.0)
        placer.place(candidates, item.feature["name"], words, force=item.highlighted)


def _line_labels(placer: Placer, lines: list[_Drawn], view_box, frame: _Frame, family: str | None) -> None:
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
            x, y = frame.px(*longest.interpolate(fraction, normalized=True).coords[0][:2])
            candidates += [(x, y, "left", "bottom", 6, 6), (x, y, "right", "top", -6, -6)]
        words = Words(map_text.font(family, 15, bold=True, italic=True), item.style["color"], halo_px=4)
        placer.place(candidates, item.feature["name"], words, force=False)


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


def _country_labels(placer: Placer, countries: list[_Drawn], placing: _Placing, family: str | None) -> None:
    """Names of areas labelled "area" (countries; upper case, spaced, as on the interactive map)
    inside the visible part of each."""
    names = {item.at: item.feature["name"] for item in countries}
    words = Words(map_text.font(family, 12, bold=True), MUTED, halo_px=2.5)
    for at, spots in placing.countries:
        placer.place(spots, "\u2009".join(names[at].upper()), words, force=False)


# --- furniture: legend, scale bar -----------------------------------------------------------------

def _legend_entries(drawn: list[_Drawn], kind_labels: dict[str, str] | None) -> list[tuple[Symbol, str]]:
    """The key to what the step brings forward: (symbol, words) for each kind (each corridor of
    routes), in the registry's order."""
    entries, seen = [], set()
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
        entries.append((Symbol(KINDS[kind].shape, style), label))
    return entries


def _nice_distance(max_m: float) -> float:
    magnitude = 10 ** math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * magnitude <= max_m:
            return step * magnitude
    return magnitude


def _scale_bar_length(frame: _Frame) -> tuple[float, str]:
    """(length in pixels, words) of a Leaflet-like metric scale bar, true at the map's centre latitude."""
    xmin, ymin, xmax, ymax = frame.extent
    _, lat = inverse_mercator((xmin + xmax) / 2, (ymin + ymax) / 2)
    ground_per_px = frame.scale * math.cos(math.radians(lat))
    distance = _nice_distance(140 * ground_per_px)
    label = f"{distance / 1000:g} km" if distance >= 1000 else f"{distance:g} m"
    return distance / ground_per_px, label


def _credit_text(drawn: list[_Drawn], view_box) -> str:
    shown = [item for item in drawn if item.geometry.intersects(view_box)]
    return credit_line(item.feature for item in shown)


def map_credits(scene_layers: list[Layer], view: dict, width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> str:
    """The credits a static map of this view carries: the data sources of the features it shows."""
    extent = view_extent(view, width_px, height_px - TITLE_STRIP_PX)
    scale = (extent[2] - extent[0]) / width_px
    drawn = _prepare(scene_layers, extent, scale, set(), set(), {}, ByIdentity(limit=len(scene_layers) + 1))
    return _credit_text(drawn, box(*extent))


def _draw_order(by_kind: dict[str, list[_Drawn]]) -> list[tuple[float, str, list[_Drawn]]]:
    """(zorder, shape, items) batches, tier by tier (storymap/inputs/kinds.py: the basemap, then areas,
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

@dataclass(frozen=True)
class MapJob:
    """One static map to draw: a scene's layers at a step's view, in an edition's words.

    `layers_forward` are the step's layers (others are drawn faded, the basemap never);
    `highlight` feature ids drawn thicker; `route_colours` layer id -> colour (scenes.route_colours);
    `font` a family with the glyphs of a Korean or Chinese edition (storymap.inputs.editions.map_font),
    `kind_labels` the legend's words in the edition's language (by kind, and by the English label
    of a route corridor)."""

    scene_layers: tuple[Layer, ...]
    view: dict
    layers_forward: tuple[str, ...]
    highlight: tuple[str, ...]
    route_colours: dict[str, str]
    title: str
    width_px: int = WIDTH_PX
    height_px: int = HEIGHT_PX
    font: str | None = None
    kind_labels: dict[str, str] | None = None


@functools.lru_cache(maxsize=4)
def _canvas(width: int, height: int, top: float):
    """(figure, canvas, map axes) of one size, made once a process and cleared after each art:
    making matplotlib's axes took a third of an art's time."""
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=PAPER)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, (height - top) / height))
    ax.set_axis_off()
    ax.set_facecolor(SEA)
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=SEA, edgecolor="none", zorder=0))
    return fig, canvas, ax


def _art(drawn: list[_Drawn], frame: _Frame) -> Image.Image:
    """The map without its words: the features in their drawing order, the region's frame, and
    the paper of the title strip."""
    extent = frame.extent
    _fig, canvas, ax = _canvas(frame.width, frame.height, frame.top)
    sea = list(ax.get_children())
    try:
        with matplotlib.rc_context({"lines.scale_dashes": False, "path.simplify": True}):
            ax.set_xlim(extent[0], extent[2])
            ax.set_ylim(extent[1], extent[3])
            _draw_features(ax, _by_kind(drawn), min_hole_width=MIN_HOLE_PX * frame.scale)
            _veil_outside_region(ax, extent)
            canvas.draw()
            return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    finally:
        for artist in ax.get_children():
            if artist not in sea:
                artist.remove()


def _by_kind(drawn: list[_Drawn]) -> dict[str, list[_Drawn]]:
    by_kind: dict[str, list[_Drawn]] = {}
    for item in drawn:
        by_kind.setdefault(item.feature["kind"], []).append(item)
    return by_kind


def _write_words(image: Image.Image, drawn: list[_Drawn], frame: _Frame, placing: _Placing, *, title: str,
                 font: str | None, kind_labels: dict[str, str] | None) -> None:
    """The legend, scale bar and credits, then the names around them, then the title strip."""
    view_box = box(*frame.extent)
    length, distance = _scale_bar_length(frame)
    furniture = [map_text.legend(image, _legend_entries(drawn, kind_labels), font, 8, frame.height - 40),
                 map_text.scale_bar(image, length, distance, font),
                 map_text.credits(image, _credit_text(drawn, view_box).replace("; ", " · "), font)]
    placer = Placer(image, frame.box)
    for item in furniture:  # names keep off the legend, the scale bar and the credits
        if item is not None:
            placer.block(item.padded(4))
    by_kind = _by_kind(drawn)
    points = [item for kind in KINDS if kind in POINT_KINDS for item in by_kind.get(kind, [])
              if item.at in placing.points]
    for item in points:  # names keep off the point symbols
        x, y = frame.px(item.geometry.x, item.geometry.y)
        r = item.style["radius"] + 1
        placer.block(Box(x - r, y - r, x + r, y + r))
    lines = [item for kind in KINDS if kind in LINE_KINDS for item in by_kind.get(kind, [])]
    _point_labels(placer, points, placing, frame, font)
    _line_labels(placer, lines, view_box, frame, font)
    _country_labels(placer, [i for i in drawn if KINDS[i.feature["kind"]].label == "area"], placing, font)
    map_text.title_strip(image, title, frame.top, font)


def _palette(drawn: list[_Drawn], art: Image.Image) -> Image.Image:
    """The 256 colours of the PNGs of one art: exactly, every colour its styles and its words are
    drawn in and the art's most common colours (its flat areas: sea, land, paper); the rest a fast
    octree of the art at half size. Sorted, so the same art gives the same palette.

    A palette halves the file with no visible change (a map has few colours), which keeps the
    no-script preview within the page budget. Measured on the story's maps, against the median
    cut of each whole image used before: a fifth of the time a map, files slightly smaller, and a
    lower mean colour error. A plain octree would shift the kinds' colours and the flat areas.
    (Pillow maps pixels to a given palette through a cache of limited precision: a colour may
    come out a level or two off its exact palette entry, which no eye can see.)"""
    small = art.reduce(2)
    named = {SEA, *map_text.COLOURS}
    named |= {item.style[key] for item in drawn for key in ("color", "fillColor") if key in item.style}
    counted = small.getcolors(1 << 16) or []  # None when more colours: then the styles' alone
    common = [colour for _count, colour in sorted(counted, key=lambda c: (-c[0], c[1]))]
    exact = sorted({map_text.rgba(c)[:3] for c in named} | set(common[:COMMON_COLOURS]))[:RESERVED_COLOURS]
    fixed = [value for colour in exact for value in colour]
    free = 256 - len(exact)
    octree = small.quantize(colors=free, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette = Image.new("P", (1, 1))
    palette.putpalette(fixed + octree.getpalette()[:3 * free])
    return palette


def _png(image: Image.Image, palette: Image.Image) -> bytes:
    """PNG bytes of the image in the palette's colours (each pixel its nearest). No text chunks:
    no timestamp, no software version; zlib at a fixed level (6 saves about 20 ms a map over 9
    for files about 6% larger), so the bytes depend on the pixels alone."""
    indexed = image.quantize(palette=palette, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    indexed.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def art_key(job: MapJob) -> tuple:
    """What a map's art depends on: maps with equal keys differ only in their words (their
    editions' names, legend, title and font), so their art is drawn once. Within one process:
    geometries are told apart by identity (the editions' layers share the English geometries)."""
    layers = tuple((layer.id, layer.group, tuple((f["id"], f["kind"], f.get("colour"), f.get("weight"),
                                                  id(f["geometry"])) for f in layer.features))
                   for layer in job.scene_layers)
    return (json.dumps(job.view, sort_keys=True), tuple(job.layers_forward), tuple(job.highlight),
            tuple(sorted(job.route_colours.items())), job.width_px, job.height_px, layers)


def render_static_maps(jobs: list[MapJob], projected: ByIdentity | None = None) -> list[bytes]:
    """PNG bytes of each job, in order; jobs with the same `art_key` share one drawing of the art.
    `projected` remembers each layer's projection across calls (a build session's); by default,
    for this call's jobs only."""
    projected = projected or ByIdentity(limit=256)
    groups: dict[tuple, list[int]] = {}
    for index, job in enumerate(jobs):
        groups.setdefault(art_key(job), []).append(index)
    pngs: list[bytes] = [b""] * len(jobs)
    for indices in groups.values():
        first = jobs[indices[0]]
        extent = view_extent(first.view, first.width_px, first.height_px - TITLE_STRIP_PX)
        frame = _Frame(extent, (extent[2] - extent[0]) / first.width_px, TITLE_STRIP_PX, first.width_px,
                       first.height_px)
        drawn = _prepare(first.scene_layers, extent, frame.scale, set(first.layers_forward),
                         set(first.highlight), first.route_colours, projected)
        art, placing = _art(drawn, frame), _placing(drawn, frame)
        palette = _palette(drawn, art)
        for index in indices:
            job = jobs[index]
            layers = job.scene_layers
            own = [dataclasses.replace(item, layer=layers[item.at[0]], feature=layers[item.at[0]].features[item.at[1]])
                   for item in drawn]
            image = art.copy()
            _write_words(image, own, frame, placing, title=job.title, font=job.font, kind_labels=job.kind_labels)
            pngs[index] = _png(image, palette)
    return pngs


def render_static_map(scene_layers: list[Layer], view: dict, **options) -> bytes:
    """One static map as PNG bytes: the scene's layers at a step's view (see the module docstring;
    `options` are MapJob's other fields)."""
    return render_static_maps([MapJob(tuple(scene_layers), view, **options)])[0]


def _scene_map(scene: ChapterScene, step, title: str, **options) -> MapJob:
    return MapJob(tuple(scene.layers), step.view, tuple(step.layers), tuple(step.highlight), scene.route_colours,
                  title, **options)


def static_map_jobs(scenes: dict[str, ChapterScene], **options) -> dict[str, MapJob]:
    """<slug>/map.png (the chapter's first step) and <slug>/steps/<step-id>.png for every step
    whose view differs from the first step's; path inside site/ -> its MapJob.
    `options` (font, kind_labels: an edition's) go to every map."""
    jobs: dict[str, MapJob] = {}
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
    """Every static map of `static_map_jobs`, drawn in this process; path inside site/ -> PNG bytes."""
    jobs = static_map_jobs(scenes, **options)
    return dict(zip(jobs, render_static_maps(list(jobs.values()))))
