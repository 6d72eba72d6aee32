"""The words the Korean and Chinese style sheets retire, and where a translation still uses them.

The style sheets are in docs/GLOSSARY.md; the terms they retire are listed once, in
docs/retired-terms.yaml, which this module reads for `check` and the build. A retired term in a
translated chapter, page, interface string or place name is a Problem that names the file, the
step or field, the term and the house term to write instead. Words inside quotation marks (“…”,
「…」) are someone else's and are left as they were said.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
import re
from dataclasses import dataclass

import yaml

from .project import RETIRED_TERMS, Project
from ..core.problems import Problem
from ..core.yaml_input import load as load_yaml

#: A quotation: its words are the speaker's, not the edition's.
_QUOTED_RE = re.compile(r"“[^“”]*”|「[^「」]*」")
_FIX = "keep it a mapping of edition code to a list of {retired: ..., house: ..., why: ...} (see its header)."


@dataclass(frozen=True)
class RetiredTerm:
    """A word a style sheet no longer writes, the house term that replaces it and why."""

    retired: str
    house: str
    why: str


def load_terms(project: Project, problems: list[Problem]) -> dict[str, tuple[RetiredTerm, ...]]:
    """docs/retired-terms.yaml as edition code -> its retired terms; a malformed file is a Problem."""
    path, display = project / RETIRED_TERMS, RETIRED_TERMS
    if not path.exists():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        problems.append(Problem(display, f"cannot be read as YAML ({str(err).splitlines()[0]}).", _FIX))
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(display, "is not a mapping.", _FIX))
        return {}
    terms: dict[str, tuple[RetiredTerm, ...]] = {}
    for code, entries in data.items():
        found = []
        for index, entry in enumerate(entries if isinstance(entries, list) else [None]):
            if (not isinstance(entry, dict) or set(entry) != {"retired", "house", "why"}
                    or not all(isinstance(v, str) and v.strip() for v in entry.values())):
                problems.append(Problem(display, f"entry {index + 1} of {code!r} is not a retired term with its "
                                                 "house term and reason.", _FIX, field=f"{code}[{index}]"))
                continue
            found.append(RetiredTerm(entry["retired"].strip(), entry["house"].strip(), entry["why"].strip()))
        terms[str(code)] = tuple(found)
    return terms


def term_problems(file: str, texts: Iterable[tuple[str, str, str]], terms: Iterable[RetiredTerm]) -> list[Problem]:
    """A Problem for each retired term in each (where, field, text), e.g. ("step 'eunju'", "steps[0]", "...")."""
    terms = tuple(terms)
    return [Problem(file, f"{where} writes {term.retired!r}, a term the style sheet retires.",
                    f"write {term.house} instead: {term.why} (docs/GLOSSARY.md)", field=field)
            for where, field, text in texts for term in terms if term.retired in _QUOTED_RE.sub("", text)]


def chapter_texts(chapter) -> list[tuple[str, str, str]]:
    """Every translated text of a chapter as (where, field, text), as the parity check names them."""
    texts = [("the title and summary", "title", chapter.title + "\n" + chapter.summary),
             ("the introduction", "body", chapter.intro)]
    texts += [(f"question {i + 1}", f"questions[{i}]", q) for i, q in enumerate(chapter.questions)]
    for i, step in enumerate(chapter.steps):
        texts += [(f"step {step.id!r}", f"steps[{i}]", step.body),
                  (f"step {step.id!r} (map text)", f"steps[{i}].map_text", step.map_text)]
    return texts


def mapping_texts(table: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """The texts of strings.yaml (English -> translation) or places.yaml (id -> {name, description})."""
    texts = []
    for key, value in table.items():
        for part, text in (value.items() if isinstance(value, Mapping) else [("", value)]):
            field = f"{key}.{part}" if part else str(key)
            texts.append((f"the {part or 'translation'} of {str(key)[:40]!r}", field, str(text)))
    return texts
