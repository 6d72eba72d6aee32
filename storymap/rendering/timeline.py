"""The timeline: every dated step and dated map feature on one axis, from 1950 to the present.

An event is a step with a `date` (chapters/*.md) or a feature with `start`/`end` (a fence, site,
crossing or route): its years, a line of text, the step it links to and the sources that date
it. `site/timeline/` (site_pages/timeline.py) lists them in order, beside the yearly arrivals on
the same axis; `downloads/timeline.csv` (downloads.py) holds them as a table. The map by year
(static/story.js) reads the features' own `start`/`end`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import shapely

from ..inputs.chapters import CITATION_RE, Chapter, Step, View
from .charts import FLAGGED_YEARS, YearCount
from ..core.dates import FIRST_YEAR
from ..inputs.kinds import KINDS
from ..inputs.layers import Layer
from ..inputs.licences import DATA_SOURCES
from .prose import join_cjk_lines

#: What the timeline's map shows, for readers who cannot see it.
TIMELINE_MAP_TEXT = ("Every route, fence, detention site and border crossing on the story's maps; the year "
                     "control shows only those that existed in the chosen years.")

#: The kinds of feature whose years the timeline shows (the map by year filters the same kinds).
DATED_KINDS = ("fence", "site", "crossing", "route")

#: A sentence ends at . ! ? and a space, or at a full-width 。！？ (Chinese puts no space after it).
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP_RE = re.compile(r"<!--.*?-->|[*_`#>]", re.DOTALL)


@dataclass(frozen=True)
class Event:
    start: int
    end: int | None
    kind: str  # "step", or the feature's kind
    text: str  # plain text, in the edition's language
    chapter: str  # the slug of the chapter it links to
    step: str  # the step id it links to
    sources: tuple[str, ...]
    feature: str | None = None  # the feature's id, for a dated feature

    @property
    def years(self) -> str:
        return f"{self.start}–{self.end}" if self.end is not None and self.end != self.start else str(self.start)

    @property
    def href(self) -> str:
        """The step, relative to the edition's root."""
        return f"{self.chapter}/#{self.step}"


def plain_sentences(markdown: str) -> list[str]:
    """A step's prose as plain sentences: no citations, links' words only, no Markdown marks."""
    text = _MARKUP_RE.sub("", _LINK_RE.sub(r"\1", CITATION_RE.sub("", join_cjk_lines(markdown))))
    text = re.sub(r"\s+([.,;:!?。，；：])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return [s.strip() for s in _SENTENCE_END_RE.split(text) if s.strip()]


def step_text(markdown: str, year: int) -> str:
    """The sentence of a step that names its year (any edition writes years in digits), else its first."""
    sentences = plain_sentences(markdown)
    named = [s for s in sentences if re.search(rf"(?<!\d){year}(?!\d)", s)]
    return (named or sentences or [""])[0]


def _feature_step(feature_id: str, layer_id: str, chapters: list[Chapter]) -> tuple[str, str] | None:
    """The first step that highlights the feature, else the first that shows its layer."""
    group = layer_id.split("/", 1)[0] if "/" in layer_id else None
    for wanted in (lambda step: feature_id in step.highlight,
                   lambda step: layer_id in step.show or (group is not None and group in step.show)):
        for chapter in chapters:
            for step in chapter.steps:
                if wanted(step):
                    return chapter.slug, step.id
    return None


def timeline_events(chapters: list[Chapter], layers: list[Layer]) -> list[Event]:
    """Every dated step and dated feature, in date order (then in the story's order). The
    chapters and layers are the edition's: the words are its own, the dates the English."""
    events: list[tuple[tuple, Event]] = []
    for c, chapter in enumerate(chapters):
        for s, step in enumerate(chapter.steps):
            if step.date:
                event = Event(step.date.start, step.date.end, "step", step_text(step.body, step.date.start),
                              chapter.slug, step.id, step.date.sources)
                events.append(((c, s), event))
    for layer in layers:
        for feature in layer.features:
            if feature["kind"] not in DATED_KINDS or not (feature.get("start") or feature.get("end")):
                continue
            where = _feature_step(feature["id"], layer.id, chapters)
            if where is None:
                continue  # on no chapter's map: nothing to link to
            start = feature.get("start") or feature["end"]
            # The works that date it, not the map data it is drawn from (Natural Earth, OpenStreetMap).
            sources = tuple(k for k in feature["sources"] if k not in DATA_SOURCES) or tuple(feature["sources"])
            events.append(((len(chapters), 0), Event(start, feature.get("end"), feature["kind"], feature["name"],
                                                     *where, sources, feature["id"])))
    return [event for _order, event in sorted(events, key=lambda item: (item[1].start, item[1].end or item[1].start,
                                                                          item[0], item[1].feature or ""))]


def axis_years(events: list[Event], arrivals: list[YearCount]) -> tuple[int, int]:
    """The axis: from 1950 to the latest year any event or the arrivals table reaches (not the
    clock's year, so that the same inputs give the same page)."""
    last = max([e.end or e.start for e in events] + [row.year for row in arrivals] + [FIRST_YEAR])
    return FIRST_YEAR, last


def kind_label(kind: str) -> str:
    """The English label of an event's kind (templates translate it)."""
    return "Step of the story" if kind == "step" else KINDS[kind].legend


#: The arrivals chart under the events: bars fill BAR_SHARE of a year; heights in CSS pixels. The
#: chart has no viewBox: x positions are percentages of its width, so that it stretches to any
#: width (the page's, or the scripted axis's) and its words are never stretched with it.
CHART_HEIGHT, AXIS_HEIGHT, BAR_SHARE = 80, 18, 0.7


def _percent(years: float, span: int) -> str:
    return f"{100 * years / span:.3f}%"


def axis_chart(arrivals: list[YearCount], first: int, last: int, translate) -> dict:
    """The yearly arrivals as bars on the timeline's axis (first..last), with a tick every decade:
    what the template draws as SVG."""
    _ = translate
    span = last - first + 1
    peak = max((row.total for row in arrivals), default=0) or 1
    bars = [{"year": row.year, "x": _percent(row.year - first + (1 - BAR_SHARE) / 2, span),
             "w": _percent(BAR_SHARE, span), "h": round(CHART_HEIGHT * row.total / peak, 1),
             "y": round(CHART_HEIGHT - CHART_HEIGHT * row.total / peak, 1),
             "label": _("{count} arrivals", count=f"{row.total:,}"), "flag": row.year in FLAGGED_YEARS}
            for row in arrivals if first <= row.year <= last]
    ticks = [{"year": year, "x": _percent(year - first, span)} for year in range(first, last + 1) if year % 10 == 0]
    top = max(arrivals, key=lambda row: row.total) if arrivals else None
    description = _("Bars of the North Korean defectors arriving in South Korea each year, from {first} to {last}, "
                    "on the timeline's axis; the highest, {peak}, in {year}.",
                    first=arrivals[0].year, last=arrivals[-1].year, peak=f"{top.total:,}", year=top.year) if top else ""
    return {"height": CHART_HEIGHT + AXIS_HEIGHT, "plot": CHART_HEIGHT, "bars": bars, "ticks": ticks,
            "description": description}


def timeline_chapter(layers: list[Layer], title: str, map_text: str) -> Chapter | None:
    """The timeline's map as a one-step chapter: every layer with a fence, site, crossing or route,
    with the borders, fitted to them. None when no layer has one."""
    shown: list[str] = []
    geometries = []
    for layer in layers:
        kept = [f for f in layer.features if f["kind"] in DATED_KINDS and f["geometry"] is not None]
        if kept and layer.group != "basemap":
            name = layer.group if layer.group == "routes" else layer.id
            if name not in shown:
                shown.append(name)
            geometries += [f["geometry"] for f in kept]
    if not geometries:
        return None
    # The bounds of them all, not of their union: union_all nodes every line against every other
    # (with 1,000 routes, minutes; the extent is the same).
    west, south, east, north = (float(v) for v in shapely.total_bounds(geometries))
    pad = 0.5
    bounds = ((round(south - pad, 2), round(west - pad, 2)), (round(north + pad, 2), round(east + pad, 2)))
    show = tuple(["borders"] if any(layer.id == "borders" for layer in layers) else []) + tuple(shown)
    step = Step("map-by-year", View(bounds=bounds), show, (), map_text, "")
    return Chapter("timeline", title, "", 0, (), "", (step,), Path("timeline"))
