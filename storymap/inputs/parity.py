"""A translation keeps step with the English: same steps, same map, same sources, same numbers.

`check` compares every translated chapter (chapters/<code>/NN-slug.md) with its English file:
the same slug and steps in the same order, the same views, layers and highlights, and in the
introduction and in each step the same citation keys and the same figures. Figures are read as
values, so "30,000", "3만" and "3万" are the same number, "1.4 million" is "140만", and
"9 October 2023" is "2023년 10월 9일", "two million" is "200만", "the twentieth
century" is "20세기" and "nine years" is "9년" (a count of years, months or days is written in digits in
Korean and Chinese papers, so the English word counts as its number). A step's date comes from the English step: a translation leaves it out
(or repeats it exactly).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from .chapters import Chapter, cite_keys, display_path
from ..core.problems import Problem

#: A number as any edition writes it ("1,300", "1.4", "3") and the unit word that may follow it.
_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z.,])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(만|万|萬|억|亿|億|천만|千万|백만|百万|million|billion|thousand|hundred)?",
                        re.IGNORECASE)
_UNITS = {"만": 10**4, "万": 10**4, "萬": 10**4, "억": 10**8, "亿": 10**8, "億": 10**8, "천만": 10**7, "千万": 10**7,
          "백만": 10**6, "百万": 10**6, "hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
#: Citations are compared by key, not read for numbers (their locators are in the keys' check).
_CITATION_RE = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")
#: English month names count as the numbers Korean and Chinese write (October = 10월 = 10月).
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
#: English number words that the other editions write in digits: a count before a scale word
#: ("two million" = 200만 = 200万) and a century ("the twentieth century" = 20세기 = 20世纪).
_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen twenty").split()
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_SCALED_WORD_RE = re.compile(r"\b(" + "|".join(_WORDS) + r")(?=[ -](?:hundred|thousand|million|billion)\b)",
                             re.IGNORECASE)
_CENTURY_RE = re.compile(r"\b(" + "|".join(_ORDINALS + ["twenty-first"]) + r")(?=[ -]century\b)", re.IGNORECASE)
#: A count of time ("nine years", "twenty years", "two decades", "eight years old"): Korean and Chinese
#: newspapers write these in digits (9년, 20年), so the English word counts as its number.
_TIME_WORD_RE = re.compile(r"\b(" + "|".join(_WORDS) + r")(?=[ -](?:years?|months?|weeks?|days?)\b)",
                           re.IGNORECASE)
#: Decades are counted as years ("two decades" = 20년 = 20年), as Korean and Chinese papers count them.
_DECADES_RE = re.compile(r"\b(" + "|".join(_WORDS) + r")(?=[ -]decades?\b)", re.IGNORECASE)
#: Set words written with a digit that are not figures: 제3국 is Korean for "a third country", and an
#: article of a treaty is 제4조 in Korean where English and Chinese write "the fourth article" and 第四条.
_SET_WORDS_RE = re.compile(r"제3국|제\d+조")
#: Links and their targets carry no figures of the story.
_LINK_TARGET_RE = re.compile(r"\]\([^)]*\)")


def figures(text: str) -> set[float]:
    """Every number in a piece of prose, as its value: '3만' -> 30000, '1.4 million' -> 1400000."""
    text = _SET_WORDS_RE.sub(" ", _LINK_TARGET_RE.sub("]", _CITATION_RE.sub(" ", text)))
    text = _MONTH_RE.sub(lambda m: f" {_MONTHS.index(m.group(1)) + 1} ", text)
    text = _SCALED_WORD_RE.sub(lambda m: str(_WORDS.index(m.group(1).lower()) + 1), text)
    text = _TIME_WORD_RE.sub(lambda m: str(_WORDS.index(m.group(1).lower()) + 1), text)
    text = _DECADES_RE.sub(lambda m: str(10 * (_WORDS.index(m.group(1).lower()) + 1)), text)
    text = _CENTURY_RE.sub(lambda m: "21" if m.group(1).lower() == "twenty-first"
                           else str(_ORDINALS.index(m.group(1).lower()) + 1), text)
    values = set()
    for match in _NUMBER_RE.finditer(text):
        value = float(match.group(1).replace(",", ""))
        unit = match.group(2)
        if unit:
            value *= _UNITS[unit.lower()]
        values.add(round(value, 6))
    return values


def _show(values: Iterable[float]) -> str:
    return ", ".join(f"{v:,.0f}" if v == int(v) else f"{v:,}" for v in sorted(values))


def text_problems(file: str, where: str, field: str, english: str, translated: str) -> list[Problem]:
    """Citation keys and figures of one piece of text that differ between English and translation."""
    problems = []
    ours, theirs = set(cite_keys(translated)), set(cite_keys(english))
    if ours != theirs:
        missing, extra = sorted(theirs - ours), sorted(ours - theirs)
        detail = "; ".join(part for part in (
            f"missing {', '.join('[@' + k + ']' for k in missing)}" if missing else "",
            f"not in the English: {', '.join('[@' + k + ']' for k in extra)}" if extra else "") if part)
        problems.append(Problem(file, f"{where} cites other sources than the English ({detail}).",
                                "cite exactly the keys the English cites in this step.", field=field))
    ours, theirs = figures(translated), figures(english)
    if ours != theirs:
        detail = "; ".join(part for part in (
            f"missing {_show(theirs - ours)}" if theirs - ours else "",
            f"not in the English: {_show(ours - theirs)}" if ours - theirs else "") if part)
        problems.append(Problem(file, f"{where} has other figures than the English ({detail}).",
                                "give every number of the English, in digits (3만 and 3万 read as 30,000), "
                                "and no other.", field=field))
    return problems


def chapter_problems(english: Chapter, translated: Chapter) -> list[Problem]:
    """Every way a translated chapter is out of step with its English chapter."""
    file = display_path(translated.path)
    problems = []
    if translated.slug != english.slug:
        problems.append(Problem(file, f"slug {translated.slug!r} differs from the English {english.slug!r}.",
                                "keep the English slug: the editions share their addresses.", field="slug"))
    ours, theirs = [s.id for s in translated.steps], [s.id for s in english.steps]
    if ours != theirs:
        problems.append(Problem(file, f"has the steps {ours}, the English {theirs}.",
                                "translate every step of the English, in the same order, with the same ids.",
                                field="steps"))
        return problems
    problems += text_problems(file, "the introduction", "body", english.intro, translated.intro)
    problems += text_problems(file, "the title and summary", "title", english.title + "\n" + english.summary,
                              translated.title + "\n" + translated.summary)
    if len(translated.questions) != len(english.questions):
        problems.append(Problem(file, f"has {len(translated.questions)} discussion questions, the English "
                                      f"{len(english.questions)}.", "translate each question, no more, no fewer.",
                                field="questions"))
    else:
        for i, (ours_q, theirs_q) in enumerate(zip(translated.questions, english.questions)):
            problems += text_problems(file, f"question {i + 1}", f"questions[{i}]", theirs_q, ours_q)
    for i, (ours_step, theirs_step) in enumerate(zip(translated.steps, english.steps)):
        where = f"step {ours_step.id!r}"
        for name in ("view", "show", "highlight"):
            if getattr(ours_step, name) != getattr(theirs_step, name):
                problems.append(Problem(file, f"{where} has another {name} than the English.",
                                        f"copy the English step's {name}: only the words change.",
                                        field=f"steps[{i}].{name}"))
        if ours_step.date is not None and ours_step.date != theirs_step.date:
            problems.append(Problem(file, f"{where} has another date than the English.",
                                    "leave 'date:' out of the translation: the English step's date is used.",
                                    field=f"steps[{i}].date"))
        problems += text_problems(file, where, f"steps[{i}]", theirs_step.body, ours_step.body)
        problems += text_problems(file, f"{where} (map text)", f"steps[{i}].map_text",
                                  theirs_step.map_text, ours_step.map_text)
    return problems


def with_english_dates(english: Chapter, translated: Chapter) -> Chapter:
    """The translation with each step dated as its English step: translators never copy a date."""
    dates = {step.id: step.date for step in english.steps}
    return replace(translated, steps=tuple(replace(step, date=dates.get(step.id)) for step in translated.steps))
