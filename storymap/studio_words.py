"""The contribution studio's words: every text its page, its script and its messages show.

They are translated like the rest of the interface, in content/<code>/strings.yaml, keyed by the
English. The studio's page (storymap/studio_page/studio.html) writes {{ _("...") }}, its script
(studio.js) t("..."), and its Python modules (studio.py, contributions.py, importing.py) _("...") with the
edition's Strings; this module finds them all, so that `check` names each one an edition lacks.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from .editions import Edition, Strings
from .problems import Problem

HERE = Path(__file__).resolve().parent
#: The files that hold the studio's words, and how each asks for a translation.
SOURCES = {HERE / "studio_page" / "studio.html": r'\b_\("((?:[^"\\]|\\.)*)"',
           HERE / "studio_page" / "studio.js": r'\bt\("((?:[^"\\]|\\.)*)"',
           HERE / "studio.py": r'\b_\("((?:[^"\\]|\\.)*)"',
           HERE / "contributions.py": r'\b_\("((?:[^"\\]|\\.)*)"',
           HERE / "importing.py": r'\b_\("((?:[^"\\]|\\.)*)"'}


@functools.cache
def studio_words() -> frozenset[str]:
    words = set()
    for path, pattern in SOURCES.items():
        for match in re.finditer(pattern, path.read_text(encoding="utf-8")):
            text = match.group(1)
            words.add(text.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in text else text)
    return frozenset(words)


def untranslated_studio_words(root: Path, edition: Edition, strings: Strings) -> list[Problem]:
    """A note for each studio word content/<code>/strings.yaml lacks (the studio shows it in English)."""
    return [Problem(f"content/{edition.code}/strings.yaml", f"has no translation of the studio's words {text!r}.",
                    f"add the entry \"{text}\": \"...\" in the studio's block.", field=text)
            for text in sorted(studio_words() - strings.table.keys())]
