"""The landing page, the edition's index.html: the opening text and the table of contents."""
from __future__ import annotations

from ..pages import SITE_SUBTITLE, SITE_TITLE, NavEntry, PageSet, PageType, PageWriter, head_lang, text_lang


def write(writer: PageWriter, pages: PageSet) -> None:
    _ = pages.strings
    toc = [{"slug": c.slug, "title": c.title, "summary": c.summary, "lang": head_lang(pages, c)}
           for c in pages.chapters]
    writer.write("index.html", title=_(SITE_TITLE), description=_(SITE_SUBTITLE),
                 preview=f"{pages.chapters[0].slug}/map.png", toc=toc, opening=writer.prose(pages.landing, ""),
                 text_lang=text_lang(pages, "landing"))


#: "index" is reserved for the page's own name.
PAGE = PageType(folder="", template="landing.html", write=write,
                nav=NavEntry("Chapters", fragment="#contents"), also_reserves=("index",))
