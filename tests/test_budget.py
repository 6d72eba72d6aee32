"""The performance budget: every page's first view fits a slow phone's connection."""
from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from storymap.inputs.project import Project
from storymap.tools import budget
from storymap.tools.budget import MAX_GZIP_BYTES, MAX_REQUESTS, all_views, format_table, over_budget, page_weights

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from build import build

    site_dir = tmp_path_factory.mktemp("budget") / "site"
    out = io.StringIO()
    assert build(Project(ROOT, site_dir=site_dir), out=out) == 0, out.getvalue()
    return site_dir


def test_every_page_is_within_the_budget(site):
    """With scripts on and with scripts off (then <noscript> images load instead)."""
    weights = all_views(site)
    assert {w.page for w in weights} >= {"index.html", "sources/index.html", "about/index.html"}
    assert over_budget(weights) == [], "\n" + format_table(weights)


def test_every_chapter_page_counts_its_map_and_leaflet(site):
    weights = {w.page: w for w in page_weights(site)}
    chapters = [page for page in weights if (site / page).with_name("map.js").exists()]
    assert chapters, "no chapter page with a map.js was found"
    for page in chapters:
        files = {f.path for f in weights[page].files}
        assert page.replace("index.html", "map.js") in files, files
        assert "assets/leaflet/leaflet.js" in files, files


def write_fake_site(root: Path) -> Path:
    """Two pages: one small, one whose script alone is over the byte budget, and one with too
    many requests. Random bytes do not compress, so the gzip size is close to the raw size."""
    import random

    rng = random.Random(7)
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "site.css").write_text("body{background:url(bg.png)} @import 'more.css';", encoding="utf-8")
    (root / "assets" / "more.css").write_text(".a{background:url('../img/a.png')}", encoding="utf-8")
    (root / "assets" / "bg.png").write_bytes(b"\x89PNG" + bytes(100))
    (root / "img").mkdir()
    (root / "img" / "a.png").write_bytes(b"\x89PNG" + bytes(50))
    (root / "index.html").write_text(
        '<!DOCTYPE html><link rel="stylesheet" href="assets/site.css"><link rel="icon" href="assets/bg.png">'
        '<a href="heavy/">heavy</a><script src="https://cdn.example.org/x.js"></script>'
        '<img src="data:image/png;base64,AAAA">', encoding="utf-8")
    (root / "heavy").mkdir()
    (root / "heavy" / "big.js").write_bytes(bytes(rng.getrandbits(8) for _ in range(MAX_GZIP_BYTES + 1024)))
    (root / "heavy" / "index.html").write_text(
        '<!DOCTYPE html><link rel="stylesheet" href="../assets/site.css"><script src="big.js"></script>',
        encoding="utf-8")
    (root / "many").mkdir()
    images = "".join(f'<img src="i{i}.svg" alt="">' for i in range(MAX_REQUESTS))
    for i in range(MAX_REQUESTS):
        (root / "many" / f"i{i}.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (root / "many" / "index.html").write_text(f"<!DOCTYPE html>{images}<img src='gone.png' alt=''>",
                                              encoding="utf-8")
    return root


def test_an_over_budget_page_is_reported(tmp_path):
    site = write_fake_site(tmp_path / "site")
    weights = {w.page: w for w in page_weights(site)}
    assert sorted(weights) == ["heavy/index.html", "index.html", "many/index.html"]

    small = weights["index.html"]
    # HTML, stylesheet, its url() image, its @import and that file's url() image; no other origins,
    # no data: URLs, no links that are not fetched on load.
    assert sorted(f.path for f in small.files) == ["assets/bg.png", "assets/more.css", "assets/site.css",
                                                  "img/a.png", "index.html"]
    assert small.requests == 5
    assert small.gzip_bytes == sum(len(gzip.compress((site / f.path).read_bytes(), 9)) for f in small.files)
    assert not small.over_budget

    heavy = weights["heavy/index.html"]
    assert heavy.gzip_bytes > MAX_GZIP_BYTES
    assert heavy.biggest(1)[0].path == "heavy/big.js"
    assert heavy.over_budget and "KB gzip" in heavy.over_budget[0]

    many = weights["many/index.html"]
    assert many.requests == MAX_REQUESTS + 1
    assert many.missing == ["many/gone.png"]
    assert many.over_budget and "requests" in many.over_budget[0]

    assert [line.split(" (")[0] for line in over_budget(list(weights.values()))] == ["heavy/index.html",
                                                                                    "many/index.html"]


def test_noscript_content_counts_only_with_scripts_off_and_lazy_images_not_at_all(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("app.js", "fallback.png", "later.png", "logo.png"):
        (site / name).write_bytes(b"x" * 100)
    (site / "index.html").write_text(
        '<!DOCTYPE html><script src="app.js"></script><noscript><img src="fallback.png" alt=""/></noscript>'
        '<img src="later.png" loading="lazy" alt=""><img src="logo.png" alt="">', encoding="utf-8")
    on, = page_weights(site, scripts=True)
    off, = page_weights(site, scripts=False)
    assert sorted(f.path for f in on.files) == ["app.js", "index.html", "logo.png"]
    assert sorted(f.path for f in off.files) == ["fallback.png", "index.html", "logo.png"]
    assert [w.scripts for w in all_views(site)] == [True, False]


def test_the_command_names_the_pages_over_budget_and_fails(tmp_path):
    site = write_fake_site(tmp_path / "site")
    out = io.StringIO()
    assert budget.main([str(site)], out=out) == 1
    text = out.getvalue()
    assert "heavy/index.html" in text and "many/index.html" in text and "2 page(s) over budget" in text

    (site / "heavy" / "big.js").write_text("// small now", encoding="utf-8")
    for i in range(MAX_REQUESTS):
        (site / "many" / f"i{i}.svg").unlink()
    (site / "many" / "index.html").write_text("<!DOCTYPE html><p>light</p>", encoding="utf-8")
    out = io.StringIO()
    assert budget.main([str(site)], out=out) == 0, out.getvalue()
    assert "within budget" in out.getvalue()
