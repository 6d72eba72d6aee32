"""A fourth edition is a folder of words and one line of editions.EDITIONS: the suite adds a
pseudo-translation (every string it translates marked ⟦ … ⟧) to a copy of the project, builds
it, and reads its pages. Whatever of the interface or the chapters the catalogues leave out
shows there as English outside the marks, and fails the test with its page."""
from __future__ import annotations

import dataclasses
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storymap.commands.pipeline import load_inputs
from storymap.commands.run import build_site, run_check
from storymap.core.problems import InputError
from storymap.inputs import editions
from storymap.inputs.editions import script_strings
from tests.support.project import copy_project
from tests.support.translation import CLOSE, OPEN, write_pseudo_edition

PSEUDO = editions.Edition("xx", "Pseudo", "en-XA", "en-XA", "en-US", script=OPEN)
#: The editions whose catalogues the pseudo-edition's follow: a word either leaves out stays English.
MODELS = ("ko", "zh")
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
#: An English word: two letters or more. File formats and sizes are names, not words.
_WORD = re.compile(r"[A-Za-z]{2,}")
NAMES = {"CSV", "GeoJSON", "ZIP", "BibTeX", "CSL", "JSON", "KB", "MB"}
#: What a page shows that is no word of the interface or the chapters: the works cited (as
#: published: the reference lists, the links to them and how to cite the story), code to paste,
#: the language switch (each edition's own name), the page's scripts.
SKIPPED_TAGS = {"script", "style", "code", "pre"}
SKIPPED_CLASSES = {"references", "citation", "lang-switch"}
CITATION_LINK = "sources/#ref-"
#: The attributes and <meta> fields a reader (or a screen reader, or a link preview) is shown.
SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
SHOWN_META = {"description", "og:title", "og:description", "og:image:alt", "og:site_name", "twitter:title",
              "twitter:description"}


class _Shown(HTMLParser):
    """A page's text and shown attributes, without the parts SKIPPED_TAGS and SKIPPED_CLASSES name."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # per open element: whether it is skipped
        self.text: list[str] = []
        self.attributes: list[str] = []
        self.english: list[str] = []  # elements marked lang="en" (shown in English, with a notice or not)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (tag in SKIPPED_TAGS or bool(SKIPPED_CLASSES & set((attrs.get("class") or "").split()))
                   or CITATION_LINK in (attrs.get("href") or "") or (bool(self.open) and self.open[-1]))
        if not skipped and attrs.get("lang") == editions.ENGLISH.html_lang:
            self.english.append(tag)
        if not skipped:
            self.attributes += [attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name)]
            if tag == "meta" and (attrs.get("name") or attrs.get("property")) in SHOWN_META:
                self.attributes.append(attrs.get("content") or "")
        if tag not in self.VOID:
            self.open.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if not (self.open and self.open[-1]):
            self.text.append(data)


def unmarked_words(text: str) -> list[str]:
    """The English words of `text` outside the marks (marks nest where a marked sentence holds a
    marked field: they are taken away from the inside out)."""
    while (inner := _MARKED.sub(" ", text)) != text:
        text = inner
    return [word for word in _WORD.findall(text) if word not in NAMES]


@pytest.fixture(scope="module")
def pseudo_site(tmp_path_factory) -> tuple[Path, str]:
    """The project with the pseudo-edition, built: its site/ folder and what `check` said."""
    root = copy_project(tmp_path_factory.mktemp("pseudo") / "project")
    write_pseudo_edition(root, PSEUDO.code, MODELS)
    # The one line a new edition adds to editions.EDITIONS, given to the build as the project's
    # list: every stage reads the editions from the Project.
    project = dataclasses.replace(root, editions=root.editions + (PSEUDO,))
    out = io.StringIO()
    assert run_check(project, out=out) == 0, out.getvalue()
    log = io.StringIO()
    assert build_site(project, out=log) == [], log.getvalue()
    return root / "site", out.getvalue()


def test_the_pseudo_edition_is_checked_and_counted_as_any_edition(pseudo_site):
    _site, said = pseudo_site
    assert "Pseudo (xx) 9 of 9 chapters, landing, about" in said


def test_every_editions_pages_link_to_the_pseudo_edition(pseudo_site):
    """The language switch and the alternates come from the project's editions, not the code's list."""
    site, _said = pseudo_site
    for page in ("index.html", "ko/about/index.html", "zh/routes/index.html", f"{PSEUDO.code}/sources/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert f'hreflang="{PSEUDO.hreflang}"' in text and f">{PSEUDO.name}<" in text, page


def test_the_pseudo_editions_folder_is_no_chapters_to_take(tmp_path):
    root = copy_project(tmp_path / "project")
    for chapter in (root / "chapters").rglob("01-hunger.md"):  # the English chapter and its translations
        chapter.with_name(f"01-{PSEUDO.code}.md").write_text(
            chapter.read_text(encoding="utf-8").replace("slug: hunger\n", f"slug: {PSEUDO.code}\n", 1), encoding="utf-8")
        chapter.unlink()
    load_inputs(root)  # a slug like any other without the edition
    with pytest.raises(InputError, match=f"slug '{PSEUDO.code}' is taken by another page of the site"):
        load_inputs(dataclasses.replace(root, editions=root.editions + (PSEUDO,)))


def test_the_pseudo_editions_pages_hold_no_unmarked_english_word(pseudo_site):
    site, _said = pseudo_site
    pages = sorted((site / PSEUDO.code).rglob("*.html"))
    assert len(pages) > 20
    found = {}
    for page in pages:
        shown = _Shown()
        shown.feed(page.read_text(encoding="utf-8"))
        for text in ("".join(shown.text), *shown.attributes):
            words = unmarked_words(text)
            if words:
                found.setdefault(page.relative_to(site).as_posix(), []).append(" ".join(words)[:160])
        if shown.english:
            found.setdefault(page.relative_to(site).as_posix(), []).append(f"lang=\"en\" on {shown.english}")
    assert not found, ("English outside the catalogues (add it to content/ko/strings.yaml and "
                       "content/zh/strings.yaml, or to the chapters' translations):\n"
                       + "\n".join(f"{page}: {text}" for page, texts in found.items() for text in texts))


def test_every_word_story_js_asks_for_reaches_the_pseudo_editions_pages(pseudo_site):
    site, _said = pseudo_site
    script = Path(__file__).resolve().parents[1] / "static" / "story.js"
    asked = script_strings(script) - commented(script.read_text(encoding="utf-8"))
    page = next((site / PSEUDO.code).glob("*/index.html"))
    given = json.loads(re.search(r'<script type="application/json" id="story-strings">(.*?)</script>',
                                 page.read_text(encoding="utf-8"), re.DOTALL).group(1))
    assert sorted(asked - set(given)) == [], "story.js would show these in English"
    assert all(value.startswith(OPEN) for value in given.values())


def commented(script: str) -> set[str]:
    """The t("...") a script's comments name (its own explanation of t(), not a word it shows)."""
    return {m.group(1) for comment in re.findall(r"/\*.*?\*/|//[^\n]*", script, re.DOTALL)
            for m in re.finditer(r'\bt\("([^"\\]*)"\)', comment)}


def test_a_marked_word_left_outside_the_marks_would_be_found():
    assert unmarked_words(f"{OPEN}Next: {OPEN}Hunger{CLOSE}{CLOSE} 1994") == []
    assert unmarked_words(f"{OPEN}Chapter 1{CLOSE} of 9") == ["of"]
    assert unmarked_words("CSV 2.3 KB") == []
