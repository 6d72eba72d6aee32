"""A step that zooms far in loads detailed geometry when the reader reaches it, and the map goes
back to the overview's when the reader scrolls back out."""
from __future__ import annotations

import json

from .conftest import ROOT

VERTICES = """(ids) => ids.reduce((sum, id) => {
    const layer = window.storyKit.features[id];
    return sum + (layer && layer.getLatLngs ? layer.getLatLngs().flat(Infinity).length : 0);
}, 0)"""


def zoomed_in_step(page, base_url):
    """(chapter slug, its steps as story.js reads them, the first step after the opening one with detail)."""
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]-*.md")):
        slug = path.stem[3:]
        page.goto(f"{base_url}{slug}/")
        steps = json.loads(page.locator("#story-steps").text_content())
        later = [s for s in steps[1:] if s["detail"]]
        if later and not steps[0]["detail"]:
            return slug, steps, later[0]
    raise AssertionError("no chapter has a zoomed-in step after an overview opening")


def test_a_zoomed_in_step_loads_its_detail_and_scrolling_out_restores_the_overview(page, base_url):
    slug, steps, step = zoomed_in_step(page, base_url)
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    assert page.evaluate("window.storyKit.resolution") is None
    detail_ids = page.evaluate("(path) => fetch(path).then(r => r.json()).then(Object.keys)",
                               f"{base_url}{step['detail']}")
    assert detail_ids, "the detail file names the features it details"
    overview = page.evaluate(VERTICES, detail_ids)

    with page.expect_response(lambda response: response.url.endswith(step["detail"])) as loaded:
        page.locator(f"#{step['id']}").evaluate("el => el.scrollIntoView({block: 'start'})")
    assert loaded.value.ok
    page.wait_for_function("id => window.storyKit.resolution === id", arg=step["id"])
    detailed = page.evaluate(VERTICES, detail_ids)
    assert detailed > overview, f"step {step['id']} shows no more detail ({detailed} vertices) than the overview ({overview})"

    page.locator(f"#{steps[0]['id']}").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_function("() => window.storyKit.resolution === null")
    assert page.evaluate(VERTICES, detail_ids) == overview
    assert page.errors == []
