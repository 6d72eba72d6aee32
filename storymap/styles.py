"""One style table per feature kind, shared by the interactive (Leaflet) and static (matplotlib) maps.

Colours are chosen for contrast on the pale land colour and to stay distinct for readers with
red-green colour blindness (Okabe-Ito palette). Routes each get their own colour from ROUTE_COLOURS,
in the stable order of their layer ids.
"""
from __future__ import annotations

SEA = "#d4e4ec"
LAND = "#f4f1ea"
LAND_EDGE = "#b8b1a3"
LABEL = "#3b3a36"

#: Leaflet path options per kind. Points (site, crossing, city) are drawn as circle markers.
KIND_STYLES: dict[str, dict] = {
    "country": {"color": LAND_EDGE, "weight": 0.8, "fillColor": LAND, "fillOpacity": 1.0},
    "water": {"color": "#9bbccc", "weight": 0.5, "fillColor": SEA, "fillOpacity": 1.0},
    "region": {"color": "#7a3b2e", "weight": 1.0, "fillColor": "#c0392b", "fillOpacity": 0.25, "dashArray": "4 3"},
    "river": {"color": "#0072b2", "weight": 3.0, "opacity": 0.9},
    "border": {"color": "#55504a", "weight": 1.5, "opacity": 0.9, "dashArray": "6 4"},
    "fence": {"color": "#d55e00", "weight": 4.0, "opacity": 1.0, "dashArray": "2 4"},
    "route": {"color": "#009e73", "weight": 3.5, "opacity": 0.95},
    "site": {"color": "#ffffff", "weight": 2.0, "fillColor": "#b2182b", "fillOpacity": 1.0, "radius": 8},
    "crossing": {"color": "#ffffff", "weight": 2.0, "fillColor": "#e69f00", "fillOpacity": 1.0, "radius": 7},
    "city": {"color": "#ffffff", "weight": 1.5, "fillColor": "#3b3a36", "fillOpacity": 1.0, "radius": 4},
}

ROUTE_COLOURS = ["#009e73", "#cc79a7", "#56b4e9", "#8c564b", "#7f7f00", "#1f3a93"]

#: Plain-words legend label per kind.
KIND_LABELS: dict[str, str] = {
    "river": "Border river",
    "border": "National border",
    "fence": "Fence or camera line (schematic)",
    "site": "Detention or deportation site (approximate)",
    "crossing": "Bridge or border crossing",
    "city": "City",
    "region": "Closed zone",
    "route": "Escape route (schematic)",
    "country": "Country",
    "water": "Lake or reservoir",
}

#: How much a feature that the current step does not talk about fades (multiplies opacity).
FADED_OPACITY = 0.25
#: How much a highlighted line thickens.
HIGHLIGHT_WEIGHT_FACTOR = 1.8

POINT_KINDS = frozenset({"site", "crossing", "city"})
LINE_KINDS = frozenset({"river", "border", "fence", "route"})
AREA_KINDS = frozenset({"region", "country", "water"})


def route_colour(index: int) -> str:
    """Colour of the index-th route layer (stable: routes are ordered by layer id)."""
    return ROUTE_COLOURS[index % len(ROUTE_COLOURS)]


def style_for(kind: str, route_index: int | None = None) -> dict:
    """The base style for a feature of this kind (a fresh dict the caller may change)."""
    style = dict(KIND_STYLES[kind])
    if kind == "route" and route_index is not None:
        style["color"] = route_colour(route_index)
    return style
