"""Chapters: parsing, every contributor mistake reported by file and field, and the real chapters."""
from __future__ import annotations

from dataclasses import replace

import copy
import json
from pathlib import Path

import pytest
import yaml

from storymap.inputs.chapters import (CITATION_RE, Chapter, Step, StepDate, View, check_references, cite_keys,
                               load_chapters)
from storymap.core.problems import InputError
from storymap.inputs.project import FRONT_MATTER_SCHEMA

ROOT = Path(__file__).resolve().parents[1]

META = {
    "title": "Across the rivers",
    "slug": "rivers",
    "summary": "One sentence.",
    "questions": ["Why the rivers?"],
    "steps": [
        {"id": "two-rivers", "view": {"bounds": [[39.8, 124.0], [43.0, 130.8]]},
         "show": ["rivers", "borders"], "highlight": ["yalu", "tumen"], "map_text": "Both rivers."},
        {"id": "dandong", "view": {"center": [40.1, 124.4], "zoom": 11},
         "show": ["fences"], "highlight": ["fence-2006-dandong"], "map_text": "Dandong."},
        {"id": "south", "view": {"center": [20.3, 100.1], "zoom": 9},
         "show": ["routes"], "map_text": "The Mekong."},
    ],
}
BODY = """Intro text [@king-2023].

<!-- step: two-rivers -->

The Yalu and the Tumen [@ahn-2018; @king-2023, p. 4].

<!-- step: dandong -->

A fence.

<!-- step: south -->

The Mekong.
"""


def write(folder: Path, name: str = "02-rivers.md", meta: dict | None = None, body: str = BODY,
          front: str | None = None) -> Path:
    path = folder / name
    if front is None:
        front = yaml.safe_dump(META if meta is None else meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return path


def problems_of(folder: Path) -> list:
    with pytest.raises(InputError) as err:
        load_chapters(folder, ROOT / FRONT_MATTER_SCHEMA)
    return err.value.problems


def fields(problems) -> set:
    return {p.field for p in problems}


def test_a_valid_chapter_becomes_dataclasses(tmp_path):
    path = write(tmp_path)
    (chapter,) = load_chapters(tmp_path, ROOT / FRONT_MATTER_SCHEMA)
    assert chapter == Chapter(
        slug="rivers", title="Across the rivers", summary="One sentence.", order=2,
        questions=("Why the rivers?",), intro="Intro text [@king-2023].",
        steps=(
            Step("two-rivers", View(bounds=((39.8, 124.0), (43.0, 130.8))), ("rivers", "borders"),
                 ("yalu", "tumen"), "Both rivers.", "The Yalu and the Tumen [@ahn-2018; @king-2023, p. 4]."),
            Step("dandong", View(center=(40.1, 124.4), zoom=11), ("fences",), ("fence-2006-dandong",),
                 "Dandong.", "A fence."),
            Step("south", View(center=(20.3, 100.1), zoom=9), ("routes",), (), "The Mekong.", "The Mekong."),
        ),
        path=path)


def test_chapters_are_sorted_by_their_number(tmp_path):
    write(tmp_path, "10-later.md", meta={**META, "slug": "later"})
    write(tmp_path, "02-rivers.md")
    assert [c.slug for c in load_chapters(tmp_path, ROOT / FRONT_MATTER_SCHEMA)] == ["rivers", "later"]


def mutated(change):
    meta = copy.deepcopy(META)
    change(meta)
    return meta


def drop(key):
    return lambda m: m.pop(key)


def set_step(i, key, value):
    def change(m):
        m["steps"][i][key] = value
    return change


BAD_META = {
    "missing title": (drop("title"), "title"),
    "missing slug": (drop("slug"), "slug"),
    "missing summary": (drop("summary"), "summary"),
    "missing steps": (drop("steps"), "steps"),
    "slug with spaces": (lambda m: m.update(slug="Across Rivers"), "slug"),
    "slug not the file name": (lambda m: m.update(slug="other"), "slug"),
    "two steps": (lambda m: m["steps"].pop(), "steps"),
    "duplicate step id": (set_step(1, "id", "two-rivers"), "steps[1].id"),
    "bad step id": (set_step(1, "id", "Dandong City"), "steps[1].id"),
    "view with neither": (set_step(0, "view", {"zoom": 5}), "steps[0].view"),
    "view missing": (lambda m: m["steps"][0].pop("view"), "steps[0].view"),
    "zoom too large": (set_step(1, "view", {"center": [40.1, 124.4], "zoom": 20}), "steps[1].view.zoom"),
    "zoom too small": (set_step(1, "view", {"center": [40.1, 124.4], "zoom": 1}), "steps[1].view.zoom"),
    "latitude out of range": (set_step(1, "view", {"center": [124.4, 40.1], "zoom": 9}), "steps[1].view.center"),
    "outside the story region": (set_step(1, "view", {"center": [48.8, 2.3], "zoom": 9}), "steps[1].view.center"),
    "bounds south above north": (set_step(0, "view", {"bounds": [[43.0, 124.0], [39.8, 130.8]]}),
                                 "steps[0].view.bounds"),
    "bounds west east of east": (set_step(0, "view", {"bounds": [[39.8, 130.8], [43.0, 124.0]]}),
                                 "steps[0].view.bounds"),
    "bounds corner outside region": (set_step(0, "view", {"bounds": [[39.8, 80.0], [43.0, 130.8]]}),
                                     "steps[0].view.bounds[0]"),
    "show not a list": (set_step(0, "show", "rivers"), "steps[0].show"),
    "map_text missing": (lambda m: m["steps"][2].pop("map_text"), "steps[2].map_text"),
    "misspelt step field": (set_step(0, "hightlight", ["yalu"]), "steps[0].hightlight"),
    "blank title": (lambda m: m.update(title="  "), "title"),
    "title a number": (lambda m: m.update(title=1953), "title"),
    "zoom not whole": (set_step(1, "view", {"center": [40.1, 124.4], "zoom": 6.5}), "steps[1].view.zoom"),
    "center not two numbers": (set_step(1, "view", {"center": [40.1], "zoom": 6}), "steps[1].view.center"),
    "question not text": (lambda m: m.update(questions=[["nested"]]), "questions[0]"),
    "date without a source": (set_step(0, "date", {"start": 1994}), "steps[0].date.sources"),
    "date with no sources": (set_step(0, "date", {"start": 1994, "sources": []}), "steps[0].date.sources"),
    "date end before start": (set_step(0, "date", {"start": 1998, "end": 1994, "sources": ["ahn-2018"]}),
                              "steps[0].date.end"),
    "date before the story": (set_step(0, "date", {"start": 1945, "sources": ["ahn-2018"]}), "steps[0].date.start"),
    "date in the future": (set_step(0, "date", {"start": 2020, "end": 2999, "sources": ["ahn-2018"]}),
                           "steps[0].date.end"),
    "date as text": (set_step(0, "date", {"start": "1994", "sources": ["ahn-2018"]}), "steps[0].date.start"),
    "date without a year": (set_step(0, "date", {"sources": ["ahn-2018"]}), "steps[0].date.start"),
}


@pytest.mark.parametrize("name", BAD_META)
def test_each_front_matter_mistake_is_reported_with_file_and_field(tmp_path, name):
    change, field = BAD_META[name]
    path = write(tmp_path, meta=mutated(change))
    problems = problems_of(tmp_path)
    assert field in fields(problems), [str(p) for p in problems]
    assert all(p.file == f"{path.parent.name}/{path.name}" for p in problems)
    assert all(p.fix for p in problems)


BAD_BODY = {
    "marker without a step": (BODY + "\n<!-- step: extra -->\n\nMore.\n", "body"),
    "step without a marker": (BODY.replace("<!-- step: south -->", ""), "steps[2].id"),
    "markers out of order": (BODY.replace("step: dandong", "step: TMP").replace("step: south", "step: dandong")
                             .replace("step: TMP", "step: south"), "body"),
    "marker twice": (BODY + "\n<!-- step: south -->\n\nAgain.\n", "body"),
}


@pytest.mark.parametrize("name", BAD_BODY)
def test_each_marker_mistake_is_reported(tmp_path, name):
    body, field = BAD_BODY[name]
    path = write(tmp_path, body=body)
    problems = problems_of(tmp_path)
    assert field in fields(problems), [str(p) for p in problems]
    assert all(p.file == f"{path.parent.name}/{path.name}" for p in problems)


def test_bad_yaml_is_reported_without_a_traceback(tmp_path):
    path = write(tmp_path, front="title: [unclosed\nslug: rivers\n")
    (problem,) = problems_of(tmp_path)
    assert problem.file == f"{path.parent.name}/{path.name}"
    assert "YAML" in problem.message and "line" in problem.message
    assert "Traceback" not in str(problem)


def test_no_front_matter_is_reported(tmp_path):
    path = tmp_path / "01-plain.md"
    path.write_text("Just text.\n", encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert problem.file == f"{path.parent.name}/{path.name}" and "front matter" in problem.message


def test_duplicate_slugs_across_files_are_reported(tmp_path):
    write(tmp_path, "02-rivers.md")
    second = write(tmp_path, "03-rivers.md")
    problems = problems_of(tmp_path)
    assert [(p.file, p.field) for p in problems] == [(f"{second.parent.name}/{second.name}", "slug")]


def test_every_problem_is_collected_in_one_run(tmp_path):
    write(tmp_path, "01-a.md", meta=mutated(drop("title")) | {"slug": "a"})
    write(tmp_path, "02-b.md", meta=mutated(set_step(0, "view", {})) | {"slug": "b"})
    problems = problems_of(tmp_path)
    assert {(Path(p.file).name, p.field) for p in problems} >= {("01-a.md", "title"), ("02-b.md", "steps[0].view")}


def test_bad_file_name_is_reported(tmp_path):
    write(tmp_path, "rivers.md")
    assert any("NN-slug" in p.message for p in problems_of(tmp_path))


# --- citations and references ------------------------------------------------------------------

def test_citation_regex_finds_pandoc_citations():
    text = "As shown [@a; @b, p. 3] and [@c-2018, para. 2]. Mail me@example.org, [a link](http://x/@y)."
    assert [m.group(0) for m in CITATION_RE.finditer(text)] == ["[@a; @b, p. 3]", "[@c-2018, para. 2]"]
    assert cite_keys(text) == ["a", "b", "c-2018"]


def test_a_citation_the_site_cannot_format_is_reported(tmp_path):
    real = load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA)[0]
    chapter = replace(real, intro="As argued [see @king-2023].", steps=())
    problems = check_references([chapter], [], [], ["king-2023"])
    assert [p.field for p in problems] == ["intro"]
    assert "[see @king-2023] is not a citation the site can format" in problems[0].message


def test_a_dated_step_carries_its_years_and_sources(tmp_path):
    write(tmp_path, meta=mutated(set_step(0, "date", {"start": 1994, "end": 1998, "sources": ["ahn-2018"]})))
    (chapter,) = load_chapters(tmp_path, ROOT / FRONT_MATTER_SCHEMA)
    assert chapter.steps[0].date == StepDate(1994, 1998, ("ahn-2018",))
    assert chapter.steps[1].date is None


def test_a_date_citing_an_unknown_reference_is_reported(tmp_path):
    write(tmp_path, meta=mutated(set_step(0, "date", {"start": 1994, "sources": ["nobody-1994"]})))
    problems = check_references(load_chapters(tmp_path, ROOT / FRONT_MATTER_SCHEMA), {"rivers", "borders", "fences", "routes/x"},
                                {"yalu", "tumen", "fence-2006-dandong"}, {"ahn-2018", "king-2023"})
    assert [(p.field, "nobody-1994" in p.message) for p in problems] == [("steps[0].date.sources", True)]


def test_check_references_reports_unknown_ids_and_keys(tmp_path):
    write(tmp_path)
    chapters = load_chapters(tmp_path, ROOT / FRONT_MATTER_SCHEMA)
    layers = {"rivers", "borders", "routes/china-laos-thailand"}
    features = {"yalu", "tumen"}
    problems = check_references(chapters, layers, features, {"ahn-2018"})
    assert {(p.field, p.message.split(",")[0]) for p in problems} == {
        ("steps[1].show", "step 'dandong' shows layer 'fences'"),
        ("steps[1].highlight", "step 'dandong' highlights feature 'fence-2006-dandong'"),
        ("intro", "cites [@king-2023]"),
        ("steps[0].body", "cites [@king-2023]"),
    }
    # "routes" is a group name, valid because a layer id starts with "routes/".
    assert not any("'routes'" in p.message for p in problems)


# --- the real chapters ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chapters():
    return load_chapters(ROOT / "chapters", ROOT / FRONT_MATTER_SCHEMA)


def test_real_chapters_load_with_enough_steps_and_unique_slugs(chapters):
    assert len(chapters) >= 9
    assert all(len(c.steps) >= 3 for c in chapters)
    assert len({c.slug for c in chapters}) == len(chapters)
    assert [c.order for c in chapters] == sorted({c.order for c in chapters})
    assert all(c.questions and c.summary for c in chapters)
    assert all(s.map_text and s.body for c in chapters for s in c.steps)


def test_real_chapters_place_the_arrivals_figure_once(chapters):
    texts = [s.body for c in chapters for s in c.steps]
    assert sum(t.count("<!-- figure: defector-arrivals -->") for t in texts) == 1


def test_real_chapters_cite_only_known_references(chapters):
    path = ROOT / "references.json"
    if not path.exists():
        pytest.skip("references.json is not there yet; cannot check the chapters' citation keys")
    keys = {item["id"] for item in json.loads(path.read_text(encoding="utf-8"))}
    problems = [p for p in check_references(chapters, set(), set(), keys) if p.field.startswith(("intro", "steps["))
                and "cites" in p.message]
    assert not problems, "\n".join(map(str, problems))


def test_real_chapters_show_and_highlight_committed_layers(chapters):
    layer_dir = ROOT / "layers"
    files = sorted(layer_dir.glob("**/*.geojson"))
    layer_ids = {f.relative_to(layer_dir).with_suffix("").as_posix() for f in files}
    if not layer_ids - {i for i in layer_ids if i.startswith("basemap/")}:
        pytest.skip("the story layers (rivers, borders, ...) are not in layers/ yet")
    feature_ids = {feature.get("id") or feature.get("properties", {}).get("id")
                   for f in files for feature in json.loads(f.read_text(encoding="utf-8")).get("features", [])}
    problems = [p for p in check_references(chapters, layer_ids, feature_ids, set()) if "cites" not in p.message]
    assert not problems, "\n".join(map(str, problems))
