"""The contribution studio: add a route in the live preview, without a terminal or a JSON file.

Served only by the preview (`python build.py serve`), at /contribute/, /ko/contribute/ and
/zh/contribute/; site/ never holds it. The page (studio_page/studio.html, .js, .css) asks for the
places by name, the sources, and new places and references in forms, and posts them here;
storymap/tools/contributions.py checks and writes the files.

A server that writes files is reachable by every page the contributor opens, so: the preview
listens on 127.0.0.1 only and answers only to Host 127.0.0.1 or localhost (storymap/tools/serving.py);
every write carries the preview's token (`X-Studio-Token`), which only the studio's own pages
hold (a cross-site request can neither read it nor send the header without a preflight the
server never grants); no request names a file (routes are named by their slug, checked against
the route files that exist; uploads are read into a temporary file of the server's naming);
bodies are read up to a limit; and no contributor's text is logged.
"""
from __future__ import annotations

import functools
import hmac
import json
import re
import tempfile
from pathlib import Path

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.exceptions import HTTPException

from ..cache.session import BuildSession
from ..inputs.aliases import load_aliases
from .contribution_file import contribution_zip
from .contributions import Refused, delete, place_kinds, read_route, route_slugs, save
from ..core.dates import FIRST_YEAR, this_year
from ..rendering.downloads import layer_path
from ..inputs.editions import ENGLISH, Edition, load_places
from ..inputs.project import FEATURE_SCHEMA, LAYERS, REFERENCES, REFERENCES_SCHEMA, Project
from ..scenes.flows import corridor_of, leg_style
from ..core.geo import in_region
from ..inputs.kinds import KINDS
from ..core.problems import InputError
from ..core.characters import place_key
from ..inputs.routes import PLACE_KINDS, SAFE_DECIMALS, geodesic_line
from ..inputs.studio_words import studio_words

STUDIO_FOLDER = "contribute"
API = "/__preview__/studio/"
PAGE_FILES = {"studio.js": "text/javascript", "studio.css": "text/css"}
HERE = Path(__file__).resolve().parent / "studio_page"
#: Largest body a save may send, and largest file a contributor may drop on the page.
MAX_FORM_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Most stops the map's line is drawn through in one request.
MAX_STOPS = 200
#: The oldest publication year the reference form offers (the 1951 Refugee Convention is a source).
FIRST_REFERENCE_YEAR = 1900
IMPORT_SUFFIXES = {"kml": ".kml", "gpx": ".gpx", "geojson": ".geojson", "json": ".geojson", "zip": ".zip"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _edition(editions: tuple[Edition, ...], code: str | None) -> Edition:
    return next((e for e in editions if e.code == code), ENGLISH)


def studio_routes(preview) -> list[Route]:
    """The studio's pages and its API, for the preview's application."""
    project = preview.project
    root = project.root
    environment = Environment(loader=FileSystemLoader(HERE), autoescape=select_autoescape(["html"]))

    def page(edition: Edition):
        async def show(request: Request) -> Response:
            _ = preview.strings(edition)
            html = environment.get_template("studio.html").render(
                _=_, edition=edition, editions=project.editions, token=preview.token, api=API,
                home=f"/{edition.prefix}", folder=STUDIO_FOLDER,
                # Years are picked, not typed: a route's within the story's range (core/dates.py).
                route_years=range(this_year(), FIRST_YEAR - 1, -1),
                reference_years=range(this_year(), FIRST_REFERENCE_YEAR - 1, -1))
            return Response(html, media_type="text/html",
                            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store",
                                     "X-Frame-Options": "DENY"})
        return show

    async def own_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PAGE_FILES:
            return PlainTextResponse("Not found", status_code=404)
        return Response((HERE / name).read_bytes(), media_type=PAGE_FILES[name], headers={"Cache-Control": "no-store"})

    async def data(request: Request) -> Response:
        edition = _edition(project.editions, request.query_params.get("lang"))
        return JSONResponse(await anyio.to_thread.run_sync(studio_data, project, preview.session, preview.site_dir, edition,
                                                               preview.strings(edition)),
                            headers={"Cache-Control": "no-store"})

    async def route(request: Request) -> Response:
        found = read_route(root, request.path_params["slug"])
        if not found:
            return PlainTextResponse("Not found", status_code=404)
        return JSONResponse({**found, "catalogue": catalogue_page(preview.site_dir, found["slug"])})

    async def place(request: Request) -> Response:
        """A clicked point: rounded, and the country of the basemap it lies in."""
        try:
            lon, lat = (round(float(request.query_params[k]), SAFE_DECIMALS) for k in ("lon", "lat"))
        except (KeyError, ValueError):
            return PlainTextResponse("lon and lat, please", status_code=400)
        return JSONResponse({"lon": lon, "lat": lat, "country": country_at(project, preview.session, lon, lat) if in_region(lon, lat)
                             else None})

    async def line(request: Request) -> Response:
        """The line the build draws through the stops' points (`at`: "lon,lat;lon,lat;..."), in the
        flow map's style for a route that leads to the country `to`."""
        try:
            points = [tuple(float(v) for v in pair.split(",")) for pair in request.query_params["at"].split(";")]
        except (KeyError, ValueError):
            return PlainTextResponse("at=lon,lat;lon,lat, please", status_code=400)
        if not 2 <= len(points) <= MAX_STOPS or not all(len(p) == 2 and in_region(*p) for p in points):
            return PlainTextResponse(f"2 to {MAX_STOPS} points inside the map's area, please", status_code=400)
        return JSONResponse(drawn_route(points, request.query_params.get("to")))

    async def towns(request: Request) -> Response:
        """Towns of the map's area a new place may be (Natural Earth's populated places) by name."""
        query = request.query_params.get("q", "")
        return JSONResponse(await anyio.to_thread.run_sync(find_towns, query))

    async def post_save(request: Request) -> Response:
        submission, _ = await _writing(request, preview)
        def saving():
            gazetteer = place_kinds(_layers(project, preview.session))
            with preview.writing:
                return save(project, submission, gazetteer, _reference_keys(project), _)

        built = preview.status.site  # before the write: the page waits for a later build
        try:
            slug, files = await anyio.to_thread.run_sync(saving)
        except Refused as refusal:
            return JSONResponse({"problems": refusal.problems.found}, status_code=422)
        return JSONResponse({"slug": slug, "files": files, "site": built,
                             "map": map_chapter(preview.site_dir)})

    async def post_delete(request: Request) -> Response:
        submission, _ = await _writing(request, preview)
        def deleting():
            with preview.writing:
                delete(project, str(submission.get("slug")), _)

        built = preview.status.site
        try:
            await anyio.to_thread.run_sync(deleting)
        except Refused as refusal:
            return JSONResponse({"problems": refusal.problems.found}, status_code=422)
        return JSONResponse({"deleted": True, "site": built})

    async def post_import(request: Request) -> Response:
        edition = _edition(project.editions, request.query_params.get("lang"))
        _ = preview.strings(edition)
        _check_token(request, preview)
        suffix = IMPORT_SUFFIXES.get(request.query_params.get("type", "").lower())
        if suffix is None:
            return _problem("import", _("This kind of file cannot be imported."),
                            _("Drop a KML, GPX, GeoJSON or zipped shapefile (.zip)."))
        try:
            body = await _body(request, MAX_UPLOAD_BYTES)
        except HTTPException:
            return _problem("import", _("The file is larger than {size} MB.", size=MAX_UPLOAD_BYTES // 2 ** 20),
                            _("Export only the route's line, without photos or other layers."))
        from .importing import imported_route  # geopandas: imported when first needed

        with tempfile.TemporaryDirectory(prefix="studio-import-") as folder:
            upload = Path(folder) / f"upload{suffix}"
            upload.write_bytes(body)
            result = await anyio.to_thread.run_sync(imported_route, project, upload, _, place_namer(project, preview.session, edition))
        return JSONResponse(result, status_code=422 if "problems" in result else 200)

    async def contribution(request: Request) -> Response:
        archive = await anyio.to_thread.run_sync(contribution_zip, root)
        if archive is None:
            return PlainTextResponse("Nothing to send: the studio has not changed any file yet.", status_code=404)
        return Response(archive, media_type="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="between-borders-contribution.zip"'})

    return [*(Route(f"/{e.prefix}{STUDIO_FOLDER}/", page(e)) for e in project.editions),
            Route(API + "data.json", data), Route(API + "route/{slug}", route), Route(API + "place", place), Route(API + "line", line),
            Route(API + "towns", towns),
            Route(API + "contribution.zip", contribution),
            Route(API + "save", post_save, methods=["POST"]), Route(API + "delete", post_delete, methods=["POST"]),
            Route(API + "import", post_import, methods=["POST"]), Route(API + "{name}", own_file)]


def _problem(field: str, message: str, fix: str) -> JSONResponse:
    return JSONResponse({"problems": {field: [{"message": message, "fix": fix}]}}, status_code=422)


def _check_token(request: Request, preview) -> None:
    """Refuse a write that lacks the preview's token or comes from another page's origin."""
    token = request.headers.get("x-studio-token", "")
    origin = request.headers.get("origin")
    if not hmac.compare_digest(token.encode(), preview.token.encode()):
        raise HTTPException(403, "This request does not come from the studio's page: nothing was written.")
    if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host')}":
        raise HTTPException(403, "This request comes from another site: nothing was written.")


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise HTTPException(413, "Too large.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, "Too large.")
        chunks.append(chunk)
    return b"".join(chunks)


async def _writing(request: Request, preview):
    """The JSON a write posts and the words of its edition, once its token and size are good."""
    _check_token(request, preview)
    try:
        submission = json.loads(await _body(request, MAX_FORM_BYTES))
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "Not a studio form.") from None
    if not isinstance(submission, dict):
        raise HTTPException(400, "Not a studio form.")
    return submission, preview.strings(_edition(preview.project.editions, submission.get("lang")))


def _layers(project: Project, session: BuildSession):
    """The project's layers as they are now, remembered in the preview's build session (the one
    its rebuilds check them in)."""
    from ..cache.renderers import load_layers

    try:
        return load_layers(project / LAYERS, None, project / FEATURE_SCHEMA, session)
    except InputError:
        return []


def _reference_keys(project: Project) -> set[str]:
    from ..inputs.references import load_references

    try:
        return set(load_references(project / REFERENCES, project / REFERENCES_SCHEMA))
    except InputError:
        return set()


def drawn_route(points: list[tuple[float, float]], country: str | None) -> dict:
    """The route's line as the build draws it through these points (storymap/inputs/routes.py,
    geodesic legs rounded to the map's precision) and the flow map's style for a route of its
    corridor (storymap/scenes/flows.py), for the studio's map."""
    return {"coordinates": [list(c) for c in geodesic_line(points).coords],
            "style": leg_style(corridor_of(country)[1])}


def country_at(project: Project, session: BuildSession, lon: float, lat: float) -> str | None:
    """The ISO code of the basemap's country a point lies in."""
    from shapely.geometry import Point

    point = Point(lon, lat)
    for layer in _layers(project, session):
        if layer.id == "basemap/countries":
            for feature in layer.features:
                if feature["geometry"].covers(point):
                    return feature.get("country")
    return None


@functools.cache
def _towns() -> tuple[dict, ...]:
    """Natural Earth's populated places inside the map's area, from the shared data (if present)."""
    from .derive import DEFAULT_SHARED

    path = DEFAULT_SHARED / "data" / "naturalearth" / "ne_10m_populated_places.geojson"
    if not path.is_file():
        return ()
    towns = []
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        p = feature["properties"]
        if in_region(p["longitude"], p["latitude"]):
            names = [p["name"], p.get("nameascii") or "", *(p.get("namealt") or "").split("|")]
            towns.append({"name": p["name"], "names": [n for n in names if n], "country": p["adm0_a3"],
                          "region": p.get("adm1name") or "", "lon": p["longitude"], "lat": p["latitude"]})
    return tuple(towns)


def find_towns(query: str, limit: int = 8) -> list[dict]:
    """Towns whose name (or another spelling) starts with, then contains, the query."""
    wanted = place_key(query)
    if len(wanted) < 2:
        return []
    ranked = []
    for town in _towns():
        keys = [place_key(name) for name in town["names"]]
        if any(key.startswith(wanted) for key in keys):
            ranked.append((0, town["name"], town))
        elif any(wanted in key for key in keys):
            ranked.append((1, town["name"], town))
    return [{k: v for k, v in town.items() if k != "names"} for _rank, _name, town in sorted(ranked)[:limit]]


def place_namer(project: Project, session: BuildSession, edition: Edition):
    """A gazetteer place's name (its English name) as the edition's readers know it."""
    features = [f for layer in _layers(project, session) for f in layer.features]
    local = load_places(project, edition, features, [], [])
    names = {f["name"]: local.get(f["id"], {}).get("name", f["name"]) for f in features}
    return lambda name: names.get(name, name)


def map_chapter(site_dir: Path) -> str | None:
    """The chapter whose map shows the routes, as the built catalogue links to it."""
    catalogue = site_dir / "routes" / "index.html"
    found = re.search(r'href="\.\./([a-z0-9-]+)/\?route=', catalogue.read_text(encoding="utf-8")) \
        if catalogue.is_file() else None
    return found.group(1) if found else None


def catalogue_page(site_dir: Path, slug: str) -> str:
    """The folder of the built catalogue's page that lists the route (routes/, routes/2/, ...: the
    catalogue comes in pages), routes/ where no page does yet."""
    entry = f'<li id="{slug}">'
    for page in sorted((site_dir / "routes").glob("**/index.html")):
        if entry in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site_dir).as_posix() + "/"
    return "routes/"


def studio_data(project: Project, session: BuildSession, site_dir: Path, edition: Edition, _) -> dict:
    """What the studio's page offers: the gazetteer's places in three languages with their other
    spellings and countries, the references, the routes it can open, the map's styles (the route's
    line and style come from `drawn_route`) and the script's words in the edition's language."""
    from ..inputs.references import load_references

    root = project.root
    layers = _layers(project, session)
    features = [f for layer in layers for f in layer.features]
    local = {e.code: load_places(project, e, features, [], []) for e in project.editions if not e.is_default}
    aliases = load_aliases(project, {f["id"] for f in features}, [])
    countries = {f["country"]: f for f in features if f["kind"] == "country" and f.get("country")}

    def names(feature: dict) -> dict:
        return {"en": feature["name"], **{code: table.get(feature["id"], {}).get("name", "") for code, table in
                                          local.items()}}

    def country_name(code: str | None) -> str:
        feature = countries.get(code)
        if feature is None:
            return code or ""
        return names(feature).get(edition.code) or feature["name"]

    places = [{"id": f["id"], "names": names(f), "aliases": aliases.get(f["id"], []), "kind": f["kind"],
               "country": f.get("country"), "countryName": country_name(f.get("country")),
               "lon": f["geometry"].x, "lat": f["geometry"].y}
              for f in features if f["kind"] in PLACE_KINDS and f["geometry"].geom_type == "Point"]
    try:
        references = load_references(project / REFERENCES, project / REFERENCES_SCHEMA)
    except InputError:
        references = {}
    return {
        "lang": edition.code,
        "places": sorted(places, key=lambda p: p["names"]["en"]),
        "countries": {code: country_name(code) for code in countries},
        "references": [reference_entry(item) for item in references.values()],
        "routes": [{"slug": slug, "name": (read_route(root, slug) or {}).get("name", slug)} for slug in route_slugs(root)],
        "styles": {name: KINDS[name].style for name in ("route", "city", "crossing", "country", "border")},
        "words": {text: _(text) for text in sorted(studio_words())},
        "map": map_chapter(site_dir),
        "basemap": "/" + layer_path("basemap/countries", "geojson"),
        "prefix": edition.prefix,
    }


def reference_entry(item: dict) -> dict:
    """A reference as the source search lists it: its key, authors, year and title."""
    authors = [a.get("literal") or " ".join(filter(None, (a.get("given"), a.get("family"))))
               for a in item.get("author", []) if isinstance(a, dict)]
    issued = (item.get("issued") or {}).get("date-parts") or [[None]]
    year = issued[0][0] if issued and issued[0] else None
    return {"key": item["id"], "authors": ", ".join(filter(None, authors)), "year": year,
            "title": item.get("title", "")}
