"""A chapter's pages: <slug>/ (its steps, map, legend, inset, sources, embed code) and
embed/<slug>/ (the map alone, with a compact step list, for an iframe), with the map's files."""
from __future__ import annotations

from markupsafe import Markup

from ...inputs.chapters import Chapter
from ...inputs.editions import ENGLISH
from ...scenes.scenes import ChapterScene
from ..maps import ROUTE_DATA_FILE, MapData
from ..pages import SITE_TITLE, PageSet, PageType, PageWriter, chapter_keys, head_lang, step_data, text_lang
from ..timeline import DATED_KINDS, axis_years

#: The template of a chapter's embed page (its own page's is the page type's).
EMBED_TEMPLATE = "embed.html"


def step_images(scene: ChapterScene) -> dict[str, str]:
    """Each step's static map, relative to the chapter folder (static_maps.py writes them)."""
    first = scene.steps[0].view
    return {s.id: "map.png" if s.view == first else f"steps/{s.id}.png" for s in scene.steps}


def write(writer: PageWriter, pages: PageSet) -> None:
    for index, chapter in enumerate(pages.chapters):
        write_chapter(writer, pages, chapter, index)


def write_chapter(writer: PageWriter, pages: PageSet, chapter: Chapter, index: int) -> None:
    scene = pages.scenes[chapter.slug]
    data: MapData = pages.map_data(scene, pages.bibliography)
    slug = chapter.slug
    up = "../" * pages.edition.prefix.count("/")
    common = dict(title=f"{chapter.title} | {pages.strings(SITE_TITLE)}", description=chapter.summary,
                  preview=f"{slug}/map.png", chapter=chapter, scene=scene, inset=pages.inset, steps=step_data(scene),
                  strings=pages.script_strings or {}, text_lang=text_lang(pages, slug),
                  head_lang=head_lang(pages, chapter))
    common["first"], common["last"] = axis_years(list(pages.events), list(pages.arrivals))
    # The year control goes on every map that shows a dated feature (a fence, a site, a route).
    common["dated"] = any(f.get("start") or f.get("end") for layer in scene.layers for f in layer.features
                          if f["kind"] in DATED_KINDS) or any(r.start or r.end for r in scene.routes)
    label = pages.strings("Map for the chapter “{title}”", title=chapter.title)
    chapter_map = pages.render_map(scene, data, asset_prefix=f"../{up}assets/", label=label)
    writer.write(f"{slug}/index.html", **common, map=chapter_map,
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
    writer.write(f"embed/{slug}/index.html", EMBED_TEMPLATE, **common,
                 map=pages.render_map(scene, data, asset_prefix=f"../../{up}assets/", label=label))
    prefix = pages.edition.prefix
    writer.out[f"{prefix}{slug}/map.js"] = chapter_map.script  # the embed page loads the same script
    for name, detail in data.detail_files.items():
        writer.out[f"{prefix}{slug}/{name}"] = detail
    if data.route_file is not None:
        writer.out[f"{prefix}{slug}/{ROUTE_DATA_FILE}"] = data.route_file


#: A chapter's pages are in its own folder (its slug) and in embed/, which no chapter may take.
PAGE = PageType(folder=None, template="chapter.html", write=write, also_reserves=("embed",),
                write_chapter=write_chapter)
