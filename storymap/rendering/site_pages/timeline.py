"""timeline/ and embed/timeline/: every dated step and feature in order, on the arrivals' axis,
with (on timeline/) a map of every route, fence, site and crossing by year."""
from __future__ import annotations

from markupsafe import Markup

from ...inputs.chapters import FIGURE_RE
from ..charts import ARRIVALS_FIGURE
from ..maps import ROUTE_DATA_FILE, source_links
from ..pages import SITE_TITLE, NavEntry, PageSet, PageType, PageWriter, flow_chapter, step_data
from ..timeline import axis_chart, axis_years, kind_label


def write(writer: PageWriter, pages: PageSet) -> None:
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
    writer.write("timeline/index.html", title=f"{title} | {_(SITE_TITLE)}",
                 description=description, heading=title, embed=False, **common, **timeline_map,
                 caption=caption_text(writer.prose(pages.arrivals_caption or _(ARRIVALS_SOURCE), "../")))
    writer.write("embed/timeline/index.html", title=f"{title} | {_(SITE_TITLE)}",
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


#: Its embed (embed/timeline/) is in the chapters' embed/: "timeline" reserved keeps it apart.
PAGE = PageType(folder="timeline", template="timeline.html", write=write, nav=NavEntry("Timeline"), reads_words=True)
