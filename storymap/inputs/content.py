"""The story's own pages and settings: content/site.yaml and content/*.md, read and checked.

`load_content` is run by `load_inputs` (so by `check` and `build` alike) before anything is
rendered: site.yaml against content/site.schema.json (plain words from schema_words), and each
page of content/ for the things that would stop the build (a missing or non-UTF-8 file, a
citation the site cannot format or whose key references.json lacks). What it read is what the
build uses: no stage reads these files again.
"""
from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from .chapters import citation_problems, figure_problems
from .project import CONTENT, CONTENT_PAGES, SITE_SCHEMA, SITE_SETTINGS, Project
from ..core.characters import private_use_problems
from ..core.problems import Problem
from ..core.schema_words import Words, dotted, explain, missing, validator
from ..core.yaml_input import Refused, load as load_yaml

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


@dataclass(frozen=True)
class SiteSettings:
    """What content/site.yaml says of the site as a whole."""

    url: str  # the published address, with its final slash (Project.site_url overrides the file's)
    story_item: dict  # the story's own CSL item, for "cite this story"
    corrections: str  # where readers report errors in a translation ("" if nowhere)

    @classmethod
    def of(cls, settings: dict, url: str | None = None) -> SiteSettings:
        url = url or settings["url"]
        url = url if url.endswith("/") else url + "/"
        return cls(url, {"id": "between-borders", **settings["citation"], "URL": url}, settings.get("corrections", ""))


def load_content(project: Project, reference_keys: Collection[str] | None, figures: Collection[str],
                 problems: list[Problem]) -> tuple[SiteSettings | None, dict[str, str]]:
    """content/site.yaml's settings (None if it has a problem) and the English pages of content/ by name
    ("" for one that cannot be read); every problem goes into `problems` (citations are checked
    only when references.json could be read, i.e. `reference_keys` is not None; `figures` are the
    figures a page may place)."""
    settings, found = read_site(project / SITE_SETTINGS, project / SITE_SCHEMA)
    problems.extend(found)
    site = SiteSettings.of(settings, project.site_url) if settings is not None else None
    pages = {}
    for name in CONTENT_PAGES:
        pages[name], found = read_page(project / f"{CONTENT}/{name}.md", reference_keys, figures)
        problems.extend(found)
    return site, pages


def read_site(path: Path, schema: Path) -> tuple[dict | None, list[Problem]]:
    """The settings (None if they have a problem) and their problems."""
    problem = functools.partial(Problem, SITE_SETTINGS)
    try:
        settings = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [problem("is missing.", f"restore it from git: git checkout -- {SITE_SETTINGS}")]
    except UnicodeDecodeError:
        return None, [problem("is not saved as UTF-8 text.", "save the file again with the encoding UTF-8.")]
    except Refused as err:
        return None, [problem(f"{err.message}{err.line()}.", err.fix)]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return None, [problem(f"is not valid YAML{where}.", "check indentation, colons and quotes on that line.")]
    if not isinstance(settings, dict):
        return None, [problem("should hold fields such as url: and citation:, but holds none.",
                              f"restore it from git: git checkout -- {SITE_SETTINGS}")]
    problems = []
    for error in validator(schema).iter_errors(settings):
        if error.validator == "required":
            found = [missing(name, error.absolute_path, SITE_WORDS)
                     for name in error.validator_value if name not in error.instance]
        else:
            found = [explain(error, SITE_WORDS)]
        problems.extend(problem(message, fix, field=field) for field, message, fix in found)
    return (None if problems else settings), problems


def read_page(path: Path, reference_keys: Collection[str] | None, figures: Collection[str]) -> tuple[str, list[Problem]]:
    """A page's Markdown ("" if it cannot be read) and its problems."""
    display = f"{CONTENT}/{path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", [Problem(display, "is missing.", f"restore it from git: git checkout -- {display}")]
    except UnicodeDecodeError:
        return "", [Problem(display, "is not saved as UTF-8 text.", "save the file again with the encoding UTF-8.")]
    problems = figure_problems(display, None, text, figures) + private_use_problems(display, text)
    if reference_keys is not None:
        problems += citation_problems(display, None, text, reference_keys)
    return text, problems
