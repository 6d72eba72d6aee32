"""The registry of page types: every page of the site is written by one of them, in two phases.

Each page type is a module of storymap/rendering/site_pages/ whose PageType (storymap/rendering/
pages.py) holds every fact about it: its folder, its template, its entry in the site's navigation,
its writer, and whether it lists the offline copy. Everything else derives from this table: the
navigation on every page (templates/base.html draws `nav`), the folders no chapter may take as
its slug (`reserved_folders`, which `check` applies) and the pages of each phase. A new page type
is one module there (its PageType and writer), one template, its words in content/<code>/strings.yaml
and its line in PAGE_TYPES.

The build renders in two phases (storymap/commands/pipeline.py runs them):

1. `render_pages`: every page type's pages; those of the types that list the downloads (the
   educators page, `lists_offline_copy`) last, once the downloads are made (in the background while
   the others render: `listing_downloads`). The offline copy (storymap/rendering/offline.py) is
   then packed from them, so it holds these renderings.
2. `render_listing_offline_copy`: the page types that list the offline copy among their
   downloads (the educators page) are rendered again with its row and size, which only the packed
   copy has; these renderings replace the first ones in site/.

After an edit to some chapters' words alone, the preview renders phase 1 for those only
(`render_for_chapters`: see PageType's `write_chapter` and `reads_words`), then phase 2 as above.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ..core.problems import Problem
from ..inputs.chapters import Chapter, display_path
from ..inputs.editions import Edition
from .downloads import ROOT as DOWNLOADS
from .offline import offline_entry
from .pages import PageSet, PageType, PageWriter, environment
from .site import ASSETS
from .site_pages import about, chapter, educators, landing, routes, sources, timeline

#: Every page type, in the order of the site's navigation (those with an entry).
PAGE_TYPES: tuple[PageType, ...] = (landing.PAGE, chapter.PAGE, timeline.PAGE, sources.PAGE, educators.PAGE,
                                    about.PAGE, routes.PAGE)

#: Folders of the site that no page type writes, which no chapter may take either: the downloads,
#: the assets (and static/, their source), and the preview's contribution studio (tools/studio.py's
#: STUDIO_FOLDER, which this stage may not import; tests/test_page_types.py checks the two agree).
OTHER_FOLDERS = frozenset({DOWNLOADS, ASSETS, "static", "contribute"})


def reserved_folders(editions: Iterable[Edition], page_types: Iterable[PageType] = PAGE_TYPES) -> frozenset[str]:
    """The site's folders besides the chapters': its page types', the other folders above and the
    translations' (ko/, zh/: those of `editions`, the project's)."""
    return (frozenset(folder for t in page_types for folder in (t.folder, *t.also_reserves) if folder)
            | OTHER_FOLDERS | {edition.code for edition in editions if not edition.is_default})


def slug_problems(chapters: list[Chapter], editions: Iterable[Edition],
                  page_types: Iterable[PageType] = PAGE_TYPES) -> list[Problem]:
    """Chapters whose slug is the folder of another part of the site."""
    reserved = reserved_folders(editions, page_types)
    return [Problem(display_path(c.path), f"slug {c.slug!r} is taken by another page of the site.",
                    "choose another slug (and rename the file to match).", field="slug")
            for c in chapters if c.slug in reserved]


def nav(page_types: Iterable[PageType] = PAGE_TYPES) -> list[dict]:
    """The site's navigation: each entry's English label and its link from the edition's root."""
    return [{"label": t.nav.label, "href": f"{t.folder}/" if t.folder else "", "fragment": t.nav.fragment}
            for t in page_types if t.nav is not None]


def render(pages: PageSet, templates_dir: Path, page_types: Sequence[PageType],
           navigation: list[dict]) -> dict[str, str]:
    env = environment(templates_dir, pages.strings, pages.templates)
    out: dict[str, str] = {}
    for page_type in page_types:
        writer = PageWriter(env, pages, page_type, navigation)
        page_type.write(writer, pages)
        out.update(writer.out)
    return out


def render_pages(pages: PageSet, templates_dir: Path, page_types: Sequence[PageType] = PAGE_TYPES,
                 listing_downloads: bool | None = None) -> dict[str, str]:
    """Phase 1: every page of the edition, keyed by its path inside site/; `listing_downloads`
    True or False: only the pages of the types that list the downloads, or only the others."""
    chosen = [t for t in page_types if listing_downloads is None or t.lists_offline_copy == listing_downloads]
    return render(pages, templates_dir, chosen, nav(page_types))


def render_for_chapters(pages: PageSet, templates_dir: Path, slugs: Collection[str],
                        page_types: Sequence[PageType] = PAGE_TYPES) -> dict[str, str]:
    """Phase 1's pages that an edit to the words (prose, map texts) of the chapters `slugs` can
    change: those chapters' own pages, and every page of the types that read the chapters' words."""
    env, navigation = environment(templates_dir, pages.strings, pages.templates), nav(page_types)
    out: dict[str, str] = {}
    for page_type in page_types:
        writer = PageWriter(env, pages, page_type, navigation)
        if page_type.reads_words:
            page_type.write(writer, pages)
        elif page_type.write_chapter is not None:
            for index, chapter in enumerate(pages.chapters):
                if chapter.slug in slugs:
                    page_type.write_chapter(writer, pages, chapter, index)
        out.update(writer.out)
    return out


def render_listing_offline_copy(pages: PageSet, templates_dir: Path, offline_copy: bytes,
                                page_types: Sequence[PageType] = PAGE_TYPES) -> dict[str, str]:
    """Phase 2: the pages of the types that list the offline copy, now with its row first among
    the downloads (the copy itself holds them without it)."""
    listed = replace(pages, downloads=[offline_entry(offline_copy)] + pages.downloads)
    return render(listed, templates_dir, [t for t in page_types if t.lists_offline_copy], nav(page_types))
