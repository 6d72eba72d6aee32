"""jinja2: chapters, scenes and maps become the site's pages, as a dict of relative path -> text.

Every link and asset path is relative to the page, so the site works under any sub-path; only
the canonical address, the preview cards and the embed snippet use the configured site URL.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..inputs.chapters import FIGURE_RE, Chapter, cite_keys, display_path
from .charts import ARRIVALS_FIGURE
from ..inputs.editions import EDITIONS, ENGLISH, ENGLISH_STRINGS, Edition, Strings, written_in
from ..inputs.kinds import LAND, SEA, swatch
from .locator import Inset
from . import maps
from .maps import ROUTE_DATA_FILE, MapData, MapParts, detail_file, source_links
from .offline import OFFLINE_PATH
from ..core.problems import Problem
from .prose import ProseRenderer
from ..inputs.references import Bibliography
from ..scenes.scenes import ChapterScene
from .static_maps import HEIGHT_PX, WIDTH_PX
from .timeline import DATED_KINDS, axis_chart, axis_years, kind_label

SITE_TITLE = "Between Borders"
SITE_SUBTITLE = "China's policy on North Korean migrants: a story map"
PREVIEW_SIZE = (WIDTH_PX, HEIGHT_PX)
#: The site's folders besides the chapters' (its pages, assets and downloads): no chapter's slug may take one.
#: A new page type adds its folder here, next to the call that writes it in render_pages.
SITE_FOLDERS = frozenset({"sources", "about", "educators", "embed", "downloads", "assets", "static", "index",
                          "routes", "timeline", "contribute"} | {edition.code for edition in EDITIONS
                                                               if not edition.is_default})


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
    #: Chapter slugs and content pages ("landing", "about") shown in the edition's language.
    translated: frozenset[str] = frozenset()
    strings: Strings = ENGLISH_STRINGS
    script_strings: dict[str, str] | None = None  # story.js's words in this edition's language
    corrections: str = ""  # where readers report an error in a translation (an e-mail address)


class CompiledTemplates(BytecodeCache):
    """Compiled templates shared by every edition's environment in this process (keyed by the
    template's name and checked against its source, so an edited template is compiled again)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def kbd(key: str) -> Markup:
    return Markup("<kbd>%s</kbd>") % key


def code(text: str) -> Markup:
    return Markup("<code>%s</code>") % text


def environment(templates_dir, strings: Strings = ENGLISH_STRINGS) -> Environment:
    """Templates write their words as {{ _("English text") }}; `strings` gives the edition's. A
    translation is text: where a sentence holds a link or a key name, the template makes that
    markup and gives it as a field, e.g. _("Use the {n} key", n=kbd("n")) (editions.fill)."""
    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=select_autoescape(["html"]),
                      bytecode_cache=COMPILED_TEMPLATES,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(site_title=strings(SITE_TITLE), site_subtitle=strings(SITE_SUBTITLE),
                       preview_size=PREVIEW_SIZE, swatch=swatch, palette={"sea": SEA, "land": LAND}, _=strings,
                       kbd=kbd, code=code)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # tojson: stable, readable
    return env


def slug_problems(chapters: list[Chapter]) -> list[Problem]:
    """Chapters whose slug is the folder of another part of the site."""
    return [Problem(display_path(c.path), f"slug {c.slug!r} is taken by another page of the site.",
                    "choose another slug (and rename the file to match).", field="slug")
            for c in chapters if c.slug in SITE_FOLDERS]


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


class PageWriter:
    """Renders templates with what every page needs: its way to the root, canonical URL, preview."""

    def __init__(self, env: Environment, pages: PageSet):
        self.env, self.pages = env, pages
        self.out: dict[str, str] = {}

    def write(self, path: str, template: str, *, title: str, description: str, preview: str, **context) -> None:
        """`path` and `preview` are inside the edition's folder; `root` leads to the site's root
        (shared assets and downloads), `home` to the edition's (its pages)."""
        pages, edition = self.pages, self.pages.edition
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        home = "../" * folder.count("/")
        root = home + "../" * edition.prefix.count("/")
        editions = [{"edition": e, "href": (root + e.prefix + folder) or "./", "url": pages.site_url + e.prefix + folder}
                    for e in EDITIONS]
        self.out[edition.prefix + path] = self.env.get_template(template).render(
            root=root, home=home, page_title=title, description=description, lang=edition,
            editions=editions, canonical=pages.site_url + edition.prefix + folder,
            preview_url=pages.site_url + edition.prefix + preview, corrections=pages.corrections,
            page_path=edition.prefix + folder, **context)

    def prose(self, markdown: str, home: str) -> Markup:
        return self.pages.prose.render(markdown, f"{home}sources/")


def render_pages(pages: PageSet, env: Environment) -> dict[str, str]:
    """Every page of the site, keyed by its path inside site/."""
    writer = PageWriter(env, pages)
    chapters = pages.chapters
    cover = f"{chapters[0].slug}/map.png"
    _ = pages.strings
    toc = [{"slug": c.slug, "title": c.title, "summary": c.summary, "lang": text_lang(pages, c.slug)}
           for c in chapters]
    site_title = _(SITE_TITLE)

    writer.write("index.html", "landing.html", title=site_title, description=_(SITE_SUBTITLE), preview=cover,
                 toc=toc, opening=writer.prose(pages.landing, ""), text_lang=text_lang(pages, "landing"))
    for index, chapter in enumerate(chapters):
        write_chapter(writer, pages, chapter, index)
    write_sources(writer, pages)
    writer.write("about/index.html", "about.html", title=_("About this map") + f" | {site_title}", preview=cover,
                 description=_("How the story map was made, its data sources and licences, and what "
                               "approximate and schematic mean."),
                 body=writer.prose(pages.about, "../"), text_lang=text_lang(pages, "about"))
    write_routes(writer, pages)
    write_timeline(writer, pages)
    write_educators(writer, pages)
    return writer.out


def text_lang(pages: PageSet, name: str) -> str | None:
    """The lang of a chapter's or content page's text where it differs from the page's (an
    untranslated text shown in English); None where the text is in the edition's language."""
    return None if pages.edition.is_default or name in pages.translated else ENGLISH.html_lang


def educators_page(pages: PageSet, env: Environment) -> dict[str, str]:
    """The educators page alone: rendered again once the offline copy, which holds the first
    rendering, is packed and its size known (pipeline.py)."""
    writer = PageWriter(env, pages)
    write_educators(writer, pages)
    return writer.out


def write_educators(writer: PageWriter, pages: PageSet) -> None:
    _ = pages.strings
    offline = next((item for item in pages.downloads if item["path"] == OFFLINE_PATH), None)
    writer.write("educators/index.html", "educators.html", title=_("For educators") + f" | {_(SITE_TITLE)}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description=_("What each chapter covers, discussion questions, links to every step, "
                               "how to present a chapter, embed the maps, cite the story, and the data to download."),
                 chapters=pages.chapters, scenes=pages.scenes, citation=pages.story_citation,
                 downloads=pages.downloads, offline=offline, site_url=pages.site_url + pages.edition.prefix,
                 langs={c.slug: text_lang(pages, c.slug) for c in pages.chapters})


def write_chapter(writer: PageWriter, pages: PageSet, chapter: Chapter, index: int) -> None:
    scene = pages.scenes[chapter.slug]
    data: MapData = pages.map_data(scene, pages.bibliography)
    slug = chapter.slug
    up = "../" * pages.edition.prefix.count("/")
    common = dict(title=f"{chapter.title} | {pages.strings(SITE_TITLE)}", description=chapter.summary,
                  preview=f"{slug}/map.png", chapter=chapter, scene=scene, inset=pages.inset, steps=step_data(scene),
                  strings=pages.script_strings or {}, text_lang=text_lang(pages, slug))
    common["first"], common["last"] = axis_years(list(pages.events), list(pages.arrivals))
    # The year control goes on every map that shows a dated feature (a fence, a site, a route).
    common["dated"] = any(f.get("start") or f.get("end") for layer in scene.layers for f in layer.features
                          if f["kind"] in DATED_KINDS) or any(r.start or r.end for r in scene.routes)
    label = pages.strings("Map for the chapter “{title}”", title=chapter.title)
    chapter_map = pages.render_map(scene, data, asset_prefix=f"../{up}assets/", label=label)
    writer.write(f"{slug}/index.html", "chapter.html", **common, map=chapter_map,
                 number=index + 1, total=len(pages.chapters),
                 intro=writer.prose(chapter.intro, "../"),
                 step_bodies={s.id: writer.prose(s.body, "../") for s in chapter.steps},
                 # A translated chapter's steps shown in English (their translation is behind).
                 step_langs={s.id: ENGLISH.html_lang for s in chapter.steps if s.untranslated},
                 step_images=step_images(scene),
                 previous=pages.chapters[index - 1] if index > 0 else None,
                 next=pages.chapters[index + 1] if index + 1 < len(pages.chapters) else None,
                 embed_url=f"{pages.site_url}embed/{slug}/",
                 references=[(k, Markup(pages.bibliography.entry(k)))
                             for k in pages.bibliography.ordered_keys(chapter_keys(chapter))])
    writer.write(f"embed/{slug}/index.html", "embed.html", **common,
                 map=pages.render_map(scene, data, asset_prefix=f"../../{up}assets/", label=label))
    prefix = pages.edition.prefix
    writer.out[f"{prefix}{slug}/map.js"] = chapter_map.script  # the embed page loads the same script
    for name, detail in data.detail_files.items():
        writer.out[f"{prefix}{slug}/{name}"] = detail
    if data.route_file is not None:
        writer.out[f"{prefix}{slug}/{ROUTE_DATA_FILE}"] = data.route_file


def route_years(feature: dict, _=ENGLISH_STRINGS) -> str:
    start, end = feature.get("start"), feature.get("end")
    if start and end:
        return f"{start}–{end}"
    return _("since {year}", year=start) if start else _("until {year}", year=end) if end else ""


def write_routes(writer: PageWriter, pages: PageSet) -> None:
    """The routes catalogue, site/routes/: every route, and a link to the map with it alone."""
    map_chapter = flow_chapter(pages)
    if map_chapter is None:
        return
    routes = []
    for info in pages.scenes[map_chapter.slug].routes:
        feature = pages.route_features[info.id]
        routes.append({"slug": info.slug, "name": info.name,
                       "places": [pages.place_names.get(place, place) for place in feature.get("named_places") or []],
                       "drawn": [pages.strings("Drawn through {place} to keep the line in {country}.",
                                               place=place, country=country) for place, country in info.waypoints],
                       "years": route_years(feature, pages.strings), "length_km": feature["length_km"],
                       "description": feature["description"],
                       "name_lang": _other_lang(info.name, pages.edition),
                       "description_lang": _other_lang(feature["description"], pages.edition),
                       "sources": source_links(feature["sources"], pages.bibliography)})
    _ = pages.strings
    pieces = catalogue_pages(routes)
    index = [{"href": page_folder(n), "first": start + 1, "last": start + len(piece),
              "from": piece[0]["name"], "to": piece[-1]["name"]}
             for n, (start, piece) in enumerate(pieces)]
    for n, (start, piece) in enumerate(pieces):
        heading = _("Escape routes") if n == 0 else _("Escape routes {first}–{last}", first=start + 1,
                                                        last=start + len(piece))
        writer.write(f"routes/{page_folder(n)}index.html", "routes.html", title=heading + f" | {_(SITE_TITLE)}",
                     preview=f"{map_chapter.slug}/map.png",
                     description=_("Every escape route on the map: its places, years, description and sources, "
                                   "and a link to the map with that route alone."),
                     routes=piece, count=len(routes), start=start + 1, heading=heading,
                     pages=index if len(pieces) > 1 else [], page=n, map_chapter=map_chapter)


#: Routes on one page of the catalogue: with ten thousand routes, every page stays within the budget.
CATALOGUE_PAGE = 100


def catalogue_pages(routes: list) -> list[tuple[int, list]]:
    """(index of its first route, its routes) of each page of the routes catalogue."""
    return [(start, routes[start:start + CATALOGUE_PAGE]) for start in range(0, len(routes), CATALOGUE_PAGE)] or [(0, [])]


def page_folder(n: int) -> str:
    """The folder of the catalogue's page n (0-based) inside routes/: the first is routes/ itself."""
    return "" if n == 0 else f"{n + 1}/"


def flow_chapter(pages: PageSet) -> Chapter | None:
    """The chapter whose map is the flow map (every route), where the year control is."""
    return next((c for c in pages.chapters if pages.scenes[c.slug].routes), None)


def write_timeline(writer: PageWriter, pages: PageSet) -> None:
    """site/timeline/ and its embed: every dated step and feature in order, on the arrivals' axis."""
    _ = pages.strings
    first, last = axis_years(list(pages.events), list(pages.arrivals))
    chapters = {c.slug: c for c in pages.chapters}
    events = [{"event": e, "kind": _(kind_label(e.kind)), "chapter": chapters[e.chapter],
               "sources": source_links(list(e.sources), pages.bibliography)} for e in pages.events]
    common = dict(preview=f"{pages.chapters[0].slug}/map.png", events=events, first=first, last=last,
                  chart=axis_chart(list(pages.arrivals), first, last, _), flow=flow_chapter(pages),
                  chart_step=next((f"{c.slug}/#{s.id}" for c in pages.chapters for s in c.steps
                                   if ARRIVALS_FIGURE in FIGURE_RE.findall(s.body)), None),
                  strings=pages.script_strings or {}, text_lang=None)
    title = _("The border over time")
    description = _("Every dated event of the story, from {first} to {last}, on one time axis with the yearly "
                    "arrivals in South Korea, each with its source and a link to its step.", first=first, last=last)
    scene, timeline_map = pages.timeline_scene, {}
    if scene is not None:
        up = "../" * pages.edition.prefix.count("/")
        data = pages.map_data(scene, pages.bibliography)
        parts = pages.render_map(scene, data,
                           asset_prefix=f"../{up}assets/", label=_("Map of the routes, fences and sites by year"))
        writer.out[f"{pages.edition.prefix}timeline/map.js"] = parts.script
        if data.route_file is not None:
            writer.out[f"{pages.edition.prefix}{scene.chapter.slug}/{ROUTE_DATA_FILE}"] = data.route_file
        timeline_map = dict(map=parts, scene=scene, steps=step_data(scene), dated=False)  # its control is the page's
    writer.write("timeline/index.html", "timeline.html", title=f"{title} | {_(SITE_TITLE)}",
                 description=description, heading=title, embed=False, **common, **timeline_map,
                 caption=caption_text(writer.prose(pages.arrivals_caption or _(ARRIVALS_SOURCE), "../")))
    writer.write("embed/timeline/index.html", "timeline.html", title=f"{title} | {_(SITE_TITLE)}",
                 description=description, heading=title, embed=True, **common,
                 caption=out_of_frame(caption_text(writer.prose(pages.arrivals_caption or _(ARRIVALS_SOURCE),
                                                                 "../../"))))


#: The arrivals' source where references.json lacks the works the full caption cites.
ARRIVALS_SOURCE = "Source: Ministry of Unification, Republic of Korea."


def out_of_frame(html: Markup) -> Markup:
    """Rendered prose whose links open in the whole window, as an embed's links must (an iframe
    that navigated to the sources page would show it inside the host's page)."""
    return Markup(str(html).replace("<a ", '<a target="_top" '))


def caption_text(html: Markup) -> Markup:
    """Rendered prose of one paragraph without its <p>, for a caption."""
    text = str(html).strip()
    return Markup(text[3:-4] if text.startswith("<p>") and text.endswith("</p>") else text)


def _other_lang(text: str, edition: Edition) -> str | None:
    """The `lang` of a text not in the edition's language (a route contributed in another), else None."""
    lang = written_in(text)
    return lang if lang != edition.html_lang else None


def write_sources(writer: PageWriter, pages: PageSet) -> None:
    cited_by: dict[str, list[Chapter]] = {}
    for chapter in pages.chapters:
        for key in chapter_keys(chapter):
            cited_by.setdefault(key, []).append(chapter)
    writer.write("sources/index.html", "sources.html", title=pages.strings("Sources") + f" | {pages.strings(SITE_TITLE)}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description=pages.strings("Every source the story and its maps rely on, in APA style."),
                 references=[(k, Markup(pages.bibliography.entry(k)), cited_by.get(k, []))
                             for k in pages.bibliography.ordered_keys()])
