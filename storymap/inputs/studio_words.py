"""The contribution studio's words: every text its page, its script and its messages show.

They are translated like the rest of the interface, in content/<code>/strings.yaml, keyed by the
English. The studio's page (storymap/tools/studio_page/studio.html) writes {{ _("...") }}, its script
(studio.js) t("..."), and its Python modules (studio.py, contributions.py, importing.py) _("...") with the
edition's Strings; the problems of `check` that a studio save can meet are Phrase("...")s (in
storymap/core/ and storymap/inputs/), which the studio says in the contributor's language. This
module finds them all, so that `check` names each one an edition lacks.
"""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from .editions import Edition, Strings
from ..core.problems import Problem

#: The studio lives with the developer tools (storymap/tools/); its words are read from its files, not imported.
HERE = Path(__file__).resolve().parents[1] / "tools"
#: The words of the link the preview adds to the routes catalogue and the routes chapter.
STUDIO_LINK = "Add a route in the contribution studio"
#: The page and its script, and how each asks for a translation (no backslashes in these words).
PAGE_SOURCES = {HERE / "studio_page" / "studio.html": r'\b_\("([^"\\]*)"',
                HERE / "studio_page" / "studio.js": r'\bt\("([^"\\]*)"'}
#: Python modules whose _("...") calls (with the edition's Strings) are studio words.
PYTHON_SOURCES = (HERE / "studio.py", HERE / "contributions.py", HERE / "importing.py")
#: The stages whose problems a studio save can show: every Phrase("...") in them is a studio word
#: (storymap/core/problems.py), said in the contributor's language beside its field.
PHRASE_SOURCES = (HERE.parent / "core", HERE.parent / "inputs")


@functools.cache
def studio_words() -> frozenset[str]:
    words = {STUDIO_LINK}
    for path, pattern in PAGE_SOURCES.items():
        words.update(re.findall(pattern, path.read_text(encoding="utf-8")))
    for path in PYTHON_SOURCES:
        words.update(_calls(path, "_"))
    for path in sorted(p for folder in PHRASE_SOURCES for p in folder.glob("*.py")):
        words.update(_calls(path, "Phrase"))
    return frozenset(words)


def _calls(path: Path, function: str) -> set[str]:
    """The text of every call function("...") in a Python module (parsed only if it names the
    function: most of the stages' modules make no Phrase, and parsing them all was half of this)."""
    source = path.read_text(encoding="utf-8")
    if function not in source:
        return set()
    return {node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


def untranslated_studio_words(edition: Edition, strings: Strings, words: frozenset[str] | None = None) -> list[Problem]:
    """A note for each studio word content/<code>/strings.yaml lacks (the studio shows it in English).
    `words`: the studio's words, where already found (default: studio_words())."""
    words = studio_words() if words is None else words
    return [Problem(f"content/{edition.code}/strings.yaml", f"has no translation of the studio's words {text!r}.",
                    f"add the entry \"{text}\": \"...\" in the studio's block.")
            for text in sorted(words - strings.table.keys())]
