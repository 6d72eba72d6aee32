"""The story's time range, and the checks every date in it passes (a step's, a feature's).

The story runs from 1950 to the present: a date before or after is a typing error, not a fact
the site can place on its timeline. Whether a feature existed in a period (the map by year,
storymap/rendering/timeline.py, static/story.js) reads an unknown start as "before the story" and an
unknown end as "still there".
"""
from __future__ import annotations

import datetime

from .problems import Phrase

#: The first year of the story's time axis (the timeline, the year control).
FIRST_YEAR = 1950


def this_year() -> int:
    return datetime.date.today().year


def year_problems(start, end) -> list[tuple[str, str, str]]:
    """(field, what is wrong, how to fix it) for a start and an optional end year."""
    problems = []
    last = this_year()
    for field, year in (("start", start), ("end", end)):
        if isinstance(year, int) and not FIRST_YEAR <= year <= last:
            problems.append((field, Phrase("the year {year} is outside the story's range ({first} to {last}).",
                                           year=year, first=FIRST_YEAR, last=last),
                             Phrase("correct the year; the timeline runs from {first} to the present.",
                                    first=FIRST_YEAR)))
    if isinstance(start, int) and isinstance(end, int) and end < start:
        problems.append(("end", Phrase("the end year {end} is before the start year {start}.", end=end, start=start),
                         Phrase("swap the start and end years, or correct the one that is wrong.")))
    return problems


def overlaps(start: int | None, end: int | None, first: int, last: int) -> bool:
    """Whether something from `start` to `end` (either unknown) existed in the years first..last."""
    return (start is None or start <= last) and (end is None or end >= first)
