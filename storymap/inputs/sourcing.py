"""Sourcing rules for chapter prose, checked by `build.py check` and by every build.

1. Every paragraph cites at least one source ([@key]), unless it is the story's own framing: a
   transition, a question or a summary that states no fact of its own. Framing is marked with a
   line `<!-- framing -->` directly above the paragraph; the marker never reaches the page.
   A framing paragraph may not hold a figure (a digit), since every number needs a source.
2. Every estimate carries its year: a paragraph that speaks of an estimate ("estimate",
   "estimated", "an estimated 50,000") names a year (1900-2099) in the same paragraph.

CONTRIBUTING.md, "Sources and framing", explains both to contributors.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .chapters import CITATION_RE, Chapter, display_path
from ..core.problems import Problem

FRAMING_RE = re.compile(r"^[ \t]*<!--\s*framing\s*-->[ \t]*$", re.MULTILINE)
_FRAMING_LINE_RE = re.compile(r"^[ \t]*<!--\s*framing\s*-->[ \t]*(?:\n|$)", re.MULTILINE)
_FIGURE_LINE_RE = re.compile(r"^<!--\s*figure:\s*[a-z0-9-]+\s*-->$")
_BLANK_LINES_RE = re.compile(r"\n[ \t]*\n")
_ESTIMATE_RE = re.compile(r"\bestimat", re.IGNORECASE)
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_DIGIT_RE = re.compile(r"\d")


def strip_framing(markdown: str) -> str:
    """The prose without its framing markers, as the reader sees it."""
    return _FRAMING_LINE_RE.sub("", markdown)


def paragraphs(markdown: str) -> Iterator[tuple[str, bool]]:
    """(paragraph text, marked as framing) for each prose paragraph; figure markers are skipped."""
    for block in _BLANK_LINES_RE.split(markdown):
        block = block.strip()
        framed = bool(FRAMING_RE.match(block))
        text = strip_framing(block).strip()
        if text and not _FIGURE_LINE_RE.match(text):
            yield text, framed


def check_sourcing(chapters: list[Chapter]) -> list[Problem]:
    """A problem for each paragraph that cites nothing unmarked, or gives an estimate without a year."""
    problems = []
    for chapter in chapters:
        file = display_path(chapter.path)
        texts = [("intro", "the introduction", chapter.intro)]
        texts += [(f"steps[{i}].body", f"step {step.id!r}", step.body) for i, step in enumerate(chapter.steps)]
        for field, where, text in texts:
            for number, (paragraph, framed) in enumerate(paragraphs(text), start=1):
                opening = _opening(paragraph)
                cited = bool(CITATION_RE.search(paragraph))
                if framed and _DIGIT_RE.search(CITATION_RE.sub("", paragraph)):
                    problems.append(Problem(
                        file, f"paragraph {number} of {where} ({opening}) is marked as framing but gives a figure.",
                        "figures need a source: remove the <!-- framing --> line and cite one, e.g. [@key].", field=field))
                elif not framed and not cited:
                    problems.append(Problem(
                        file, f"paragraph {number} of {where} ({opening}) cites no source.",
                        "add a citation such as [@key] for its facts; if it is the story's own framing (a "
                        "transition or question that states no fact), put a line <!-- framing --> directly "
                        "above it.", field=field))
                if _ESTIMATE_RE.search(paragraph) and not _YEAR_RE.search(CITATION_RE.sub("", paragraph)):
                    problems.append(Problem(
                        file, f"paragraph {number} of {where} ({opening}) gives an estimate without its year.",
                        "say when the estimate was made, e.g. 'estimated in 2012'.", field=field))
    return problems


def _opening(paragraph: str, words: int = 6) -> str:
    """The first few words, in quotes, so that a contributor can find the paragraph."""
    parts = CITATION_RE.sub("", paragraph).split()
    return '"' + " ".join(parts[:words]) + (" …" if len(parts) > words else "") + '"'
