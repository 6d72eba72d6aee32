"""routes/: the routes catalogue, every route's places, years, description and sources and a link
to the map with it alone, in pages of CATALOGUE_PAGE routes (routes/, routes/2/, ...)."""
from __future__ import annotations

from ...inputs.editions import ENGLISH_STRINGS, Edition, written_in
from ..maps import source_links
from ..pages import SITE_TITLE, PageSet, PageType, PageWriter, flow_chapter


def route_years(feature: dict, _=ENGLISH_STRINGS) -> str:
    start, end = feature.get("start"), feature.get("end")
    if start and end:
        return f"{start}–{end}"
    return _("since {year}", year=start) if start else _("until {year}", year=end) if end else ""


def write(writer: PageWriter, pages: PageSet) -> None:
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
                       "name_lang": _other_lang(info.name, pages.edition, pages.editions),
                       "description_lang": _other_lang(feature["description"], pages.edition, pages.editions),
                       "sources": source_links(feature["sources"], pages.bibliography)})
    _ = pages.strings
    pieces = catalogue_pages(routes)
    index = [{"href": page_folder(n), "first": start + 1, "last": start + len(piece),
              "from": piece[0]["name"], "to": piece[-1]["name"]}
             for n, (start, piece) in enumerate(pieces)]
    for n, (start, piece) in enumerate(pieces):
        heading = _("Escape routes") if n == 0 else _("Escape routes {first}–{last}", first=start + 1,
                                                        last=start + len(piece))
        writer.write(f"routes/{page_folder(n)}index.html", title=heading + f" | {_(SITE_TITLE)}",
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


def _other_lang(text: str, edition: Edition, editions: tuple[Edition, ...]) -> str | None:
    """The `lang` of a text not in the edition's language (a route contributed in another), else None."""
    lang = written_in(text, editions)
    return lang if lang != edition.html_lang else None




#: Not in the navigation: the flow map's legend and the educators page link to it.
PAGE = PageType(folder="routes", template="routes.html", write=write)
