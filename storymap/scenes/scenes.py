"""Decide, per chapter and step, what the map shows, where, and how it looks.

A scene is plain data: the renderer (maps.py, story.js) draws it, nothing here draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..inputs.chapters import Chapter, View
from ..inputs.editions import ENGLISH_STRINGS
from ..inputs.layers import Layer
from .resolution import DETAIL_ZOOM_STEP, OVERVIEW_MAX_ZOOM, chapter_extent, view_zoom
from .flows import FLOWS, ROUTES_GROUP, SHARED, RouteInfo, RouteMap, build_route_map, leg_weight
from ..inputs.kinds import KINDS

#: Layer groups a step may name instead of single layers ("routes" = every file in layers/routes/).
BASEMAP_GROUP = "basemap"


@dataclass(frozen=True)
class LegendEntry:
    label: str
    kind: str
    colour: str | None = None  # set for routes: the colour of their corridor
    weight: float | None = None  # set for the flow map's widths
    count: int | None = None  # the number of routes a width stands for (the year control hides larger ones)


@dataclass(frozen=True)
class StepScene:
    id: str
    view: dict
    layers: tuple[str, ...]
    highlight: tuple[str, ...]
    description: str
    zoom: float
    detail: bool  # zooms in beyond the overview, so it gets its own detailed geometry


@dataclass(frozen=True)
class ChapterScene:
    chapter: Chapter
    layers: tuple[Layer, ...]
    steps: tuple[StepScene, ...]
    legend: tuple[LegendEntry, ...]
    route_colours: dict[str, str]
    overview_zoom: float
    extent: tuple[float, float, float, float]  # west, south, east, north the map may show
    #: The routes the flow map aggregates, for the route picker; empty when it shows no flow map.
    routes: tuple[RouteInfo, ...] = ()
    #: Route id -> its waypoints as (place, country), for the popups of the routes the map shows.
    drawn_through: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def view_data(view: View) -> dict:
    """A step's view as the JSON story.js reads: bounds [[s, w], [n, e]] or centre [lat, lon] + zoom."""
    if view.bounds is not None:
        return {"bounds": [list(view.bounds[0]), list(view.bounds[1])]}
    return {"center": list(view.center), "zoom": view.zoom}


def expand_layer_names(names: tuple[str, ...], layers: list[Layer]) -> tuple[str, ...]:
    """Layer ids a step names, with group names replaced by their layers' ids; "routes" (every
    route) is the flow map, which draws them all at once."""
    ids: list[str] = []
    for name in names:
        members = [FLOWS] if name == ROUTES_GROUP else \
            [layer.id for layer in layers if layer.id == name or layer.group == name]
        ids.extend(i for i in members if i not in ids)
    return tuple(ids)


def describe_step(map_text: str, highlighted_names: list[str], translate=ENGLISH_STRINGS) -> str:
    """What a screen reader hears when a step becomes active."""
    text = map_text.strip()
    if highlighted_names:
        # No space after a Chinese full stop, which carries its own.
        text += (" " if text and not text.endswith(("。", "！", "？")) else "") + translate(
            "Highlighted: {names}.", names=translate(", ").join(highlighted_names))
    return text


def legend_for(layers: list[Layer], route_map: RouteMap | None, translate=ENGLISH_STRINGS) -> tuple[LegendEntry, ...]:
    """One entry per kind on the map; for routes, one per corridor (what their colour means) and,
    with the flow map, what a line's width means. Never one entry per route: there may be a thousand."""
    entries: list[LegendEntry] = []
    seen: set = set()
    for layer in layers:
        if layer.group == BASEMAP_GROUP:
            continue
        for feature in layer.features:
            kind = feature["kind"]
            look = _route_look(layer, feature, route_map) if kind == "route" else None
            key = look or kind
            if key not in seen:
                seen.add(key)
                entries.append(LegendEntry(translate(look[0]), kind, look[1]) if look else LegendEntry(translate(KINDS[kind].legend), kind))
    if any(layer.id == FLOWS for layer in layers):
        most = max(len(f["routes"]) for f in route_map.flows.features)
        counts = sorted({1, most, *([round(most ** 0.5)] if most > 3 else [])})
        entries += [LegendEntry(translate("{count} routes on a leg", count=n) if n > 1
                                else translate("{count} route on a leg (line width)", count=n),
                                "route", SHARED[1], leg_weight(n), n) for n in counts]
    return tuple(entries)


def _route_look(layer: Layer, feature: dict, route_map: RouteMap | None) -> tuple[str, str] | None:
    """(corridor label, colour) of a route or of a leg of the flow map."""
    if "corridor" in feature:
        return feature["corridor"], feature["colour"]
    info = route_map.routes.get(feature["id"]) if route_map else None
    return (info.corridor, info.colour) if info else None


def build_scene(chapter: Chapter, layers: list[Layer], route_map: RouteMap | None = None,
                translate=ENGLISH_STRINGS) -> ChapterScene:
    """The scene of one chapter: the basemap plus every layer any of its steps shows.

    `route_map` is `flows.build_route_map(layers)`, made once for all chapters by the pipeline;
    `translate` gives the edition's words (storymap.inputs.editions.Strings)."""
    route_map = route_map or build_route_map(layers)
    if route_map:
        layers = [*layers, route_map.flows]
    names = {f["id"]: f["name"] for layer in layers for f in layer.features}
    # The overview serves the chapter's widest view; steps that zoom in further get their own detail.
    overview_zoom = min(min(view_zoom(view_data(s.view)) for s in chapter.steps), OVERVIEW_MAX_ZOOM)
    used: list[str] = []
    steps = []
    for step in chapter.steps:
        step_layers = expand_layer_names(step.show, layers)
        used.extend(i for i in step_layers if i not in used)
        view = view_data(step.view)
        zoom = view_zoom(view)
        highlight = tuple(step.highlight)
        if FLOWS in step_layers:  # a highlighted route brings its legs forward on the flow map
            highlight += tuple(route_map.legs_of(highlight))
        steps.append(StepScene(
            id=step.id, view=view, layers=step_layers, highlight=highlight,
            description=describe_step(step.map_text, [names[f] for f in step.highlight if f in names], translate),
            zoom=zoom, detail=zoom > overview_zoom + DETAIL_ZOOM_STEP))
    chapter_layers = tuple(layer for layer in layers if layer.group == BASEMAP_GROUP or layer.id in used)
    # Only the routes this chapter shows: a route added elsewhere leaves its maps (and caches) alone.
    colours = {layer_id: colour for layer_id, colour in (route_map.layer_colours.items() if route_map else ())
               if layer_id in used}
    picker = tuple(route_map.routes.values()) if FLOWS in used else ()
    shown = {f["id"] for layer in chapter_layers if layer.group == ROUTES_GROUP for f in layer.features}
    drawn = {rid: info.waypoints for rid, info in (route_map.routes.items() if route_map else ())
             if rid in shown and info.waypoints}
    return ChapterScene(chapter, chapter_layers, tuple(steps), legend_for(list(chapter_layers), route_map, translate),
                        colours,
                        overview_zoom, chapter_extent([s.view for s in steps]), picker, drawn)
