"""What the build tells the person waiting for it: its stages, a progress bar for the long one
(tqdm, only when the output is a terminal) and a one-line summary with the time it took."""
from __future__ import annotations

import contextlib
import sys
import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    """Stages and counts of one build, reported to `out` (silent when out is None)."""

    def __init__(self, out: TextIO | None = sys.stdout):
        self.out = out
        self.started = time.perf_counter()
        self.counts: dict[str, tuple[int, int]] = {}

    def stage(self, text: str) -> None:
        if self.out is not None:
            print(f"  {text}", file=self.out, flush=True)

    def count(self, noun: str, total: int, cached: int = 0) -> None:
        """Record how many of something the build made, and how many came from the cache (added up
        over the calls: each edition of the site counts its own)."""
        before = self.counts.get(noun, (0, 0))
        self.counts[noun] = (before[0] + total, before[1] + cached)

    @contextlib.contextmanager
    def bar(self, total: int, text: str):
        """A stage with `total` steps; yields tick(value) -> value, called once per step done.
        The bar is drawn only on an interactive terminal; elsewhere the stage is one line."""
        interactive = self.out is not None and getattr(self.out, "isatty", lambda: False)()
        if not interactive:
            self.stage(f"{text} ({total})")
        with tqdm(total=total, desc=f"  {text}", unit="map", file=self.out, disable=not interactive,
                  leave=False) as progress_bar:
            def tick(value):
                progress_bar.update(1)
                return value
            yield tick

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def summary(self) -> str:
        """What was made, e.g. '22 pages, 35 static maps (30 from the cache)'."""
        return ", ".join(f"{total} {noun}" + (f" ({cached} from the cache)" if cached else "")
                         for noun, (total, cached) in sorted(self.counts.items()))
