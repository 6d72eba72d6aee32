"""The Korean and Chinese editions in the browser: the language switch keeps the chapter and the
step, and an untranslated text says so in the reader's language."""
from __future__ import annotations

import re

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def current_step(page) -> str:
    page.wait_for_function("() => document.querySelector('.step[aria-current=step]') !== null")
    return page.locator(".step[aria-current=step]").get_attribute("id")


def test_the_language_switch_keeps_the_chapter_and_the_step(page, base_url):
    page.goto(base_url + "hunger/")
    steps = page.locator(".step").evaluate_all("nodes => nodes.map(n => n.id)")
    step = steps[2]
    page.goto(base_url + f"hunger/#{step}")
    assert current_step(page) == step

    page.click("a.lang-switch[hreflang=ko]")
    page.wait_for_url(re.compile(r"/ko/hunger/#"))
    assert page.url == base_url + f"ko/hunger/#{step}"
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert current_step(page) == step

    # The reader moves on in Korean; the switch follows the step the map is on.
    page.keyboard.press("n")
    page.wait_for_function(f"() => location.hash === '#{steps[3]}'")
    page.click("a.lang-switch[hreflang=zh-Hans]")
    page.wait_for_url(re.compile(r"/zh/hunger/#"))
    assert page.url == base_url + f"zh/hunger/#{steps[3]}"
    assert current_step(page) == steps[3]

    page.click("a.lang-switch[hreflang=en]")
    page.wait_for_url(re.compile(r"/hunger/#"))
    assert page.url == base_url + f"hunger/#{steps[3]}"
    assert page.errors == []


def test_every_page_names_its_editions(page, base_url):
    page.goto(base_url + "ko/educators/")
    alternates = dict(page.locator("link[rel=alternate][hreflang]").evaluate_all(
        "links => links.map(l => [l.hreflang, new URL(l.href).pathname])"))
    assert set(alternates) == {"en", "ko", "zh-Hans", "x-default"}
    assert alternates["ko"].endswith("/ko/educators/") and alternates["x-default"] == alternates["en"]
    assert HANGUL.search(page.locator("h1").inner_text())
    assert page.locator("a.lang-switch[aria-current]").inner_text() == "한국어"


def test_the_map_speaks_korean_and_chinese(page, base_url):
    for edition, script in (("ko", HANGUL), ("zh", HAN)):
        page.goto(base_url + f"{edition}/crossing-the-rivers/")
        page.wait_for_function("() => window.storyKit && window.storyKit.active")
        legend = page.locator(".legend").inner_text()
        assert script.search(legend), legend
        labels = page.locator(".point-label").evaluate_all("nodes => nodes.map(n => n.textContent)")
        assert labels and all(script.search(label) for label in labels), labels
        assert script.search(page.locator("#map-status").inner_text())
        zoom_in = page.locator(".leaflet-control-zoom-in").get_attribute("title")
        assert script.search(zoom_in), zoom_in
        assert page.errors == []


def test_a_translated_chapter_reads_in_its_language(page, base_url):
    """Korean in Hangul and Chinese in Han characters, step by step, with no notice of English."""
    for edition, script in (("ko", HANGUL), ("zh", HAN)):
        page.goto(base_url + f"{edition}/hunger/")
        assert page.locator(".untranslated").count() == 0
        assert page.locator(".story [lang=en]").count() == 0
        for text in [page.locator("#chapter-title").inner_text()] + page.locator(".step").all_inner_texts():
            native = len(script.findall(text))
            latin = len(re.findall(r"[A-Za-z]", text))
            assert native > latin, f"{edition}: {text[:120]!r}"



def test_every_translated_page_invites_reports_of_translation_errors(built_site):
    pages = [p for code in ("ko", "zh") for p in sorted((built_site / code).rglob("*.html"))]
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "mailto:" in html and "subject=Translation%20error" in html, page.relative_to(built_site)
