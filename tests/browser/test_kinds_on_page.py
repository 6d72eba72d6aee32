"""The page shows the kinds as storymap/inputs/kinds.py defines them: legend swatches in each kind's
colours, the sea behind the map and in the locator in the registry's palette."""
from __future__ import annotations

from matplotlib import colors

from storymap.inputs.kinds import KINDS, LAND, SEA


def rgb(hex_colour: str) -> str:
    r, g, b = (round(c * 255) for c in colors.to_rgb(hex_colour))
    return f"rgb({r}, {g}, {b})"


def test_legend_swatches_and_the_sea_are_drawn_in_the_registrys_colours(page, base_url):
    page.goto(base_url + "crossing-the-rivers/")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    swatches = page.evaluate("""() => [...document.querySelectorAll('.legend li')].map(li => {
        const shape = li.querySelector('svg > *');
        return {kind: li.className.replace('legend-', ''), stroke: getComputedStyle(shape).stroke,
                fill: getComputedStyle(shape).fill};
    })""")
    assert swatches, "the chapter has a legend"
    for swatch in swatches:
        style = KINDS[swatch["kind"]].style
        if swatch["kind"] != "route":  # routes each have their own colour (test_story.py)
            assert swatch["stroke"] == rgb(style["color"]), swatch
        if "fillColor" in style:
            assert swatch["fill"] == rgb(style["fillColor"]), swatch
    assert page.evaluate("getComputedStyle(window.storyMap.getContainer()).backgroundColor") == rgb(SEA)
    assert page.evaluate("getComputedStyle(document.querySelector('.locator-sea')).fill") == rgb(SEA)
    assert page.evaluate("getComputedStyle(document.querySelector('.locator-land')).fill") == rgb(LAND)


def test_the_map_draws_kinds_in_the_registrys_order_with_highlighted_features_on_top(page, base_url):
    page.goto(base_url + "hunger/")  # rivers (lines) and cities (points) forward
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    drawn = page.evaluate("""() => {
        const kit = window.storyKit, step = kit.active;
        const forward = new Set(step.layers), highlighted = new Set(step.highlight);
        const paths = [...document.querySelectorAll('.leaflet-overlay-pane path')];
        return Object.values(kit.features).filter(l => l.getElement && l.getElement() && kit.layerInfo[l.storyFeature.layerId].group !== 'basemap')
            .map(l => ({index: paths.indexOf(l.getElement()), kind: l.storyFeature.kind,
                        forward: forward.has(l.storyFeature.layerId), highlighted: highlighted.has(l.storyFeature.id)}))
            .sort((a, b) => a.index - b.index);
    }""")
    assert any(item["highlighted"] for item in drawn), "the opening step highlights something"
    ranks = [(1, KINDS[i["kind"]].tier) if i["highlighted"] else (0, KINDS[i["kind"]].tier, i["forward"]) for i in drawn]
    assert ranks == sorted(ranks), "features are drawn tier by tier, faded under forward, highlighted on top"
