"""folium: a chapter's scene becomes one Leaflet map, rendered as parts for our own page.

- Assets: the map instance gets its own `default_js` / `default_css` lists pointing at the
  self-hosted Leaflet from xstatic-leaflet (folium's class-level CDN lists are never touched).
- Ids: branca gives every element a random id; `number_elements` renumbers the whole tree
  so the same scene always renders the same bytes.
- No jQuery: features get tooltips and popups from static/story.js, which builds them with
  DOM text nodes, so text from layer files is never parsed as HTML.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry

from ..core.memo import ByIdentity
from ..inputs.licences import data_sources
from ..inputs.references import Bibliography
from ..scenes.resolution import clip, composite, detail_region, reduce, tolerance
from ..scenes.flows import leg_weight
from ..scenes.scenes import ChapterScene, StepScene
from ..inputs.kinds import FADED_OPACITY, HIGHLIGHT_WEIGHT_FACTOR, KINDS, POINT_KINDS, SEA, page_kinds


class StoryMap(folium.Map):
    """A folium Map whose page parts fit our template: no viewport meta that blocks pinch-zoom,
    no inline styles or scripts in the header, an accessible name, and `window.storyMap`."""

    _template = Template("""
        {% macro header(this, kwargs) %}{% endmacro %}
        {% macro html(this, kwargs) %}<div class="folium-map story-map" id={{ this.get_name()|tojson }} role="region" aria-label="{{ this.label|e }}"></div>{% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }},
                crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
            {{ this.get_name() }}.attributionControl.setPrefix(false);
            {#- Credits and scale share the bottom-left corner, the scale above: on a phone the
                credits run to two lines and would otherwise cover the scale. #}
            {{ this.get_name() }}.attributionControl.setPosition("bottomleft");
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
            window.storyMap = {{ this.get_name() }};
        {% endmacro %}
    """)

    def __init__(self, *, label: str, asset_prefix: str, **kwargs):
        super().__init__(tiles=None, control_scale=True, **kwargs)
        self.label = label
        self.default_js = [("leaflet", f"{asset_prefix}leaflet/leaflet.js")]
        self.default_css = [("leaflet_css", f"{asset_prefix}leaflet/leaflet.css")]


class StoryLayers(MacroElement):
    """Hands the scene's layers and styles to static/story.js, which draws them."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            window.storyKit.addLayers({{ this._parent.get_name() }}, JSON.parse({{ this.config_literal }}));
        {% endmacro %}
    """)

    def __init__(self, literal: str):
        """`literal`: the map data as config_literal gives it (or the place it goes: render_shell)."""
        super().__init__()
        self._name = "StoryLayers"
        self.config_literal = literal


def config_literal(config_json: str) -> str:
    """The map data as the map script holds it: a string for JSON.parse (browsers parse JSON far
    faster than the same object as JS code)."""
    return json.dumps(config_json, ensure_ascii=False)


def compact_json(data) -> str:
    """JSON that is small and stable, escaped by Jinja so that it is safe inside a script."""
    return str(htmlsafe_json_dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


@dataclass(frozen=True)
class MapParts:
    """The three parts of a rendered folium figure that our page template places."""

    header: Markup
    html: Markup
    script: str


def detail_file(step_id: str) -> str:
    return f"detail-{step_id}.json"


#: A flow map's per-route data (names, sources, waypoints, years, each leg's routes), beside its
#: map.js: story.js loads it when the reader first needs it (a leg's popup or tooltip, the route
#: picker, ?route=, the year control), so the first view carries only what draws the legs.
ROUTE_DATA_FILE = "routes.json"


#: Where popups link a source, relative to the site's root (story.js prefixes the page's way there),
#: so one map script serves both the chapter page and its embed page.
SOURCES_PAGE = "sources/"


def source_links(keys: list[str], bibliography: Bibliography) -> list[dict]:
    """Short APA labels for a feature's sources, linked to the sources page."""
    return [{"label": bibliography.label(key), "href": f"{SOURCES_PAGE}#ref-{key}"} for key in keys]


def label_point(geometry) -> list[float]:
    """Where an area's name goes (a country's): inside its largest part."""
    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
    point = largest.representative_point()
    return [round(point.x, 2), round(point.y, 2)]


#: What a route's popup does not need: its places are on the map, and its waypoints come as `drawn`.
_NOT_IN_POPUPS = ("geometry", "sources", "via", "named_places", "waypoints")


def feature_json(feature: dict, geometry, bibliography: Bibliography,
                 drawn: tuple[tuple[str, str], ...] = ()) -> dict:
    """A feature as story.js draws it; `drawn` is a route's waypoints as (place, country) in the
    edition's words, which its popup explains ("drawn through Da Nang to keep the line in Vietnam")."""
    properties = {k: v for k, v in feature.items() if k not in _NOT_IN_POPUPS and v is not None}
    if drawn:
        properties["drawn"] = [list(pair) for pair in drawn]
    if "length_km" in properties:
        properties["length_km"] = round(properties["length_km"])
    if "routes" in properties:
        # A leg of the flow map: how many routes use it; which ones is in the map's route data
        # (ROUTE_DATA_FILE), loaded when first needed.
        properties["count"] = len(properties.pop("routes"))
    else:
        properties["sources"] = source_links(feature["sources"], bibliography)
    if KINDS[feature["kind"]].label == "area":
        properties["label_point"] = label_point(feature["geometry"])
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def overview_geometries(scene: ChapterScene, worked: ByIdentity, layers=None) -> dict[str, BaseGeometry]:
    """Every feature's geometry inside the chapter's extent, as detailed as its widest view can show
    (of `layers` alone, when given). Features wholly outside the extent are left out. `worked`
    remembers each geometry's simplification (see map_data)."""
    tol, extent = tolerance(scene.overview_zoom), box(*scene.extent)
    overview = {}
    for layer in scene.layers if layers is None else layers:
        for feature in layer.features:
            geometry = feature["geometry"]
            if geometry.intersects(extent):
                overview[feature["id"]] = worked.get(geometry, ("overview", scene.extent, tol),
                                                     lambda: reduce(clip(geometry, extent), tol))
    return overview


def step_detail(scene: ChapterScene, step: StepScene, overview: dict[str, BaseGeometry],
                worked: ByIdentity, layers=None) -> dict[str, dict]:
    """Feature id -> detailed geometry (GeoJSON) for the lines and areas around a zoomed-in step
    (of `layers` alone, when given)."""
    region, tol = detail_region(step.view), tolerance(step.zoom)
    detail = {}
    for layer in scene.layers if layers is None else layers:
        for feature in layer.features:
            geometry = feature["geometry"]
            if feature["kind"] in POINT_KINDS or feature["id"] not in overview or not geometry.intersects(region):
                continue
            simple = overview[feature["id"]]
            question = ("detail", scene.extent, scene.overview_zoom, json.dumps(step.view), tol)
            detail[feature["id"]] = mapping(worked.get(geometry, question,
                                                      lambda: composite(geometry, simple, region, tol)))
    return detail


def attributions(layers) -> list[str]:
    """The credits the licences of the data on this map require, each once."""
    return [source.credit_html for source in data_sources(f for layer in layers for f in layer.features)]


def routes_config(scene: ChapterScene) -> dict:
    """What the first view of a flow map needs of its routes: how many there are, the widths of a
    leg for each number of its routes, and where the rest is. Nothing for a map without the flow map."""
    if not scene.routes:
        return {}
    return {
        "routeCount": len(scene.routes),
        "routeData": f"{scene.chapter.slug}/{ROUTE_DATA_FILE}",
        # A leg's width for each number of its routes in the chosen years (flows.leg_weight); the
        # widths stop growing long before 64 routes, and story.js uses the last for more.
        "legWeights": [0] + [leg_weight(n) for n in range(1, min(len(scene.routes), 64) + 1)],
    }


def route_data(scene: ChapterScene, bibliography: Bibliography) -> dict | None:
    """The flow map's routes for its popups, tooltips and route picker: each source given once, and
    each leg's routes by their place in the list. None for a map without the flow map."""
    if not scene.routes:
        return None
    keys = list(dict.fromkeys(key for route in scene.routes for key in route.sources))
    index = {route.id: i for i, route in enumerate(scene.routes)}
    legs = {f["id"]: [index[r] for r in f["routes"]]
            for layer in scene.layers for f in layer.features if "routes" in f}
    return {
        "routes": [{"slug": r.slug, "name": r.name, "sources": [keys.index(k) for k in r.sources],
                    **({"drawn": [list(pair) for pair in r.waypoints]} if r.waypoints else {}),
                    **{name: year for name, year in (("start", r.start), ("end", r.end)) if year is not None}}
                   for r in scene.routes],
        "sources": source_links(keys, bibliography),
        "legs": legs,
    }


@dataclass(frozen=True)
class LayerData:
    """One layer's part of a chapter map's data: its features inside the map's extent as story.js
    draws them, and each zoomed-in step's detail of them (step id -> feature id -> GeoJSON). A
    route change leaves the basemap's parts as they were (storymap/cache/renderers.py keeps them)."""

    features: list[dict]
    details: dict[str, dict[str, dict]]


def layer_data(scene: ChapterScene, layer, bibliography: Bibliography, worked: ByIdentity) -> LayerData:
    """A layer's part of the scene's map data; `worked` as for map_data."""
    overview = overview_geometries(scene, worked, [layer])
    return LayerData(
        [feature_json(f, overview[f["id"]], bibliography, scene.drawn_through.get(f["id"], ()))
         for f in layer.features if f["id"] in overview],
        {step.id: step_detail(scene, step, overview, worked, [layer]) for step in scene.steps if step.detail})


def layers_config(scene: ChapterScene, parts: list[LayerData], inline_detail: dict,
                  bibliography: Bibliography) -> dict:
    """The map data of the first view; `parts` are the scene's layers' (layer_data), in its order."""
    return {
        **routes_config(scene),
        "kinds": page_kinds(),
        "sea": SEA,
        "faded": FADED_OPACITY,
        "highlightWeight": HIGHLIGHT_WEIGHT_FACTOR,
        "attributions": attributions(scene.layers),
        "detail": inline_detail,
        "layers": [{
            "id": layer.id,
            "group": layer.group,
            "colour": scene.route_colours.get(layer.id),
            "data": {"type": "FeatureCollection", "features": part.features},
        } for layer, part in zip(scene.layers, parts)],
    }


def number_elements(root: Element, prefix: str) -> None:
    """Give every element in the tree a sequential id, replacing branca's random ones."""
    counter = 0
    stack = [root]
    while stack:
        element = stack.pop(0)
        element._id = f"{prefix}{counter}"
        counter += 1
        stack.extend(element._children.values())


def initial_location(view: dict) -> tuple[list[float], int]:
    if "center" in view:
        return view["center"], view["zoom"]
    (south, west), (north, east) = view["bounds"]
    return [(south + north) / 2, (west + east) / 2], 6


@dataclass(frozen=True)
class MapData:
    """What a chapter's map draws, computed once for its chapter page and its embed page."""

    config_json: str
    #: Detail for the steps that zoom in, loaded when the reader reaches them: file name -> JSON.
    detail_files: dict[str, str]
    #: The flow map's route data (ROUTE_DATA_FILE), None for a map without it.
    route_file: str | None = None


def map_data(scene: ChapterScene, bibliography: Bibliography, worked: ByIdentity | None = None,
             part=layer_data) -> MapData:
    """`worked` remembers the geometries simplified (a build session's: the editions' layers share
    the English geometries, the same objects, so each is simplified once a build, not once per
    edition); by default, for this map alone. `part` makes each layer's part (layer_data's
    arguments and result; the build cache's keeps them)."""
    worked = worked or ByIdentity(limit=50_000)
    parts = [part(scene, layer, bibliography, worked) for layer in scene.layers]
    details = {step.id: {fid: geometry for p in parts for fid, geometry in p.details[step.id].items()}
               for step in scene.steps if step.detail}
    first = scene.steps[0].id
    # The opening step's detail is part of the first view; the others load when reached.
    inline = {first: details.pop(first)} if first in details else {}
    routes = route_data(scene, bibliography)
    return MapData(compact_json(layers_config(scene, parts, inline, bibliography)),
                   {detail_file(step_id): compact_json(d) for step_id, d in details.items()},
                   None if routes is None else compact_json(routes))


def render_map(scene: ChapterScene, data: MapData, *, asset_prefix: str, label: str | None = None) -> MapParts:
    """The chapter's folium map, opened at its first step's view; `label` is its accessible name."""
    return with_data(render_shell(scene, asset_prefix=asset_prefix, label=label), data)


#: What a map shell's script holds where the map data goes (render_shell, with_data).
_DATA_SLOT = config_literal("storymap: the map data goes here")


def with_data(shell: MapParts, data: MapData) -> MapParts:
    """A map shell (render_shell) with the map data in its script: render_map's parts."""
    return dataclasses.replace(shell, script=shell.script.replace(_DATA_SLOT, config_literal(data.config_json), 1))


def render_shell(scene: ChapterScene, *, asset_prefix: str, label: str | None = None) -> MapParts:
    """render_map without the map data, which is the same for any: folium renders it once however
    the layers change (with_data puts the data in)."""
    location, zoom = initial_location(scene.steps[0].view)
    story_map = StoryMap(label=label or f"Map for the chapter “{scene.chapter.title}”", asset_prefix=asset_prefix,
                         location=location, zoom_start=zoom, min_zoom=3, max_zoom=14, zoom_snap=0.25)
    StoryLayers(_DATA_SLOT).add_to(story_map)
    figure: Figure = story_map.get_root()
    del figure.header._children["meta_http"]  # the page template declares the charset itself
    number_elements(figure, prefix="")
    figure.render()
    # Deferred, Leaflet no longer holds up the page's first paint; deferred scripts still run in order.
    header = figure.header.render().replace("<script src=", "<script defer src=")
    return MapParts(header=Markup(header), html=Markup(figure.html.render()),
                    script=figure.script.render())
