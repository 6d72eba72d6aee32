"""`python build.py import-route FILE SLUG`: a route drawn elsewhere becomes a route file.

Reads KML (Google My Maps, Google Earth), GPX, GeoJSON or a zipped shapefile with geopandas
(pyogrio), reprojects to WGS84, coarsens the line to the map's safety precision, and snaps each
remaining point to a gazetteer place within SNAP_KM. When every point snaps, the route is written
by place names (`via`, geometry null), the form the map prefers; otherwise the coarsened line is
kept. Nothing else the file carries reaches the route file: names, descriptions, times, a KML's
author and ExtendedData, a shapefile's attribute table, GeoJSON properties can all say who drew the
line or who travelled it, so only the line is read and the contributor is told what was left out.
It prints what it did and what the contributor must still fill in. A file that cannot be used is
refused in plain words; nothing is written then.
"""
from __future__ import annotations

import json
import math
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from typing import TextIO

import geopandas
import pyogrio
import shapely
from pyogrio.errors import DataSourceError, DataLayerError
from shapely.errors import GEOSException
from shapely.geometry import LineString, mapping
from shapely.ops import linemerge

from ..core.geo import REGION, in_region
from ..inputs.layers import load_layers
from ..inputs.project import FEATURE_SCHEMA, LAYERS, Project
from ..core.problems import InputError
from ..inputs.routes import (SAFE_DECIMALS, SLUG_RULE, TEMPLATE, TEMPLATE_SLUG, Gazetteer, coarsen, is_slug, route_file_text,
                     vertex_count)

#: A point of the drawing this close to a known place is taken to mean that place.
SNAP_KM = 10.0
FORMATS = "KML (Google My Maps, Google Earth), GPX, GeoJSON or a zipped shapefile (.zip)"


class Refused(Exception):
    """The file cannot become a route; the message says why, in plain words."""


def import_route(project: Project, source: Path, slug: str, out: TextIO = sys.stdout) -> int:
    """Write layers/routes/<slug>.geojson from a drawn file and say what was done. 0 on success."""
    relative = f"{LAYERS}/routes/{slug}.geojson"
    target = project / relative
    try:
        if not is_slug(slug):
            raise Refused(f"{slug!r} cannot be a route's file name: use {SLUG_RULE}, e.g. via-vietnam.")
        if target.exists():
            raise Refused(f"{relative} already exists. Choose another name, or delete that file first.")
        try:
            line, said = read_line(source)
        except Refused as refusal:
            raise Refused(f"{source}: {refusal}") from None
        gazetteer = _gazetteer(project)
    except Refused as refusal:
        print(f"{refusal}\nNothing was written.", file=out)
        return 1
    coarse = coarsen(line)
    said.append(f"Coarsened it to {SAFE_DECIMALS} decimals (about 1 km) and simplified it: "
                f"{vertex_count(line)} points became {vertex_count(coarse)}.")
    via, missed = snap(coarse, gazetteer)
    properties = _properties(slug)
    if not missed and len(via) >= 2:
        properties["via"] = _marked(via, gazetteer)
        geometry = None
        said.append(f"Every point lies within {SNAP_KM:g} km of a known place, so the route is written by place "
                    f"names, with no drawn line: {', '.join(via)}. Check that these are the places your source names; "
                    "write a place it does not name, which only draws the line, as {\"waypoint\": \"...\"} "
                    "(official border posts are written so already).")
    else:
        properties["via"] = _marked(via, gazetteer)
        geometry = mapping(coarse)
        said.append(f"{len(missed)} of {vertex_count(coarse)} points are not within {SNAP_KM:g} km of a place the map "
                    f"knows ({missed[0]}), so the route keeps its drawn line. If your source names the places, "
                    "list them in \"via\" and set \"geometry\" to null instead (CONTRIBUTING.md).")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(route_file_text(properties, geometry), encoding="utf-8")
    said += [f"Wrote {relative} (route id \"route-{slug}\").",
             "Still to fill in: \"name\" and \"description\" (replace the TODO texts) and \"sources\" (reference keys "
             "from references.json). Then run: python build.py check"]
    print("\n".join(said), file=out)
    return 0


def _marked(via: list[str], gazetteer: Gazetteer) -> list:
    """Snapped places as `via` entries: an official border post only as a waypoint, since a route
    names one only where a source says people crossed there (routes.py)."""
    return [{"waypoint": name} if gazetteer.get(name).kind == "crossing" else name for name in via]


#: Columns the KML reader adds to every feature (how it is drawn, not what it says).
KML_STYLE_COLUMNS = {"tessellate", "extrude", "visibility", "altitudeMode", "drawOrder", "icon"}
#: Layer names the readers give when a file names none.
UNNAMED_LAYERS = {"Unknown", "tracks", "routes", "waypoints", "track_points", "route_points"}


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value)) or str(value) == "NaT"


def left_out(source: Path, frames: list, layer_names: list[str]) -> str | None:
    """A sentence naming what the file carries besides its lines (never their values), none of
    which is written to the route file; None when it carries nothing else."""
    fields = sorted({column for frame in frames for column in frame.columns if column != frame.geometry.name
                     and column not in KML_STYLE_COLUMNS and not all(_empty(v) for v in frame[column])})
    parts = [f"{'a field' if len(fields) == 1 else 'fields'} ({', '.join(fields)})"] if fields else []
    if any(name not in UNNAMED_LAYERS and name != source.stem for name in layer_names):
        parts.append("the name of the map or layer")
    parts += _kml_extras(source)
    if not parts:
        return None
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("Kept only the line. The file also holds " + listed + ": none of it is copied into the route "
            "file, since it can say who drew the line or who travelled it.")


def _kml_extras(source: Path) -> list[str]:
    """What a KML (or the KML inside a KMZ) says about who made it that its reader does not show:
    an author, links, ExtendedData of the document or its folders."""
    try:
        if zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as packed:
                name = next((n for n in packed.namelist() if n.lower().endswith(".kml")), None)
                text = packed.read(name) if name else None
        else:
            text = source.read_bytes() if source.suffix.lower() == ".kml" else None
        tags = {element.tag.rsplit("}", 1)[-1] for element in ElementTree.fromstring(text).iter()} if text else set()
    except (ElementTree.ParseError, OSError, zipfile.BadZipFile, KeyError):
        return []
    return [words for tag, words in (("author", "its author"), ("link", "a link to its author or origin"),
                                     ("ExtendedData", "extended data")) if tag in tags]


def imported_route(project: Project, source: Path, _, place_name=lambda name: name) -> dict:
    """For the contribution studio: the places a drawn file passes, and what was done to it, in the
    contributor's words (`_`, the edition's Strings; `place_name`, a place's name in their
    language): {"stops", "said"}, or {"problems"}."""
    try:
        line, _read = read_line(source)
        gazetteer = _gazetteer(project)
    except Refused as refusal:
        return {"problems": {"import": [{"message": _("This file cannot be used as it is: {reason}",
                                                      reason=str(refusal)),
                                         "fix": _("Export the route again from the program you drew it in.")}]}}
    coarse = coarsen(line)
    via, missed = snap(coarse, gazetteer)
    said = [_("Read the line from the file. Times, names and descriptions in it were not kept."),
            _("Coarsened it to {decimals} decimals (about 1 km) and simplified it: {before} points became {after}.",
              decimals=SAFE_DECIMALS, before=vertex_count(line), after=vertex_count(coarse))]
    if via:
        said.append(_("Snapped {count} points to places the map knows (within {km} km): {places}.",
                      count=vertex_count(coarse) - len(missed), km=f"{SNAP_KM:g}",
                      places=", ".join(place_name(name) for name in via)))
    if missed:
        said.append(_("Dropped {count} points that lie near no place the map knows. If your source names a place "
                      "there, add it with “New place”.", count=len(missed)))
    if len(via) < 2:
        said.append(_("Fewer than two places remain: add the places your source names."))
    # An official border post is a waypoint until a source says people crossed there (routes.py).
    return {"stops": [{"name": name, "waypoint": gazetteer.get(name).kind == "crossing"} for name in via],
            "said": said}


def read_line(source: Path) -> tuple[shapely.Geometry, list[str]]:
    """Every line in the file as one WGS84 (multi)line, and sentences saying what was read and what
    was left out."""
    if not source.is_file():
        raise Refused("cannot be found. Give the path of the file you exported, e.g. ~/Downloads/route.kml.")
    try:
        layer_names = [name for name, _ in pyogrio.list_layers(source)]
        frames = [geopandas.read_file(source, layer=name) for name in layer_names]
    except (DataSourceError, DataLayerError, GEOSException, ValueError, OSError) as err:
        raise Refused(f"cannot be read as {FORMATS}; it may be damaged or in another format "
                      f"(the reader said: {str(err).splitlines()[0][:160]}). Export it again.") from None
    if not any(len(frame) for frame in frames):
        raise Refused("holds no features: it is empty. Export the route again, with its line.")
    lines, crs = [], None
    for frame in frames:
        found = [g for g in frame.geometry.explode(index_parts=False)
                 if g is not None and g.geom_type == "LineString" and len(g.coords) >= 2]
        if found and frame.crs is None:
            raise Refused("has no usable coordinate system, so its numbers cannot be placed on the map "
                          "(a shapefile needs its .prj file in the zip). Export it again in WGS 84 (EPSG:4326).")
        if found:
            lines += list(geopandas.GeoSeries(found, crs=frame.crs).to_crs("EPSG:4326"))
            crs = frame.crs
    if not lines:
        kinds = sorted({g.geom_type for f in frames for g in f.geometry if g is not None})
        raise Refused(f"holds no line, only {', '.join(kinds) or 'features without geometry'}. A route is a line: "
                      "draw it with the line tool (Google My Maps: \"Draw a line\"), then export again.")
    line = shapely.force_2d(linemerge(lines) if len(lines) > 1 else lines[0])
    outside = [(x, y) for x, y in shapely.get_coordinates(line) if not in_region(x, y)]
    if outside:
        west, south, east, north = REGION
        x, y = outside[0]
        raise Refused(f"{len(outside)} points of the line lie outside the map's area (longitude {west:g} to {east:g}, "
                      f"latitude {south:g} to {north:g}), the first at [{x:.2f}, {y:.2f}]. Check that this is the "
                      "right route, drawn in the right place.")
    said = [f"Read {len(lines)} line{'s' if len(lines) > 1 else ''} from {source.name} "
            f"(coordinate system {crs.to_string()}) and reprojected to WGS 84."]
    dropped = left_out(source, frames, layer_names)
    return line, said + ([dropped] if dropped else [])


def snap(line: shapely.Geometry, gazetteer: Gazetteer) -> tuple[list[str], list[str]]:
    """The places the line's points lie near, in order, and a note on each point that is near none."""
    via, missed = [], []
    for x, y in shapely.get_coordinates(line):
        nearest = gazetteer.nearest(x, y)
        if nearest and nearest[1] <= SNAP_KM:
            if not via or via[-1] != nearest[0].name:
                via.append(nearest[0].name)
        else:
            where = f" (nearest: {nearest[0].name}, {nearest[1]:.0f} km)" if nearest else ""
            missed.append(f"the first at [{x:.2f}, {y:.2f}]{where}")
    if isinstance(line, LineString):
        return via, missed
    return via, missed or ["the line is in several pieces"]


def _gazetteer(project: Project) -> Gazetteer:
    try:
        layers = load_layers(project / LAYERS, None, project / FEATURE_SCHEMA)
    except InputError as err:
        raise Refused(f"layers/ has problems to fix before a route can be imported (python build.py check lists "
                      f"them); the first: {err.problems[0]}") from None
    return Gazetteer([feature for layer in layers for feature in layer.features])


def _properties(slug: str) -> dict:
    """The template's properties for this slug: its TODO texts make the check ask for them."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8").replace(TEMPLATE_SLUG, slug))
    return {key: value for key, value in template["features"][0]["properties"].items() if key != "via"}
