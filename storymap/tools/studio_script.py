"""The scripted Korean route of issue 21, as a contributor enters it in the contribution studio:
five stops found by their Korean names (선양, 쿤밍, a new town placed by a map click, 비엔티안,
방콕), the suggested name, a description, years, one new reference from the form and one from the
search.
tests/browser/test_studio.py checks what it saves; benchmarks/studio.py times it and counts its
keystrokes and clicks (a developer tool: it needs Playwright, which the test extra installs)."""
from __future__ import annotations

import unicodedata

#: What the scripted contributor writes, and the title they paste from their source.
DESCRIPTION = "탈북민이 간 길."
REFERENCE_TITLE = "탈북 경로 보고서"


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

    def paste(self, selector: str, text: str) -> None:
        """Paste text copied from the contributor's source (a title, as the form asks it copied):
        selecting it there (a click) and Ctrl+C, Ctrl+V here (four keystrokes, counted as their own
        words). The text arrives as a paste does, without a keystroke per character."""
        self.click(selector)
        self.clicks += 1
        self.page.keyboard.insert_text(text)
        self.keys += 4
        self.words += 4

    def pick(self, selector: str, value: str) -> None:
        """Choose from a list (a year, a kind of publication): open it and click the choice."""
        self.page.select_option(selector, value)
        self.clicks += 2

    def choose(self, selector: str, text: str) -> None:
        """Type into a combobox and take the first suggestion with Enter."""
        self.type(selector, text)
        self.page.wait_for_selector(f"#{self.page.get_attribute(selector, 'aria-controls')} [role=option]")
        self.press("Enter")


def enter_korean_route(page, counter: Counter) -> None:
    """The benchmark's scripted route: 선양, 쿤밍, a new town clicked on the map, 비엔티안, 방콕.

    Each place is found by its first syllable and taken with Enter; years are picked from lists;
    the name is the one the studio suggests from the first and last places ("선양에서 방콕까지");
    the contributor writes the new town's English name, a one-sentence description and the new
    reference's author, and pastes its title from the source."""
    from playwright.sync_api import expect  # the test extra's: storymap itself never needs it

    counter.choose("#stop-0", "선")
    counter.choose("#stop-1", "쿤")
    for syllable in ("비", "방"):
        counter.click("#add-stop")
        counter.page.keyboard.type(syllable)
        counter.keys += keystrokes(syllable)
        counter.typed.append(syllable)
        page.wait_for_selector(f"#stop-options-{page.locator('.stop').count() - 1} [role=option]")
        counter.press("Enter")
    point = page.evaluate("(() => { const p = window.studioMap.latLngToContainerPoint([18.92, 102.45]);"
                          " const box = document.getElementById('studio-map').getBoundingClientRect();"
                          " return [box.left + p.x, box.top + p.y]; })()")
    page.mouse.click(*point)
    counter.clicks += 1
    expect(page.locator("#place-position")).to_contain_text("라오스")
    counter.write("#place-name-en", "Vang Vieng")
    counter.pick("#place-source", "geonames")
    counter.click("#place-add")
    counter.click(".stop:nth-child(5) [data-action=up]")  # the new town goes between 쿤밍 and 비엔티안
    counter.click(".stop:nth-child(4) [data-action=up]")
    counter.write("#description", DESCRIPTION)
    counter.pick("#start", "2010")
    counter.pick("#end", "2019")
    counter.click("#new-reference summary")
    counter.pick("#ref-type", "report")
    counter.write("#ref-authors", "NKDB")
    counter.paste("#ref-title", REFERENCE_TITLE)
    counter.pick("#ref-year", "2020")
    counter.click("#ref-add")
    counter.choose("#source-search", "ki")
    counter.click("#safety-confirm")
    counter.click("#save")
