"""The timeline's events: which steps and features are on it, in what order, with what words, and
their CSV in the downloads. Fixtures of their own: any project data may be dated differently."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from shapely.geometry import LineString, Point

from storymap.inputs.chapters import Chapter, Step, StepDate, View
from storymap.rendering.charts import YearCount
from storymap.core.dates import FIRST_YEAR, overlaps, year_problems
from storymap.rendering.downloads import TIMELINE_PATH, ZIP_FOLDER, ZIP_PATH, download_files
from storymap.inputs.layers import Layer
from storymap.rendering.timeline import axis_chart, axis_years, step_text, timeline_events
from tests.support.project import ROOT

VIEW = View(center=(40.1, 124.4), zoom=8)


def step(step_id, body, date=None, show=(), highlight=()):
    return Step(step_id, VIEW, tuple(show), tuple(highlight), "Map.", body, date)


CHAPTERS = [
    Chapter("first", "First", "S.", 1, (), "", (
        step("famine", "Grain fell [@ahn-2018]. Between 1994 and 1998, many *died* [@ahn-2018].",
             StepDate(1994, 1998, ("ahn-2018",))),
        step("undated", "Nothing dated here."),
    ), Path("chapters/01-first.md")),
    Chapter("second", "Second", "S.", 2, (), "", (
        step("fences", "In October 2006 a fence went up [@ap-2006].", StepDate(2006, None, ("ap-2006",)),
             show=("fences",)),
        step("protocol", "The 1964 protocol [@protocol-1964].", StepDate(1964, None, ("protocol-1964",)),
             highlight=("fence-old",)),
    ), Path("chapters/02-second.md")),
]


def fence(fid, start=None, end=None, sources=("ap-2006", "openstreetmap")):
    feature = {"id": fid, "name": fid.title(), "kind": "fence", "description": "D.", "sources": list(sources),
               "precision": "schematic", "geometry": LineString([(124, 40), (125, 41)])}
    feature.update({k: v for k, v in (("start", start), ("end", end)) if v is not None})
    return feature


LAYERS = [
    Layer("fences", Path("layers/fences.geojson"), None, [fence("fence-new", 2006), fence("fence-old", 1990, 2000),
                                                           fence("fence-undated")]),
    Layer("cities", Path("layers/cities.geojson"), None, [
        {"id": "city-a", "name": "A", "kind": "city", "description": "D.", "sources": ["geonames"],
         "precision": "approximate", "start": 1999, "geometry": Point(124, 40), "country": "CHN"}]),
]


def test_the_events_are_the_dated_steps_and_features_in_date_order():
    events = timeline_events(CHAPTERS, LAYERS)
    assert [(e.start, e.kind, e.href) for e in events] == [
        (1964, "step", "second/#protocol"),
        (1990, "fence", "second/#protocol"),  # highlighted there
        (1994, "step", "first/#famine"),
        (2006, "step", "second/#fences"),
        (2006, "fence", "second/#fences"),  # its layer is shown there
    ], "no undated step or feature, and no kind the map by year leaves alone (a city)"
    assert events[1].end == 2000 and events[1].years == "1990–2000"
    assert events[4].sources == ("ap-2006",), "the works that date a feature, not its map data"


def test_a_steps_event_is_the_sentence_that_names_its_year_without_citations_or_markup():
    assert step_text("Grain fell [@ahn-2018]. Between 1994 and 1998, many *died* [@ahn-2018].", 1994) == \
        "Between 1994 and 1998, many died."
    assert step_text("기근이 왔다. 1994년부터 1998년까지 많은 사람이 죽었다 [@ahn-2018].", 1994) == \
        "1994년부터 1998년까지 많은 사람이 죽었다.", "a year in Korean, written with 년"
    assert step_text("批评的核心。这一原则载于1951年《难民\n公约》[@unhcr-1951-convention]。其他。", 1951) == \
        "这一原则载于1951年《难民公约》。", "Chinese: sentences end at 。 and lines join without a space"
    assert step_text("See [the report](https://example.org) of 2001.", 2001) == "See the report of 2001."
    assert step_text("No year here. Nor here.", 2001) == "No year here.", "else the first sentence"


def test_years_outside_the_story_or_reversed_are_refused_and_periods_overlap():
    assert [field for field, *_ in year_problems(1949, None)] == ["start"]
    assert [field for field, *_ in year_problems(2000, 1999)] == ["end"]
    assert [field for field, *_ in year_problems(2000, 9999)] == ["end"]
    assert year_problems(FIRST_YEAR, None) == []
    assert overlaps(2006, None, 2005, 2010) and overlaps(None, 2006, 2005, 2010) and overlaps(None, None, 1, 2)
    assert not overlaps(2011, None, 2005, 2010) and not overlaps(1990, 2004, 2005, 2010)


def test_the_axis_runs_from_1950_to_the_latest_year_and_the_bars_stand_on_it():
    arrivals = [YearCount(2000, 300, None, None, "u"), YearCount(2009, 3000, None, None, "u")]
    first, last = axis_years(timeline_events(CHAPTERS, LAYERS), arrivals)
    assert (first, last) == (1950, 2009)
    chart = axis_chart(arrivals, first, last, lambda text, **values: text.format(**values))
    highest = max(chart["bars"], key=lambda bar: bar["h"])
    assert highest["year"] == 2009 and highest["h"] == chart["plot"]
    assert chart["bars"][0]["x"] == f"{100 * (2000 - 1950 + 0.15) / 60:.3f}%"
    assert [tick["year"] for tick in chart["ticks"]] == [1950, 1960, 1970, 1980, 1990, 2000]


def test_the_events_are_a_csv_in_the_downloads_and_the_data_dictionary():
    files = download_files(LAYERS, {"ap-2006": {"id": "ap-2006", "type": "article", "title": "T"}},
                           (ROOT / "data" / "defector_arrivals.csv").read_bytes(), timeline_events(CHAPTERS, LAYERS))
    rows = list(csv.DictReader(io.StringIO(files[TIMELINE_PATH].decode("utf-8"), newline="")))
    assert [(r["start"], r["end"], r["kind"], r["link"]) for r in rows][:3] == [
        ("1964", "", "step", "second/#protocol"), ("1990", "2000", "fence", "second/#protocol"),
        ("1994", "1998", "step", "first/#famine")]
    assert rows[2]["text"] == "Between 1994 and 1998, many died." and rows[2]["sources"] == "ahn-2018"
    with zipfile.ZipFile(io.BytesIO(files[ZIP_PATH])) as archive:
        dictionary = archive.read(f"{ZIP_FOLDER}/DATA-DICTIONARY.md").decode("utf-8")
        assert archive.read(f"{ZIP_FOLDER}/timeline.csv") == files[TIMELINE_PATH]
    assert "## timeline.csv" in dictionary and "| link |" in dictionary
