"""The project: the folder of a story's inputs, where its build writes, and the editions it makes.

Every input the build reads is named here once, relative to the project's root; the build and
`check` read them through a `Project`, the preview watches `INPUTS`, and a copy of the project
(for the tests, the benchmark, the studio's scratch check) takes exactly `INPUTS`. The schemas
are inputs like the rest: a project carries its own contracts, so a storymap installed with
`pip install .` checks a project against the project's schemas, never against files that happen
to sit beside the code.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .editions import EDITIONS, Edition

REFERENCES = "references.json"
REFERENCES_SCHEMA = "references.schema.json"
LAYERS = "layers"
FEATURE_SCHEMA = "layers/feature.schema.json"
CHAPTERS = "chapters"
FRONT_MATTER_SCHEMA = "chapters/front-matter.schema.json"
CONTENT = "content"
SITE_SETTINGS = "content/site.yaml"
SITE_SCHEMA = "content/site.schema.json"
ALIASES = "content/aliases.yaml"
DATA = "data"
ARRIVALS = "data/defector_arrivals.csv"
RETIRED_TERMS = "docs/retired-terms.yaml"
TEMPLATES = "templates"
STATIC = "static"
STORY_SCRIPT = "static/story.js"
#: The Markdown pages of content/ (and of content/<code>/ for a translation); landing.md opens the home page.
CONTENT_PAGES = ("landing", "about")
#: Every file and folder the build reads (a folder with all it holds): what the preview watches
#: and what a copy of the project takes.
INPUTS = (REFERENCES, REFERENCES_SCHEMA, LAYERS, CHAPTERS, CONTENT, DATA, TEMPLATES, STATIC, RETIRED_TERMS)
#: The contracts the inputs are checked against (each inside one of INPUTS).
SCHEMAS = (REFERENCES_SCHEMA, FEATURE_SCHEMA, FRONT_MATTER_SCHEMA, SITE_SCHEMA)

#: Where the build cache lives, relative to the root, unless CACHE_VARIABLE names a folder.
CACHE_FOLDER = ".cache"
#: A folder named here holds every build's cache instead (the test suite shares one this way).
CACHE_VARIABLE = "BETWEEN_BORDERS_CACHE"
#: The published address, overriding content/site.yaml's url (a deploy to another host sets it).
SITE_URL_VARIABLE = "SITE_URL"


@dataclass(frozen=True)
class Project:
    """A story's project folder and where its build goes::

        Project(root)                      site/ and .cache/ inside root ($BETWEEN_BORDERS_CACHE
                                           and $SITE_URL, when set, as they are now)
        Project(root, site_dir=..., cache_dir=...)
    """

    root: Path
    site_dir: Path = None  # default root/site
    cache_dir: Path = None  # default $BETWEEN_BORDERS_CACHE, else root/.cache
    site_url: str | None = None  # default $SITE_URL; None: content/site.yaml's url
    editions: tuple[Edition, ...] = field(default=EDITIONS, repr=False)

    def __post_init__(self):
        root = Path(self.root)
        object.__setattr__(self, "root", root)
        object.__setattr__(self, "site_dir", Path(self.site_dir) if self.site_dir else root / "site")
        object.__setattr__(self, "cache_dir", Path(self.cache_dir) if self.cache_dir else
                           Path(os.environ.get(CACHE_VARIABLE) or root / CACHE_FOLDER))
        object.__setattr__(self, "site_url", self.site_url or os.environ.get(SITE_URL_VARIABLE) or None)

    def __truediv__(self, relative: str) -> Path:
        """An input's path: project / ARRIVALS."""
        return self.root / relative

    def __fspath__(self) -> str:
        """The project is its folder wherever a path is wanted (open, shutil, subprocess's cwd)."""
        return str(self.root)

    def translation(self, edition: Edition, name: str) -> Path:
        """A file of an edition's words: content/<code>/<name> (strings.yaml, places.yaml, about.md)."""
        return self.root / CONTENT / edition.code / name

    def watched(self) -> tuple[list[Path], list[Path]]:
        """The inputs as they are on disk: (folders, to watch with all they hold; files)."""
        found = [self / name for name in INPUTS]
        return [p for p in found if p.is_dir()], [p for p in found if p.is_file()]

    def copy(self, target: Path) -> Project:
        """A copy of every input (nothing else: no site/, cache, code or tests) at target: the
        copied project, with its own site/ and cache folder and this project's settings."""
        target = Path(target)
        target.mkdir(parents=True, exist_ok=True)
        folders, files = self.watched()
        for source in folders:
            shutil.copytree(source, target / source.relative_to(self.root))
        for source in files:
            (target / source.relative_to(self.root)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / source.relative_to(self.root))
        return Project(target, site_url=self.site_url, editions=self.editions)
