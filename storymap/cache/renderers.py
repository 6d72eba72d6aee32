"""The slow renderers, wrapped with the build cache (storymap/cache/store.py).

- Static maps: each PNG is named by the arguments of `render_static_map` and the code that draws
  it; the missing ones are drawn in parallel, one process per core, those of one view in every
  edition together (their art is drawn once: static_maps.render_static_maps).
- Citations: each distinct citation is formatted once per build; the formatted citations and
  reference entries are kept per version of the bibliography (and of the formatting code).
- A chapter map's data (maps.map_data: its geometries simplified for each zoom and its sources'
  labels) is kept by content too, and so is the folium shell of each page's map.
- In the build session (storymap/cache/session.py; the live preview keeps one between rebuilds),
  the checked layers, the downloads and the map data are also remembered by the content they
  come from, so that a rebuild redoes only what a save changed.

The wrapped results are the renderers' own bytes, so a site built from the cache is identical to
one built without it.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import multiprocessing
import os
import pickle
import zlib
from collections.abc import Callable, Collection
from concurrent.futures import Future
from pathlib import Path

from markupsafe import Markup

from .store import BuildCache, code_fingerprint, fingerprint, package_digest
from ..core.memo import ByIdentity
from .head_start import HeadStart, cache_key
from .session import BuildSession
from ..inputs import layers, studio_words as studio
from ..rendering import downloads, maps, offline, static_maps
from ..inputs.chapters import display_path
from ..inputs.layers import Layer
from ..core.progress import Progress
from ..inputs.references import Bibliography, Cite
from ..inputs.licences import DATA_SOURCES
from ..scenes.projection import inverse_mercator, view_extent
from ..rendering.static_maps import TITLE_STRIP_PX, MapJob, art_key, render_static_maps, static_map_jobs
from .workers import end_with_parent

#: Libraries whose versions decide the bytes of a static map or of a citation.
MAP_LIBRARIES = ("matplotlib", "pillow", "numpy", "shapely", "geopandas", "pyproj")
MAP_DATA_LIBRARIES = ("shapely", "numpy", "folium", "branca")
#: Libraries whose versions decide the downloads' bytes (storymap/rendering/downloads.py).
DOWNLOAD_LIBRARIES = ("shapely", "numpy")
#: Libraries whose versions decide the checked layers (storymap/inputs/layers.py).
LAYER_LIBRARIES = ("shapely", "numpy", "pyproj", "fastjsonschema", "jsonschema")


@functools.cache
def _code(module, libraries: tuple[str, ...], cache: BuildCache | None) -> str:
    """The code fingerprint of a module (the module itself: a name could be misspelt)."""
    return code_fingerprint(module.__name__, libraries, cache)


# --- static maps ---------------------------------------------------------------------------------

def layer_key(layer: Layer, session: BuildSession) -> str:
    """The fingerprint of a layer's content (not of its path: the cache stays valid when the
    project moves), once per layer object in a session."""
    return session.layer_keys.get(layer, "fingerprint", lambda: fingerprint(
        {f.name: getattr(layer, f.name) for f in dataclasses.fields(layer) if f.name != "path"}))


def _layers_by_key(value, session: BuildSession):
    if isinstance(value, Layer):
        return layer_key(value, session)
    if isinstance(value, (list, tuple)):
        return [_layers_by_key(v, session) for v in value]
    return value


def _portable(scene, session: BuildSession):
    """A scene as its map data depends on it: layers by their content, the chapter without the
    folder it was read from (the cache stays valid in a clone or a moved project), the flow map's
    routes by their fingerprints, each worked out once (an edition's flow maps share them)."""
    return dataclasses.replace(scene, layers=_layers_by_key(scene.layers, session),
                               chapter=dataclasses.replace(scene.chapter, path=display_path(scene.chapter.path)),
                               routes=tuple(session.seen.get(route, "route", lambda: fingerprint(route))
                                            for route in scene.routes))


def map_key(job: MapJob, session: BuildSession, cache: BuildCache | None = None) -> str:
    """The fingerprint of one static map: its fields and the drawing code. Its layers count by
    what the map can show (`_seen`), so a route added elsewhere, or a leg's list of routes, does
    not make it be drawn again."""
    x0, y0, x1, y1 = view_extent(job.view, job.width_px, job.height_px - TITLE_STRIP_PX)
    extent = _margined((*inverse_mercator(x0, y0), *inverse_mercator(x1, y1)))
    fields = {field.name: getattr(job, field.name) for field in dataclasses.fields(job)}
    fields["scene_layers"] = [_seen(layer, extent, session.seen) for layer in job.scene_layers]
    return fingerprint(_code(static_maps, MAP_LIBRARIES, cache), fields)


def _margined(extent: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A view's extent with a quarter of its size added on every side: names and symbols of
    features just outside it may still reach into the picture."""
    west, south, east, north = extent
    dx, dy = (east - west) / 4, (north - south) / 4
    return west - dx, south - dy, east + dx, north + dy


def _seen(layer: Layer, extent, seen: ByIdentity) -> str:
    """What a static map can show of a layer within extent: each feature's id, name, kind, look
    (colour, width), geometry and the data sources it credits, nothing else. `seen` (the
    session's) remembers a geometry's bounds, a feature's and a layer's fingerprints."""
    west, south, east, north = extent

    def shown(feature: dict) -> bool:
        x0, y0, x1, y1 = seen.get(feature["geometry"], "bounds", lambda: feature["geometry"].bounds)
        return x0 <= east and x1 >= west and y0 <= north and y1 >= south

    return seen.get(layer, ("layer", extent), lambda: fingerprint(
        layer.id, layer.group, [_feature_seen(f, seen) for f in layer.features if shown(f)]))


def _feature_seen(f: dict, seen: ByIdentity) -> str:
    """The fingerprint of what a map shows of one feature, worked out once per feature."""
    return seen.get(f, "feature", lambda: fingerprint(
        f["id"], f["name"], f["kind"], f.get("colour"), f.get("weight"), f["geometry"],
        sorted(key for key in f.get("sources", ()) if key in DATA_SOURCES)))


#: In a worker process only (set by `_start_worker`, never in the build's own process): the maps
#: its pool draws, in groups that share their art (one view in every edition), the session's
#: projected layers and the other work for the pool (name -> a callable without arguments), all
#: inherited through the fork (nothing is pickled).
_WORKER: tuple | None = None


def _start_worker(parent: int, groups: list[list[MapJob]], projected: ByIdentity,
                  background: dict[str, Callable[[], object]]) -> None:
    global _WORKER
    end_with_parent(parent)
    _WORKER = groups, projected, background


def _draw(index: int) -> list[bytes]:
    groups, projected, _ = _WORKER
    return render_static_maps(groups[index], projected)


def _work(name: str):
    return _WORKER[2][name]()


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class StaticMaps:
    """Every static map of the scenes (`static_maps.static_map_jobs`): those in the cache are read
    at once; the missing ones are drawn in worker processes, one per core, while the build goes on
    (fork: the workers share the parent's loaded layers); `files()` waits for them."""

    def __init__(self, scenes: dict, cache: BuildCache, progress: Progress, session: BuildSession,
                 jobs: dict[str, MapJob] | None = None,
                 citations: Collection[tuple[CachedBibliography, list[Cite]]] = (),
                 background: dict[str, Callable[[], object]] | None = None):
        """`jobs` (path -> MapJob) replaces static_map_jobs(scenes) when given:
        the pipeline draws every edition's maps in one pool. The pool first formats the
        `citations` (bibliography, the citations its pages make) that the cache lacks: the pages
        need them before the maps. Then it does the `background` work (name -> a callable without
        arguments, its result picklable; `result(name)` waits for it), before the maps. The pool
        is the session's (`BuildSession.pool`)."""
        self.cache, self.progress, self.session = cache, progress, session
        self.jobs = jobs if jobs is not None else static_map_jobs(scenes)
        self.keys = {path: map_key(job, session, cache) for path, job in self.jobs.items()}
        self.found = {path: cache.read("static-maps", key, ".png") for path, key in self.keys.items()}
        self.missing = [path for path, data in self.found.items() if data is None]
        progress.count("static maps", len(self.jobs), cached=len(self.jobs) - len(self.missing))
        groups: dict[tuple, list[str]] = {}
        for path in self.missing:
            groups.setdefault(art_key(self.jobs[path]), []).append(path)
        self.groups = list(groups.values())
        self.futures = []
        self.background, self._background_futures = dict(background or {}), {}
        citations = [(bibliography, cites) for bibliography, cites in citations if not bibliography.kept()]
        workers = min(_workers(), len(self.groups) + len(citations) + len(self.background))
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            groups = [[self.jobs[path] for path in group] for group in self.groups]
            pool = session.pool(workers, _start_worker, (os.getpid(), groups, session.projected, self.background))
            for bibliography, cites in citations:
                bibliography.prefetch(cites, pool.submit)
            self._background_futures = {name: pool.submit(_work, name) for name in self.background}
            self.futures = [pool.submit(_draw, index) for index in range(len(self.groups))]

    def result(self, name: str):
        """What the background work `name` returned: made in the pool, or here when there is none."""
        future = self._background_futures.get(name)
        return future.result() if future is not None else self.background[name]()

    def files(self) -> dict[str, bytes]:
        """Path inside site/ -> PNG bytes, for every map; the drawn ones are added to the cache."""
        files = dict(self.found)
        if self.missing:
            with self.progress.bar(len(self.missing), "Drawing static maps") as tick:
                for index, group in enumerate(self.groups):
                    drawn = (self.futures[index].result() if self.futures
                             else render_static_maps([self.jobs[path] for path in group], self.session.projected))
                    for path, data in zip(group, drawn):
                        files[path] = tick(data)
                        self.cache.write("static-maps", self.keys[path], ".png", data)
        self.session.end_pool()
        return files


# --- remembered in the session: what a preview's rebuild need not redo ----------------------------

def load_layers(layers_dir: Path, reference_keys: Collection[str] | None, schema_path: Path,
                session: BuildSession, cache: BuildCache | None = None) -> list[Layer]:
    """layers.load_layers, remembered in the session by the bytes of every file under layers_dir
    and of the schema: a preview's rebuild after a chapter edit does not check the layers again. Each file
    is read once: the bytes hashed for the key are the ones checked. With `cache`, the checked
    layers are also kept there, by the same key, the checking code and its libraries (pickled,
    geometries as WKB: read in a millisecond, where checking them takes a tenth of a warm build);
    only the latest, as the layers change with every edit to them. Layers with problems raise, and
    are never kept."""
    contents = {path: path.read_bytes() for path in sorted(layers_dir.rglob("*")) if path.is_file()}
    if schema_path not in contents and schema_path.is_file():
        contents[schema_path] = schema_path.read_bytes()
    files = [(str(path), hashlib.sha256(data).hexdigest()) for path, data in contents.items()]
    keys = sorted(reference_keys) if reference_keys is not None else None
    key = fingerprint(str(layers_dir), files, keys, str(schema_path))

    def make() -> list[Layer]:
        name = fingerprint(_code(layers, LAYER_LIBRARIES, cache), key) if cache is not None else None
        stored = cache.read("layers", name, ".pickle") if cache is not None else None
        if stored is not None:
            return pickle.loads(stored)  # noqa: S301 - the build's own cache, named by the content it holds
        loaded = layers.load_layers(layers_dir, reference_keys, schema_path, contents)
        if cache is not None:
            cache.keep_only("layers", name, ".pickle", pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
        return loaded
    return list(session.remember("layers", key, keep=3, make=make))


def studio_words(cache: BuildCache | None) -> frozenset[str]:
    """The studio's words (storymap/inputs/studio_words.py), kept in the build cache by the bytes of
    every source file of the package and of the studio's page and script, which they are read from:
    finding them parses a dozen modules, a twentieth of a warm build."""
    if cache is None:
        return studio.studio_words()
    key = fingerprint(package_digest(studio.__name__),
                      [hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(studio.PAGE_SOURCES)])
    stored = cache.read("studio-words", key, ".json")
    if stored is not None:
        return frozenset(json.loads(stored))
    found = studio.studio_words()
    cache.keep_only("studio-words", key, ".json", json.dumps(sorted(found), ensure_ascii=False).encode("utf-8"))
    return found


def _layers_key(layer_list: list[Layer], session: BuildSession):
    """What names the content of layers: the key load_layers read them by (the bytes of their
    files) when they are the layers it returned, else each layer's fingerprint (a thousand route
    files took 0.08 s to fingerprint)."""
    for key, loaded in session.remembered("layers").items():
        if len(loaded) == len(layer_list) and all(a is b for a, b in zip(loaded, layer_list)):
            return key
    return [layer_key(layer, session) for layer in layer_list]


class Downloads:
    """downloads.download_files, remembered in the session by the content of the layers, the
    references, the arrivals table and the timeline's events, and kept in the build cache (`cache`)
    by that content and the code that makes them (only the latest). What neither holds is made in the
    background (`background`: the StaticMaps pool's work, while the pages that do not list the
    downloads render)."""

    def __init__(self, layer_list: list[Layer], references: dict[str, dict], arrivals_csv: bytes,
                 session: BuildSession, events: list = (), cache: BuildCache | None = None):
        self.session, self.cache = session, cache
        self.key = fingerprint(_layers_key(layer_list, session), references, hashlib.sha256(arrivals_csv).hexdigest(),
                               [dataclasses.astuple(e) for e in events])
        self._make = functools.partial(downloads.download_files, layer_list, references, arrivals_csv, events)
        self._name = fingerprint(_code(downloads, DOWNLOAD_LIBRARIES, cache), self.key) if cache is not None else None
        stored = (cache.read("downloads", self._name, ".pickle")
                  if cache is not None and self.key not in session.remembered("downloads") else None)
        self._kept: dict[str, bytes] | None = pickle.loads(stored) if stored else None  # noqa: S301 - the build's own cache

    @property
    def background(self) -> dict[str, Callable[[], dict[str, bytes]]]:
        """The work for a StaticMaps pool: nothing when the files are remembered or kept."""
        known = self._kept is not None or self.key in self.session.remembered("downloads")
        return {} if known else {"downloads": self._make}

    def files(self, pool: StaticMaps | None = None) -> dict[str, bytes]:
        """Path inside site/ -> bytes; made by `pool` when it was given the `background` work."""
        def make() -> dict[str, bytes]:
            if self._kept is not None:
                return self._kept
            made = pool.result("downloads") if pool is not None and "downloads" in pool.background else self._make()
            if self.cache is not None:
                self.cache.keep_only("downloads", self._name, ".pickle",
                                     pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
            return made
        return dict(self.session.remember("downloads", self.key, make, keep=3))


def map_data(scene, bibliography: Bibliography, cache: BuildCache | None, session: BuildSession) -> maps.MapData:
    """maps.map_data, kept by the content of the scene and the bibliography and the code: in the
    cache folder, and in the session (whose `worked` geometries it simplifies with). Each layer's
    part is kept too (`layer_data`): a route change, which changes the flow maps' scenes, makes
    their basemap's parts again from none."""
    key = fingerprint(_code(maps, MAP_DATA_LIBRARIES, cache), _portable(scene, session), bibliography.items)

    def make() -> maps.MapData:
        stored = cache.read("map-data", key, ".json") if cache else None
        if stored:
            return maps.MapData(**json.loads(stored))
        part = maps.layer_data if cache is None else functools.partial(layer_data, cache=cache, session=session)
        data = maps.map_data(scene, bibliography, session.worked, part)
        if cache:
            cache.write("map-data", key, ".json", json.dumps(dataclasses.asdict(data)).encode("utf-8"))
        return data
    return session.remember("map data", key, make, keep=100)  # a few builds of every chapter


def layer_data(scene, layer: Layer, bibliography: Bibliography, worked, *, cache: BuildCache,
               session: BuildSession) -> maps.LayerData:
    """maps.layer_data, kept in the cache folder by what it depends on: the layer's content, the
    map's extent and overview zoom, its steps' views, the waypoints of the layer's routes, the
    bibliography (its labels, in its locale) and the code."""
    steps = [(step.id, step.view, step.zoom, step.detail) for step in scene.steps]
    drawn = {f["id"]: scene.drawn_through[f["id"]] for f in layer.features if f["id"] in scene.drawn_through}
    references = session.seen.get(bibliography, "references", lambda: fingerprint(bibliography.items,
                                                                                 bibliography.locale))
    key = fingerprint(_code(maps, MAP_DATA_LIBRARIES, cache), layer_key(layer, session), scene.extent,
                      scene.overview_zoom, steps, drawn, references)
    stored = cache.read("map-layer-data", key, ".json")
    if stored:
        return maps.LayerData(**json.loads(stored))
    data = maps.layer_data(scene, layer, bibliography, worked)
    # Not dataclasses.asdict, which copies every list of coordinates first.
    cache.write("map-layer-data", key, ".json", json.dumps({"features": data.features,
                                                            "details": data.details}).encode("utf-8"))
    return data


def render_map(scene, data: maps.MapData, cache: BuildCache | None, session: BuildSession, *, asset_prefix: str,
               label: str | None = None) -> maps.MapParts:
    """maps.render_map: its shell (maps.render_shell) kept by what decides its bytes (the opening
    view, the label, the assets' path) and the code, the map data put in: folium compiles its
    templates anew for every map, which made rendering the pages' map shells a fifth of a warm
    build; a route change, which changes the data of the flow maps, renders none."""
    key = fingerprint(_code(maps, MAP_DATA_LIBRARIES, cache), scene.steps[0].view, label or scene.chapter.title,
                      asset_prefix)

    def make() -> maps.MapParts:
        stored = cache.read("map-shells", key, ".json") if cache else None
        if stored:
            parts = json.loads(stored)
            return maps.MapParts(**{name: Markup(text) if name != "script" else text for name, text in parts.items()})
        parts = maps.render_shell(scene, asset_prefix=asset_prefix, label=label)
        if cache:
            cache.write("map-shells", key, ".json", json.dumps(
                {"header": str(parts.header), "html": str(parts.html), "script": parts.script}).encode("utf-8"))
        return parts
    return maps.with_data(session.remember("map shells", key, make, keep=400), data)


# --- the offline copy ----------------------------------------------------------------------------

def offline_copy(files: dict[str, str | bytes], assets: dict[str, Path], cache: BuildCache) -> bytes:
    """The offline copy (offline.offline_copy), kept by the content of every file it packs: a
    build that changed nothing reads it instead of compressing the whole site again; one that
    changed some files compresses only those again (the members of the latest copy are kept,
    compressed, beside it). Only the latest is kept (it is megabytes, and every edit in the
    preview changes it)."""
    def digest(data: str | bytes) -> str:
        return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
    key = fingerprint(_code(offline, (), cache), sorted((path, digest(data)) for path, data in files.items()),
                      sorted((path, digest(source.read_bytes())) for path, source in assets.items()))
    data = cache.read("offline", key, ".zip")
    if data is None:
        # By zlib's version: another may compress the same bytes differently.
        members = f"zlib-{zlib.ZLIB_RUNTIME_VERSION}"
        stored = cache.read("offline-members", members, ".pickle")
        deflated = pickle.loads(stored) if stored else {}  # noqa: S301 - the build's own cache
        data = offline.offline_copy(files, assets, deflated)
        cache.keep_only("offline", key, ".zip", data)
        cache.keep_only("offline-members", members, ".pickle", pickle.dumps(deflated, protocol=pickle.HIGHEST_PROTOCOL))
    return data


# --- citations -----------------------------------------------------------------------------------

def _cite_key(cites: list[Cite]) -> str:
    return json.dumps([[c.key, c.locator] for c in cites])


def formatted_citations(items: dict[str, dict], locale: str, cites: list[Cite], with_entries: bool) -> dict:
    """What a CachedBibliography keeps in the cache, formatted from nothing: each of `cites` alone
    and, `with_entries`, every entry (in reference-list order; else None). Run in a worker
    process (`prefetch`)."""
    bibliography = Bibliography(items, locale)
    return {"entries": {key: bibliography.entry(key) for key in bibliography.ordered_keys()} if with_entries else None,
            "cites": {_cite_key([cite]): bibliography.cite([cite]) for cite in cites}}


class CachedBibliography(Bibliography):
    """A Bibliography whose citations and entries come from the cache when it has them; citeproc
    is only loaded for what it lacks, and each citation is formatted at most once per build.
    What the cache lacks can be formatted ahead: an edition's reference list by the build's head
    start (storymap/cache/head_start.py, `head_start`), its citations in a worker process (`prefetch`)."""

    def __init__(self, items: dict[str, dict], cache: BuildCache, locale: str = "en-US",
                 head_start: HeadStart | None = None):
        super().__init__(items, locale)
        self._cache = cache
        self._key = cache_key(items, locale, cache)
        stored = cache.read("citations", self._key, ".json")
        saved = json.loads(stored) if stored else {}
        self._cites: dict[str, str] = saved.get("cites", {})
        self._saved_entries: dict[str, str] | None = saved.get("entries")
        self._changed = not stored
        self._ahead: Future | None = None
        self._head_start = head_start if head_start is not None and not stored and head_start.started() else None

    def kept(self) -> bool:
        """Whether the cache holds the entries (and so the citations of a build like the last)."""
        return self._saved_entries is not None

    def prefetch(self, cites: list[Cite], submit) -> None:
        """Have `submit` (a process pool's) format `cites` and, unless the head start does, the
        entries, while the build goes on, if the cache lacks them; they are taken when needed."""
        if self._saved_entries is None:
            self._ahead = submit(formatted_citations, self.items, self.locale, list(dict.fromkeys(cites)),
                                 self._head_start is None)

    def _take_ahead(self) -> None:
        if self._ahead is not None:
            ahead, self._ahead = self._ahead, None
            if not ahead.cancelled():  # a pool shut down before it got to them: formatted here
                self._saved_entries = ahead.result()["entries"] or self._saved_entries
                self._cites.update(ahead.result()["cites"])

    @property
    def _entries(self) -> dict[str, str]:
        self._take_ahead()
        if self._saved_entries is None and self._head_start is not None:
            self._saved_entries, self._head_start = self._head_start.entries(self._key), None
        if self._saved_entries is None:
            self._saved_entries = self._formatted_entries
        return self._saved_entries

    def cite(self, cites: list[Cite]) -> str:
        key = _cite_key(cites)
        self._take_ahead()
        if key not in self._cites:
            self._cites[key] = super().cite(cites)
            self._changed = True
        return self._cites[key]

    def save(self) -> None:
        """Keep what this build formatted for the next one (only when something new was formatted)."""
        if self._changed:
            data = {"entries": self._entries, "cites": dict(sorted(self._cites.items()))}
            self._cache.write("citations", self._key, ".json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
            self._changed = False
