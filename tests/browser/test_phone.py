"""The phone layout of every chapter page: whether a reader scrolling by thumb, pressing `n` or
following a deep link sees the map and the active step together. (Its own module, so that it runs
beside the page sweep of test_audits.py.)"""
from __future__ import annotations

import pytest

from .conftest import PHONE
from .test_audits import chapter_pages, open_page, report, scrolling_pages, steps_of, wait_for_story


UNCOVERED_HEIGHT = r"""(selector) => {
    /* How many pixels of the element's height the reader sees, sampled along a vertical line
       through its middle every 4 px: a point counts when nothing that hides it (a background, an
       image, text) lies between the reader and the element. Transparent wrappers do not hide. */
    const target = document.querySelector(selector);
    if (!target) return {seen: 0, full: 0, note: 'missing'};
    const r = target.getBoundingClientRect();
    const x = Math.min(Math.max((Math.max(r.left, 0) + Math.min(r.right, innerWidth)) / 2, 1), innerWidth - 1);
    function hides(el) {
        const cs = getComputedStyle(el);
        if (cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) return false;
        const bg = cs.backgroundColor.match(/[\d.]+/g) || [];
        const alpha = bg.length === 4 ? parseFloat(bg[3]) : (bg.length === 3 ? 1 : 0);
        if (alpha >= 0.5 || cs.backgroundImage !== 'none') return true;
        if (/^(IMG|SVG|CANVAS|VIDEO|IFRAME|svg)$/.test(el.tagName)) return true;
        return Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    }
    let seen = 0, coveredBy = {};
    for (let y = Math.max(r.top, 0) + 2; y < Math.min(r.bottom, innerHeight); y += 4) {
        for (const el of document.elementsFromPoint(x, y)) {
            if (el === target || target.contains(el)) { seen += 4; break; }
            if (hides(el)) {
                const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                    (typeof el.className === 'string' && el.className ? '.' + el.className.split(/\s+/)[0] : '');
                coveredBy[name] = (coveredBy[name] || 0) + 4;
                break;
            }
        }
    }
    return {seen, full: r.height, top: r.top, bottom: r.bottom, coveredBy};
}"""

SCROLL_UNTIL_ACTIVE = """async (id) => {
    /* Scroll down 40 px every other frame, as a thumb would, until the step is active or the page
       ends; while the step is still wholly below the screen, go straight to where it comes in
       (a step off the screen cannot become the one being read, and if it did, the view check says so). */
    const node = document.getElementById(id);
    const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let i = 0; i < 2000; i++) {
        if (node.getAttribute('aria-current') === 'step') return true;
        const before = scrollY, below = node.getBoundingClientRect().top - innerHeight;
        scrollBy(0, below > 40 ? below : 40);
        await frame();
        if (scrollY === before) { await frame(); return node.getAttribute('aria-current') === 'step'; }
    }
    return false;
}"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True,
                                  reduced_motion="reduce")
    page = context.new_page()
    yield page
    context.close()


def check_phone_view(page, where: str) -> list[str]:
    """The map and the active step must both be readable at once."""
    page.wait_for_timeout(80)
    active = page.locator(".step[aria-current='step']").evaluate_all("ns => ns.map(n => n.id)")
    if len(active) != 1:
        return [f"{where}: {len(active)} active steps"]
    shown = page.evaluate(UNCOVERED_HEIGHT, ".map-pane")
    step = page.evaluate(UNCOVERED_HEIGHT, f"#{active[0]}")
    failures = []
    if shown["seen"] < 0.25 * PHONE["height"]:
        failures.append(f"{where}: only {shown['seen']}px of the map are visible (want at least "
                        f"{0.25 * PHONE['height']:.0f}px; map at {shown.get('top', 0):.0f}..{shown.get('bottom', 0):.0f}, "
                        f"hidden by {shown.get('coveredBy')})")
    want = min(120, step["full"])
    if step["seen"] < want:
        failures.append(f"{where}: only {step['seen']}px of the active step #{active[0]} are visible (want {want:.0f}px; "
                        f"step at {step.get('top', 0):.0f}..{step.get('bottom', 0):.0f}, hidden by {step.get('coveredBy')})")
    return failures


def test_on_a_phone_scrolling_shows_the_map_and_the_active_step_together(phone, built_site, base_url):
    """The reader scrolls by thumb, 40 px at a time: at the moment each step becomes active, it and
    the map must both be on screen."""
    failures = []
    pages = scrolling_pages(built_site)
    assert pages, "no chapter page with scrolling steps"
    for path in pages:
        open_page(phone, base_url + path)
        wait_for_story(phone)
        for step in steps_of(phone)[1:]:
            reached = phone.evaluate(SCROLL_UNTIL_ACTIVE, step)
            if not reached:
                failures.append(f"{path}#{step}: never became active while scrolling down to the end of the page")
                continue
            failures += check_phone_view(phone, f"{path}#{step} (scrolled)")
    assert not failures, report(failures)


def test_on_a_phone_the_n_key_and_deep_links_show_the_map_and_the_active_step_together(phone, built_site, base_url):
    failures = []
    for path in chapter_pages(built_site):
        open_page(phone, base_url + path)
        wait_for_story(phone)
        steps = steps_of(phone)
        for step in steps[1:]:
            phone.keyboard.press("n")
            try:
                phone.wait_for_function("id => document.getElementById(id).getAttribute('aria-current') === 'step'",
                                        arg=step, timeout=3000)
            except Exception:
                failures.append(f"{path}#{step}: 'n' did not activate it")
                break
            failures += check_phone_view(phone, f"{path}#{step} (key n)")
        open_page(phone, f"{base_url}{path}#{steps[-1]}")
        wait_for_story(phone)
        failures += check_phone_view(phone, f"{path}#{steps[-1]} (deep link)")
    assert not failures, report(failures)
