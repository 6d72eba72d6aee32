"""The scripted Korean route of issue 21, as a contributor enters it in the contribution studio:
five stops typed by their Korean names (선양, 쿤밍, a new town placed by a map click, 비엔티안,
방콕), a name, a description, years, one new reference from the form and one from the search.
tests/browser/test_studio.py checks what it saves; benchmarks/studio.py times it and counts its
keystrokes and clicks."""
from __future__ import annotations

import unicodedata

from playwright.sync_api import expect


def keystrokes(text: str) -> int:
    """Keys a contributor presses for `text`: a Hangul syllable is typed as its two or three jamo."""
    return len(unicodedata.normalize("NFD", text))


class Counter:
    """Keystrokes and clicks a contributor spends (the benchmark reports them too)."""

    def __init__(self, page):
        self.page, self.keys, self.clicks, self.typed = page, 0, 0, []
        #: Of the keystrokes, those spent on the contributor's own words (names, description, title).
        self.words = 0

    def write(self, selector: str, text: str) -> None:
        """Type the contributor's own words into a field."""
        self.type(selector, text)
        self.words += keystrokes(text)

    def type(self, selector: str, text: str) -> None:
        self.click(selector)
        self.page.keyboard.type(text)
        self.keys += keystrokes(text)
        self.typed.append(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1

    def choose(self, selector: str, text: str) -> None:
        """Type into a combobox and take the first suggestion with Enter."""
        self.type(selector, text)
        self.page.wait_for_selector(f"#{self.page.get_attribute(selector, 'aria-controls')} [role=option]")
        self.press("Enter")


def enter_korean_route(page, counter: Counter) -> None:
    """The benchmark's scripted route: 선양, 쿤밍, a new town clicked on the map, 비엔티안, 방콕."""
    counter.choose("#stop-0", "선양")
    counter.choose("#stop-1", "쿤밍")
    for name in ("비엔티안", "방콕"):
        counter.click("#add-stop")
        counter.page.keyboard.type(name)
        counter.keys += keystrokes(name)
        counter.typed.append(name)
        page.wait_for_selector(f"#stop-options-{page.locator('.stop').count() - 1} [role=option]")
        counter.press("Enter")
    point = page.evaluate("(() => { const p = window.studioMap.latLngToContainerPoint([18.92, 102.45]);"
                          " const box = document.getElementById('studio-map').getBoundingClientRect();"
                          " return [box.left + p.x, box.top + p.y]; })()")
    page.mouse.click(*point)
    counter.clicks += 1
    expect(page.locator("#place-position")).to_contain_text("라오스")
    counter.write("#place-name-en", "Vang Vieng")
    counter.write("#place-name-ko", "방비엥")
    page.select_option("#place-source", "geonames")
    counter.clicks += 2
    counter.click("#place-add")
    counter.click(".stop:nth-child(5) [data-action=up]")  # the new town goes between 쿤밍 and 비엔티안
    counter.click(".stop:nth-child(4) [data-action=up]")
    counter.write("#name", "라오스를 거쳐 태국으로")
    counter.write("#description", "여러 탈북민이 증언한 경로.")
    counter.type("#start", "2010")
    counter.type("#end", "2019")
    counter.click("#new-reference summary")
    page.select_option("#ref-type", "report")
    counter.clicks += 2
    counter.write("#ref-authors", "북한인권시민연합")
    counter.write("#ref-title", "탈북 경로 보고서")
    counter.type("#ref-issued", "2020")
    counter.click("#ref-add")
    counter.choose("#source-search", "king")
    counter.click("#safety-confirm")
    counter.click("#save")


