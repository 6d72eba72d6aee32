"""One build session: everything a build remembers in its process, and the helper processes it
starts, held by one object instead of by modules.

A session is made for a build (`run.build_site`, `pipeline.assemble_site` when given none) or
kept between rebuilds (the live preview, storymap/tools/preview.py, holds one for as long as it
runs, so that a rebuild redoes only what a save changed); each test that builds gets a fresh one.
Two sessions share nothing: two projects built in one process never see each other's results.

What it holds:

- `layer_keys`, `seen`: a layer's fingerprint, and what a static map can show of a layer, a
  feature and a geometry (storymap/cache/renderers.py), by the identity of the object;
- `projected`: each layer's geometries in Web Mercator for the static maps, by identity (the
  worker processes draw with the copy they inherit);
- `worked`: the geometries simplified for the chapter maps' data (storymap/rendering/maps.py),
  by identity (the editions' layers share the English geometries: each is simplified once);
- `remember`: results by the fingerprint of their inputs (the checked layers, the downloads,
  the map data, the map shells), a few builds' worth of each;
- `templates`: the compiled jinja templates every edition's environment shares (also kept in the
  build cache, storymap/cache/templates.py);
- the head start (storymap/cache/head_start.py) and the pool of worker processes that draws the
  static maps (`pool`), which `end_build` ends.

What stays a functools cache is a function of its arguments and of the installed code and fonts
alone, which no project's inputs can change: a font's file and glyphs (fonts.py, map_text.py), a
geodesic between two points (routes.py), the APA style's text (references.py), a contract by its
bytes or its version (layers.py, schema_words.py), a module's code fingerprint (renderers.py, head_start.py).
The preview server's own memos (a served file's gzip by its version, the shared data's towns for
the studio: tools/serving.py, tools/studio.py) belong to the server, not to a build.

This module is imported before the build's libraries (build.py makes the session with the head
start): it imports nothing heavy, and makes the compiled templates when first asked.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from ..core.memo import ByIdentity

if TYPE_CHECKING:
    from jinja2 import BytecodeCache

    from .head_start import HeadStart
    from .store import BuildCache


class BuildSession:
    """What one build (or one preview's rebuilds) remembers, and the processes it started."""

    def __init__(self, head_start: HeadStart | None = None):
        """`head_start`: the process build.py forked to format the reference lists (head_start.start)."""
        self.head_start = head_start
        self.layer_keys = ByIdentity(limit=256)
        self.seen = ByIdentity(limit=50_000)
        self.projected = ByIdentity(limit=256)
        self.worked = ByIdentity(limit=50_000)
        self._remembered: dict[str, dict[str, object]] = {}
        self._templates: BytecodeCache | None = None
        self._pool: ProcessPoolExecutor | None = None

    def remember(self, kind: str, key: str, make, keep: int):
        """make()'s result, or the one remembered for key; at most `keep` results of a kind (a few
        builds' worth) are kept, the oldest forgotten first."""
        store = self._remembered.setdefault(kind, {})
        if key not in store:
            store[key] = make()
            while len(store) > keep:
                del store[next(iter(store))]
        return store[key]

    def remembered(self, kind: str) -> dict[str, object]:
        """What is remembered of a kind, by key (to look at, not to change)."""
        return self._remembered.get(kind, {})

    def templates(self, cache: BuildCache | None = None) -> BytecodeCache:
        """The compiled templates (storymap/cache/templates.py), shared by every edition's
        environment; kept in `cache` too (the build cache of the session's first build: a session
        builds one project), for the next process."""
        if self._templates is None:
            from .templates import CompiledTemplates

            self._templates = CompiledTemplates(cache)
        return self._templates

    def pool(self, workers: int, initializer, initargs: tuple) -> ProcessPoolExecutor:
        """A pool of `workers` processes forked from this one (they share its loaded layers; what
        `initargs` holds reaches them without being pickled), ended by `end_pool` or `end_build`."""
        self.end_pool()
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                         initializer=initializer, initargs=initargs)
        return self._pool

    def end_pool(self) -> None:
        """Shut the pool down without waiting (work not yet begun is cancelled)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=False, cancel_futures=True)

    def end_build(self) -> None:
        """End what the build started (its pool, its head start), however it ended; what it
        remembers is kept for the session's next build."""
        self.end_pool()
        if self.head_start is not None:
            self.head_start.stop()
            self.head_start = None
