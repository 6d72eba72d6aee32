"""The Korean and Chinese editions: translations are refused when they fall out of step with the
English (by file, step and difference), and the static maps draw Hangul, not empty boxes."""
from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path

import pytest

from storymap.inputs import editions

from storymap.rendering import fonts
from storymap.inputs.parity import figures
from storymap.commands.pipeline import load_inputs
from storymap.scenes.scenes import build_scene
from storymap.rendering.static_maps import render_static_map
from storymap.inputs.kinds import KINDS
from storymap.inputs.project import REFERENCES_SCHEMA, Project
from tests.support.project import ROOT, check, copy_project, repository
from tests.support.translation import translation_of

HANGUL = re.compile(r"[\uac00-\ud7a3]")



@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return copy_project(tmp_path_factory.mktemp("editions") / "project")


def english_chapter(root: Path) -> Path:
    return sorted((root / "chapters").glob("*.md"))[0]


def write_translation(root: Path, text: str, *, as_written: bool = False) -> str:
    """Put `text`, a chapter as the English is written, in as the Korean translation of the first
    chapter (its words, each step translating the English step of its id; the text itself if
    `as_written`); returns its display path."""
    english = english_chapter(root)
    folder = root / "chapters" / "ko"
    for old in folder.glob("*.md"):
        old.unlink()
    folder.mkdir(exist_ok=True)
    if not as_written:
        text = translation_of(text, root / "chapters", english.name)
    (folder / english.name).write_text(text, encoding="utf-8")
    return f"chapters/ko/{english.name}"


def steps_of(text: str) -> list[str]:
    return re.findall(r"^<!-- step: (\S+) -->", text, re.MULTILINE)


@pytest.mark.parametrize("english, translated", [
    ("about 30,000 people", "약 3만 명"),
    ("about 30,000 people", "约3万人"),
    ("1.4 million", "140만"),
    ("300 million", "3亿"),
    ("300 million", "3億"),  # Japanese and traditional Chinese
    ("about 30,000 people", "約3萬人"),
    ("in the 1990s, 63 in 2021", "在1990年代，2021年有63人"),
    ("on 9 October 2023", "2023년 10월 9일"),
    ("some two million, for much of the twentieth century", "약 200만 명, 20세기 대부분 동안"),
    ("a journey of nine years", "9년에 걸친 여정"),
    ("nearly twenty years later", "近20年后"),
    ("until I was eight years old", "8살이 될 때까지"),
    ("years in a third country", "제3국에서 여러 해"),
    ("the protocol's fourth article", "의정서 제4조"),
    ("over the past two decades", "过去20年间"),
])
def test_figures_read_korean_and_chinese_units_as_values(english, translated):
    assert figures(english) == figures(translated)


def test_figures_tell_different_numbers_apart():
    assert figures("about 30,000 people") != figures("약 3천 명")
    assert figures("63 in 2021") != figures("2020년 63명")
    assert figures("a journey of nine years") != figures("아홉 해에 걸친 여정")  # a year count left in words


def test_a_faithful_translation_passes_and_is_counted(project):
    english = english_chapter(project).read_text(encoding="utf-8")
    write_translation(project, english)
    status, out = check(project)
    assert status == 0, out
    assert "(ko) 1 of 9 chapters" in out


def test_a_step_missing_a_citation_is_refused_by_file_step_and_key(project):
    english = english_chapter(project).read_text(encoding="utf-8")
    steps = steps_of(english)
    start = english.index(f"<!-- step: {steps[1]} -->")
    end = english.index(f"<!-- step: {steps[2]} -->")
    key = re.search(r"\[@([a-z0-9-]+)", english[start:end]).group(1)
    body = re.sub(rf"\[[^\[\]]*@{key}\b[^\[\]]*\]", "", english[start:end])  # every citation of the key
    path = write_translation(project, english[:start] + body + english[end:])
    step = steps[1]
    status, out = check(project)
    assert status == 1
    line = next(line for line in out.splitlines() if "cites other sources" in line)
    assert line.startswith(path) and f"step {step!r}" in line and f"[@{key}]" in line


def test_a_changed_figure_is_refused_by_file_step_and_number(project):
    english = english_chapter(project).read_text(encoding="utf-8")
    steps = steps_of(english) + [None]
    year_re = r"(?<![0-9@\w-])(1[89]\d\d|20[0-2]\d)(?![0-9])"  # a year in the prose, not in a citation key
    for step, following in zip(steps, steps[1:]):
        start = english.index(f"<!-- step: {step} -->")
        end = english.index(f"<!-- step: {following} -->") if following else len(english)
        match = re.search(year_re, english[start:end])
        if match:
            break
    assert match, "some step should name a year"
    year = match.group(1)
    changed = english[:start] + re.sub(rf"(?<![0-9@\w-]){year}(?![0-9])", str(int(year) + 1), english[start:end]) + english[end:]
    path = write_translation(project, changed)
    status, out = check(project)
    assert status == 1, out
    line = next((line for line in out.splitlines() if "other figures" in line), out)
    assert line.startswith(path) and f"step {step!r}" in line
    assert f"missing {int(year):,}" in line or f"not in the English: {int(year) + 1:,}" in line


def test_a_translation_in_another_order_takes_the_english_order(project):
    english = english_chapter(project).read_text(encoding="utf-8")
    head, body = english.split("\n---\n", 1)
    blocks = re.findall(r"^  - id: .*\n(?:    .*\n)+", head + "\n", re.MULTILINE)
    sections = re.split(r"(?=^<!-- step: )", body, flags=re.MULTILINE)  # the introduction, then each step
    swapped = (head.replace(blocks[0] + blocks[1], blocks[1] + blocks[0]) + "\n---\n"
               + "".join([sections[0], sections[2], sections[1], *sections[3:]]))
    assert steps_of(swapped)[:2] == steps_of(english)[1::-1]
    write_translation(project, swapped)
    status, out = check(project)
    assert status == 0, out
    korean = next(e for e in load_inputs(project).editions if e.edition.code == "ko")
    assert [s.id for s in korean.chapters[0].steps] == steps_of(english)  # the map's order: the English


def dated(text: str, start: int) -> str:
    """The chapter with its first step dated `start`, by the first source the chapter cites."""
    key = re.search(r"\[@([a-z0-9-]+)", text).group(1)
    text = re.sub(r"^    date: .*\n", "", text, flags=re.MULTILINE)
    return re.sub(r"^(  - id: \S+\n)", rf"\1    date: {{start: {start}, sources: [{key}]}}\n", text, count=1,
                  flags=re.MULTILINE)


def test_a_translation_takes_its_dates_from_the_english(project):
    path = english_chapter(project)
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(dated(original, 1994), encoding="utf-8")
        undated = re.sub(r"^    date: .*\n", "", original, flags=re.MULTILINE)
        write_translation(project, undated)
        status, out = check(project)
        assert status == 0, out
        korean = next(e for e in load_inputs(project).editions if e.edition.code == "ko")
        first = next(c for c in korean.chapters if c.path.name == path.name).steps[0]
        assert first.date is not None and first.date.start == 1994, "the English step's date is used"
    finally:
        path.write_text(original, encoding="utf-8")
        write_translation(project, original)


def test_without_a_cjk_font_check_stops_and_names_the_package(project):
    write_translation(project, english_chapter(project).read_text(encoding="utf-8"))
    korean = dataclasses.replace(editions.EDITIONS[1], fonts=("No Such Font KR", "DejaVu Sans"))
    status, out = check(dataclasses.replace(project, editions=(editions.EDITIONS[0], korean)))
    assert status == 1
    assert "fonts-noto-cjk" in out and "empty boxes" in out


# ---- the static maps draw Hangul -----------------------------------------------------------------

@pytest.fixture(scope="module")
def korean_scene():
    inputs = load_inputs(repository())
    korean = next(e for e in inputs.editions if e.edition.code == "ko")
    chapter = next(c for c in korean.chapters if any(f == "yalu" for s in c.steps for f in s.highlight))
    return korean, build_scene(chapter, korean.layers, translate=korean.strings)


def render(korean, scene, font):
    step = next(s for s in scene.steps if "yalu" in s.highlight)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_static_map(list(scene.layers), step.view, layers_forward=step.layers, highlight=step.highlight,
                          route_colours=scene.route_colours, title=korean.strings("Legend") + " 압록강",
                          font=font, kind_labels={k: korean.strings(kind.legend) for k, kind in KINDS.items()})
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_korean_static_maps_draw_every_hangul_glyph(korean_scene):
    korean, scene = korean_scene
    names = [f["name"] for layer in scene.layers for f in layer.features]
    assert "압록강" in names and all(HANGUL.search(e.label) for e in scene.legend)
    assert korean.map_font and not fonts.missing_glyphs(korean.map_font, names)
    assert render(korean, scene, korean.map_font) == []
    # The same map in matplotlib's default font would print boxes: the check above can fail.
    assert render(korean, scene, None)


def test_a_place_whose_english_changed_shows_the_english_until_updated(project):
    rivers = project / "layers" / "rivers.geojson"
    original = rivers.read_text(encoding="utf-8")
    data = json.loads(original)
    yalu = next(f for f in data["features"] if f["properties"]["id"] == "yalu")
    yalu["properties"]["description"] += " Frozen for 4 months."
    rivers.write_text(json.dumps(data), encoding="utf-8")
    try:
        status, out = check(project)
        inputs = load_inputs(project)
    finally:
        rivers.write_text(original, encoding="utf-8")
    assert status == 0, out
    assert "Shown in English until updated: content/ko/places.yaml" in out and "'yalu'" in out
    korean = next(e for e in inputs.editions if e.edition.code == "ko")
    yalu = next(f for layer in korean.layers for f in layer.features if f["id"] == "yalu")
    assert yalu["name"] == "압록강" and yalu["description"].endswith("Frozen for 4 months.")


def test_an_untranslated_page_shows_the_english_under_a_notice_in_the_readers_language(project):
    import shutil
    from storymap.commands import pipeline

    shutil.rmtree(project / "chapters" / "ko", ignore_errors=True)
    (project / "content" / "ko" / "about.md").unlink(missing_ok=True)
    inputs = load_inputs(project)
    korean = next(e for e in inputs.editions if e.edition.code == "ko")
    build = pipeline.EditionBuild(korean, inputs, pipeline.BuildCache(project.cache_dir), pipeline.BuildSession(),
                                  pipeline.build_route_map(inputs.layers), script_words=set())
    files = build.pages(project / "templates", pipeline.Progress(None))  # pages only, no static maps
    slug = inputs.chapters[0].slug
    for path in (f"ko/{slug}/index.html", "ko/about/index.html"):
        html = files[path]
        assert '<html lang="ko">' in html
        notice = re.search(r'<p class="untranslated"[^>]*>([^<]*)</p>', html)
        assert notice and HANGUL.search(notice.group(1)), path
        assert 'lang="en"' in html.split('class="untranslated"', 1)[1], path
    assert 'class="untranslated"' not in files["ko/index.html"]  # the landing page is translated


def test_a_line_break_in_chinese_prose_adds_no_space():
    from storymap.rendering.prose import join_cjk_lines

    assert join_cjk_lines("饥荒迫使数万朝鲜人渡过鸭绿江\n和图们江。") == "饥荒迫使数万朝鲜人渡过鸭绿江和图们江。"
    assert join_cjk_lines("如今大多数人仍从那里越境，\n因为") == "如今大多数人仍从那里越境，因为"
    assert join_cjk_lines("豆満江を\nわたる") == "豆満江をわたる"  # Japanese: kana join too
    assert join_cjk_lines("ロシアと\nカザフスタン") == "ロシアとカザフスタン"
    assert join_cjk_lines("압록강과\n두만강") == "압록강과\n두만강"  # Korean: the break is a space
    assert join_cjk_lines("the Yalu\nand the Tumen") == "the Yalu\nand the Tumen"


def test_citations_follow_the_editions_locale_and_keep_original_titles():
    from storymap.inputs.references import Bibliography, load_references

    items = load_references(ROOT / "references.json", ROOT / REFERENCES_SCHEMA)
    dated = next(k for k, item in items.items() if len(item.get("issued", {}).get("date-parts", [[0]])[0]) >= 2
                 and item.get("language") == "ko")
    english, korean, chinese = (Bibliography(items, locale).entry(dated) for locale in ("en-US", "ko-KR", "zh-CN"))
    assert "월" in korean and "月" in chinese and "월" not in english
    assert items[dated]["title"][:8] in korean and items[dated]["title"][:8] in chinese  # the title as published


def test_the_routes_catalogue_names_places_and_years_in_the_readers_language():
    from storymap.scenes.flows import place_names
    from storymap.rendering.site_pages.routes import route_years

    inputs = load_inputs(repository())
    korean = next(e for e in inputs.editions if e.edition.code == "ko")
    names = place_names(inputs.layers, korean.layers)
    assert names["Dandong"] == "단둥" and names["Huay Xai"] == "후아이사이"
    cities = {f["name"] for layer in inputs.layers if layer.id == "cities" for f in layer.features}
    stops = {place for layer in inputs.layers if layer.group == "routes" for f in layer.features
             for place in f.get("via") or [] if place in cities}
    assert stops and all(HANGUL.search(names[place]) for place in stops), "every stop in a story city has its Korean name"
    assert route_years({"start": 2010}, korean.strings) == "2010년부터"
    assert route_years({"end": 2012}, korean.strings) == "2012년까지"
    assert route_years({"start": 2010}) == "since 2010" and route_years({"start": 2003, "end": 2012}) == "2003–2012"


def _bibliography_item(**fields) -> dict:
    return {"id": "test-item", "type": "webpage", "title": "A Long Title of a Work Without an Author",
            "issued": {"date-parts": [[2012, 3, 5]]}, **fields}


def test_reference_dates_are_written_as_each_editions_readers_write_them():
    from storymap.inputs.references import Bibliography

    item = _bibliography_item(author=[{"family": "Cohen", "given": "R."}])
    english, korean, chinese = (Bibliography({"test-item": item}, locale).entry("test-item")
                                for locale in ("en-US", "ko-KR", "zh-CN"))
    assert "(2012, March 5)" in english
    assert "(2012년 3월 5일)" in korean and "3월 5)" not in korean
    assert "(2012年3月5日)" in chinese


def test_a_work_without_an_author_is_cited_by_its_short_title():
    from storymap.inputs.references import Bibliography, Cite

    item = _bibliography_item(**{"title-short": "A Long Title", "container-title": "An Archive"})
    bibliography = Bibliography({"test-item": item})
    cited = bibliography.cite([Cite("test-item")])
    assert "A Long Title" in cited and "Without an Author" not in cited
    entry = bibliography.entry("test-item")
    assert entry.count(item["title"]) == 1 and "An Archive" in entry  # listed under its title, once


@pytest.fixture()
def styled_project(tmp_path) -> Path:
    """A copy of the project whose style sheet retires one made-up term, with a Korean chapter 1
    that is the English with that term in its second step, once plainly and once quoted."""
    root = copy_project(tmp_path / "project")
    (root / "docs" / "retired-terms.yaml").write_text(
        "ko:\n  - retired: 옛말\n    house: 새말\n    why: the test's own style sheet retires it.\n", encoding="utf-8")
    english = english_chapter(root).read_text(encoding="utf-8")
    second = steps_of(english)[1]
    marker = f"<!-- step: {second} -->\n"
    write_translation(root, english.replace(marker, marker + "\n옛말 and “옛말”.\n"))
    return root


def test_a_retired_term_is_refused_by_file_step_term_and_house_term(styled_project):
    status, out = check(styled_project)
    assert status == 1, out
    english = english_chapter(styled_project)
    lines = [line for line in out.splitlines() if "옛말" in line]
    assert len(lines) == 1, out  # the quoted use is the speaker's word and passes
    step = steps_of(english.read_text(encoding="utf-8"))[1]
    assert lines[0].startswith(f"chapters/ko/{english.name}") and f"step {step!r}" in lines[0]
    assert "새말" in lines[0]


def test_a_quoted_retired_term_passes(styled_project):
    path = styled_project / "chapters" / "ko" / english_chapter(styled_project).name
    path.write_text(path.read_text(encoding="utf-8").replace("\n옛말 and", "\n“옛말” and"), encoding="utf-8")
    status, out = check(styled_project)
    assert status == 0, out
