"""A reference whose title holds a <meta http-equiv="refresh"> (tests/fixtures/hostile/) shows it
as text: Chromium stays on the sources page and on the chapter that cites it (issue 24)."""
from __future__ import annotations

import io
import shutil

import pytest

from build import build
from tests.browser.conftest import serving
from tests.support.hostile import HOSTILE, golden_copy


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = golden_copy(tmp_path_factory.mktemp("hostile-references"))
    shutil.copyfile(HOSTILE / "references-markup.json", root / "references.json")
    out = io.StringIO()
    assert build(root, out=out) == 0, out.getvalue()
    with serving(root / "site") as url:
        yield url


@pytest.mark.parametrize("path", ["sources/", "the-river/", "ko/sources/", "zh/the-river/"])
def test_a_reference_with_a_refresh_tag_does_not_navigate_away(page, hostile_site, path):
    page.goto(hostile_site + path)
    page.wait_for_timeout(1500)  # the hostile refresh asks for 0 s
    assert page.url == hostile_site + path
    assert page.locator("b").count() == 0
    assert '<meta http-equiv="refresh"' in page.locator("body").inner_text()
