"""educators/: what each chapter covers, its questions, step links, presenting, embedding, citing
and the downloads, the offline copy first (so the page is rendered again once the copy is packed)."""
from __future__ import annotations

from ..offline import OFFLINE_PATH
from ..pages import SITE_TITLE, NavEntry, PageSet, PageType, PageWriter, head_lang


def write(writer: PageWriter, pages: PageSet) -> None:
    _ = pages.strings
    offline = next((item for item in pages.downloads if item["path"] == OFFLINE_PATH), None)
    writer.write("educators/index.html", title=_("For educators") + f" | {_(SITE_TITLE)}",
                 preview=f"{pages.chapters[0].slug}/map.png",
                 description=_("What each chapter covers, discussion questions, links to every step, "
                               "how to present a chapter, embed the maps, cite the story, and the data to download."),
                 chapters=pages.chapters, scenes=pages.scenes, citation=pages.story_citation,
                 downloads=pages.downloads, offline=offline, site_url=pages.site_url + pages.edition.prefix,
                 langs={c.slug: head_lang(pages, c) for c in pages.chapters})


PAGE = PageType(folder="educators", template="educators.html", write=write,
                nav=NavEntry("For educators"), lists_offline_copy=True, reads_words=True)
