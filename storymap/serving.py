"""A local preview server that behaves like a static host: text files go out gzip-compressed.

`python build.py serve` previews with it, and scripts/lighthouse.sh audits through it, so that
what is measured is what a reader downloads from a real host (Python's plain http.server sends
every file uncompressed, which makes pages look three times heavier than they are).

    python -m storymap.serving SITE_DIR [--port N]
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import sys
import urllib.parse
from pathlib import Path

#: Files a static host compresses (images are compressed already).
COMPRESSIBLE_SUFFIXES = {".html", ".css", ".js", ".json", ".geojson", ".svg", ".csv", ".txt", ".md", ".bib", ".xml"}


@functools.lru_cache(maxsize=256)
def _compressed(path: str, mtime_ns: int) -> bytes:
    """The file's gzip -9 bytes, computed once per version of the file."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


class CompressingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files as SimpleHTTPRequestHandler does, gzip-compressed when the client accepts it."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".geojson": "application/geo+json"}

    def parse_request(self) -> bool:
        """The request line and headers, as http.server reads them; an address holding a NUL byte
        (raw or as %00) is a bad request: no file is named so, and looking one up would raise."""
        if not super().parse_request():
            return False
        if "\x00" in urllib.parse.unquote(self.path):
            self.send_error(400, "Bad request: the address holds a NUL byte")
            return False
        return True

    def send_head(self):
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not urllib.parse.urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # redirects to the address with the slash
            target = target / "index.html"
        if not target.is_file():
            return super().send_head()
        compress = "gzip" in self.headers.get("Accept-Encoding", "") and target.suffix in COMPRESSIBLE_SUFFIXES
        body = self.file_body(target)
        if body is None and not compress:
            return super().send_head()
        if body is None:
            body = _compressed(str(target), os.stat(target).st_mtime_ns)
        elif compress:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(target)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def file_body(self, target: Path) -> bytes | None:
        """The bytes to send for a file instead of the file as it is (None: the file as it is).
        The live preview overrides this to add its reload script to pages."""
        return None


def make_server(site_dir: Path, port: int, handler: type[CompressingHandler] = CompressingHandler
                ) -> http.server.ThreadingHTTPServer:
    """A server for site_dir on 127.0.0.1 (port 0: any free port); the caller runs and closes it."""
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(site_dir)))


def serve(site_dir: Path, port: int) -> None:
    with make_server(site_dir, port) as server:
        print(f"Serving {site_dir.name}/ on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)", flush=True)
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
