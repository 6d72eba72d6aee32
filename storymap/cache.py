"""The build cache: static maps and formatted citations, kept by content between builds.

Each entry is named by a SHA-256 of everything that decides its bytes: the inputs it is made
from, the source of the storymap modules that make it (found by following their imports), and
the versions of the libraries that draw or format it. Change any of these and the name changes,
so a stale entry is never read; it simply stops being used. The folder (`.cache/` beside the
project's inputs, outside `site/`, ignored by git) is safe to delete at any time: the next build
remakes what it needs, byte for byte the same.

This module only stores and names things; `storymap/cached.py` wraps the renderers with it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import os
import re
import tempfile
from pathlib import Path, PurePath

from shapely.geometry.base import BaseGeometry

PACKAGE_DIR = Path(__file__).resolve().parent
#: Where the cache lives, relative to the project's root.
CACHE_FOLDER = ".cache"


def _plain(value):
    """A JSON-able stand-in for the values inputs are made of (geometries by their WKB)."""
    if isinstance(value, BaseGeometry):
        return {"wkb": value.wkb_hex}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}]
    if isinstance(value, PurePath):
        return value.as_posix()
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def fingerprint(*parts) -> str:
    """SHA-256 (hex) of JSON-able parts, in a canonical form (sorted keys, geometries as WKB)."""
    text = json.dumps(parts, sort_keys=True, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: `from .x import ...`, `from storymap.x import ...` and `from . import x, y` at the start of a line.
_IMPORT_RE = re.compile(r"^\s*from\s+(?:\.|storymap\.)(\w*)\s+import[ \t]+\(?([\w \t,]*)", re.MULTILINE)


def _local_imports(path: Path) -> set[Path]:
    """The storymap modules one module imports."""
    found = set()
    for module, names in _IMPORT_RE.findall(path.read_text(encoding="utf-8")):
        for name in [module] if module else re.findall(r"\w+", names):
            found.add(PACKAGE_DIR / f"{name}.py")
    return {p for p in found if p.is_file()}


def code_fingerprint(module: str, libraries: tuple[str, ...]) -> str:
    """SHA-256 of a storymap module's source, every storymap module it imports (transitively),
    and the installed versions of `libraries` (distribution names)."""
    todo, seen = [PACKAGE_DIR / f"{module}.py"], set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(_local_imports(path) - seen)
    sources = [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(seen)]
    versions = [(name, importlib.metadata.version(name)) for name in libraries]
    return fingerprint(sources, versions)


class ByIdentity:
    """Results remembered, in this process only, by the identity of the object they were worked
    out from (and a question about it). The object is kept beside its results, so that its id
    is not reused by another while they are remembered; past `limit` results, all are forgotten
    (a long preview session starts again rather than grows)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._known: dict[tuple, tuple[object, object]] = {}

    def get(self, source, question, work):
        """The result of work() for (source, question), worked out on first asking."""
        key = (id(source), question)
        known = self._known.get(key)
        if known is None or known[0] is not source:
            if len(self._known) >= self.limit:
                self._known.clear()
            known = self._known[key] = (source, work())
        return known[1]


class BuildCache:
    """Files named by fingerprint in one folder per kind of thing (`static-maps`, `citations`)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.folder / kind / f"{key}{suffix}"

    def read(self, kind: str, key: str, suffix: str) -> bytes | None:
        try:
            return self._path(kind, key, suffix).read_bytes()
        except OSError:
            return None

    def write(self, kind: str, key: str, suffix: str, data: bytes) -> None:
        """Store data atomically (a reader never sees half a file); a cache that cannot be written
        only makes the next build slower, so errors are ignored."""
        target = self._path(kind, key, suffix)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except OSError:
            pass

    def keep_only(self, kind: str, key: str, suffix: str, data: bytes) -> None:
        """Store data as `write` does, and remove the kind's other entries: for what is big and
        changes with every edit (the offline copy), where only the latest is worth keeping."""
        self.write(kind, key, suffix, data)
        for other in (self.folder / kind).glob(f"*{suffix}"):
            if other.name != f"{key}{suffix}":
                other.unlink(missing_ok=True)
