"""A translation keeps step with the English: the English map, the same sources, the same numbers.

`check` compares every translated chapter (chapters/<code>/NN-slug.md) with its English file:
the same slug, and in the title, summary, questions, introduction and each step the same
citation keys and the same figures. A translated chapter carries words only: each step's map
and date come from the English step of the same id. Each translated step names the English
text it translates (`translates:`, chapters.words_hash), and so does the chapter for its title,
summary, questions and introduction (its own `translates:`, chapters.head_hash); a text whose
English has changed since, or that has no translation, is shown in English and listed as a note,
never an error.

Figures are read as values, so "30,000", "3만" and "3万" are the same number, "1.4 million" is "140만", and
"9 October 2023" is "2023년 10월 9일", "two million" is "200만", "the twentieth
century" is "20세기" and "nine years" is "9년" (a count of years, months or days is written in digits in
Korean and Chinese papers, so the English word counts as its number).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from .chapters import Chapter, Translation, cite_keys, display_path, head_hash, words_hash
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
#: The words after which the four patterns above read a number word; where none is, none of them
#: can match (one search instead of four: their alternations of number words, tried at every word,
#: were most of the time `check` spent comparing translations).
_COUNTED_RE = re.compile(r"hundred|thousand|million|billion|year|month|week|day|decade|century", re.IGNORECASE)
#: Set words written with a digit that are not figures: 제3국 is Korean for "a third country", and an
#: article of a treaty is 제4조 in Korean where English and Chinese write "the fourth article" and 第四条.
_SET_WORDS_RE = re.compile(r"제3국|제\d+조")
#: Links and their targets carry no figures of the story.
_LINK_TARGET_RE = re.compile(r"\]\([^)]*\)")


def figures(text: str) -> set[float]:
    """Every number in a piece of prose, as its value: '3만' -> 30000, '1.4 million' -> 1400000."""
    text = _SET_WORDS_RE.sub(" ", _LINK_TARGET_RE.sub("]", _CITATION_RE.sub(" ", text)))
    text = _MONTH_RE.sub(lambda m: f" {_MONTHS.index(m.group(1)) + 1} ", text)
    if _COUNTED_RE.search(text):
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


def translated_chapter(english: Chapter, translation: Translation) -> tuple[Chapter, list[Problem], list[Problem]]:
    """The edition's chapter: the English chapter's map with the translation's words; the problems
    (a translation out of step with the English text it says it translates) and the notes (steps
    shown in English because their translation is missing or translates an older English text)."""
    file = display_path(translation.path)
    problems, behind = [], []
    if translation.slug != english.slug:
        problems.append(Problem(file, f"slug {translation.slug!r} differs from the English {english.slug!r}.",
                                "keep the English slug: the editions share their addresses.", field="slug"))
    head_now = head_hash(english)
    head_behind = translation.translates is not None and translation.translates != head_now
    if translation.translates is None:
        problems.append(Problem(file, "does not say which English text its title, summary, questions and "
                                      "introduction translate.",
                                f"add 'translates: {head_now}' beside the title, once they translate the English "
                                "as it now reads.", field="translates"))
    elif head_behind:
        behind.append(Problem(file, f"the title, summary, questions and introduction translate an older English text "
                                    f"(translates: {translation.translates}; the English has changed since), so "
                                    "they are shown in English.",
                              f"bring them up to date with the English, then write 'translates: {head_now}'.",
                              field="translates"))
    else:
        problems += _head_problems(file, english, translation)
    english_ids = {step.id for step in english.steps}
    for i, words in enumerate(translation.steps):
        if words.id not in english_ids:
            behind.append(Problem(file, f"step {words.id!r} is not a step of the English chapter (removed or renamed "
                                        "there?), so its translation is not shown.",
                                  f"remove the step, or give it the id of the English step it translates: "
                                  f"{', '.join(step.id for step in english.steps)}.", field=f"steps[{i}].id"))
    index = {words.id: i for i, words in enumerate(translation.steps)}
    steps = []
    for step in english.steps:
        i = index.get(step.id)
        words = translation.steps[i] if i is not None else None
        hash_now, where = words_hash(step), f"step {step.id!r}"
        if words is None:
            behind.append(Problem(file, f"{where} of the English chapter has no translation, so it is shown in English.",
                                  f"translate it: add '- id: {step.id}' with its map_text and 'translates: {hash_now}' "
                                  f"to steps, and its text after <!-- step: {step.id} -->.", field="steps"))
        elif words.translates is None:
            problems.append(Problem(file, f"{where} does not say which English text it translates.",
                                    f"add 'translates: {hash_now}' to the step, once it translates the English step "
                                    "as it now reads.", field=f"steps[{i}].translates"))
        elif words.translates != hash_now:
            behind.append(Problem(file, f"{where} translates an older English text (translates: {words.translates}; "
                                        "the English step has changed since), so it is shown in English.",
                                  f"bring the translation up to date with the English step, then write "
                                  f"'translates: {hash_now}'.", field=f"steps[{i}].translates"))
            words = None
        else:
            problems += text_problems(file, where, f"steps[{i}]", step.body, words.body)
            problems += text_problems(file, f"{where} (map text)", f"steps[{i}].map_text", step.map_text,
                                      words.map_text)
        steps.append(replace(step, map_text=words.map_text, body=words.body) if words is not None
                     else replace(step, untranslated=True))
    head = (dict(head_untranslated=True) if head_behind else
            dict(title=translation.title, summary=translation.summary, questions=translation.questions,
                 intro=translation.intro))
    chapter = replace(english, **head, steps=tuple(steps), path=translation.path)
    return chapter, problems, behind


def _head_problems(file: str, english: Chapter, translation: Translation) -> list[Problem]:
    """The citation keys and figures of a chapter's introduction, title, summary and questions."""
    problems = text_problems(file, "the introduction", "body", english.intro, translation.intro)
    problems += text_problems(file, "the title and summary", "title", english.title + "\n" + english.summary,
                              translation.title + "\n" + translation.summary)
    if len(translation.questions) != len(english.questions):
        problems.append(Problem(file, f"has {len(translation.questions)} discussion questions, the English "
                                      f"{len(english.questions)}.", "translate each question, no more, no fewer.",
                                field="questions"))
    else:
        for i, (ours_q, theirs_q) in enumerate(zip(translation.questions, english.questions)):
            problems += text_problems(file, f"question {i + 1}", f"questions[{i}]", theirs_q, ours_q)
    return problems
