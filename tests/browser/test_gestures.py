"""The map never traps the scroll: plain wheel and one finger scroll the page, ctrl + wheel and two
fingers move the map, explore mode hands it every gesture; mangled addresses and single-key
shortcuts cannot break the story; highlighted features are drawn on top."""
from __future__ import annotations

import pytest

from .test_story import CHAPTERS, map_matches_view, view_of

CHAPTER = "hunger"
STEPS = next(c for c in CHAPTERS if c.slug == CHAPTER).steps

STATE = "() => ({y: scrollY, zoom: storyMap.getZoom(), lat: storyMap.getCenter().lat, lng: storyMap.getCenter().lng})"


def open_chapter(page, url):
    page.goto(url)
    page.wait_for_function("() => window.storyKit && window.storyKit.active && window.storyMap")


def map_centre(page) -> tuple[float, float]:
    box = page.locator(".story-map").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def wheel(page, dy: int, turns: int) -> None:
    for _ in range(turns):
        page.mouse.wheel(0, dy)
        page.wait_for_timeout(60)
    page.wait_for_timeout(400)


def test_plain_wheel_over_the_map_scrolls_the_page_and_ctrl_wheel_zooms(page, base_url):
    open_chapter(page, base_url + CHAPTER + "/")
    x, y = map_centre(page)
    page.mouse.move(x, y)
    before = page.evaluate(STATE)
    wheel(page, 120, 5)
    after = page.evaluate(STATE)
    assert after["y"] - before["y"] >= 200, f"the page scrolled only {after['y'] - before['y']} px"
    assert after["zoom"] == before["zoom"]
    assert page.locator("#map-hint").text_content() == "Use ctrl + scroll to zoom the map"
    assert page.locator("#map-hint").get_attribute("aria-live") == "polite"
    page.wait_for_function("() => !document.getElementById('map-hint').textContent", timeout=4000)  # it fades

    zoom = page.evaluate("storyMap.getZoom()")
    scrolled = page.evaluate("scrollY")
    page.keyboard.down("Control")
    wheel(page, -120, 2)
    page.keyboard.up("Control")
    page.wait_for_function("z => storyMap.getZoom() > z", arg=zoom)
    assert page.evaluate("scrollY") == scrolled, "ctrl + wheel must zoom the map, not scroll the page"
    assert page.errors == []


def test_no_hint_while_the_reader_scrolls_the_text(page, base_url):
    open_chapter(page, base_url + CHAPTER + "/")
    text = page.locator(".story").bounding_box()
    page.mouse.move(text["x"] + text["width"] / 2, 400)
    for _ in range(4):
        page.mouse.wheel(0, 100)
        page.wait_for_timeout(30)
    # The hand keeps scrolling as the pointer drifts over the map: still the story, no hint.
    page.mouse.move(*map_centre(page))
    page.mouse.wheel(0, 100)
    page.wait_for_timeout(200)
    assert page.locator("#map-hint").text_content() == ""


def test_wheel_over_an_embedded_map_scrolls_the_course_page(page, base_url, built_site):
    """An embed sits in a teacher's course page: turning the wheel over it scrolls that page."""
    host = built_site.parent / "served" / "long-host.html"
    host.write_text('<!DOCTYPE html><title>Course page</title><p style="height:300px">Reading</p>'
                    f'<iframe src="between-borders/embed/{CHAPTER}/" title="map" width="800" height="520"></iframe>'
                    '<p style="height:2000px">More reading</p>', encoding="utf-8")
    page.goto(base_url.replace("between-borders/", "long-host.html"))
    inner = page.frame_locator("iframe")
    inner.locator(f"#{STEPS[0].id}[aria-current='step']").wait_for()
    frame = next(f for f in page.frames if "/embed/" in f.url)
    zoom = frame.evaluate("storyMap.getZoom()")
    box = page.locator("iframe").bounding_box()
    page.mouse.move(box["x"] + 400, box["y"] + 200)
    wheel(page, 120, 4)
    assert page.evaluate("scrollY") >= 200
    assert frame.evaluate("storyMap.getZoom()") == zoom


def touch_gesture(page, starts: list[tuple[float, float]], ends: list[tuple[float, float]], moves: int = 12) -> None:
    """Fingers go down at `starts`, slide to `ends` in `moves` steps 16 ms apart, and lift."""
    cdp = page.context.new_cdp_session(page)

    def points(t):
        return [{"x": sx + (ex - sx) * t, "y": sy + (ey - sy) * t, "id": i}
                for i, ((sx, sy), (ex, ey)) in enumerate(zip(starts, ends))]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for i in range(1, moves + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(i / moves)})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(400)


def test_one_finger_scrolls_the_page_and_two_fingers_move_the_map(touch_page, base_url):
    page = touch_page
    open_chapter(page, base_url + CHAPTER + "/")
    x, y = map_centre(page)
    before = page.evaluate(STATE)
    touch_gesture(page, [(x, y + 120)], [(x, y - 120)])
    after = page.evaluate(STATE)
    assert after["y"] - before["y"] >= 100, f"a swipe over the map scrolled the page {after['y'] - before['y']} px"
    assert (after["lat"], after["lng"], after["zoom"]) == (before["lat"], before["lng"], before["zoom"]), \
        "a one-finger swipe must leave the map where it was"
    assert page.locator("#map-hint").text_content() == "Use two fingers to move the map"

    x, y = map_centre(page)
    zoom = page.evaluate("storyMap.getZoom()")
    touch_gesture(page, [(x - 30, y), (x + 30, y)], [(x - 110, y), (x + 110, y)])
    page.wait_for_function("z => storyMap.getZoom() > z + 0.5", arg=zoom)

    # In explore mode one finger pans the map, and the page stays where it is.
    page.get_by_role("button", name="Explore the map").tap()
    x, y = map_centre(page)
    before = page.evaluate(STATE)
    touch_gesture(page, [(x, y + 80)], [(x, y - 80)])
    after = page.evaluate(STATE)
    assert after["lat"] != before["lat"] and after["y"] == before["y"]
    assert page.errors == []


def test_explore_mode_hands_the_map_every_gesture_and_back_restores_the_step(page, base_url):
    open_chapter(page, base_url + CHAPTER + "/")
    button = page.get_by_role("button", name="Explore the map")
    button.focus()
    page.keyboard.press("Enter")  # keyboard-operable
    assert "Exploring the map" in page.locator("#map-hint").text_content()
    x, y = map_centre(page)
    before = page.evaluate(STATE)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 150, y + 80, steps=8)
    page.mouse.up()
    wheel(page, -120, 3)  # plain wheel zooms in explore mode
    after = page.evaluate(STATE)
    assert after["zoom"] > before["zoom"] and after["lng"] != before["lng"]
    assert after["y"] == before["y"], "in explore mode the wheel over the map must not scroll the page"
    assert page.evaluate("storyKit.active.id") == STEPS[0].id

    page.get_by_role("button", name="Back to the story").click()
    assert page.locator("#map-hint").text_content().startswith("Back to the story")
    page.wait_for_function("() => !storyMap._animatingZoom")
    page.wait_for_timeout(300)
    assert map_matches_view(page, view_of(STEPS[0]))

    # Scrolling the text activates the next step again.
    text = page.locator(".story").bounding_box()
    page.mouse.move(text["x"] + text["width"] / 2, 400)
    for _ in range(40):
        page.mouse.wheel(0, 100)
        page.wait_for_timeout(40)
        if page.evaluate("storyKit.active.id") != STEPS[0].id:
            break
    assert page.evaluate("storyKit.active.id") == STEPS[1].id

    # Esc leaves explore mode too.
    page.get_by_role("button", name="Explore the map").click()
    page.keyboard.press("Escape")
    assert page.get_by_role("button", name="Explore the map").get_attribute("aria-pressed") == "false"
    assert page.errors == []


@pytest.mark.parametrize("fragment", ["%E0", "%", "x" * 5000, "no-such-step"], ids=["bad-escape", "percent", "5000-chars", "unknown"])
def test_a_mangled_address_opens_the_first_step(page, base_url, fragment):
    open_chapter(page, f"{base_url}{CHAPTER}/#{fragment}")
    assert page.errors == []
    assert page.locator(".step[aria-current='step']").evaluate_all("ns => ns.map(n => n.id)") == [STEPS[0].id]
    assert page.locator(".story-map path.leaflet-interactive").count() > 10
    assert map_matches_view(page, view_of(STEPS[0]))


HIGHLIGHT_ORDER = """() => {
    const paths = [...document.querySelectorAll('.story-map .leaflet-overlay-pane path')];
    const hi = paths.map((p, i) => p.classList.contains('highlighted') ? i : -1).filter(i => i >= 0);
    const plain = paths.map((p, i) => p.classList.contains('highlighted') ? -1 : i).filter(i => i >= 0);
    return {highlighted: hi.length, below: hi.length ? plain.filter(i => i > Math.min(...hi)).length : 0};
}"""


def test_highlighted_features_are_drawn_above_all_others_at_every_step(page, base_url):
    failures = []
    for chapter in CHAPTERS:
        open_chapter(page, base_url + chapter.slug + "/")
        for i, step in enumerate(chapter.steps):
            if i:
                page.keyboard.press("n")
            # ... and its detailed geometry, where it zooms in, has been swapped in.
            page.wait_for_function("""id => storyKit.active.id === id
                && storyKit.resolution === (storyKit.active.detail ? id : null)""", arg=step.id)
            order = page.evaluate(HIGHLIGHT_ORDER)
            if step.highlight and not order["highlighted"]:
                failures.append(f"{chapter.slug}#{step.id}: nothing highlighted")
            if order["below"]:
                failures.append(f"{chapter.slug}#{step.id}: {order['below']} other features drawn over the highlighted ones")
    assert not failures, "\n".join(failures)


def test_single_key_shortcuts_can_be_turned_off_and_stay_off(page, base_url):
    open_chapter(page, base_url + CHAPTER + "/")
    switch = page.get_by_label("Use the n and p keys")
    assert switch.is_checked()
    switch.uncheck()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    assert page.evaluate("storyKit.active.id") == STEPS[0].id
    open_chapter(page, base_url + CHAPTER + "/")
    assert not page.get_by_label("Use the n and p keys").is_checked()
    page.get_by_label("Use the n and p keys").check()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    page.wait_for_function("id => storyKit.active.id === id", arg=STEPS[1].id)
