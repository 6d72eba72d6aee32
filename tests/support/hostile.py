"""Hostile input (tests/test_hostile_input.py, tests/browser/test_hostile_references.py): each
hostile file is in tests/fixtures/hostile/ and goes into a copy of the golden project."""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from tests.golden import copy as golden_copy  # noqa: F401 - the project each hostile file goes into

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


@contextlib.contextmanager
def hostile(root: Path, relative: str, fixture: str):
    """`relative` in the project replaced by (or made from) tests/fixtures/hostile/<fixture> for the
    duration of the block, and put back as it was after. Yields `relative`."""
    target = root / relative
    before = target.read_bytes() if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HOSTILE / fixture, target)
    try:
        yield relative
    finally:
        if before is None:
            target.unlink()
        else:
            target.write_bytes(before)
