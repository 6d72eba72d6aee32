"""The build, stage by stage: load and validate inputs, assemble scenes, render pages.

Nothing is written here; site.py writes what `assemble_site` returns.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from markupsafe import Markup

from .chapters import FIGURE_RE, Chapter, check_references, cite_keys, display_path, load_chapters
from .charts import ARRIVALS_CAVEAT, ARRIVALS_FIGURE, ARRIVALS_FILE, arrivals_chart, load_arrivals
from .content import check_content
from .downloads import download_index
from .layers import Layer
from .locator import build_inset
from .cache import CACHE_FOLDER, BuildCache
from . import cached
from .cached import CachedBibliography, StaticMaps
from .offline import OFFLINE_PATH, offline_copy, offline_entry
from .pages import PageSet, educators_page, environment, render_pages, slug_problems
from .problems import InputError, Problem
from .progress import Progress
from .prose import ProseRenderer
from .references import Bibliography, load_references
from .flows import build_route_map
from .scenes import build_scene
from .site import asset_files
from .sourcing import check_sourcing

ARRIVALS_CAPTION = ("Source: Ministry of Unification, Republic of Korea [@hankyung-2002; @mou-defector-statistics]; "
                    "2020–2025 as reported by the press [@newsis-2026; @voa-2022; @yonhap-2024; @yonhap-2025]. "
                    f"2020 and 2021 are marked. {ARRIVALS_CAVEAT}")
#: The figures chapters and content pages may place by name (each drawn in assemble_site), with their captions.
FIGURE_CAPTIONS = {ARRIVALS_FIGURE: ARRIVALS_CAPTION}
FIGURES = frozenset(FIGURE_CAPTIONS)


@dataclass(frozen=True)
class Inputs:
    references: dict[str, dict]
    layers: list[Layer]
    chapters: list[Chapter]


def load_inputs(root: Path) -> Inputs:
    """Every input, validated. Raises InputError listing every problem found in any of them."""
    problems: list[Problem] = []
    references: dict[str, dict] | None = None
    layers: list[Layer] = []
    chapters: list[Chapter] = []
    try:
        references = load_references(root / "references.json")
    except InputError as error:
        problems.extend(error.problems)
    try:
        # Without a readable bibliography, skip the key check rather than flag every source.
        layers = cached.load_layers(root / "layers", references.keys() if references is not None else None)
    except InputError as error:
        problems.extend(error.problems)
    try:
        chapters = load_chapters(root / "chapters")
    except InputError as error:
        problems.extend(error.problems)
    problems.extend(check_sourcing(chapters))
    problems.extend(slug_problems(chapters))
    problems.extend(check_content(root, references.keys() if references is not None else None, FIGURES))
    try:
        load_arrivals(root / ARRIVALS_FILE)
    except InputError as error:
        problems.extend(error.problems)
    if layers and chapters and references is not None:
        layer_ids = [layer.id for layer in layers]
        feature_ids = [f["id"] for layer in layers for f in layer.features]
        problems.extend(check_references(chapters, layer_ids, feature_ids, references.keys(), FIGURES))
        problems.extend(caption_problems(chapters, references.keys()))
    if problems:
        raise InputError(problems)
    return Inputs(references, layers, chapters)


def caption_problems(chapters: list[Chapter], keys) -> list[Problem]:
    """References a placed figure's caption cites that references.json lacks."""
    placed = {name: chapter for chapter in reversed(chapters)
              for text in (chapter.intro, *(step.body for step in chapter.steps)) for name in FIGURE_RE.findall(text)}
    return [Problem("references.json", f"has no reference {key!r}, which the caption of the figure {name!r} cites "
                                       f"({display_path(chapter.path)} places it).",
                    f"add the reference {key!r} to references.json, or remove the figure from the chapter.")
            for name, chapter in sorted(placed.items()) if name in FIGURE_CAPTIONS
            for key in dict.fromkeys(cite_keys(FIGURE_CAPTIONS[name])) if key not in keys]


def site_settings(root: Path) -> tuple[str, dict]:
    """The published address (SITE_URL overrides content/site.yaml) and the story's own CSL item."""
    settings = yaml.safe_load((root / "content" / "site.yaml").read_text(encoding="utf-8"))
    url = os.environ.get("SITE_URL") or settings["url"]
    url = url if url.endswith("/") else url + "/"
    return url, {"id": "between-borders", **settings["citation"], "URL": url}


def assemble_site(root: Path, cache: BuildCache | None = None, progress: Progress | None = None
                  ) -> tuple[dict[str, str | bytes], dict[str, Path]]:
    """All pages and files (path inside site/ -> content) and assets (path inside site/ -> source file).

    Static maps and citations come from `cache` where it has them (default: root/.cache/)."""
    cache = cache or BuildCache(root / CACHE_FOLDER)
    progress = progress or Progress(None)
    progress.stage("Checking layers, chapters and references")
    inputs = load_inputs(root)
    bibliography = CachedBibliography(inputs.references, cache)
    arrivals_path = root / "data" / "defector_arrivals.csv"
    arrivals = load_arrivals(arrivals_path)
    prose = ProseRenderer(bibliography, figures={})
    caption = prose.render(ARRIVALS_CAPTION, "../sources/")
    prose.figures[ARRIVALS_FIGURE] = lambda: arrivals_chart(arrivals, Markup(caption))
    site_url, story_item = site_settings(root)
    route_map = build_route_map(inputs.layers)
    scenes = {c.slug: build_scene(c, inputs.layers, route_map) for c in inputs.chapters}
    static_maps = StaticMaps(scenes, cache, progress)  # drawn in the background while pages render
    downloads = cached.download_files(inputs.layers, inputs.references, arrivals_path)
    story_bibliography = CachedBibliography({"between-borders": story_item}, cache)
    progress.stage("Rendering pages")
    page_set = PageSet(
        chapters=inputs.chapters, scenes=scenes,
        bibliography=bibliography, prose=prose, inset=build_inset(inputs.layers),
        landing=(root / "content" / "landing.md").read_text(encoding="utf-8"),
        about=(root / "content" / "about.md").read_text(encoding="utf-8"),
        site_url=site_url, story_citation=Markup(story_bibliography.entry("between-borders")),
        downloads=download_index(inputs.layers, downloads), cache=cache,
        route_features={f["id"]: f for layer in inputs.layers if layer.group == "routes" for f in layer.features})
    pages = render_pages(page_set, environment(root / "templates"))
    progress.count("pages", sum(1 for path in pages if path.endswith(".html")))
    bibliography.save()
    story_bibliography.save()
    files: dict[str, str | bytes] = {**pages, **downloads, **static_maps.files()}
    assets = asset_files(root / "static")
    progress.stage("Packing the offline copy")
    files[OFFLINE_PATH] = offline_copy(files, assets)
    # The copy holds the educators page without its own row; the published page lists it.
    files.update(educators_page(replace(page_set, downloads=[offline_entry(files[OFFLINE_PATH])] + page_set.downloads),
                                environment(root / "templates")))
    return files, assets
