"""Decide, per chapter and step, what the map shows, where, and how it looks.

A scene is plain data: the renderer (maps.py, story.js) draws it, nothing here draws.
"""
from __future__ import annotations

from dataclasses import dataclass

from .chapters import Chapter, View
from .layers import Layer
from .resolution import DETAIL_ZOOM_STEP, OVERVIEW_MAX_ZOOM, chapter_extent, view_zoom
from .kinds import KINDS, route_colour

#: Layer groups a step may name instead of single layers ("routes" = every file in layers/routes/).
BASEMAP_GROUP = "basemap"


@dataclass(frozen=True)
class LegendEntry:
    label: str
    kind: str
    colour: str | None = None  # set for routes, which each have their own colour


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


def view_data(view: View) -> dict:
    """A step's view as the JSON story.js reads: bounds [[s, w], [n, e]] or centre [lat, lon] + zoom."""
    if view.bounds is not None:
        return {"bounds": [list(view.bounds[0]), list(view.bounds[1])]}
    return {"center": list(view.center), "zoom": view.zoom}


def expand_layer_names(names: tuple[str, ...], layers: list[Layer]) -> tuple[str, ...]:
    """Layer ids a step names, with group names (e.g. "routes") replaced by their layers' ids."""
    ids: list[str] = []
    for name in names:
        members = [layer.id for layer in layers if layer.id == name or layer.group == name]
        ids.extend(i for i in members if i not in ids)
    return tuple(ids)


def route_colours(layers: list[Layer]) -> dict[str, str]:
    """Each route layer's colour, by its place among all route layers (stable across chapters)."""
    routes = [layer.id for layer in layers if layer.group == "routes"]
    return {layer_id: route_colour(i) for i, layer_id in enumerate(routes)}


def describe_step(map_text: str, highlighted_names: list[str]) -> str:
    """What a screen reader hears when a step becomes active."""
    text = map_text.strip()
    if highlighted_names:
        text += (" " if text else "") + "Highlighted: " + ", ".join(highlighted_names) + "."
    return text


def legend_for(layers: list[Layer], colours: dict[str, str]) -> tuple[LegendEntry, ...]:
    """One entry per kind on the map, and one per route with its own colour and name."""
    entries: list[LegendEntry] = []
    kinds_seen: set[str] = set()
    for layer in layers:
        if layer.group == BASEMAP_GROUP:
            continue
        for feature in layer.features:
            kind = feature["kind"]
            if kind == "route":
                entries.append(LegendEntry(feature["name"], kind, colours.get(layer.id)))
            elif kind not in kinds_seen:
                kinds_seen.add(kind)
                entries.append(LegendEntry(KINDS[kind].legend, kind))
    return tuple(entries)


def build_scene(chapter: Chapter, layers: list[Layer]) -> ChapterScene:
    """The scene of one chapter: the basemap plus every layer any of its steps shows."""
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
        steps.append(StepScene(
            id=step.id, view=view, layers=step_layers, highlight=tuple(step.highlight),
            description=describe_step(step.map_text, [names[f] for f in step.highlight if f in names]),
            zoom=zoom, detail=zoom > overview_zoom + DETAIL_ZOOM_STEP))
    chapter_layers = tuple(layer for layer in layers if layer.group == BASEMAP_GROUP or layer.id in used)
    colours = route_colours(layers)
    return ChapterScene(chapter, chapter_layers, tuple(steps), legend_for(list(chapter_layers), colours), colours,
                        overview_zoom, chapter_extent([s.view for s in steps]))
