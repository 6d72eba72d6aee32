"""The live preview (`python build.py serve`): a save shows in the open page, on the same step;
a broken file is listed over the last good page until it is fixed."""
from __future__ import annotations

import io
import urllib.request

import pytest
from playwright.sync_api import expect

from storymap.tools.preview import Preview
from tests.support.project import copy_project

CHAPTER = "chapters/02-crossing-the-rivers.md"
STEP = "russia-and-the-sea"


@pytest.fixture(scope="module")
def preview(tmp_path_factory, built_site):
    """A preview of a copy of the project. Static maps and citations come from the project's
    cache, which built_site has just filled: the same bytes, without drawing them again."""
    project = copy_project(tmp_path_factory.mktemp("preview") / "project")
    out = io.StringIO()
    with Preview(project, port=0, out=out) as running:
        running.log = out
        yield running


def listening(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-preview=listening]", state="attached")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")


def test_a_saved_chapter_edit_reloads_the_open_page_on_the_same_step(preview, page):
    listening(page, f"{preview.url}crossing-the-rivers/#{STEP}")
    assert page.locator(f"#{STEP}").get_attribute("aria-current") == "step"
    page.evaluate("window.beforeTheSave = true")
    chapter = preview.project / CHAPTER
    text = chapter.read_text(encoding="utf-8")
    assert "almost all of it along two rivers." in text
    chapter.write_text(text.replace("almost all of it along two rivers.",
                                    "almost all of it along two rivers. A sentence saved during the preview."),
                       encoding="utf-8")
    page.wait_for_function("() => !window.beforeTheSave && document.body.textContent.includes("
                           "'A sentence saved during the preview.')", timeout=60_000)
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert page.evaluate("location.hash") == f"#{STEP}"
    assert page.locator(f"#{STEP}").get_attribute("aria-current") == "step", "the reader is on the same step"
    assert page.errors == [], "the preview's script keeps within the page's Content-Security-Policy"
    built = (preview.site_dir / "crossing-the-rivers" / "index.html").read_text(encoding="utf-8")
    assert "A sentence saved during the preview." in built and "__preview__" not in built, \
        "the reload script is added while serving, never written into site/"


def test_a_broken_layer_is_listed_over_the_last_good_page_until_it_is_fixed(preview, page):
    listening(page, f"{preview.url}crossing-the-rivers/")
    rivers = preview.project / "layers" / "rivers.geojson"
    good = rivers.read_text(encoding="utf-8")
    rivers.write_text(good.replace('"kind":"river"', '"kind":"rivr"', 1), encoding="utf-8")
    try:
        overlay = page.locator("#preview-problems")
        expect(overlay).to_be_visible(timeout=60_000)
        for words in ("layers/rivers.geojson", "feature 0 (id 'mekong')", "field kind", '"rivr" is not an allowed kind',
                      'Fix: use one of the allowed kinds'):
            expect(overlay).to_contain_text(words)
        assert "layers/rivers.geojson" in preview.log.getvalue(), "the terminal lists it too"
        with urllib.request.urlopen(f"{preview.url}crossing-the-rivers/") as response:
            assert response.status == 200 and b"Yalu" in response.read(), "the last good site is still served"
        assert page.locator(".step").count() > 1
    finally:
        rivers.write_text(good, encoding="utf-8")
    expect(page.locator("#preview-problems")).to_have_count(0, timeout=60_000)
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
