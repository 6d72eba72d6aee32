"""The build, stage by stage: load and validate inputs, assemble scenes, render pages.

Nothing is written here; site.py writes what `assemble_site` returns.
"""
from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup

from ..inputs.chapters import (CITATION_RE, FIGURE_RE, Chapter, Translation, check_references, cite_keys, display_path,
                               load_chapters, load_translations)
from ..core.characters import private_use_problems
from ..rendering.charts import ARRIVALS_CAVEAT, ARRIVALS_FIGURE, YearCount, arrivals_chart, load_arrivals
from ..inputs.content import SiteSettings, load_content
from ..rendering.downloads import download_index
from ..inputs.editions import ENGLISH_STRINGS, Edition, Strings, load_places, load_strings, localize_layers, script_strings
from ..rendering.fonts import font_problem, map_font
from ..inputs.aliases import load_aliases
from ..inputs.kinds import KINDS
from ..inputs.routes import PLACE_KINDS
from ..inputs.studio_words import untranslated_studio_words
from ..inputs.layers import Layer
from ..rendering.locator import build_inset
from ..cache.store import BuildCache
from ..cache import renderers as cached
from ..cache.renderers import CachedBibliography, StaticMaps
from ..cache.session import BuildSession
from ..rendering.offline import OFFLINE_PATH
from ..rendering.page_types import (PAGE_TYPES, render_for_chapters, render_listing_offline_copy, render_pages,
                                    slug_problems)
from ..rendering.pages import PageSet, PageType
from ..core.problems import InputError, Problem
from ..core.progress import Progress
from ..rendering.prose import ProseRenderer, parse_citation
from ..inputs.references import Cite, load_references
from ..scenes.flows import CORRIDORS, ELSEWHERE, SHARED, build_route_map, localised, place_names
from ..scenes.scenes import build_scene
from ..rendering.site import asset_files
from ..rendering.static_maps import MapJob, static_map_jobs
from ..inputs.parity import text_problems, translated_chapter
from ..inputs.project import (ARRIVALS, CHAPTERS, CONTENT_PAGES, FEATURE_SCHEMA, FRONT_MATTER_SCHEMA, LAYERS,
                              REFERENCES, REFERENCES_SCHEMA, SCHEMAS, STATIC, STORY_SCRIPT, TEMPLATES, Project)
from ..inputs.retired_terms import RetiredTerm, chapter_texts, load_terms, mapping_texts, term_problems
from ..inputs.sourcing import check_sourcing
from ..rendering.timeline import TIMELINE_MAP_TEXT, timeline_chapter, timeline_events

ARRIVALS_CAPTION = ("Source: Ministry of Unification, Republic of Korea [@hankyung-2002; @mou-defector-statistics]; "
                    "2020–2025 as reported by the press [@newsis-2026; @voa-2022; @yonhap-2024; @yonhap-2025]. "
                    f"2020 and 2021 are marked. {ARRIVALS_CAVEAT}")
#: The figures chapters and content pages may place by name (each drawn in assemble_site), with their captions.
FIGURE_CAPTIONS = {ARRIVALS_FIGURE: ARRIVALS_CAPTION}
FIGURES = frozenset(FIGURE_CAPTIONS)


@dataclass(frozen=True)
class EditionInputs:
    """What one edition shows: its chapters (translated, or the English where none is), its
    prose pages, its interface words, its layers with the features' names in its language."""

    edition: Edition
    chapters: list[Chapter]
    translated: frozenset[str]  # chapter slugs and content page names that are translated
    content: dict[str, str]  # "landing", "about" -> Markdown
    strings: Strings
    layers: list[Layer]
    map_font: str | None  # the static maps' font family (None: the default, DejaVu Sans)
    stale: tuple[Problem, ...] = ()  # steps and place texts shown in English: their translation is behind


@dataclass(frozen=True)
class Inputs:
    """Everything the build reads, each file read once: what `check` checks is what is built."""

    project: Project
    references: dict[str, dict]
    layers: list[Layer]
    chapters: list[Chapter]
    editions: tuple[EditionInputs, ...]
    arrivals: list[YearCount]
    arrivals_csv: bytes  # data/defector_arrivals.csv as it is, for the downloads
    site: SiteSettings


def load_inputs(project: Project, page_types: tuple[PageType, ...] = PAGE_TYPES,
                session: BuildSession | None = None, cache: BuildCache | None = None) -> Inputs:
    """Every input, validated. Raises InputError listing every problem found in any of them.
    `page_types`: those the site will have (their folders are no chapter's to take); `session`:
    the build session that remembers the checked layers (default: a new one); `cache`: the build
    cache, which keeps them for the next build (none: `check` writes nothing)."""
    session = session or BuildSession()
    problems = [Problem(name, "is missing: the project's inputs are checked against it.",
                        f"restore it from git: git checkout -- {name}")
                for name in SCHEMAS if not (project / name).is_file()]
    if problems:
        raise InputError(problems)
    references: dict[str, dict] | None = None
    layers: list[Layer] = []
    chapters: list[Chapter] = []
    arrivals: list[YearCount] = []
    arrivals_csv = b""
    try:
        references = load_references(project / REFERENCES, project / REFERENCES_SCHEMA)
    except InputError as error:
        problems.extend(error.problems)
    try:
        # Without a readable bibliography, skip the key check rather than flag every source.
        layers = cached.load_layers(project / LAYERS, references.keys() if references is not None else None,
                                    project / FEATURE_SCHEMA, session, cache)
    except InputError as error:
        problems.extend(error.problems)
    try:
        chapters = load_chapters(project / CHAPTERS, project / FRONT_MATTER_SCHEMA)
    except InputError as error:
        problems.extend(error.problems)
    problems.extend(slug_problems(chapters, project.editions, page_types))
    site, content = load_content(project, references.keys() if references is not None else None, FIGURES, problems)
    try:
        arrivals, arrivals_csv = load_arrivals(project / ARRIVALS)
    except InputError as error:
        problems.extend(error.problems)
    problems.extend(chapter_problems(chapters, chapters, layers, references))
    if layers:
        load_aliases(project, {f["id"] for layer in layers for f in layer.features if f["kind"] in PLACE_KINDS},
                     problems)
    editions: list[EditionInputs] = []
    if not problems:
        terms, words = load_terms(project, problems), cached.studio_words(cache)
        for edition in project.editions:
            editions.append(load_edition(project, edition, chapters, layers, content, terms.get(edition.code, ()),
                                         problems, words))
    if problems:
        raise InputError(problems)
    return Inputs(project, references, layers, chapters, tuple(editions), arrivals, arrivals_csv, site)


def load_edition(project: Project, edition: Edition, chapters: list[Chapter], layers: list[Layer],
                 english_content: dict[str, str], terms: tuple[RetiredTerm, ...],
                 problems: list[Problem], studio_words: frozenset[str] | None = None) -> EditionInputs:
    """One edition's texts, each translation checked against the English (storymap.inputs.parity)
    and for the terms its style sheet retires; `studio_words`: the studio's words, where found already."""
    if edition.is_default:
        return EditionInputs(edition, chapters, frozenset(c.slug for c in chapters) | frozenset(CONTENT_PAGES),
                             english_content, ENGLISH_STRINGS, layers, None)
    strings = load_strings(project, edition, problems)
    stale: list[Problem] = untranslated_studio_words(edition, strings, studio_words)
    places = load_places(project, edition, [f for layer in layers for f in layer.features], problems, stale)
    translated_chapters = _translated_chapters(project, edition, chapters, terms, problems, stale)
    content, translated = dict(english_content), {c.slug for _t, c in translated_chapters.values()}
    for name in CONTENT_PAGES:
        path = project.translation(edition, f"{name}.md")
        if path.exists():
            content[name] = path.read_text(encoding="utf-8")
            translated.add(name)
            problems.extend(text_problems(f"content/{edition.code}/{name}.md", "the page", "body",
                                          english_content[name], content[name]))
            problems.extend(private_use_problems(f"content/{edition.code}/{name}.md", content[name]))
    problems.extend(retired_term_problems(edition, terms, content, translated, strings, places))
    edition_chapters = [translated_chapters[c.path.name][1] if c.path.name in translated_chapters else c
                        for c in chapters]
    edition_layers = localize_layers(layers, places)
    texts = ([f["name"] for layer in edition_layers for f in layer.features] + [c.title for c in edition_chapters]
             + [strings(kind.legend) for kind in KINDS.values()])
    font, missing = map_font(edition, texts)
    if font is None:
        problems.append(font_problem(edition, missing))
    return EditionInputs(edition, edition_chapters, frozenset(translated), content, strings, edition_layers, font,
                         tuple(stale))


def chapter_problems(edited: list[Chapter], chapters: list[Chapter], layers: list[Layer],
                     references: dict[str, dict] | None) -> list[Problem]:
    """The checks of English chapters against each other and the other inputs: their sourcing, the
    layers, features and references they name (without layers or a readable bibliography, only the
    sourcing), and the references of the figures they place. `edited`: the chapters whose own checks
    run (all of them in a build, the ones read again in the preview's rebuild); `chapters`: all."""
    problems = check_sourcing(edited)
    if layers and references is not None and chapters:
        layer_ids = [layer.id for layer in layers]
        feature_ids = [f["id"] for layer in layers for f in layer.features]
        problems.extend(check_references(edited, layer_ids, feature_ids, references.keys(), FIGURES))
        problems.extend(caption_problems(chapters, references.keys()))
    return problems


def checked_translation(original: Chapter, translation: Translation, terms: tuple[RetiredTerm, ...]
                        ) -> tuple[Chapter, list[Problem], list[Problem]]:
    """A translated chapter put together with its English one (storymap.inputs.parity): the chapter
    the edition shows, the problems (out of step with the English, retired terms) and the notes
    (steps shown in English because their translation is behind)."""
    chapter, problems, notes = translated_chapter(original, translation)
    problems = [*problems, *term_problems(display_path(translation.path), chapter_texts(translation), terms)]
    return chapter, problems, notes


def retired_term_problems(edition: Edition, terms: tuple[RetiredTerm, ...], content: dict[str, str],
                          translated: set[str], strings: Strings, places: dict[str, dict]) -> list[Problem]:
    """Every use of a term the edition's style sheet retires (storymap.inputs.retired_terms) in its
    content pages, strings and place names (a chapter's are checked with it: checked_translation)."""
    problems: list[Problem] = []
    if not terms:
        return problems
    for name in CONTENT_PAGES:
        if name in translated:
            problems.extend(term_problems(f"content/{edition.code}/{name}.md", [("the page", "body", content[name])],
                                          terms))
    problems.extend(term_problems(f"content/{edition.code}/strings.yaml", mapping_texts(strings.table), terms))
    problems.extend(term_problems(f"content/{edition.code}/places.yaml", mapping_texts(places), terms))
    return problems


def caption_problems(chapters: list[Chapter], keys) -> list[Problem]:
    """References a placed figure's caption cites that references.json lacks."""
    placed = {name: chapter for chapter in reversed(chapters)
              for text in (chapter.intro, *(step.body for step in chapter.steps)) for name in FIGURE_RE.findall(text)}
    return [Problem("references.json", f"has no reference {key!r}, which the caption of the figure {name!r} cites "
                                       f"({display_path(chapter.path)} places it).",
                    f"add the reference {key!r} to references.json, or remove the figure from the chapter.")
            for name, chapter in sorted(placed.items()) if name in FIGURE_CAPTIONS
            for key in dict.fromkeys(cite_keys(FIGURE_CAPTIONS[name])) if key not in keys]


def _translated_chapters(project: Project, edition: Edition, english: list[Chapter], terms: tuple[RetiredTerm, ...],
                         problems: list[Problem], behind: list[Problem]) -> dict[str, tuple[Translation, Chapter]]:
    """chapters/<code>/*.md by file name: each translation, and the chapter the edition shows (the
    English chapter's map with the translation's words), checked against the English chapter."""
    folder = project / CHAPTERS / edition.code
    if not any(folder.glob("*.md")):
        return {}
    try:
        translations = load_translations(folder, project / FRONT_MATTER_SCHEMA)
    except InputError as error:
        problems.extend(error.problems)
        return {}
    by_name = {c.path.name: c for c in english}
    found = {}
    for translation in translations:
        original = by_name.get(translation.path.name)
        if original is None:
            problems.append(Problem(display_path(translation.path), "has no English chapter of that name.",
                                    f"name it as the English file it translates, e.g. chapters/{folder.name}/"
                                    f"{english[0].path.name}."))
            continue
        chapter, out_of_step, notes = checked_translation(original, translation, terms)
        problems.extend(out_of_step)
        behind.extend(notes)
        found[translation.path.name] = translation, chapter
    return found


@dataclass
class Assembly:
    """A site assembled and not yet written, with what made it: the preview keeps it between saves
    and re-renders part of it (storymap/commands/incremental.py).

    `pages` holds every file of the site but the offline copy, each page in its first rendering
    (phase 1, which the copy packs); `listing` the pages of phase 2, which replace their first
    renderings in site/."""

    inputs: Inputs
    builds: list[EditionBuild]
    pages: dict[str, str | bytes]
    assets: dict[str, Path]
    offline: bytes = b""
    listing: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, str | bytes]:
        """Every file of site/ but the assets: path inside site/ -> content."""
        return {**self.pages, OFFLINE_PATH: self.offline, **self.listing}


def assemble_site(project: Project, cache: BuildCache | None = None, progress: Progress | None = None,
                  page_types: tuple[PageType, ...] = PAGE_TYPES,
                  session: BuildSession | None = None) -> tuple[dict[str, str | bytes], dict[str, Path]]:
    """All pages and files (path inside site/ -> content) and assets (path inside site/ -> source file).

    Static maps and citations come from `cache` where it has them (default: the project's cache_dir). The
    pages are those of `page_types` (storymap.rendering.page_types), in its two phases. `session`
    remembers what the build works out and holds its helper processes (storymap/cache/session.py);
    without one, the build has its own, ended with it."""
    assembly = assemble(project, cache, progress, page_types, session)
    return assembly.files, assembly.assets


def assemble(project: Project, cache: BuildCache | None = None, progress: Progress | None = None,
             page_types: tuple[PageType, ...] = PAGE_TYPES, session: BuildSession | None = None) -> Assembly:
    """assemble_site's work, as an Assembly."""
    if session is None:
        session = BuildSession()
        try:
            return assemble(project, cache, progress, page_types, session)
        finally:
            session.end_build()
    cache = cache or BuildCache(project.cache_dir)
    progress = progress or Progress(None)
    progress.stage("Checking layers, chapters and references")
    inputs = load_inputs(project, page_types, session, cache)
    builds = edition_builds(inputs, cache, session)
    downloads = _downloads(inputs, session, cache)
    # Every edition's citations, the downloads and the static maps in one pool of worker processes,
    # formatted, made and drawn in the background while the pages that do not list the downloads are rendered.
    static_maps = StaticMaps(None, cache, progress, session, jobs={
        build.edition.prefix + path: job for build in builds for path, job in build.static_map_jobs().items()},
        citations=[(build.bibliography, build.citations()) for build in builds], background=downloads.background)
    env_dir = project / TEMPLATES
    pages: dict[str, str] = {}
    for build in builds:
        progress.stage(f"Rendering pages ({build.edition.name})")
        pages.update(build.pages(env_dir, progress, page_types, listing_downloads=False))
    files: dict[str, str | bytes] = _listed(builds, downloads.files(static_maps))
    files.update(pages)
    for build in builds:  # the pages that list the downloads, with their sizes
        files.update(build.pages(env_dir, progress, page_types, listing_downloads=True))
    files.update(static_maps.files())
    assembly = Assembly(inputs, builds, files, asset_files(project / STATIC))
    progress.stage("Packing the offline copy")
    pack_offline_copy(assembly, cache, page_types)
    return assembly


def _downloads(inputs: Inputs, session: BuildSession, cache: BuildCache | None = None) -> cached.Downloads:
    return cached.Downloads(inputs.layers, inputs.references, inputs.arrivals_csv, session,
                            timeline_events(inputs.chapters, inputs.layers), cache)


def _listed(builds: list[EditionBuild], downloads: dict[str, bytes]) -> dict[str, bytes]:
    """The downloads, each edition's pages set to list them (with their sizes)."""
    for build in builds:
        build.page_set = replace(build.page_set, downloads=download_index(build.inputs.layers, downloads, build.strings))
    return dict(downloads)


def list_downloads(inputs: Inputs, builds: list[EditionBuild], session: BuildSession) -> dict[str, bytes]:
    """The downloads (data/ of the site), made here, each edition's pages set to list them."""
    return _listed(builds, _downloads(inputs, session).files())


def pack_offline_copy(assembly: Assembly, cache: BuildCache, page_types: tuple[PageType, ...] = PAGE_TYPES) -> None:
    """Phase 2: the offline copy, packed from the pages' first renderings, and the pages that list
    it (the published ones list it; the copy holds their first rendering)."""
    assembly.offline = cached.offline_copy(assembly.pages, assembly.assets, cache)
    env_dir = assembly.inputs.project / TEMPLATES
    assembly.listing = {path: page for build in assembly.builds
                        for path, page in render_listing_offline_copy(build.page_set, env_dir, assembly.offline,
                                                                      page_types).items()}


def edition_builds(inputs: Inputs, cache: BuildCache, session: BuildSession) -> list[EditionBuild]:
    """Each edition's scenes and pages, in the order of the project's editions."""
    route_map = build_route_map(inputs.layers)
    script_words = script_strings(inputs.project / STORY_SCRIPT)
    return [EditionBuild(edition, inputs, cache, session, route_map, script_words) for edition in inputs.editions]


class EditionBuild:
    """One edition's scenes and pages (site/ for English, site/ko/, site/zh/)."""

    def __init__(self, inputs: EditionInputs, shared: Inputs, cache: BuildCache, session: BuildSession, route_map,
                 script_words: set[str]):
        """`script_words`: the interface words static/story.js asks for (its pages carry their translations)."""
        references, arrivals, english_layers = shared.references, shared.arrivals, shared.layers
        self.inputs, self.edition, self.strings = inputs, inputs.edition, inputs.strings
        _ = self.strings
        self.bibliography = CachedBibliography(references, cache, locale=self.edition.csl_locale,
                                               head_start=session.head_start)
        prose = ProseRenderer(self.bibliography, figures={})
        # The caption cites: rendered where the figure is placed, so that the citations are
        # formatted while the static maps are drawn, not before.
        prose.figures[ARRIVALS_FIGURE] = lambda: arrivals_chart(
            arrivals, Markup(prose.render(_(ARRIVALS_CAPTION), "../sources/")), _)
        self.route_map = route_map = localised(route_map, english_layers, inputs.layers)
        self.scenes = {c.slug: build_scene(c, inputs.layers, route_map, _) for c in inputs.chapters}
        # The timeline's map: what the year control filters there (every fence, site, crossing, route).
        timeline_map = timeline_chapter(inputs.layers, _("The border over time"), _(TIMELINE_MAP_TEXT))
        timeline_scene = build_scene(timeline_map, inputs.layers, route_map, _) if timeline_map else None
        self.story_bibliography = CachedBibliography({"between-borders": shared.site.story_item}, cache,
                                                     locale=self.edition.csl_locale)
        self.page_set = PageSet(
            chapters=inputs.chapters, scenes=self.scenes,
            bibliography=self.bibliography, prose=prose, inset=build_inset(inputs.layers),
            landing=inputs.content["landing"], about=inputs.content["about"],
            site_url=shared.site.url, story_citation=Markup(self.story_bibliography.entry("between-borders")),
            downloads=[],  # set once the downloads are made (assemble_site)
            map_data=functools.partial(cached.map_data, cache=cache, session=session),
            render_map=functools.partial(cached.render_map, cache=cache, session=session),
            route_features={f["id"]: f for layer in inputs.layers if layer.group == "routes" for f in layer.features},
            events=timeline_events(inputs.chapters, inputs.layers), arrivals=arrivals, timeline_scene=timeline_scene,
            arrivals_caption=_(ARRIVALS_CAPTION) if set(cite_keys(ARRIVALS_CAPTION)) <= references.keys() else "",
            place_names=place_names(english_layers, inputs.layers),
            edition=self.edition, editions=shared.project.editions, translated=inputs.translated, strings=_, script_strings=_.subset(script_words),
            corrections=shared.site.corrections, templates=session.templates(cache))

    def citations(self) -> list[Cite]:
        """Every citation the edition's pages make: in its prose and captions, and of its map
        features' sources."""
        inputs = self.inputs
        texts = [inputs.content["landing"], inputs.content["about"], self.strings(ARRIVALS_CAPTION),
                 *(text for c in inputs.chapters for text in (c.intro, *(s.body for s in c.steps)))]
        cites = [cite for text in texts for match in CITATION_RE.finditer(text)
                 for cite in parse_citation(match.group("items"))]
        return cites + [Cite(key) for layer in inputs.layers for f in layer.features for key in f.get("sources", [])]

    def static_map_jobs(self, slugs: Collection[str] | None = None) -> dict[str, MapJob]:
        """The edition's static maps (inside its folder): drawn in its font, with its legend words;
        those of the chapters `slugs` only, when given."""
        corridors = [label for label, _colour in [*CORRIDORS.values(), ELSEWHERE, SHARED]]
        labels = {**{name: self.strings(kind.legend) for name, kind in KINDS.items()},
                  **{label: self.strings(label) for label in corridors}}
        scenes = self.scenes if slugs is None else {slug: self.scenes[slug] for slug in slugs}
        return static_map_jobs(scenes, font=self.inputs.map_font, kind_labels=labels)

    def take_edit(self, inputs: EditionInputs, slugs: Collection[str]) -> None:
        """Take the edition's inputs after an edit to the words of the chapters `slugs` alone
        (storymap/commands/incremental.py): their scenes are built again, the others kept."""
        self.inputs = inputs
        self.scenes = {c.slug: build_scene(c, inputs.layers, self.route_map, self.strings) if c.slug in slugs
                       else self.scenes[c.slug] for c in inputs.chapters}
        self.page_set = replace(self.page_set, chapters=inputs.chapters, scenes=self.scenes,
                                events=timeline_events(inputs.chapters, inputs.layers))

    def pages_for_edit(self, env_dir: Path, slugs: Collection[str],
                       page_types: tuple[PageType, ...] = PAGE_TYPES) -> dict[str, str]:
        """Phase 1's pages that an edit to the words of the chapters `slugs` can change."""
        pages = render_for_chapters(self.page_set, env_dir, slugs, page_types)
        self.bibliography.save()
        return pages

    def pages(self, env_dir: Path, progress: Progress, page_types: tuple[PageType, ...] = PAGE_TYPES,
              listing_downloads: bool | None = None) -> dict[str, str]:
        """The edition's pages (render_pages: all, or only those that list the downloads, or the others)."""
        pages = render_pages(self.page_set, env_dir, page_types, listing_downloads)
        progress.count("pages", sum(1 for path in pages if path.endswith(".html")))
        self.bibliography.save()
        self.story_bibliography.save()
        return pages
