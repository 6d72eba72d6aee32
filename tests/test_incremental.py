"""The preview's rebuild after a save (storymap/commands/incremental.py): an edit to a chapter's
words re-renders only what shows them, and site/ ends byte-identical to a full build of the same
inputs; anything else is a full build; bad input keeps the last good site."""
from __future__ import annotations

import io
import json

import pytest

from build import build
from storymap.commands.incremental import IncrementalBuild
from storymap.commands.pipeline import load_inputs
from storymap.core.problems import InputError
from storymap.inputs.chapters import CITATION_RE, head_hash, load_chapter, words_hash
from storymap.inputs.project import FRONT_MATTER_SCHEMA, RETIRED_TERMS, Project
from storymap.rendering.offline import OFFLINE_PATH
from tests import golden
from tests.support.project import snapshot

CHAPTER = "chapters/01-the-river.md"
TRANSLATION = "chapters/ko/01-the-river.md"
#: The step whose prose the tests edit, and its prose in the golden chapter.
STEP_TEXT = "Two cities face each other [@king-2023, p. 4]."


def korean(project: Project) -> str:
    """A Korean translation of the golden chapter, in step with its English."""
    chapter = load_chapter(project / CHAPTER, project / FRONT_MATTER_SCHEMA)
    steps = "".join(f"  - id: {step.id}\n    translates: {words_hash(step)}\n    map_text: \"{step.id} 지도\"\n"
                    for step in chapter.steps)
    bodies = "".join(f"\n<!-- step: {step.id} -->\n\n{step.id} 이야기 "
                     f"{' '.join(cite.group(0) for cite in CITATION_RE.finditer(step.body))}.\n" for step in chapter.steps)
    return (f"---\ntitle: 강\ntranslates: {head_hash(chapter)}\nslug: {chapter.slug}\nsummary: 작은 장.\nquestions:\n  - 강은 왜 국경이 되는가?\n"
            f"steps:\n{steps}---\n\n강에 대한 소개 [@king-2023].\n{bodies}")


@pytest.fixture
def builder(tmp_path):
    project = golden.copy(tmp_path)
    (project / TRANSLATION).parent.mkdir()
    (project / TRANSLATION).write_text(korean(project), encoding="utf-8")
    builder = IncrementalBuild(project)
    out = io.StringIO()
    assert builder.rebuild(out) == [], out.getvalue()
    return builder


def rebuild(builder: IncrementalBuild) -> str:
    """Rebuild, then bring the offline copy up as the preview does once saves pause; what it said."""
    out = io.StringIO()
    assert builder.rebuild(out) == [], out.getvalue()
    builder.finish()
    assert "Traceback" not in out.getvalue()
    return out.getvalue()


def edit(project: Project, name: str, old: str, new: str) -> None:
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_as_full_build(builder: IncrementalBuild, tmp_path) -> dict[str, str]:
    """site/ is byte for byte what a full build of the same inputs writes, and the inputs the
    builder keeps for the next save are what `check` reads (its notes on stale steps among them)."""
    project = builder.project
    assert builder.assembly.inputs == load_inputs(project)
    full = Project(project.root, site_dir=tmp_path / "full", cache_dir=project.cache_dir)
    out = io.StringIO()
    assert build(full, out=out) == 0, out.getvalue()
    site = snapshot(project.site_dir)
    assert site == snapshot(full.site_dir)
    return site


def page(builder: IncrementalBuild, path: str) -> str:
    return (builder.project.site_dir / path).read_text(encoding="utf-8")


def test_a_paragraph_edit_rebuilds_that_chapter_and_its_listings_as_a_full_build_would(builder, tmp_path):
    before = snapshot(builder.project.site_dir)
    edit(builder.project, CHAPTER, STEP_TEXT, "Two cities face each other across a bridge [@king-2023, p. 4].")
    said = rebuild(builder)
    assert "Checking chapters/01-the-river.md" in said and "Checking layers" not in said
    assert "across a bridge" in page(builder, "the-river/index.html")
    assert "across a bridge" in page(builder, "timeline/index.html")  # a dated step: the timeline shows its text
    # The Korean step now translates an older English text: shown in English.
    assert "across a bridge" in page(builder, "ko/the-river/index.html")
    after = assert_as_full_build(builder, tmp_path)
    assert {path for path in after if after[path] != before.get(path)} >= {
        "the-river/index.html", "ko/the-river/index.html", OFFLINE_PATH}
    assert after["about/index.html"] == before["about/index.html"]


def test_an_edit_to_a_translations_step_or_introduction_rebuilds_in_part_as_a_full_build_would(builder, tmp_path):
    edit(builder.project, TRANSLATION, "dandong 이야기", "단둥 이야기")
    said = rebuild(builder)
    assert "Checking chapters/ko/01-the-river.md" in said and "Checking layers" not in said
    assert "단둥 이야기" in page(builder, "ko/the-river/index.html")
    assert_as_full_build(builder, tmp_path)
    edit(builder.project, TRANSLATION, "강에 대한 소개", "강에 대한 짧은 소개")
    said = rebuild(builder)
    assert "Checking layers" not in said
    assert "강에 대한 짧은 소개" in page(builder, "ko/the-river/index.html")
    assert_as_full_build(builder, tmp_path)


def test_a_new_citation_in_a_paragraph_reaches_the_sources_page(builder, tmp_path):
    references = json.loads((builder.project / "references.json").read_text(encoding="utf-8"))
    keys = [item["id"] for item in references]
    assert "naturalearth" in keys
    edit(builder.project, CHAPTER, STEP_TEXT, "Two cities face each other [@king-2023, p. 4; @naturalearth].")
    rebuild(builder)
    assert_as_full_build(builder, tmp_path)


@pytest.mark.parametrize("name, old, new", [
    (CHAPTER, "title: The river", "title: The long river"),  # listed by the landing page, the neighbours
    # The translation's title, summary, questions and introduction are now behind, shown in English
    # (and so listed in English by the Korean landing page).
    (CHAPTER, "An introduction that cites", "A short introduction that cites"),
    (CHAPTER, "show: [cities]", "show: [rivers, cities]"),  # a map
    ("layers/rivers.geojson", "Yalu", "Amnok"),
])
def test_any_other_edit_is_a_full_build(builder, tmp_path, name, old, new):
    edit(builder.project, name, old, new)
    said = rebuild(builder)
    assert "Checking layers" in said
    assert_as_full_build(builder, tmp_path)


def test_bad_input_in_the_edited_file_keeps_the_last_good_site(builder, tmp_path):
    before = snapshot(builder.project.site_dir)
    edit(builder.project, CHAPTER, STEP_TEXT, "Two cities face each other [@no-such-work].")
    out = io.StringIO()
    problems = builder.rebuild(out)
    assert problems and "no-such-work" in out.getvalue() and "Traceback" not in out.getvalue()
    assert {p.file for p in problems} == {CHAPTER}
    builder.finish()
    assert snapshot(builder.project.site_dir) == before
    edit(builder.project, CHAPTER, "[@no-such-work]", "across the river [@king-2023].")
    said = rebuild(builder)
    assert "Checking layers" not in said
    assert "across the river" in page(builder, "the-river/index.html")
    assert_as_full_build(builder, tmp_path)


@pytest.mark.parametrize("name, old, new", [
    (CHAPTER, STEP_TEXT, "Two cities face each other [@no-such-work]."),  # a reference the bibliography lacks
    (TRANSLATION, "이야기", "탈북자 이야기"),  # a term the Korean style sheet retires
    (TRANSLATION, "이야기", "1,000명의 이야기"),  # a figure the English step does not give
], ids=["unknown reference", "retired term", "figure not in the English"])
def test_a_refused_edit_is_refused_with_the_problems_check_gives(builder, name, old, new):
    """The rebuild checks an edited chapter with the full check's own functions: same problems, same words."""
    terms = builder.project / RETIRED_TERMS
    terms.parent.mkdir(exist_ok=True)
    terms.write_text("ko:\n  - retired: 탈북자\n    house: 탈북민\n    why: the house term.\n", encoding="utf-8")
    assert "Checking layers" in rebuild(builder)  # a full build, which reads the style sheet
    edit(builder.project, name, old, new)
    problems = builder.rebuild(io.StringIO())
    with pytest.raises(InputError) as full:
        load_inputs(builder.project)
    assert problems and problems == full.value.problems
    assert {p.file for p in problems} == {name}
