"""jinja2: chapters, scenes and maps become the site's pages, as a dict of relative path -> text.

Every link and asset path is relative to the page, so the site works under any sub-path.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .chapters import Chapter
from .locator import Inset
from .maps import detail_file, render_map
from .prose import ProseRenderer, cited_keys
from .references import Bibliography
from .scenes import ChapterScene

SITE_TITLE = "Between Borders"
SITE_SUBTITLE = "China's policy on North Korean migrants: a story map"


@dataclass(frozen=True)
class PageSet:
    """Inputs every page shares."""

    chapters: list[Chapter]
    scenes: dict[str, ChapterScene]
    bibliography: Bibliography
    prose: ProseRenderer
    inset: Inset
    landing: str  # Markdown
    about: str  # Markdown


def environment(templates_dir: Path) -> Environment:
    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(site_title=SITE_TITLE, site_subtitle=SITE_SUBTITLE)
    return env


def chapter_keys(chapter: Chapter) -> set[str]:
    texts = [chapter.intro] + [step.body for step in chapter.steps]
    return set().union(*(cited_keys(t) for t in texts))


def steps_json(scene: ChapterScene) -> str:
    return json.dumps([{"id": s.id, "view": s.view, "layers": list(s.layers), "highlight": list(s.highlight),
                        "description": s.description, "detail": detail_file(s.id) if s.detail else None}
                       for s in scene.steps], sort_keys=True, ensure_ascii=False)


def render_pages(pages: PageSet, env: Environment) -> dict[str, str]:
    """Every page of the site, keyed by its path inside site/."""
    out: dict[str, str] = {}
    toc = [{"slug": c.slug, "title": c.title, "summary": c.summary} for c in pages.chapters]
    sources_from_root = "sources/"

    out["index.html"] = env.get_template("landing.html").render(
        root="", page_title=SITE_TITLE, description=SITE_SUBTITLE, toc=toc,
        opening=pages.prose.render(pages.landing, sources_from_root))

    for index, chapter in enumerate(pages.chapters):
        scene = pages.scenes[chapter.slug]
        map_parts = render_map(scene, pages.bibliography, asset_prefix="../assets/", sources_href="../sources/")
        keys = chapter_keys(chapter)
        out[f"{chapter.slug}/index.html"] = env.get_template("chapter.html").render(
            root="../", page_title=f"{chapter.title} | {SITE_TITLE}", description=chapter.summary,
            chapter=chapter, number=index + 1, total=len(pages.chapters), scene=scene,
            intro=pages.prose.render(chapter.intro, "../sources/"),
            step_bodies={s.id: pages.prose.render(s.body, "../sources/") for s in chapter.steps},
            steps_json=Markup(steps_json(scene).replace("<", "\\u003c")),
            map=map_parts, inset=pages.inset,
            previous=pages.chapters[index - 1] if index > 0 else None,
            next=pages.chapters[index + 1] if index + 1 < len(pages.chapters) else None,
            references=[(k, Markup(pages.bibliography.entry(k))) for k in pages.bibliography.ordered_keys(keys)])
        out[f"{chapter.slug}/map.js"] = map_parts.script
        for name, data in map_parts.detail_files.items():
            out[f"{chapter.slug}/{name}"] = data

    cited_by = {}
    for chapter in pages.chapters:
        for key in chapter_keys(chapter):
            cited_by.setdefault(key, []).append(chapter)
    out["sources/index.html"] = env.get_template("sources.html").render(
        root="../", page_title=f"Sources | {SITE_TITLE}",
        description="Every source the story and its maps rely on, in APA style.",
        references=[(k, Markup(pages.bibliography.entry(k)), cited_by.get(k, []))
                    for k in pages.bibliography.ordered_keys()])
    out["about/index.html"] = env.get_template("about.html").render(
        root="../", page_title=f"About this map | {SITE_TITLE}",
        description="How the story map was made, its data sources and licences, and what approximate and schematic mean.",
        body=pages.prose.render(pages.about, "../sources/"))
    return out
