"""A local server that behaves like a static host: text files go out gzip-compressed.

`python build.py serve` previews with it, and scripts/lighthouse.sh and the browser tests audit
through it, so that what is measured is what a reader downloads from a real host (a plain file
server sends every file uncompressed, which makes pages look three times heavier than they are).

It is a Starlette application run by uvicorn, on 127.0.0.1 only, answering only requests whose
`Host` is 127.0.0.1 or localhost (a page of another site that rebinds its name to this machine
gets nothing). The live preview (storymap/tools/preview.py) adds its own routes in front of the site.

    python -m storymap.tools.serving SITE_DIR [--port N]
"""
from __future__ import annotations

import argparse
import functools
import gzip
import mimetypes
import os
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

#: Files a static host compresses (images are compressed already).
COMPRESSIBLE_SUFFIXES = {".html", ".css", ".js", ".json", ".geojson", ".svg", ".csv", ".txt", ".md", ".bib", ".xml"}
#: The only names this server answers to (DNS rebinding: another site's name pointed at 127.0.0.1).
LOCAL_HOSTS = ("127.0.0.1", "localhost")
CONTENT_TYPES = {".geojson": "application/geo+json", ".js": "text/javascript", ".html": "text/html",
                 ".css": "text/css", ".json": "application/json", ".md": "text/markdown", ".bib": "text/plain"}

#: What the preview may do to a file before it is sent: its bytes, or None for the file as it is.
FileBody = Callable[[Request, Path], "bytes | None"]


@functools.lru_cache(maxsize=256)
def _compressed(path: str, mtime_ns: int) -> bytes:
    """The file's gzip -9 bytes, computed once per version of the file."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def site_file(site_dir: Path, url_path: str) -> Path | None:
    """The file or folder of site_dir an address names, or None (a name that could climb out of it)."""
    parts = [part for part in urllib.parse.unquote(url_path).split("/") if part]
    if any(part in (".", "..") or "\0" in part or "\\" in part for part in parts):
        return None
    return site_dir.joinpath(*parts)


def static_response(request: Request, site_dir: Path, file_body: FileBody | None = None) -> Response:
    """A file of site_dir as a static host sends it: folders need their slash and serve their
    index.html, text is gzip-compressed when the client accepts it."""
    target = site_file(site_dir, request.url.path)
    if target is not None and target.is_dir():
        if not request.url.path.endswith("/"):
            return RedirectResponse(request.url.path + "/" + (f"?{request.url.query}" if request.url.query else ""),
                                    status_code=301)
        target = target / "index.html"
    if target is None or not target.is_file():
        return PlainTextResponse("Not found", status_code=404)
    compress = "gzip" in request.headers.get("accept-encoding", "") and target.suffix in COMPRESSIBLE_SUFFIXES
    body = file_body(request, target) if file_body else None
    if body is None and not compress:
        return FileResponse(target, media_type=content_type(target), stat_result=os.stat(target))
    headers = {}
    if body is None:
        body = _compressed(str(target), os.stat(target).st_mtime_ns)
    elif compress:
        body = gzip.compress(body, compresslevel=6, mtime=0)
    if compress:
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Response(body, media_type=content_type(target), headers=headers)


class RefuseNul:
    """An address holding a NUL byte (raw or as %00) is a bad request: no file is named so."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("raw_path", b"")):
            response = PlainTextResponse("Bad request: the address holds a NUL byte", status_code=400)
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


def site_app(site_dir: Path, routes: list[BaseRoute] = (), file_body: FileBody | None = None,
             headers: dict[str, str] | None = None) -> Starlette:
    """The application: `routes` first, then site_dir's files; only local Host names answered."""
    async def files(request: Request) -> Response:
        response = static_response(request, site_dir, file_body)
        response.headers.update(headers or {})
        return response

    return Starlette(routes=[*routes, Route("/{path:path}", files, methods=["GET", "HEAD"])],
                     middleware=[Middleware(RefuseNul),
                                 Middleware(TrustedHostMiddleware, allowed_hosts=list(LOCAL_HOSTS))])


class Server:
    """uvicorn serving an application on 127.0.0.1 from a thread, with the calls the preview and
    the tests make: `server_port`, `serve_forever()`, `shutdown()`, `server_close()`. The port
    is taken at once, so a port in use fails before anything else is done."""

    def __init__(self, app, port: int):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self.socket.bind(("127.0.0.1", port))
            self.socket.listen(128)
        except OSError:
            self.socket.close()
            raise
        self.server_port = self.socket.getsockname()[1]
        self.server_address = ("127.0.0.1", self.server_port)
        self.uvicorn = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                                     timeout_graceful_shutdown=2))
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            self.uvicorn.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self.uvicorn.should_exit = True
        self._stopped.wait(timeout=10)

    def server_close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.server_close()


def make_server(site_dir: Path, port: int, app=None) -> Server:
    """A server for site_dir (or for `app`) on 127.0.0.1 (port 0: any free port); the caller runs and closes it."""
    return Server(app or site_app(site_dir), port)


def serve(site_dir: Path, port: int) -> None:
    with make_server(site_dir, port) as server:
        print(f"Serving {site_dir.name}/ on http://127.0.0.1:{server.server_port}/ (Ctrl+C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    serve(args.site_dir, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
