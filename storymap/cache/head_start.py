"""A head start for a build on an empty cache: every edition's reference list, formatted in a
second process while the first one is still importing.

`python build.py build` spends about a second importing its libraries, on one core; on a 2-core
machine the other is idle. `start` (called by build.py before those imports) forks a process that
imports only what formatting a reference list needs and formats the list of each edition whose
citations the cache lacks (about 0.25 s of citeproc each). The build's CachedBibliography takes
them (`entries`) instead of formatting them itself. Before them, it follows the imports of every
module of the package into the build cache (store.keep_code), which the build's code fingerprints
read instead of parsing the modules themselves (about 0.2 s of the main process on an empty cache). Anything that goes wrong in the process (a
references.json that cannot be read, say) only means the build formats the lists itself, and
reports the problem as it always has.
"""
from __future__ import annotations

import functools
import multiprocessing
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..inputs.project import Project
    from .store import BuildCache

#: How long a build waits for the reference lists before formatting them itself.
WAIT_SECONDS = 60


class HeadStart:
    """The process formatting a build's reference lists, and what it sent once taken. Its build
    session (storymap/cache/session.py) holds it and stops it when the build is over."""

    def __init__(self, process, reader):
        self._running: tuple | None = (process, reader)
        self._sent: dict[str, dict[str, str]] = {}

    def started(self) -> bool:
        """Whether the process is at work or has lists not yet taken."""
        return self._running is not None or bool(self._sent)

    def entries(self, key: str) -> dict[str, str] | None:
        """The reference list the process formatted for the bibliography cached under `key` (waiting
        for the process if it is still at work); None when it formatted none for that key."""
        if self._running is not None:
            _process, reader = self._running
            try:  # a process stuck for a minute is given up on: the build formats the lists itself
                sent = reader.recv() if reader.poll(WAIT_SECONDS) else {}
            except (EOFError, OSError):
                sent = {}
            self.stop()
            self._sent = sent
        return self._sent.pop(key, None)

    def stop(self) -> None:
        """End the process if it is still at work (a build that stopped at its inputs' problems does
        not need its lists) and forget what it sent."""
        if self._running is not None:
            process, reader = self._running
            process.terminate()
            reader.close()
            process.join()
        self._running, self._sent = None, {}


def start(project: Project) -> HeadStart | None:
    """Fork the process that formats the reference lists of the project's editions, for its build
    cache; None where processes cannot fork. `HeadStart.stop` when the build is over."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_format, args=(writer, project, os.getpid()), daemon=True)
    process.start()
    writer.close()
    return HeadStart(process, reader)


def _format(writer, project: Project, parent: int) -> None:
    """In the forked process: send {cache key: entries} for each edition's locale the cache lacks."""
    from .workers import end_with_parent

    end_with_parent(parent)  # a killed build takes its head start with it
    sent: dict[str, dict[str, str]] = {}
    try:
        from .store import BuildCache, keep_code

        cache = BuildCache(project.cache_dir)
        try:  # what the build's code fingerprints follow, first: the build asks for them soonest
            keep_code(__name__.partition(".")[0], cache)
        except Exception:  # noqa: BLE001 - the build follows the imports itself
            pass

        from ..inputs.project import REFERENCES, REFERENCES_SCHEMA
        from ..inputs.references import Bibliography, load_references

        items = load_references(project / REFERENCES, project / REFERENCES_SCHEMA)
        for locale in dict.fromkeys(edition.csl_locale for edition in project.editions):
            key = cache_key(items, locale, cache)
            if cache.read("citations", key, ".json") is None:
                bibliography = Bibliography(items, locale)
                sent[key] = {k: bibliography.entry(k) for k in bibliography.ordered_keys()}
    except Exception:  # noqa: BLE001 - the build formats what is missing, and reports any problem
        pass
    finally:
        writer.send(sent)
        writer.close()


@functools.cache
def _code(cache: BuildCache | None) -> str:
    from ..inputs import references
    from .store import code_fingerprint

    return code_fingerprint(references.__name__, references.LIBRARIES, cache)


def cache_key(items: dict[str, dict], locale: str, cache: BuildCache | None = None) -> str:
    """The name of a bibliography's formatted citations in the build cache (storymap/cache/renderers.py):
    its works, its locale, the code that formats them and citeproc's version. `cache`: the build
    cache, which keeps the modules the code fingerprint found (store.code_fingerprint)."""
    from .store import fingerprint

    return fingerprint(_code(cache), items, locale)
