"""about/: how the map was made (content/about.md)."""
from __future__ import annotations

from ..pages import SITE_TITLE, NavEntry, PageSet, PageType, PageWriter, text_lang


def write(writer: PageWriter, pages: PageSet) -> None:
    _ = pages.strings
    writer.write("about/index.html", title=_("About this map") + f" | {_(SITE_TITLE)}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description=_("How the story map was made, its data sources and licences, and what "
                               "approximate and schematic mean."),
                 body=writer.prose(pages.about, "../"), text_lang=text_lang(pages, "about"))


PAGE = PageType(folder="about", template="about.html", write=write, nav=NavEntry("About"))
