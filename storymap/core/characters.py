"""Characters a contributor's text may not hold, wherever it is read: each is a `Problem`.

- Private-use characters (U+E000–U+F8FF and the two private planes) mean nothing outside the
  program that wrote them (they come with text copied out of PDFs and symbol fonts); prose.py
  uses two of them for its own placeholders, so a chapter holding them could break the build.
- Invisible characters in names and titles: format characters (Unicode category Cf: the bidi
  controls such as U+202E, which make text read in another order than it is stored; zero-width
  spaces and joiners; soft hyphens) and the Hangul fillers, which draw nothing. In a name they
  can disguise it (a place that looks like another, a title that reads differently).
- Look-alike names: two place names a reader (or a route's `via`) cannot tell apart, because they
  differ only by case, accents or letters of another script that look Latin (the Cyrillic "а" of
  "Dа Nang"; confusable-homoglyphs knows which letters look alike). `look_alike_key` is the rule:
  NFKD, accents dropped, look-alike letters read as the Latin ones, case and dashes ignored.
"""
from __future__ import annotations

import re
import unicodedata

from .problems import Phrase, Problem

_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")


def place_key(name: str) -> str:
    """A name as the gazetteer compares it: case, dashes and spacing do not matter."""
    return " ".join(_DASHES.sub("-", name).casefold().split())


def _latin(homoglyphs: list[dict]) -> str | None:
    from confusable_homoglyphs import categories

    return next((h["c"] for h in homoglyphs if categories.aliases_categories(h["c"][0])[0] == "LATIN"), None)


#: Letters that draw nothing though they are not format characters.
HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in HANGUL_FILLERS


def invisible_problems(file: str, what: str, text: str, **where) -> list[Problem]:
    """The first invisible character in a name or title (`what`, e.g. "the name"), if any;
    `where` gives the Problem's feature_index, feature_id or field."""
    char = next((c for c in text if invisible(c)), None)
    if char is None:
        return []
    label = unicodedata.name(char, "a format character").lower()
    return [Problem(file, Phrase("{what} holds an invisible character (U+{code}, {label}), which can make it read "
                                 "differently from what it is.", what=what, code=f"{ord(char):04X}", label=label),
                    Phrase("type the text again without it (it often comes along with text copied from a web page or "
                           "a chat)."), **where)]


def look_alike_key(name: str) -> str:
    """`name` as a reader could mistake it: equal keys, names that look the same."""
    text = "".join(char for char in unicodedata.normalize("NFKD", name) if unicodedata.category(char) != "Mn")
    if not place_key(text).isascii():
        # Only here, for a name with letters beyond plain Latin: the confusables' tables take
        # half a second to load, which every build would pay for names that need none.
        from confusable_homoglyphs import confusables

        swaps = {found["character"]: _latin(found["homoglyphs"])
                 for found in confusables.is_confusable(text, greedy=True, preferred_aliases=["latin"]) or []}
        text = "".join(swaps.get(char) or char for char in text)
    return place_key(text)


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


#: Unicode's private-use characters (general category Co): its three private-use areas.
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def private_use_problems(file: str, text: str, field: str | None = None) -> list[Problem]:
    """The first private-use character in `text` (a Markdown page or a translation), if any."""
    found = _PRIVATE_USE_RE.search(text)
    if found is None:
        return []
    index = found.start()
    where = f" on line {_line(text, index)}" if "\n" in text else ""
    return [Problem(file, f"holds a private-use character (U+{ord(text[index]):04X}){where}, which readers "
                          f"would see as an empty box or nothing at all.",
                    "delete it, or type the character it stood for (text copied out of a PDF or a symbol "
                    "font often brings these along).", field=field)]
