"""The live preview (`python build.py serve`): build, serve, rebuild on save, reload open pages.

The inputs of the build (chapters/, layers/, references.json, content/, data/, templates/,
static/) are watched with watchfiles. A save rebuilds the site in this process, where the
libraries are loaded already and static maps and citations come from the build cache. Open pages
hear of each build through a server-sent-events stream (/__preview__/events):

- the build passed: the page reloads, and its address keeps the step (/<chapter>/#<step>);
- the build failed: the page shows the problems over the last good site, which is still the one
  served (site/ is only replaced by a good build), until a save fixes them.

The script that listens (storymap/preview.js) is added to pages as they are served, as a
same-origin file the pages' Content-Security-Policy already allows; site/ itself never contains it.
"""
from __future__ import annotations

import json
import queue
import re
import sys
import threading
import traceback
from pathlib import Path
from typing import TextIO

from watchfiles import DefaultFilter, watch

from .commands import build_site
from .problems import Problem
from .serving import CompressingHandler, make_server

#: The folders and files the build reads, relative to the project's root.
WATCHED_FOLDERS = ("chapters", "layers", "content", "data", "templates", "static")
WATCHED_FILES = ("references.json",)
#: Addresses of the preview's own files and event stream (never a path inside site/).
PREVIEW_PATH = "/__preview__/"
PREVIEW_FILES = {"preview.js": "text/javascript", "preview.css": "text/css"}
#: Saves that arrive this close together are built once.
SETTLE_SECONDS = 0.05
#: A comment on the event stream this often keeps idle connections open.
KEEP_ALIVE_SECONDS = 15

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


class PreviewHandler(CompressingHandler):
    """The preview server's handler: site/ as a static host serves it, pages with the preview's
    script added, the preview's own files, and the event stream."""

    status: BuildStatus

    def log_message(self, *args):  # one line per request would drown the build's messages
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == PREVIEW_PATH + "events":
            return self.stream_events()
        if path.startswith(PREVIEW_PATH):
            name = path[len(PREVIEW_PATH):]
            if name not in PREVIEW_FILES:
                return self.send_error(404)
            body = Path(__file__).with_name(name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", PREVIEW_FILES[name])
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return None
        return super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload always shows the latest build
        super().end_headers()

    def file_body(self, target: Path) -> bytes | None:
        if target.suffix != ".html":
            return None
        tag = (f'<script src="{PREVIEW_PATH}preview.js" data-site="{self.status.site}" defer></script>'
               ).encode()
        return _HEAD_END.sub(lambda m: tag + m.group(0), target.read_bytes(), count=1)

    def stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        last = None
        try:
            while (message := self.status.next_message(last, KEEP_ALIVE_SECONDS)) is not None:
                self.wfile.write(f"event: build\ndata: {message}\n\n".encode() if message != last else b": idle\n\n")
                self.wfile.flush()
                last = message
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded


class PortUnavailable(Exception):
    def __init__(self, port: int, error: OSError):
        super().__init__(f"Cannot preview on port {port} ({error.strerror or error}): another program (perhaps "
                         f"another preview) uses it. Stop that one, or choose another port: "
                         f"python build.py serve --port {port + 1}")


class Preview:
    """Build, serve and watch a project until closed (a context manager)::

        with Preview(root, port=0, out=io.StringIO()) as preview:
            ...  # preview.url serves root/site/, rebuilt on every save
    """

    def __init__(self, root: Path, port: int = 8000, out: TextIO = sys.stdout, site_dir: Path | None = None,
                 cache_dir: Path | None = None):
        self.root, self.out, self.cache_dir = root, out, cache_dir
        self.site_dir = site_dir or root / "site"
        self.status = BuildStatus()
        self.saves: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        handler = type("Handler", (PreviewHandler,), {"status": self.status})
        try:  # first: a port in use fails at once, before a build
            self.server = make_server(self.site_dir, port, handler)
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
        self.threads = [threading.Thread(target=self.server.serve_forever, daemon=True),
                        threading.Thread(target=self._watch, args=(self._folders(), True), daemon=True),
                        # Files are watched through their folder: editors save by replacing the file.
                        threading.Thread(target=self._watch, args=([root], False), daemon=True),
                        threading.Thread(target=self._rebuild_on_save, daemon=True)]
        for thread in self.threads:
            thread.start()

    def _folders(self) -> list[Path]:
        return [self.root / name for name in WATCHED_FOLDERS if (self.root / name).is_dir()]

    def _watch(self, paths: list[Path], recursive: bool) -> None:
        wanted = DefaultFilter() if recursive else (lambda change, path: Path(path).name in WATCHED_FILES)
        for changes in watch(*paths, watch_filter=wanted, recursive=recursive, debounce=30, step=10,
                             stop_event=self.stop, yield_on_timeout=False, raise_interrupt=False):
            self.saves.put(changes)

    def _rebuild_on_save(self) -> None:
        while not self.stop.is_set():
            try:
                changes = self.saves.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                while True:  # saves that arrive together are built once
                    changes |= self.saves.get(timeout=SETTLE_SECONDS)
            except queue.Empty:
                pass
            names = sorted({str(Path(path).relative_to(self.root)) for _change, path in changes})
            print(f"Changed: {', '.join(names)}", file=self.out, flush=True)
            self.rebuild()

    def rebuild(self) -> None:
        try:
            problems = build_site(self.root, self.site_dir, self.cache_dir, self.out)
        except Exception as error:  # a bug, not a contributor's mistake: say so, keep previewing
            traceback.print_exc(file=self.out)
            problems = [Problem("(the build)", f"stopped with an error the checks did not catch: {error!r}.",
                                "tell the developers, with the lines above from the terminal.")]
        if problems:
            print("The preview keeps showing the last good build; open pages list the problems.",
                  file=self.out, flush=True)
        self.status.publish(problems)

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


def serve(root: Path, port: int = 8000, out: TextIO = sys.stdout) -> int:
    """`python build.py serve`: preview until Ctrl+C. 1 if the port cannot be used."""
    try:
        preview = Preview(root, port, out)
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
