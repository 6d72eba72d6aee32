"""jinja2: what every page type shares: the inputs of the pages (PageSet), the templates'
environment, the writer that renders a template into a page, and what a page type is (PageType).

The page types themselves are modules of storymap/rendering/site_pages/, listed in
storymap/rendering/page_types.py, which renders them. Every link and asset path is relative to the
page, so the site works under any sub-path; only the canonical address, the preview cards and the
embed snippet use the configured site URL.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..inputs.chapters import Chapter, cite_keys
from ..inputs.editions import ENGLISH, ENGLISH_STRINGS, Edition, Strings
from ..inputs.kinds import LAND, SEA, swatch
from .locator import Inset
from . import maps
from .maps import MapData, MapParts, detail_file
from .prose import ProseRenderer
from ..inputs.references import Bibliography
from ..scenes.scenes import ChapterScene
from .static_maps import HEIGHT_PX, WIDTH_PX

SITE_TITLE = "Between Borders"
SITE_SUBTITLE = "China's policy on North Korean migrants: a story map"
PREVIEW_SIZE = (WIDTH_PX, HEIGHT_PX)


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
    site_url: str  # absolute, ending in "/"
    story_citation: Markup  # how to cite this story, APA
    downloads: list[dict]  # label, path, format, size, features (paths from the site's root)
    route_features: dict[str, dict]  # every route feature by id, for the routes catalogue
    place_names: dict[str, str]  # a place's English name (as routes' via lists write it) -> the edition's
    #: How a chapter's map data and map shell are made: maps' own functions, or the build's cached ones.
    map_data: Callable[[ChapterScene, Bibliography], MapData] = maps.map_data
    render_map: Callable[..., MapParts] = maps.render_map
    events: tuple = ()  # the timeline's events (storymap.rendering.timeline.Event), in the edition's words
    arrivals: tuple = ()  # the yearly arrivals (charts.YearCount), drawn on the timeline's axis
    timeline_scene: ChapterScene | None = None  # the timeline's map (storymap.rendering.timeline.timeline_chapter)
    #: Markdown: the arrivals chart's sources and caveat in the edition's words ("" where
    #: references.json lacks its sources: the timeline then names the Ministry alone).
    arrivals_caption: str = ""
    edition: Edition = ENGLISH
    #: Every edition of the project (its Project.editions), in order: the language switch, the hreflang links.
    editions: tuple[Edition, ...] = (ENGLISH,)
    #: Chapter slugs and content pages ("landing", "about") shown in the edition's language.
    translated: frozenset[str] = frozenset()
    strings: Strings = ENGLISH_STRINGS
    script_strings: dict[str, str] | None = None  # story.js's words in this edition's language
    corrections: str = ""  # where readers report an error in a translation (an e-mail address)
    #: The compiled templates the build session keeps (storymap/cache/templates.py; None: compiled for these pages).
    templates: BytecodeCache | None = None


def kbd(key: str) -> Markup:
    return Markup("<kbd>%s</kbd>") % key


def code(text: str) -> Markup:
    return Markup("<code>%s</code>") % text


def environment(templates_dir, strings: Strings = ENGLISH_STRINGS,
                compiled: BytecodeCache | None = None) -> Environment:
    """Templates write their words as {{ _("English text") }}; `strings` gives the edition's. A
    translation is text: where a sentence holds a link or a key name, the template makes that
    markup and gives it as a field, e.g. _("Use the {n} key", n=kbd("n")) (editions.fill).
    `compiled`: where compiled templates are kept (a build session's, storymap/cache/templates.py)."""
    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=select_autoescape(["html"]),
                      bytecode_cache=compiled,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(site_title=strings(SITE_TITLE), site_subtitle=strings(SITE_SUBTITLE),
                       preview_size=PREVIEW_SIZE, swatch=swatch, palette={"sea": SEA, "land": LAND}, _=strings,
                       kbd=kbd, code=code)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # tojson: stable, readable
    return env


def chapter_keys(chapter: Chapter) -> set[str]:
    texts = [chapter.intro] + [step.body for step in chapter.steps]
    return {key for text in texts for key in cite_keys(text)}


def step_data(scene: ChapterScene) -> list[dict]:
    """The steps as story.js reads them (the page writes them with Jinja's tojson); detail paths
    are relative to the site's root."""
    return [{"id": s.id, "view": s.view, "layers": list(s.layers), "highlight": list(s.highlight),
             "description": s.description,
             "detail": f"{scene.chapter.slug}/{detail_file(s.id)}" if s.detail else None} for s in scene.steps]


def step_images(scene: ChapterScene) -> dict[str, str]:
    """Each step's static map, relative to the chapter folder (static_maps.py writes them)."""
    first = scene.steps[0].view
    return {s.id: "map.png" if s.view == first else f"steps/{s.id}.png" for s in scene.steps}


@dataclass(frozen=True)
class NavEntry:
    """A page type's entry in the site's navigation (templates/base.html), which links to its folder."""

    label: str  # in English; each edition's words are in content/<code>/strings.yaml
    fragment: str = ""  # a place on the page, e.g. "#contents"


@dataclass(frozen=True)
class PageType:
    """One type of page: every fact about it, as a kind's are in storymap/inputs/kinds.py.

    `folder`: where its pages go inside each edition's folder ("" for the edition's root, None for
    the chapters' own folders); no chapter may take it as its slug, nor any of `also_reserves` (other folders it writes into: the
    chapters' embed/). `template`: its page's template in templates/. `nav`: its entry in the site's
    navigation, in the order of the registry (page_types.PAGE_TYPES); None for no entry.
    `write(writer, pages)`: writes its pages with `writer` (a PageWriter for this type). A type that
    `lists_offline_copy` is rendered a second time once the offline copy is packed, with the copy's row
    among its downloads (page_types.render_listing_offline_copy); the copy holds the first rendering.

    When the words of some chapters are edited (and nothing else), the preview re-renders only the
    pages that can show them (page_types.render_for_chapters): a type with a page per chapter
    writes those chapters' with `write_chapter(writer, pages, chapter, index)`; a type whose pages
    show something drawn from the chapters' prose or map texts (a step's text, the chapters' citations, the downloads
    made from them) says so with `reads_words`. Titles, summaries and questions are not words an
    edit the preview re-renders in part may change (storymap/commands/incremental.py)."""

    folder: str | None
    template: str
    write: Callable[[PageWriter, PageSet], None]
    nav: NavEntry | None = None
    also_reserves: tuple[str, ...] = ()
    lists_offline_copy: bool = False
    write_chapter: Callable[[PageWriter, PageSet, Chapter, int], None] | None = None
    reads_words: bool = False


class PageWriter:
    """Renders templates with what every page needs: its way to the root, canonical URL, preview,
    the site's navigation."""

    def __init__(self, env: Environment, pages: PageSet, page_type: PageType, nav: list[dict]):
        self.env, self.pages, self.page_type, self.nav = env, pages, page_type, nav
        self.out: dict[str, str] = {}

    def write(self, path: str, template: str | None = None, *, title: str, description: str, preview: str,
              **context) -> None:
        """`path` and `preview` are inside the edition's folder; `root` leads to the site's root
        (shared assets and downloads), `home` to the edition's (its pages). `template` is the page
        type's unless another is named (a chapter's embed page)."""
        pages, edition = self.pages, self.pages.edition
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        home = "../" * folder.count("/")
        root = home + "../" * edition.prefix.count("/")
        editions = [{"edition": e, "href": (root + e.prefix + folder) or "./", "url": pages.site_url + e.prefix + folder}
                    for e in pages.editions]
        self.out[edition.prefix + path] = self.env.get_template(template or self.page_type.template).render(
            root=root, home=home, page_title=title, description=description, lang=edition,
            editions=editions, canonical=pages.site_url + edition.prefix + folder,
            preview_url=pages.site_url + edition.prefix + preview, corrections=pages.corrections,
            page_path=edition.prefix + folder, nav=self.nav, **context)

    def prose(self, markdown: str, home: str) -> Markup:
        return self.pages.prose.render(markdown, f"{home}sources/")


def text_lang(pages: PageSet, name: str) -> str | None:
    """The lang of a chapter's or content page's text where it differs from the page's (an
    untranslated text shown in English); None where the text is in the edition's language."""
    return None if pages.edition.is_default or name in pages.translated else ENGLISH.html_lang


def head_lang(pages: PageSet, chapter: Chapter) -> str | None:
    """The lang of a chapter's title, summary, questions and introduction where it differs from the
    page's: the whole chapter untranslated (text_lang), or only these four, their translation behind."""
    return text_lang(pages, chapter.slug) or (ENGLISH.html_lang if chapter.head_untranslated else None)


def flow_chapter(pages: PageSet) -> Chapter | None:
    """The chapter whose map is the flow map (every route), where the year control is."""
    return next((c for c in pages.chapters if pages.scenes[c.slug].routes), None)
