"""The live preview (`python build.py serve`): build, serve, rebuild on save, reload open pages.

The inputs of the build (storymap.inputs.project.INPUTS: chapters/, layers/, references.json,
content/, data/, templates/, static/, ...) are watched with watchfiles. A save rebuilds the site in this process, where the
libraries are loaded already and static maps and citations come from the build cache; an edit to
chapters' words re-renders only what shows them (storymap/commands/incremental.py), and the
offline copy follows once the saves pause. Open pages
hear of each build through a server-sent-events stream (/__preview__/events):

- the build passed: the page reloads, and its address keeps the step (/<chapter>/#<step>);
- the build failed: the page shows the problems over the last good site, which is still the one
  served (site/ is only replaced by a good build), until a save fixes them.

The script that listens (storymap/tools/preview.js) is added to pages as they are served, as a
same-origin file the pages' Content-Security-Policy already allows; site/ itself never contains it.
It also links the routes catalogue and the routes chapter to the contribution studio
(storymap/tools/studio.py), which only this server serves. The server is a Starlette application on
uvicorn (storymap/tools/serving.py): 127.0.0.1 only, local Host names only.
"""
from __future__ import annotations

import html
import json
import queue
import re
import secrets
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TextIO

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from watchfiles import DefaultFilter, watch

from ..cache.session import BuildSession
from ..commands.incremental import IncrementalBuild
from ..inputs.editions import ENGLISH, STRINGS_FILE, TRANSLATIONS, Edition, Strings, load_strings
from ..inputs.project import Project
from ..core.problems import Problem
from .serving import make_server, site_app
from ..inputs.studio_words import STUDIO_LINK
from .studio import STUDIO_FOLDER, studio_routes

#: Addresses of the preview's own files and event stream (never a path inside site/).
PREVIEW_PATH = "/__preview__/"
PREVIEW_FILES = {"preview.js": "text/javascript", "preview.css": "text/css"}
#: Saves that arrive this close together are built once (watchfiles already groups those 10 ms apart).
SETTLE_SECONDS = 0.02
#: After a rebuild of part of the site, the offline copy is packed again once no save has come for this long.
FINISH_AFTER_SECONDS = 1.0
#: A comment on the event stream this often keeps idle connections open.
KEEP_ALIVE_SECONDS = 15
#: How often the event stream looks for a new build (and notices that the preview is closing).
POLL_SECONDS = 1.0

_HEAD_END = re.compile(rb"</head>", re.IGNORECASE)


def problem_data(problem: Problem) -> dict:
    """A problem as the overlay shows it: file, feature or step, field, what is wrong, the fix."""
    where = None
    if problem.feature_index is not None:
        where = f"feature {problem.feature_index}" + (f" (id {problem.feature_id!r})" if problem.feature_id else "")
    return {"file": problem.file, "where": where, "field": problem.field, "message": problem.message,
            "fix": problem.fix}


class BuildStatus:
    """The outcome of the latest build, for the pages listening: how many good builds site/ has
    seen, and the problems of the latest build (none if it passed)."""

    def __init__(self):
        self._changed = threading.Condition()
        self.site = 0
        self.problems: list[dict] = []
        self.closed = False

    def publish(self, problems: list[Problem]) -> None:
        with self._changed:
            if not problems:
                self.site += 1
            self.problems = [problem_data(p) for p in problems]
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def message(self) -> str:
        return json.dumps({"site": self.site, "problems": self.problems})

    def next_message(self, last: str | None, timeout: float) -> str | None:
        """The status as JSON once it differs from `last` (or `last` again after timeout); None when closed."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.message() != last, timeout)
            return None if self.closed else self.message()


def _edition_of(path: str) -> Edition:
    """The edition a site address belongs to: its first folder (ko/, zh/), else English."""
    first = path.lstrip("/").split("/", 1)[0]
    return next((e for e in TRANSLATIONS if e.code == first), ENGLISH)


def preview_app(preview: Preview):
    """The preview's application: its own files, the event stream, the contribution studio, and
    site/ as a static host serves it, pages with the preview's script added."""
    status = preview.status

    async def own_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PREVIEW_FILES:
            return PlainTextResponse("Not found", status_code=404)
        return Response(Path(__file__).with_name(name).read_bytes(), media_type=PREVIEW_FILES[name],
                        headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        async def stream():
            last, quiet = None, 0.0
            while (message := await anyio.to_thread.run_sync(status.next_message, last, POLL_SECONDS)) is not None:
                if message != last:
                    yield f"event: build\ndata: {message}\n\n"
                    last, quiet = message, 0.0
                elif (quiet := quiet + POLL_SECONDS) >= KEEP_ALIVE_SECONDS:
                    yield ": idle\n\n"
                    quiet = 0.0
        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    def with_script(request: Request, target: Path) -> bytes | None:
        if target.suffix != ".html":
            return None
        edition = _edition_of(request.url.path)
        words = preview.strings(edition)
        tag = (f'<script src="{PREVIEW_PATH}preview.js" data-site="{status.site}" '
               f'data-studio="/{edition.prefix}{STUDIO_FOLDER}/" '
               f'data-studio-label="{html.escape(words(STUDIO_LINK))}" defer></script>').encode()
        return _HEAD_END.sub(lambda m: tag + m.group(0), target.read_bytes(), count=1)

    routes = [Route(PREVIEW_PATH + "events", events), *studio_routes(preview),
              Route(PREVIEW_PATH + "{name}", own_file)]
    return site_app(preview.site_dir, routes, file_body=with_script,
                    headers={"Cache-Control": "no-store"})  # a reload always shows the latest build


class PortUnavailable(Exception):
    def __init__(self, port: int, error: OSError):
        super().__init__(f"Cannot preview on port {port} ({error.strerror or error}): another program (perhaps "
                         f"another preview) uses it. Stop that one, or choose another port: "
                         f"python build.py serve --port {port + 1}")


class Preview:
    """Build, serve and watch a project until closed (a context manager)::

        with Preview(project, port=0, out=io.StringIO()) as preview:
            ...  # preview.url serves project.site_dir, rebuilt on every save
    """

    def __init__(self, project: Project, port: int = 8000, out: TextIO = sys.stdout):
        self.project, self.out = project, out
        self.site_dir = project.site_dir
        self.status = BuildStatus()
        self.saves: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        #: Put in the studio's pages; every write to the project must carry it (storymap/tools/studio.py).
        self.token = secrets.token_urlsafe(32)
        #: Serialises the studio's writes with each other.
        self.writing = threading.Lock()
        self._strings: dict[tuple, Strings] = {}
        #: What every rebuild remembers of the ones before (storymap/cache/session.py), for as long as
        #: the preview runs; the studio reads the layers it checked.
        self.session = BuildSession()
        #: Keeps the last good build: a save rebuilds only what it affects (storymap/commands/incremental.py).
        self.builder = IncrementalBuild(project, session=self.session)
        self._built_at = time.monotonic()
        try:  # first: a port in use fails at once, before a build
            self.server = make_server(self.site_dir, port, preview_app(self))
        except OSError as error:
            raise PortUnavailable(port, error) from None
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        try:
            self.rebuild()
        except BaseException:
            self.server.server_close()
            raise
        if not self.site_dir.exists():  # the first build failed: serve a page for the problems
            self.site_dir.mkdir(parents=True)
            (self.site_dir / "index.html").write_text(
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>Preview</title></head>"
                "<body><p>Nothing built yet: fix the problems listed, then save.</p></body></html>", encoding="utf-8")
        folders, files = project.watched()
        files = {file.resolve() for file in files}
        self.threads = [threading.Thread(target=self.server.serve_forever, daemon=True),
                        threading.Thread(target=self._watch, args=(folders, None), daemon=True),
                        # Files are watched through their folder: editors save by replacing the file.
                        threading.Thread(target=self._watch, args=(sorted({f.parent for f in files}), files),
                                         daemon=True),
                        threading.Thread(target=self._rebuild_on_save, daemon=True)]
        for thread in self.threads:
            thread.start()

    def strings(self, edition: Edition) -> Strings:
        """The edition's interface words as content/<code>/strings.yaml has them now (read again
        only when the file changes: every page served asks for them)."""
        path = self.project.translation(edition, STRINGS_FILE)
        version = (edition.code, path.stat().st_mtime_ns if path.is_file() else None)
        if version not in self._strings:
            self._strings = {version: load_strings(self.project, edition, []),
                             **{k: v for k, v in self._strings.items() if k[0] != edition.code}}
        return self._strings[version]

    def _watch(self, paths: list[Path], files: set[Path] | None) -> None:
        """Watch the folders `paths` with all they hold, or (files given) only those files in them."""
        if not paths:
            return
        wanted = DefaultFilter() if files is None else (lambda change, path: Path(path) in files)
        for changes in watch(*paths, watch_filter=wanted, recursive=files is None, debounce=30, step=10,
                             stop_event=self.stop, yield_on_timeout=False, raise_interrupt=False):
            self.saves.put(changes)

    def _rebuild_on_save(self) -> None:
        while not self.stop.is_set():
            try:
                changes = self.saves.get(timeout=0.2)
            except queue.Empty:
                if self.builder.behind and time.monotonic() - self._built_at >= FINISH_AFTER_SECONDS:
                    self._guarded(self.builder.finish)
                continue
            try:
                while True:  # saves that arrive together are built once
                    changes |= self.saves.get(timeout=SETTLE_SECONDS)
            except queue.Empty:
                pass
            names = sorted({str(Path(path).resolve().relative_to(self.project.root.resolve())) for _change, path in changes})
            print(f"Changed: {', '.join(names)}", file=self.out, flush=True)
            self.rebuild()

    def rebuild(self) -> None:
        problems = self._guarded(lambda: self.builder.rebuild(self.out))
        self._built_at = time.monotonic()
        if problems:
            print("The preview keeps showing the last good build; open pages list the problems.",
                  file=self.out, flush=True)
        self.status.publish(problems)

    def _guarded(self, work) -> list[Problem]:
        """work()'s problems; a bug, not a contributor's mistake, is said so, and the next build is a full one."""
        try:
            return work() or []
        except Exception as error:  # keep previewing
            traceback.print_exc(file=self.out)
            self.builder.forget()
            return [Problem("(the build)", f"stopped with an error the checks did not catch: {error!r}.",
                            "tell the developers, with the lines above from the terminal.")]

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop watching and serving; open event streams end."""
        self.stop.set()
        self.status.close()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self._guarded(self.builder.finish)  # site/ is left whole: its offline copy up to date


def serve(project: Project, port: int = 8000, out: TextIO = sys.stdout) -> int:
    """`python build.py serve`: preview until Ctrl+C. 1 if the port cannot be used."""
    try:
        preview = Preview(project, port, out)
    except PortUnavailable as error:
        print(error, file=out)
        return 1
    except KeyboardInterrupt:  # Ctrl+C during the first build
        return 0
    with preview:
        print(f"Previewing {preview.site_dir.name}/ on {preview.url} (rebuilds when you save; Ctrl+C stops)",
              file=out, flush=True)
        try:
            while not preview.stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
    return 0
