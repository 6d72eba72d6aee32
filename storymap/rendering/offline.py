"""The offline copy: the whole site as one zip a teacher unpacks and opens from disk (file://).

Opened from disk, a browser neither turns a folder link into its index.html nor lets a page fetch
files. So the copy differs from the published site in two ways, both derived from the site's own
files here:

- every link to a page's folder (`hunger/`, `../sources/#ref-x`, `?present` stays as it is) names
  its `index.html`;
- each chapter's detailed geometry, fetched step by step on the web, is handed to the map by one
  script per chapter (`<slug>/detail.js`, loaded after story.js), so that every step draws at full
  detail without a request; a flow map's route data (`<slug>/routes.json`, fetched when a reader
  first opens a popup or the route picker) likewise comes as `<slug>/routes.js`. The pages keep
  their strict CSP: the scripts are files, not inline.

`offline_copy` returns the zip's bytes (deterministic, like every download).
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

from .downloads import ROOT as DOWNLOADS, deterministic_zip

#: Where the copy is published, inside site/.
OFFLINE_PATH = f"{DOWNLOADS}/between-borders-offline.zip"
#: The zip unpacks into one folder of this name; its index.html is the landing page.
OFFLINE_FOLDER = "between-borders"

HREF = re.compile(r'href="([^"]*)"')
DETAIL_FILE = re.compile(r"^(?P<slug>.+)/detail-(?P<step>[^/]+)\.json$")
ROUTE_FILE = re.compile(r"^(?P<slug>.+)/routes\.json$")
MAP_SCRIPT = re.compile(r'<script defer src="(?P<prefix>[^"]*?)(?P<slug>[^"/]+)/map\.js"></script>')


def page_link(href: str) -> str:
    """A relative link to a folder, made to name the folder's index.html; other links unchanged."""
    if not href or href.startswith(("#", "?", "/")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href):
        return href
    path, rest = re.match(r"([^?#]*)(.*)", href, re.DOTALL).groups()
    if path in (".", ".."):
        path += "/"
    if path.endswith("/"):
        path += "index.html"
    return path + rest


def detail_scripts(files: Mapping[str, str | bytes]) -> dict[str, str]:
    """<slug>/detail.js for every chapter with zoomed-in steps: all their detail, for story.js."""
    by_chapter: dict[str, dict[str, str]] = {}
    for path in sorted(files):
        match = DETAIL_FILE.match(path)
        if match:
            content = files[path]
            by_chapter.setdefault(match["slug"], {})[match["step"]] = (
                content.decode("utf-8") if isinstance(content, bytes) else content)
    return {f"{slug}/detail.js": "window.storyKit.addDetail({"
            + ",".join(f"{json.dumps(step)}:{data}" for step, data in details.items()) + "});\n"
            for slug, details in by_chapter.items()}


def route_scripts(files: Mapping[str, str | bytes]) -> dict[str, str]:
    """<slug>/routes.js for every flow map's route data, for story.js."""
    scripts = {}
    for path in sorted(files):
        match = ROUTE_FILE.match(path)
        if match:
            content = files[path]
            data = content.decode("utf-8") if isinstance(content, bytes) else content
            scripts[f"{match['slug']}/routes.js"] = f"window.storyKit.addRouteData({data});\n"
    return scripts


def offline_page(html: str, scripts: Mapping[str, str], path: str = "index.html") -> str:
    """A page as the offline copy serves it: folder links name index.html; a chapter's map gets its
    detail and route scripts before its map script."""
    html = HREF.sub(lambda m: f'href="{page_link(m[1])}"', html)

    def with_detail(match: re.Match) -> str:
        # The map's folder in the site (an edition's pages are in its own folder, ko/hunger/).
        folder = posixpath.normpath(posixpath.join(posixpath.dirname(path), match["prefix"], match["slug"]))
        extra = "".join(f'<script defer src="{match["prefix"]}{match["slug"]}/{name}"></script>\n'
                        for name in ("detail.js", "routes.js") if f"{folder}/{name}" in scripts)
        return extra + match[0]
    return MAP_SCRIPT.sub(with_detail, html)


def offline_copy(files: Mapping[str, str | bytes], assets: Mapping[str, Path],
                 deflated: dict[tuple[bytes, int], bytes] | None = None) -> bytes:
    """The zip of the whole site (pages, maps, downloads, assets) made to work from disk;
    `deflated`: its members compressed before (downloads.deterministic_zip)."""
    scripts = {**detail_scripts(files), **route_scripts(files)}
    entries: dict[str, bytes] = {}
    for path, content in files.items():
        if DETAIL_FILE.match(path) or ROUTE_FILE.match(path) or path == OFFLINE_PATH:
            continue
        if path.endswith(".html"):
            content = offline_page(content, scripts, path)
        entries[path] = content.encode("utf-8") if isinstance(content, str) else content
    entries.update({path: text.encode("utf-8") for path, text in scripts.items()})
    entries.update({path: source.read_bytes() for path, source in assets.items()})
    return deterministic_zip({f"{OFFLINE_FOLDER}/{path}": data for path, data in entries.items()}, deflated=deflated)


def offline_entry(data: bytes) -> dict:
    """The offline copy's row in the educators page's downloads (as downloads.download_index lists)."""
    return {"label": "The whole site, to use without internet: unzip it and open index.html",
            "path": OFFLINE_PATH, "format": "ZIP", "size": len(data), "features": None}
