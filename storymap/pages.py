"""jinja2: chapters, scenes and maps become the site's pages, as a dict of relative path -> text.

Every link and asset path is relative to the page, so the site works under any sub-path; only
the canonical address, the preview cards and the embed snippet use the configured site URL.
"""
from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .chapters import Chapter, cite_keys, display_path
from .kinds import LAND, SEA, swatch
from .locator import Inset
from .cache import BuildCache
from .cached import map_data
from .maps import MapData, detail_file, render_map, source_links
from .offline import OFFLINE_PATH
from .problems import Problem
from .prose import ProseRenderer
from .references import Bibliography
from .scenes import ChapterScene
from .static_maps import HEIGHT_PX, WIDTH_PX

SITE_TITLE = "Between Borders"
SITE_SUBTITLE = "China's policy on North Korean migrants: a story map"
PREVIEW_SIZE = (WIDTH_PX, HEIGHT_PX)
#: The site's folders besides the chapters' (its pages, assets and downloads): no chapter's slug may take one.
#: A new page type adds its folder here, next to the call that writes it in render_pages.
SITE_FOLDERS = frozenset({"sources", "about", "educators", "embed", "downloads", "assets", "static", "index",
                          "routes"})


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
    downloads: list[dict]  # label, path, format, size, features
    route_features: dict[str, dict]  # every route feature by id, for the routes catalogue
    cache: BuildCache | None = None  # where chapter map data is kept between builds


def environment(templates_dir) -> Environment:
    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(site_title=SITE_TITLE, site_subtitle=SITE_SUBTITLE, preview_size=PREVIEW_SIZE, swatch=swatch,
                       palette={"sea": SEA, "land": LAND})
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
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        root = "../" * (folder.count("/") + 1) if folder else ""
        self.out[path] = self.env.get_template(template).render(
            root=root, page_title=title, description=description,
            canonical=self.pages.site_url + (folder + "/" if folder else ""),
            preview_url=self.pages.site_url + preview, **context)

    def prose(self, markdown: str, root: str) -> Markup:
        return self.pages.prose.render(markdown, f"{root}sources/")


def render_pages(pages: PageSet, env: Environment) -> dict[str, str]:
    """Every page of the site, keyed by its path inside site/."""
    writer = PageWriter(env, pages)
    chapters = pages.chapters
    cover = f"{chapters[0].slug}/map.png"
    toc = [{"slug": c.slug, "title": c.title, "summary": c.summary} for c in chapters]

    writer.write("index.html", "landing.html", title=SITE_TITLE, description=SITE_SUBTITLE, preview=cover,
                 toc=toc, opening=writer.prose(pages.landing, ""))
    for index, chapter in enumerate(chapters):
        write_chapter(writer, pages, chapter, index)
    write_sources(writer, pages)
    writer.write("about/index.html", "about.html", title=f"About this map | {SITE_TITLE}", preview=cover,
                 description="How the story map was made, its data sources and licences, and what "
                             "approximate and schematic mean.",
                 body=writer.prose(pages.about, "../"))
    write_routes(writer, pages)
    write_educators(writer, pages)
    return writer.out


def educators_page(pages: PageSet, env: Environment) -> dict[str, str]:
    """The educators page alone: rendered again once the offline copy, which holds the first
    rendering, is packed and its size known (pipeline.py)."""
    writer = PageWriter(env, pages)
    write_educators(writer, pages)
    return writer.out


def write_educators(writer: PageWriter, pages: PageSet) -> None:
    offline = next((item for item in pages.downloads if item["path"] == OFFLINE_PATH), None)
    writer.write("educators/index.html", "educators.html", title=f"For educators | {SITE_TITLE}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description="What each chapter covers, discussion questions, links to every step, "
                             "how to present a chapter, embed the maps, cite the story, and the data to download.",
                 chapters=pages.chapters, scenes=pages.scenes, citation=pages.story_citation,
                 downloads=pages.downloads, offline=offline, site_url=pages.site_url)


def write_chapter(writer: PageWriter, pages: PageSet, chapter: Chapter, index: int) -> None:
    scene = pages.scenes[chapter.slug]
    data: MapData = map_data(scene, pages.bibliography, pages.cache)
    slug = chapter.slug
    common = dict(title=f"{chapter.title} | {SITE_TITLE}", description=chapter.summary, preview=f"{slug}/map.png",
                  chapter=chapter, scene=scene, inset=pages.inset, steps=step_data(scene))
    chapter_map = render_map(scene, data, asset_prefix="../assets/")
    writer.write(f"{slug}/index.html", "chapter.html", **common, map=chapter_map,
                 number=index + 1, total=len(pages.chapters),
                 intro=writer.prose(chapter.intro, "../"),
                 step_bodies={s.id: writer.prose(s.body, "../") for s in chapter.steps},
                 step_images=step_images(scene),
                 previous=pages.chapters[index - 1] if index > 0 else None,
                 next=pages.chapters[index + 1] if index + 1 < len(pages.chapters) else None,
                 embed_url=f"{pages.site_url}embed/{slug}/",
                 references=[(k, Markup(pages.bibliography.entry(k)))
                             for k in pages.bibliography.ordered_keys(chapter_keys(chapter))])
    writer.write(f"embed/{slug}/index.html", "embed.html", **common,
                 map=render_map(scene, data, asset_prefix="../../assets/"))
    writer.out[f"{slug}/map.js"] = chapter_map.script  # the embed page loads the same script
    for name, detail in data.detail_files.items():
        writer.out[f"{slug}/{name}"] = detail


def route_years(feature: dict) -> str:
    start, end = feature.get("start"), feature.get("end")
    if start and end:
        return f"{start}–{end}"
    return f"since {start}" if start else f"until {end}" if end else ""


def write_routes(writer: PageWriter, pages: PageSet) -> None:
    """The routes catalogue, site/routes/: every route, and a link to the map with it alone."""
    map_chapter = next((c for c in pages.chapters if pages.scenes[c.slug].routes), None)
    if map_chapter is None:
        return
    routes = []
    for info in pages.scenes[map_chapter.slug].routes:
        feature = pages.route_features[info.id]
        routes.append({"slug": info.slug, "name": info.name, "places": feature.get("via") or [],
                       "years": route_years(feature), "length_km": feature["length_km"],
                       "description": feature["description"],
                       "sources": source_links(feature["sources"], pages.bibliography)})
    writer.write("routes/index.html", "routes.html", title=f"Escape routes | {SITE_TITLE}",
                 preview=f"{map_chapter.slug}/map.png",
                 description="Every escape route on the map: its places, years, description and sources, "
                             "and a link to the map with that route alone.",
                 routes=routes, map_chapter=map_chapter)


def write_sources(writer: PageWriter, pages: PageSet) -> None:
    cited_by: dict[str, list[Chapter]] = {}
    for chapter in pages.chapters:
        for key in chapter_keys(chapter):
            cited_by.setdefault(key, []).append(chapter)
    writer.write("sources/index.html", "sources.html", title=f"Sources | {SITE_TITLE}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description="Every source the story and its maps rely on, in APA style.",
                 references=[(k, Markup(pages.bibliography.entry(k)), cited_by.get(k, []))
                             for k in pages.bibliography.ordered_keys()])
