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
import functools
import hashlib
import importlib.machinery
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
    """The source file of a module (a package's `__init__.py`), without importing it or the
    packages above it (importlib.util.find_spec would run them; for `a.b.C`, a name inside the
    module a.b, it would import a.b itself)."""
    top, *parts = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
        for part in parts:
            if spec is None or not spec.submodule_search_locations:
                return None
            spec = importlib.machinery.PathFinder.find_spec(f"{spec.name}.{part}", spec.submodule_search_locations)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _local_imports(module: str, path: Path) -> set[str]:
    """The modules of the same top-level package that one module imports, by full name: every
    `import`, `from x import y` and relative import in its syntax tree, wherever it sits (a
    function's body too), `y` itself where it is a module of the package, and the packages
    above each (importing `a.b.c` runs `a/b/__init__.py`)."""
    root = module.partition(".")[0]
    return {name for name in _imported(module, path.name == "__init__.py", path.read_bytes())
            if (name == root or name.startswith(root + ".")) and _source_path(name)}


@functools.lru_cache(maxsize=1024)
def _imported(module: str, is_package: bool, source: bytes) -> frozenset[str]:
    """Every name a module's source imports, and the packages above each: a function of the
    source alone, worked out once a process (the code fingerprints of the maps, their data, the
    offline copy and the citations share most of their modules)."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    found.update(name.rsplit(".", depth)[0] for name in list(found) for depth in range(1, name.count(".") + 1))
    return frozenset(found)


def _statements(body: list[ast.stmt]):
    """Every statement of a block and of the blocks inside it (an import is a statement: the
    expressions, most of a syntax tree, need not be visited)."""
    for node in body:
        yield node
        for name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, name, None) or [])
        for part in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            yield from _statements(part.body)


def code_fingerprint(module: str, libraries: tuple[str, ...], cache: BuildCache | None = None) -> str:
    """SHA-256 of a module's source (by full name, `storymap.rendering.static_maps`), every module of the
    same top-level package it imports (transitively, through sub-packages and their
    `__init__.py`), and the installed versions of `libraries` (distribution names). A name that is
    no module raises ValueError: it would fingerprint no code, and what is cached by it would never
    be made again when the code changes.

    Following the imports parses every module on the way (about 0.2 s for the maps' code, paid by
    every build); with `cache`, the modules found are kept there by the digest of every source file of
    the package, so that the next build follows them again only after a file of the package changed
    (and a build from an empty cache finds them followed by its head start: `keep_code`)."""
    if _source_path(module) is None:
        raise ValueError(f"{module!r} is not a module's full name (e.g. storymap.rendering.static_maps)")
    versions = [(name, importlib.metadata.version(name)) for name in libraries]
    sources = _followed(module) if cache is None else _kept(module, cache, package_digest(module))
    return fingerprint(sources, versions)


def keep_code(package: str, cache: BuildCache) -> None:
    """Follow the imports of every module of a package and keep what code_fingerprint needs of each
    in `cache` (the head start does it, on the core the build's imports leave idle)."""
    folder, digest, graph = _source_path(package).parent, package_digest(package), {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        _kept(".".join((package, *parts[:-1])) if parts[-1] == "__init__" else ".".join((package, *parts)),
              cache, digest, graph)


def _kept(module: str, cache: BuildCache, digest: str, graph: dict | None = None) -> list[list[str]]:
    """_followed(module), kept in `cache` by the package's digest."""
    key = fingerprint(module, digest)
    stored = cache.read("code", key, ".json")
    if stored is not None:
        return json.loads(stored)
    sources = _followed(module, graph)
    cache.write("code", key, ".json", json.dumps(sources).encode("utf-8"))
    return sources


def _followed(module: str, graph: dict | None = None) -> list[list[str]]:
    """[name, SHA-256 of its source] of the module and of every module of its package it imports, by
    name. `graph` remembers each module's source and imports for the next call (keep_code's)."""
    graph = {} if graph is None else graph
    todo, seen = [module], {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in graph:
            path = _source_path(name)
            graph[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), _local_imports(name, path)) if path else None
        if graph[name] is not None:
            seen[name], imports = graph[name]
            todo.extend(imports - seen.keys())
    return [[name, digest] for name, digest in sorted(seen.items())]


def package_digest(module: str) -> str:
    """SHA-256 of the path and bytes of every source file of a module's top-level package (of the
    module alone, when it is in none)."""
    top = _source_path(module.partition(".")[0])
    folder = top.parent
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")) if top.name == "__init__.py" else [top]:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class BuildCache:
    """Files named by fingerprint in one folder per kind of thing (`static-maps`, `citations`); two
    are equal when they are the same folder."""

    folder: Path

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
