"""Presenter mode (/<chapter>/?present): full-window slides a class can follow on a projector,
moved by the keys presentation clickers send."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_audits import describe_violations
from .test_story import CHAPTERS

CHAPTER = next(c for c in CHAPTERS if c.slug == "hunger")
IDS = [s.id for s in CHAPTER.steps]


@pytest.fixture
def projector(browser, request):
    width, height = getattr(request, "param", (1280, 720))
    context = browser.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()


def open_presenter(page, url):
    page.goto(url)
    page.wait_for_function("() => window.storyKit && window.storyKit.active && document.body.classList.contains('presenting')")


def shown_step(page) -> str:
    """The one step whose caption is on screen, checked against the active step and the address."""
    visible = page.locator(".step").evaluate_all("ns => ns.filter(n => n.getClientRects().length).map(n => n.id)")
    assert len(visible) == 1, f"captions on screen: {visible}"
    assert page.evaluate("storyKit.active.id") == visible[0]
    assert page.evaluate("location.hash") == "#" + visible[0]
    assert "?present" in page.url
    return visible[0]


def test_clicker_keys_and_clicks_move_between_slides_and_the_address_follows(projector, base_url):
    page = projector
    open_presenter(page, base_url + CHAPTER.slug + "/?present")
    assert shown_step(page) == IDS[0]
    map_box = page.locator(".story-map").bounding_box()
    assert (map_box["width"], map_box["height"]) == (1280, 720), "the map fills the window"
    expected = [("PageDown", 1), ("ArrowRight", 2), ("PageUp", 1), ("ArrowLeft", 0), ("Space", 1)]
    for key, index in expected:
        page.keyboard.press(key)
        assert shown_step(page) == IDS[index], f"after {key}"
        assert page.locator(".presenter-where").text_content() == f"Step {index + 1} of {len(IDS)}"
    page.locator(f"#{IDS[1]} p").first.click()
    assert shown_step(page) == IDS[2]
    # Dragging the map moves it and stays on the slide; a plain click on the map goes on.
    page.mouse.move(640, 150)
    page.mouse.down()
    page.mouse.move(700, 200, steps=5)
    page.mouse.up()
    assert shown_step(page) == IDS[2]
    page.mouse.click(640, 150)
    assert shown_step(page) == IDS[3]
    page.keyboard.press("PageUp")
    assert page.evaluate("scrollY") == 0

    page.reload()
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert shown_step(page) == IDS[2], "a reload resumes where the class was"
    violations = describe_violations("presenter", Axe().run(page).response["violations"])
    assert not violations, "\n".join(violations)

    page.keyboard.press("Escape")
    page.wait_for_url(f"**/{CHAPTER.slug}/#{IDS[2]}")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert not page.evaluate("document.body.classList.contains('presenting')")
    assert page.evaluate("storyKit.active.id") == IDS[2]
    assert page.errors == []


def test_chapters_and_the_educators_page_link_to_presenter_mode(page, base_url):
    page.goto(base_url + CHAPTER.slug + "/")
    page.get_by_role("link", name="Present this chapter").click()
    page.wait_for_url("**?present")
    page.wait_for_function("() => document.body?.classList.contains('presenting')")
    page.goto(base_url + "educators/")
    links = page.locator("a[href$='?present']")
    assert links.count() == len(CHAPTERS)
    links.first.click()
    page.wait_for_url("**?present")
    page.wait_for_function("() => document.body?.classList.contains('presenting')")


CAPTION = """() => {
    const s = document.querySelector('.step[aria-current=step]'), box = s.getBoundingClientRect();
    const view = storyKit.active.view, map = storyMap;
    const south = view.bounds ? map.latLngToContainerPoint(L.latLngBounds(view.bounds).getSouthWest()).y : null;
    const part = document.querySelector('.presenter-part').textContent.match(/Part (\\d+) of (\\d+)/);
    return {font: parseFloat(getComputedStyle(s).fontSize), top: box.top, overflow: s.scrollHeight - s.clientHeight,
            south, part: part ? [+part[1], +part[2]] : [1, 1],
            seen: [...s.querySelectorAll('p')].flatMap(p => [...p.getClientRects()])
                .filter(r => r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1).length,
            paragraphs: s.querySelectorAll('p').length};
}"""


@pytest.mark.parametrize("projector", [(1280, 720), (1920, 1080)], indirect=True, ids=["720p", "1080p"])
def test_every_slide_reads_well_on_a_projector(projector, base_url):
    """Every step of every chapter: the caption is large, leaves half the screen to the map, which
    shows the step's view above it; a step too long for one caption is shown in parts, and the
    clicker pages through them before moving on."""
    page = projector
    height = page.viewport_size["height"]
    failures = []
    for chapter in CHAPTERS:
        open_presenter(page, base_url + chapter.slug + "/?present")
        for i, step in enumerate(chapter.steps):
            if i:
                page.keyboard.press("PageDown")
            page.wait_for_function("id => storyKit.active.id === id && !storyMap._animatingZoom", arg=step.id)
            where = f"{chapter.slug}#{step.id}"
            caption = page.evaluate(CAPTION)
            if caption["south"] is not None and caption["south"] > caption["top"] + 2:
                failures.append(f"{where}: the step's view runs under the caption")
            for part in range(caption["part"][1]):
                if part:
                    page.keyboard.press("PageDown")
                    caption = page.evaluate(CAPTION)
                if caption["part"][0] != part + 1 or page.evaluate("storyKit.active.id") != step.id:
                    failures.append(f"{where}: PageDown did not show part {part + 1}")
                    break
                if caption["font"] < height / 45:
                    failures.append(f"{where}: caption text {caption['font']}px is small for a projector")
                if caption["overflow"] > 1:
                    failures.append(f"{where}: {caption['overflow']}px of the caption are cut off at the bottom")
                if caption["top"] < height / 2:
                    failures.append(f"{where}: the caption covers more than half the screen (top at {caption['top']}px)")
                if not caption["seen"] and caption["paragraphs"]:
                    failures.append(f"{where}: part {part + 1} shows no text")
    assert not failures, "\n".join(failures)
    assert page.errors == []
