"""The build cache: static maps and formatted citations, kept by content between builds.

Each entry is named by a SHA-256 of everything that decides its bytes: the inputs it is made
from, the source of the storymap modules that make it (found by following their imports), and
the versions of the libraries that draw or format it. Change any of these and the name changes,
so a stale entry is never read; it simply stops being used. The folder (`Project.cache_dir`:
`.cache/` beside the project's inputs, outside `site/`, ignored by git) is safe to delete at any time: the next build
remakes what it needs, byte for byte the same.

This module only stores and names things; `storymap/cache/renderers.py` wraps the renderers with it.
"""
from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
from pathlib import Path, PurePath

from shapely.geometry.base import BaseGeometry

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


def _source_path(module: str) -> Path | None:
    """The source file of a module (a package's `__init__.py`), without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _local_imports(module: str, path: Path) -> set[str]:
    """The modules of the same top-level package that one module imports, by full name: every
    `import`, `from x import y` and relative import in its syntax tree, wherever it sits (a
    function's body too), `y` itself where it is a module of the package, and the packages
    above each (importing `a.b.c` runs `a/b/__init__.py`)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    root = module.partition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    found.update(name.rsplit(".", depth)[0] for name in list(found) for depth in range(1, name.count(".") + 1))
    return {name for name in found if (name == root or name.startswith(root + ".")) and _source_path(name)}


def code_fingerprint(module: str, libraries: tuple[str, ...]) -> str:
    """SHA-256 of a module's source (by full name, `storymap.rendering.static_maps`), every module of the
    same top-level package it imports (transitively, through sub-packages and their
    `__init__.py`), and the installed versions of `libraries` (distribution names)."""
    todo, seen = [module], {}
    while todo:
        name = todo.pop()
        if name not in seen and (path := _source_path(name)):
            seen[name] = path
            todo.extend(_local_imports(name, path) - seen.keys())
    sources = [(name, hashlib.sha256(path.read_bytes()).hexdigest()) for name, path in sorted(seen.items())]
    versions = [(name, importlib.metadata.version(name)) for name in libraries]
    return fingerprint(sources, versions)


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
