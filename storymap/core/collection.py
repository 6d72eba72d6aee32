"""The cyclic garbage collector's thresholds while a build or a check runs.

A build makes millions of short-lived objects (features as dicts, GeoJSON of simplified
geometries, template output) while it keeps hundreds of thousands (the layers, their geometries,
the compiled templates). With Python's default thresholds (700, 10, 10) the collector ran about
870 times in the next build of a project with 1,000 routes added, six of those over every object
the build keeps: 0.8 s of the main process's 5.7 s, and more in the caches it cleared; with
THRESHOLDS it ran 6 times and the main process took 4.2 s (and the build without the routes
3.1 s -> 2.5 s). The objects that exist when it starts (the libraries', above all) are frozen
for the duration: no collection walks them again, and the forked workers do not copy the memory
that holds them. Nothing the build makes depends on when garbage is collected.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: A collection of the youngest objects after this many more allocations than deallocations (the
#: default is 700); the older generations as by default, a few times fewer.
THRESHOLDS = (50_000, 20, 50)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """THRESHOLDS and the objects there are frozen for the duration, then the thresholds before and
    nothing frozen (a preview runs for hours)."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
