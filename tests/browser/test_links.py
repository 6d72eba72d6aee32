"""Link integrity: crawl the served site from its landing page and follow every same-origin link.

Plain HTTP (urllib) and html.parser, no browser: every page, stylesheet, script, image and frame
the site links to must answer 200, and every #fragment must name an id on the page it points to.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from .conftest import serving

#: (tag, attribute) pairs whose URL the crawler follows.
FOLLOWED = {("a", "href"), ("area", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
            ("iframe", "src"), ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
            ("object", "data")}


class Page(HTMLParser):
    """The links and the ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])  # legacy anchors are fragment targets too
        for name, value in attrs:
            if value and (tag, name) in FOLLOWED:
                self.links.append((tag, value.strip()))
            if value and tag == "img" and name == "srcset":
                self.links += [("img", candidate.split()[0]) for candidate in value.split(",") if candidate.strip()]

    handle_startendtag = handle_starttag


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body); 4xx/5xx come back as their status, not as an exception."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), b""


def crawl(start: str) -> tuple[dict[str, int], dict[str, set[str]], list[tuple[str, str, str]]]:
    """Status of every URL reached, the ids of every HTML page, and every (page, tag, link)."""
    origin = urlparse(start)[:2]
    statuses: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str, str]] = []
    queue = [start]
    while queue:
        url = queue.pop(0)
        if url in statuses:
            continue
        status, content_type, body = fetch(url)
        statuses[url] = status
        if status != 200 or "html" not in content_type:
            continue
        page = Page()
        page.feed(body.decode("utf-8", errors="replace"))
        ids[url] = page.ids
        for tag, link in page.links:
            if link.startswith(("mailto:", "tel:", "data:", "javascript:")):
                continue
            absolute = urljoin(url, link)
            links.append((url, tag, absolute))
            target, _ = urldefrag(absolute)
            if urlparse(target)[:2] == origin and target not in statuses:
                queue.append(target)
    return statuses, ids, links


def same_origin(url: str, base_url: str) -> bool:
    return urlparse(url)[:2] == urlparse(base_url)[:2]


def test_every_same_origin_link_answers_200(base_url):
    statuses, ids, links = crawl(base_url)
    broken = sorted({f"{page} -> <{tag}> {url} (HTTP {statuses.get(urldefrag(url)[0])})"
                     for page, tag, url in links
                     if same_origin(url, base_url) and statuses.get(urldefrag(url)[0]) != 200})
    assert len(ids) >= 3, f"the crawl reached only {sorted(ids)}"
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(broken)


def test_no_link_leaves_the_published_folder(base_url):
    """Relative links keep the site working under any sub-path: none may climb above it."""
    _, _, links = crawl(base_url)
    outside = sorted({f"{page} -> {url}" for page, _, url in links
                      if same_origin(url, base_url) and not urldefrag(url)[0].startswith(base_url)})
    assert not outside, "\n".join(outside)


def test_every_fragment_names_an_id_on_its_page(base_url):
    statuses, ids, links = crawl(base_url)
    missing = []
    for page, tag, url in links:
        target, fragment = urldefrag(url)
        if not fragment or not same_origin(url, base_url) or statuses.get(target) != 200 or target not in ids:
            continue
        if unquote(fragment) not in ids[target]:
            missing.append(f"{page} -> <{tag}> {url}: no id {unquote(fragment)!r} on {target}")
    fragments = [url for _, _, url in links if urldefrag(url)[1]]
    assert fragments, "the crawl found no fragment link at all (the skip link, the sources)"
    assert not missing, f"{len(missing)} fragment(s) with no target:\n" + "\n".join(sorted(set(missing)))


def test_the_crawl_reaches_every_page_of_the_build(base_url, built_site):
    """Every HTML page the build writes can be reached by following links from the landing page."""
    statuses, ids, _ = crawl(base_url)
    reached = {urlparse(url).path for url in ids}
    prefix = urlparse(base_url).path
    unreachable = []
    for html in sorted(built_site.rglob("*.html")):
        relative = html.relative_to(built_site).as_posix()
        path = prefix + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        if path not in reached and prefix + relative not in reached:
            unreachable.append(relative)
    assert not unreachable, "pages no link leads to: " + ", ".join(unreachable)


def test_the_crawler_reports_broken_links_and_fragments(tmp_path):
    """The checks above can fail: a tiny site with a missing page and a dangling fragment."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><a href="a/">a</a><a href="gone/">gone</a><a href="a/#here">ok</a>'
        '<a href="a/#nowhere">bad</a><a href="#top">self</a><img src="missing.png" alt="">'
        '<a href="https://example.org/">outside</a><p id="top"></p>', encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<!DOCTYPE html><h1 id="here">A</h1>', encoding="utf-8")

    with serving(tmp_path) as base:
        statuses, ids, links = crawl(base)
    assert statuses[base + "gone/"] == 404 and statuses[base + "missing.png"] == 404
    assert "https://example.org/" not in statuses, "the crawler must not leave the origin"
    assert ids[base + "a/"] == {"here"}
    dangling = [url for _, _, url in links if urldefrag(url)[1] and urldefrag(url)[1] not in ids[urldefrag(url)[0]]]
    assert dangling == [base + "a/#nowhere"]
