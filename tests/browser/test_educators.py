"""What a teacher does with the story: copy a step's link, embed a map, print a chapter, download
the data, and share a page with a preview image."""
from __future__ import annotations

import io
import json
import re
import urllib.request
import zipfile

import geopandas

from storymap.inputs.chapters import load_chapters
from storymap.inputs.project import FRONT_MATTER_SCHEMA

from .conftest import ROOT
from .test_story import map_matches_view, view_of

CHAPTERS = load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA)


def test_copied_step_link_opens_on_that_step(context, page, base_url):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    chapter = CHAPTERS[1]
    step = chapter.steps[2]
    page.goto(base_url + chapter.slug + "/")
    page.locator(f"#{step.id} .step-link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{base_url}{chapter.slug}/#{step.id}"
    assert "Link copied" in page.locator("#copy-status").text_content()

    reader = context.new_page()
    reader.goto(copied)
    reader.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert reader.locator(f"#{step.id}").get_attribute("aria-current") == "step"
    assert map_matches_view(reader, view_of(step))


def test_embedded_map_works_in_an_iframe(page, base_url, built_site):
    chapter = CHAPTERS[4]
    host = built_site.parent / "served" / "host.html"
    host.write_text(f'<!DOCTYPE html><title>Course page</title><link rel="icon" href="between-borders/assets/favicon.svg"><iframe src="between-borders/embed/{chapter.slug}/" '
                    f'title="map" width="800" height="520"></iframe>', encoding="utf-8")
    page.goto(base_url.replace("between-borders/", "host.html"))
    frame = page.frame_locator("iframe")
    frame.locator(f"#{chapter.steps[0].id}[aria-current='step']").wait_for()
    target = chapter.steps[2]
    frame.locator(f"#{target.id}").click()
    frame.locator(f"#{target.id}[aria-current='step']").wait_for()
    inner = next(f for f in page.frames if f"/embed/{chapter.slug}/" in f.url)
    inner.wait_for_function("() => !window.storyMap._animatingZoom")
    inner.wait_for_timeout(1500)
    assert map_matches_view(inner, view_of(target))
    assert page.errors == []


def test_chapter_prints_as_a_handout(page, base_url):
    chapter = CHAPTERS[4]
    page.goto(base_url + chapter.slug + "/")
    page.emulate_media(media="print")
    assert not page.locator(".map-pane").is_visible(), "no interactive map box on paper"
    assert not page.locator(".step-link").first.is_visible()
    images = page.locator(".step .print-map")
    assert images.count() == len(chapter.steps)
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('.print-map')].every(i => i.complete && i.naturalWidth > 0)")
    sources = page.locator(".chapter-sources")
    assert sources.is_visible()
    assert re.search(r"https?://\S+", sources.inner_text()), "sources are printed with their URLs"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


def test_downloads_are_valid_data(base_url, tmp_path):
    zip_bytes = fetch(base_url + "downloads/between-borders-layers.zip")
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        names = archive.namelist()
    assert any(n.endswith("DATA-DICTIONARY.md") for n in names)
    # Every layer file is in the zip; the route files, one per route, as one routes layer.
    layer_files = sorted({"routes" if p.parent.name == "routes" else p.relative_to(ROOT / "layers").with_suffix("")
                          for p in (ROOT / "layers").rglob("*.geojson")}, key=str)
    for layer in layer_files:
        assert any(n.endswith(f"{layer}.geojson") for n in names) and any(n.endswith(f"{layer}.csv") for n in names)
    rivers_path = tmp_path / "rivers.geojson"
    rivers_path.write_bytes(fetch(base_url + "downloads/layers/rivers.geojson"))
    rivers = geopandas.read_file(rivers_path)
    assert set(rivers["id"]) == {"yalu", "tumen", "mekong"}
    assert fetch(base_url + "downloads/defector-arrivals.csv").decode().startswith("year,total")
    assert {item["id"] for item in json.loads(fetch(base_url + "downloads/references.json"))} >= {"park-baptista-2024"}
    assert b"@" in fetch(base_url + "downloads/references.bib")


def test_every_page_has_a_preview_image_that_exists(page, base_url, built_site):
    pages = sorted(p.relative_to(built_site) for p in built_site.rglob("index.html"))
    for path in pages:
        html = (built_site / path).read_text(encoding="utf-8")
        image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
        assert re.search(r'<meta name="twitter:card" content="summary_large_image">', html)
        site_url = canonical[: len(canonical) - len(str(path.parent)) - 1] if str(path.parent) != "." else canonical
        assert (built_site / image[len(site_url):]).is_file(), f"{path}: preview {image} is not in the site"


def test_about_educators_and_footer_state_the_licences(built_site):
    """A teacher finds what they may reuse: the about page and "Citing this story" say CC BY 4.0 and
    link to it; OSM layers are ODbL; every page's footer says so briefly."""
    about = (built_site / "about" / "index.html").read_text(encoding="utf-8")
    educators = (built_site / "educators" / "index.html").read_text(encoding="utf-8")
    cc_link = 'href="https://creativecommons.org/licenses/by/4.0/"'
    assert cc_link in about and "Open Database License" in about and "MIT licence" in about
    cite = educators[educators.index('id="cite"'):educators.index('id="downloads"')]
    assert cc_link in cite and "CC BY 4.0" in cite, "the citation section says how the story may be reused"
    chapter = (built_site / CHAPTERS[0].slug / "index.html").read_text(encoding="utf-8")
    footer = chapter[chapter.index('class="site-footer"'):]
    assert "text and figures CC BY 4.0" in footer and "(ODbL)" in footer
