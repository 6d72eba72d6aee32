"""Characters a contributor's text may not hold, wherever it is read: each is a `Problem`.

- Private-use characters (U+E000–U+F8FF and the two private planes) mean nothing outside the
  program that wrote them (they come with text copied out of PDFs and symbol fonts); prose.py
  uses two of them for its own placeholders, so a chapter holding them could break the build.
"""
from __future__ import annotations

import unicodedata

from .problems import Problem


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def private_use_problems(file: str, text: str, field: str | None = None) -> list[Problem]:
    """The first private-use character in `text` (a Markdown page or a translation), if any."""
    index = next((i for i, char in enumerate(text) if unicodedata.category(char) == "Co"), None)
    if index is None:
        return []
    where = f" on line {_line(text, index)}" if "\n" in text else ""
    return [Problem(file, f"holds a private-use character (U+{ord(text[index]):04X}){where}, which readers "
                          f"would see as an empty box or nothing at all.",
                    "delete it, or type the character it stood for (text copied out of a PDF or a symbol "
                    "font often brings these along).", field=field)]
