"""The performance budget: what a reader on a slow phone downloads before the first view.

A page's *first view* is its HTML plus every same-origin file the HTML references directly
(stylesheets, icons, scripts, images, frames) and every file those stylesheets reference with
url(...). Each file is counted at its gzip -9 size, as a static host would serve it compressed,
and each file is one request. Images with loading="lazy" are not part of the first view.

A page is weighed twice: as a reader with scripts on gets it (scripts counted, <noscript>
content not), and with scripts off (the reverse). Both must be within the budget.

    python -m storymap.tools.budget [site_dir]     table of every page; exit 1 if one is over budget
"""
from __future__ import annotations

import gzip
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

#: At most this many bytes (gzip -9, all files summed) for a page's first view.
MAX_GZIP_BYTES = 120 * 1024
#: At most this many requests (the HTML included) for a page's first view.
MAX_REQUESTS = 20

CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""")


@dataclass(frozen=True)
class FileWeight:
    path: str  # relative to the site folder
    raw_bytes: int
    gzip_bytes: int


@dataclass
class PageWeight:
    page: str  # relative to the site folder, e.g. "hunger/index.html"
    scripts: bool = True  # the view of a reader with scripts on (False: scripts off)
    files: list[FileWeight] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # referenced, same-origin, but not in the site

    @property
    def gzip_bytes(self) -> int:
        return sum(f.gzip_bytes for f in self.files)

    @property
    def raw_bytes(self) -> int:
        return sum(f.raw_bytes for f in self.files)

    @property
    def requests(self) -> int:
        return len(self.files)

    @property
    def over_budget(self) -> list[str]:
        """Why the page is over budget, in words; empty when it is within."""
        reasons = []
        if self.gzip_bytes > MAX_GZIP_BYTES:
            reasons.append(f"{self.gzip_bytes / 1024:.1f} KB gzip > {MAX_GZIP_BYTES / 1024:.0f} KB")
        if self.requests > MAX_REQUESTS:
            reasons.append(f"{self.requests} requests > {MAX_REQUESTS}")
        return reasons

    def biggest(self, n: int = 3) -> list[FileWeight]:
        return sorted(self.files, key=lambda f: (-f.gzip_bytes, f.path))[:n]


class _References(HTMLParser):
    """Collects the URLs an HTML page makes the browser fetch on load."""

    def __init__(self, scripts: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = scripts
        self.noscript = 0
        self.urls: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "noscript" and self.noscript:
            self.noscript -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "noscript":
            self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if tag == "noscript":
            self.noscript += 1
            return
        if self.noscript and self.scripts:
            return  # a reader with scripts on never fetches <noscript> content
        if tag == "script" and not self.scripts:
            return
        if a.get("loading", "").lower() == "lazy" and tag in ("img", "iframe"):
            return  # fetched when scrolled near, not for the first view
        if tag == "link":
            rel = a.get("rel", "").lower().split()
            if a.get("href") and ({"stylesheet", "icon", "preload", "modulepreload", "manifest"} & set(rel)
                                  or "apple-touch-icon" in rel):
                self.urls.append(a["href"])
        elif tag in ("script", "iframe", "source", "video", "audio", "embed") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "img":
            if a.get("src"):
                self.urls.append(a["src"])
        elif tag == "object" and a.get("data"):
            self.urls.append(a["data"])


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _resolve(site_dir: Path, base: str, url: str) -> str | None:
    """The site-relative path of a same-origin URL found in the file at site-relative `base`,
    or None for other origins, data: URLs and bare fragments."""
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:  # http:, https:, data:, //host/...: not ours (or no request)
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        # Root-relative: the site may be published under a sub-path, so this is ambiguous; treat it
        # as relative to the site root.
        joined = Path(path.lstrip("/"))
    else:
        joined = Path(base).parent / path
    normal: list[str] = []
    for part in joined.parts:
        if part == "..":
            if normal:
                normal.pop()
        elif part not in (".", ""):
            normal.append(part)
    relative = "/".join(normal)
    target = site_dir / relative
    if relative == "" or target.is_dir():
        relative = (relative + "/index.html").lstrip("/")
    return relative


def _css_references(css: str) -> list[str]:
    return [m.group(2) for m in CSS_URL.finditer(css)] + [m.group(2) for m in CSS_IMPORT.finditer(css)]


def page_weight(site_dir: Path, page: str, scripts: bool = True) -> PageWeight:
    """The first view of one page (site-relative path of its HTML file), scripts on or off."""
    weight = PageWeight(page, scripts)
    seen: set[str] = set()
    cache: dict[str, bytes] = {}

    def add(relative: str) -> bytes | None:
        if relative in seen:
            return cache.get(relative)
        seen.add(relative)
        target = site_dir / relative
        if not target.is_file():
            weight.missing.append(relative)
            return None
        data = target.read_bytes()
        cache[relative] = data
        weight.files.append(FileWeight(relative, len(data), _gzip_size(data)))
        return data

    html = add(page)
    if html is None:
        return weight
    parser = _References(scripts)
    parser.feed(html.decode("utf-8", errors="replace"))
    for url in parser.urls:
        relative = _resolve(site_dir, page, url)
        if relative is None:
            continue
        data = add(relative)
        if data is not None and relative.endswith(".css"):
            pending = [(relative, data)]
            while pending:  # stylesheets may @import others
                css_path, css = pending.pop()
                for ref in _css_references(css.decode("utf-8", errors="replace")):
                    ref_path = _resolve(site_dir, css_path, ref)
                    if ref_path is None or ref_path in seen:
                        continue
                    ref_data = add(ref_path)
                    if ref_data is not None and ref_path.endswith(".css"):
                        pending.append((ref_path, ref_data))
    return weight


def html_pages(site_dir: Path) -> list[str]:
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html") if p.is_file())


def page_weights(site_dir: Path, scripts: bool = True) -> list[PageWeight]:
    """The first view of every HTML page in the built site, sorted by page path, as a reader with
    scripts on (default) or off gets it."""
    site_dir = Path(site_dir)
    return [page_weight(site_dir, page, scripts) for page in html_pages(site_dir)]


def all_views(site_dir: Path) -> list[PageWeight]:
    """Every page with scripts on, then every page with scripts off."""
    return page_weights(site_dir, scripts=True) + page_weights(site_dir, scripts=False)


def format_table(weights: list[PageWeight]) -> str:
    """A plain-text table: one line per page and view, with its three biggest files."""
    head = f"{'page':<40} {'scripts':<7} {'KB gzip':>8} {'KB raw':>8} {'req':>4}  {'status':<6} biggest files (KB gzip)"
    lines = [head, "-" * len(head)]
    for w in weights:
        status = "OVER" if w.over_budget else "ok"
        biggest = ", ".join(f"{f.path} {f.gzip_bytes / 1024:.1f}" for f in w.biggest())
        lines.append(f"{w.page:<40} {'on' if w.scripts else 'off':<7} {w.gzip_bytes / 1024:>8.1f} {w.raw_bytes / 1024:>8.1f} {w.requests:>4}  "
                     f"{status:<6} {biggest}")
    missing: dict[str, int] = {}
    for w in weights:
        for path in w.missing:
            missing[path] = missing.get(path, 0) + 1
    for path, pages in sorted(missing.items()):
        lines.append(f"referenced but not in the site (not counted): {path} ({pages} page(s))")
    lines.append(f"budget: {MAX_GZIP_BYTES / 1024:.0f} KB gzip and {MAX_REQUESTS} requests per page (first view)")
    return "\n".join(lines)


def over_budget(weights: list[PageWeight]) -> list[str]:
    return [f"{w.page} (scripts {'on' if w.scripts else 'off'}): {'; '.join(w.over_budget)}"
            for w in weights if w.over_budget]


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    argv = sys.argv[1:] if argv is None else argv
    site_dir = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "site"
    if not site_dir.is_dir():
        print(f"{site_dir} is not a folder: build the site first (python build.py build).", file=out)
        return 2
    weights = all_views(site_dir)
    if not weights:
        print(f"No HTML pages in {site_dir}.", file=out)
        return 2
    print(format_table(weights), file=out)
    failures = over_budget(weights)
    if failures:
        pages = {w.page for w in weights if w.over_budget}
        print(f"\n{len(pages)} page(s) over budget:", file=out)
        for failure in failures:
            print(f"  {failure}", file=out)
        return 1
    print("\nEvery page is within budget.", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
