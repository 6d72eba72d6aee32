"""The offline copy: the whole site as a zip, unpacked and opened from disk (file://), as a
classroom without internet would use it."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from storymap.rendering.offline import OFFLINE_FOLDER, OFFLINE_PATH

from .test_story import CHAPTERS

#: The chapter with the most zoomed-in steps, whose detail the web version fetches step by step.
ZOOMING = "the-long-way-out"


@pytest.fixture(scope="module")
def offline(built_site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(built_site / OFFLINE_PATH) as archive:
        archive.extractall(folder)
    return folder / OFFLINE_FOLDER


def test_every_link_in_the_copy_opens_a_file(offline):
    """From disk a folder link shows a file listing, not the page: every link must name a file."""
    broken = []
    pages = sorted(offline.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        for href in re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", href) or href.startswith(("#", "?")):
                continue
            target = (page.parent / unquote(re.split(r"[?#]", href)[0])).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(offline)}: {href}")
    assert not broken, "\n".join(broken[:20])


def test_landing_page_links_open_chapters_from_disk(page, offline):
    page.goto((offline / "index.html").as_uri())
    page.locator(".toc a").first.click()
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert page.url.endswith(f"/{CHAPTERS[0].slug}/index.html")
    assert page.locator(".story-map path.leaflet-interactive").count() > 10
    # A popup's source link names the sources page's file, too.
    page.goto((offline / "sources" / "index.html").as_uri())
    page.locator(".cited-in a").first.click()
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    # One page of every other kind opens from disk with a clean console.
    for path in ("about", "educators", f"embed/{ZOOMING}"):
        page.goto((offline / path / "index.html").as_uri())
        page.wait_for_load_state("load")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")  # the embed's map
    assert page.errors == []


def test_every_step_draws_its_detail_from_disk_and_presenter_mode_works(page, offline):
    steps = next(c for c in CHAPTERS if c.slug == ZOOMING).steps
    page.goto((offline / ZOOMING / "index.html").as_uri())
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    zoomed = 0
    for i, step in enumerate(steps):
        if i:
            page.keyboard.press("n")
        page.wait_for_function("""id => storyKit.active.id === id
            && storyKit.resolution === (storyKit.active.detail ? id : null)""", arg=step.id, timeout=5000)
        zoomed += page.evaluate("!!storyKit.active.detail")
    assert zoomed >= 2

    page.goto((offline / ZOOMING / "index.html").as_uri() + f"?present#{steps[0].id}")
    page.wait_for_function("() => window.storyKit && window.storyKit.active && document.body.classList.contains('presenting')")
    for _ in range(4):  # through the caption's parts, if it has more than one, to the next step
        page.keyboard.press("PageDown")
        if page.evaluate("location.hash") != f"#{steps[0].id}":
            break
    assert page.evaluate("location.hash") == f"#{steps[1].id}"
    assert page.errors == []


def test_the_flow_maps_route_picker_and_popups_work_from_disk(page, offline):
    """The routes' names and sources are not in a map's first view but fetched when first needed;
    from disk, where fetch fails, the copy hands them over in a script."""
    flows = [p for p in sorted(offline.rglob("index.html")) if "/routes.js" in p.read_text(encoding="utf-8")]
    assert flows, "a map shows the flow map"
    page.goto(flows[0].as_uri())
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    page.focus("#route-picker")
    page.wait_for_function("() => document.querySelectorAll('#route-picker option').length > 1")
    page.select_option("#route-picker", index=1)
    page.wait_for_function("() => window.storyKit.routeFilter !== null")
    assert "?route=" in page.url
    name = page.evaluate("""() => {
        const kit = window.storyKit, data = kit.routeData;
        const id = Object.keys(data.legs).find(leg => data.legs[leg].includes(kit.routeFilter));
        kit.features[id].openPopup(kit.features[id].getCenter());
        return data.routes[kit.routeFilter].name;
    }""")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert name in popup.inner_text(), "the popup names the route, read from disk"
    assert page.errors == []
