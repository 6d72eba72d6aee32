"""The registry of feature kinds: what each kind of map feature is and how it is drawn.

One entry per kind holds every fact about it: the geometry it must have, how the map names it,
where it sits in the drawing order, its style and its legend text. Everything else derives from
this table: the feature contract's `kind` enum (layers.py fills it in), the geometry check, the
interactive map (maps.py hands `page_kinds()` to static/story.js), the static maps, the legend
swatches (templates/partials/legend.html draws them from `swatch()`), the data dictionary and
the downloads. Adding a kind, or changing how one looks, is a change to this file alone.

This module is plain data and imports nothing from the rest of the build, so the validation of
layers can read it without pulling in any rendering.

Colours are chosen for contrast on the pale land colour and to stay distinct for readers with
red-green colour blindness (Okabe-Ito palette). A route's colour says where it leads: its
corridor (storymap/scenes/flows.py).
"""
from __future__ import annotations

from dataclasses import dataclass

SEA = "#d4e4ec"
LAND = "#f4f1ea"
LAND_EDGE = "#b8b1a3"
LABEL = "#3b3a36"

#: The shapes a feature may have, by the geometry word of its kind.
GEOMETRY_TYPES_BY_SHAPE: dict[str, tuple[str, ...]] = {
    "point": ("Point",),
    "line": ("LineString", "MultiLineString"),
    "area": ("Polygon", "MultiPolygon"),
}
#: The shape word of each geometry type ("MultiLineString" -> "line").
SHAPE_OF_GEOMETRY: dict[str, str] = {t: shape for shape, types in GEOMETRY_TYPES_BY_SHAPE.items() for t in types}


@dataclass(frozen=True)
class Kind:
    """One kind of feature.

    `shape`: "point", "line" or "area" (the geometry types it may have: GEOMETRY_TYPES_BY_SHAPE).
    `label`: how the maps name a feature: "always" (beside its point, at every step), "area"
    (in capitals inside its largest part), "along" (on hover; the static map writes it beside the
    line when highlighted), "hover" (on hover only; the static map names highlighted points).
    `tier`: drawing order, low first (basemap areas, then areas, lines, points), on both maps:
    faded features under the step's own, highlighted ones above all; kinds of one tier are drawn
    in the order of this table.
    `style`: Leaflet path options (points are circle markers with a `radius`), which the static
    maps and the legend swatches read too.
    `legend`: the legend's plain words. `description`: what it is, for the data dictionary.
    """

    name: str
    shape: str
    label: str
    tier: int
    style: dict
    legend: str
    description: str

    @property
    def geometry_types(self) -> tuple[str, ...]:
        return GEOMETRY_TYPES_BY_SHAPE[self.shape]


_KINDS = (
    Kind("country", "area", "area", 0,
         {"color": LAND_EDGE, "weight": 0.8, "fillColor": LAND, "fillOpacity": 1.0},
         "Country", "basemap country outline"),
    Kind("water", "area", "hover", 1,
         {"color": "#9bbccc", "weight": 0.5, "fillColor": SEA, "fillOpacity": 1.0},
         "Lake or reservoir", "basemap lake or reservoir"),
    Kind("region", "area", "hover", 2,
         {"color": "#7a3b2e", "weight": 1.0, "fillColor": "#c0392b", "fillOpacity": 0.25, "dashArray": "4 3"},
         "Closed zone", "area such as the Korean Demilitarized Zone (approximate)"),
    Kind("border", "line", "hover", 3,
         {"color": "#55504a", "weight": 1.5, "opacity": 0.9, "dashArray": "6 4"},
         "National border", "national boundary"),
    Kind("river", "line", "along", 3,
         {"color": "#0072b2", "weight": 3.0, "opacity": 0.9},
         "Border river", "border river (Yalu, Tumen, the Mekong between Laos and Thailand)"),
    Kind("fence", "line", "hover", 3,
         {"color": "#d55e00", "weight": 4.0, "opacity": 1.0, "dashArray": "2 4"},
         "Fence or camera line (schematic)", "fence or camera line (schematic)"),
    Kind("route", "line", "hover", 3,
         {"color": "#009e73", "weight": 3.5, "opacity": 0.95},
         "Escape route (schematic)", "escape route (schematic)"),
    Kind("site", "point", "hover", 4,
         {"color": "#ffffff", "weight": 2.0, "fillColor": "#b2182b", "fillOpacity": 1.0, "radius": 8},
         "Detention or deportation site (approximate)", "detention or deportation site (approximate, city level)"),
    Kind("crossing", "point", "hover", 4,
         {"color": "#ffffff", "weight": 2.0, "fillColor": "#e69f00", "fillOpacity": 1.0, "radius": 7},
         "Bridge or border crossing", "bridge or border crossing"),
    Kind("city", "point", "always", 4,
         {"color": "#ffffff", "weight": 1.5, "fillColor": "#3b3a36", "fillOpacity": 1.0, "radius": 4},
         "City", "city named in the story"),
)

#: Every kind by name, in drawing order.
KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}

#: How much a feature that the current step does not talk about fades (multiplies opacity).
FADED_OPACITY = 0.25
#: How much a highlighted line thickens.
HIGHLIGHT_WEIGHT_FACTOR = 1.8


def kinds_of_shape(shape: str) -> frozenset[str]:
    """The names of the kinds drawn as points, lines or areas."""
    return frozenset(kind.name for kind in _KINDS if kind.shape == shape)


POINT_KINDS = kinds_of_shape("point")
LINE_KINDS = kinds_of_shape("line")
AREA_KINDS = kinds_of_shape("area")


def page_kinds() -> dict[str, dict]:
    """What static/story.js needs of each kind: its style, how it is labelled, its drawing tier."""
    return {kind.name: {"style": kind.style, "label": kind.label, "tier": kind.tier} for kind in _KINDS}


def swatch(kind_name: str, colour: str | None = None, weight: float | None = None) -> dict:
    """The legend swatch of a kind as SVG: `shape` ("point", "line", "area") and its presentation
    attributes (SVG attributes, not inline CSS, so the page's strict CSP allows them).
    `colour` replaces the kind's colour (a route's is its corridor's), `weight` its line width (the
    flow map's widths)."""
    kind = KINDS[kind_name]
    style = kind.style
    attributes = {"stroke": colour or style["color"], "stroke-width": f"{weight or style['weight']:g}"}
    if "dashArray" in style:
        attributes["stroke-dasharray"] = style["dashArray"]
    if kind.shape == "line":
        attributes["fill"] = "none"
    else:
        attributes["fill"] = style["fillColor"]
        if style.get("fillOpacity", 1.0) != 1.0:
            attributes["fill-opacity"] = f"{style['fillOpacity']:g}"
    if kind.shape == "point":
        attributes["stroke-width"] = "1"  # the swatch circle is drawn smaller than the marker
    return {"shape": kind.shape, "attributes": attributes}
