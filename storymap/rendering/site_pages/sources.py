"""sources/: every reference in APA, with the chapters that cite it."""
from __future__ import annotations

from markupsafe import Markup

from ...inputs.chapters import Chapter
from ..pages import SITE_TITLE, NavEntry, PageSet, PageType, PageWriter, chapter_keys


def write(writer: PageWriter, pages: PageSet) -> None:
    cited_by: dict[str, list[Chapter]] = {}
    for chapter in pages.chapters:
        for key in chapter_keys(chapter):
            cited_by.setdefault(key, []).append(chapter)
    writer.write("sources/index.html", title=pages.strings("Sources") + f" | {pages.strings(SITE_TITLE)}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description=pages.strings("Every source the story and its maps rely on, in APA style."),
                 references=[(k, Markup(pages.bibliography.entry(k)), cited_by.get(k, []))
                             for k in pages.bibliography.ordered_keys()])


PAGE = PageType(folder="sources", template="sources.html", write=write, nav=NavEntry("Sources"), reads_words=True)
