"""The check of the story's own pages and settings: content/site.yaml and content/*.md.

`check_content` is run by `load_inputs` (so by `check` and `build` alike) before anything is
rendered: site.yaml against content/site.schema.json (plain words from schema_words), and each
page of content/ for the things that would stop the build (a missing or non-UTF-8 file, a
citation the site cannot format or whose key references.json lacks).
"""
from __future__ import annotations

import functools
from collections.abc import Collection
from pathlib import Path

import yaml

from .chapters import citation_problems, figure_problems
from ..core.characters import private_use_problems
from ..core.problems import Problem
from ..core.schema_words import Words, dotted, explain, missing, validator
from ..core.yaml_input import Refused, load as load_yaml

SITE_FILE = "content/site.yaml"
SITE_SCHEMA = Path(__file__).resolve().parents[2] / "content" / "site.schema.json"
#: The Markdown pages of content/ the build renders (landing.md is the home page's opening).
CONTENT_PAGES = ("landing", "about")

SITE_WORDS = Words(
    missing={"url": "add the address the site is published at, e.g. url: https://example.org/between-borders/",
             "citation": "add a citation: block with type, title, author and issued (see the comments in the file).",
             "type": "add type: webpage.",
             "title": "add the story's title.",
             "author": "add author: [{literal: Between Borders contributors}].",
             "issued": "add the year it was published, e.g. issued: {date-parts: [[2026]]}.",
             "date-parts": "write the year as date-parts: [[2026]]."},
    patterns={"url": "write the full address with http:// or https://, e.g. https://example.org/between-borders/"},
    where=lambda path: (dotted(path), ""),
)


def check_content(root: Path, reference_keys: Collection[str] | None, figures: Collection[str]) -> list[Problem]:
    """Every problem in content/site.yaml and the pages of content/ (citations are checked only
    when references.json could be read, i.e. `reference_keys` is not None; `figures` are the
    figures a page may place)."""
    return check_site(root / SITE_FILE) + [p for name in CONTENT_PAGES for p in
                                           check_page(root / "content" / f"{name}.md", reference_keys, figures)]


def check_site(path: Path) -> list[Problem]:
    problem = functools.partial(Problem, SITE_FILE)
    try:
        settings = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [problem("is missing.", "restore it from git: git checkout -- content/site.yaml")]
    except UnicodeDecodeError:
        return [problem("is not saved as UTF-8 text.", "save the file again with the encoding UTF-8.")]
    except Refused as err:
        return [problem(f"{err.message}{err.line()}.", err.fix)]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return [problem(f"is not valid YAML{where}.", "check indentation, colons and quotes on that line.")]
    if not isinstance(settings, dict):
        return [problem("should hold fields such as url: and citation:, but holds none.",
                        "restore it from git: git checkout -- content/site.yaml")]
    problems = []
    for error in validator(SITE_SCHEMA).iter_errors(settings):
        if error.validator == "required":
            found = [missing(name, error.absolute_path, SITE_WORDS)
                     for name in error.validator_value if name not in error.instance]
        else:
            found = [explain(error, SITE_WORDS)]
        problems.extend(problem(message, fix, field=field) for field, message, fix in found)
    return problems


def check_page(path: Path, reference_keys: Collection[str] | None, figures: Collection[str]) -> list[Problem]:
    display = f"content/{path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [Problem(display, "is missing.", f"restore it from git: git checkout -- {display}")]
    except UnicodeDecodeError:
        return [Problem(display, "is not saved as UTF-8 text.", "save the file again with the encoding UTF-8.")]
    problems = figure_problems(display, None, text, figures) + private_use_problems(display, text)
    if reference_keys is None:
        return problems
    return problems + citation_problems(display, None, text, reference_keys)
