"""The site's compiled templates: shared by every edition's environment in a build session, and
kept in the build cache between builds.

jinja compiles a template from its source into Python code the first time an environment loads
it; a fresh process (every `python build.py build`) compiled the page templates anew, a fifth of
a warm build. An entry in the cache (`templates/`) is named by the template's name (not its
file: the cache stays valid in a clone or a moved project), the checksum of its source, and the
code that decides the compiled bytes: the environment's
options (storymap.rendering.pages.environment) and jinja2's version. An edited template, other
options or another jinja2 are compiled again; jinja itself checks the source's checksum and its
own format again when it reads an entry.
"""
from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from ..rendering import pages
from .store import BuildCache, code_fingerprint, fingerprint

KIND = "templates"


class CompiledTemplates(BytecodeCache):
    """Compiled templates by their name (jinja checks the bytes against the source), in memory
    and, with `store`, in the build cache."""

    def __init__(self, store: BuildCache | None = None) -> None:
        self.store = store
        self.compiled: dict[str, bytes] = {}
        self._code = code_fingerprint(pages.__name__, ("jinja2",), store) if store is not None else ""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """The template's name alone (jinja's own key adds its file's path)."""
        return super().get_cache_key(name)

    def _name(self, bucket: Bucket) -> str:
        return fingerprint(self._code, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.compiled.get(bucket.key)
        if data is None and self.store is not None:
            data = self.store.read(KIND, self._name(bucket), ".bin")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = data = bucket.bytecode_to_string()
        if self.store is not None:
            self.store.write(KIND, self._name(bucket), ".bin", data)
