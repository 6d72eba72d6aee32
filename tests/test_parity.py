"""A translated chapter holds words only, and names the English text it translates: a map field
in it is refused with the fix; a step whose English changed since is shown in English under the
untranslated notice and listed by `check`, which still passes."""
from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest

from storymap.inputs.project import FRONT_MATTER_SCHEMA
from storymap.commands.pipeline import load_inputs
from storymap.commands.run import build_site
from storymap.inputs.chapters import head_hash, load_chapters, words_hash
from tests.support.project import check, copy_project

HANGUL = re.compile(r"[\uac00-\ud7a3]")
NOTICE_RE = re.compile(r'<p class="untranslated"[^>]*>([^<]*)</p>')



@pytest.fixture()
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def first_chapter(root: Path) -> tuple[Path, Path]:
    """The first English chapter and its Korean translation (the project's own)."""
    english = sorted((root / "chapters").glob("*.md"))[0]
    return english, root / "chapters" / "ko" / english.name


def section(html: str, step_id: str) -> str:
    """The step's <section> in a chapter page."""
    start = html.index(f'<section class="step" id="{step_id}"')
    return html[start:html.index("</section>", start)]


def test_the_projects_translations_repeat_no_map_field():
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "chapters").glob("*/*.md")):
        front = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        assert not re.search(r"^\s+(view|show|highlight|date):", front, re.MULTILINE), path


def test_a_translation_that_repeats_the_map_is_refused_with_the_fix(project):
    english, korean = first_chapter(project)
    text = korean.read_text(encoding="utf-8")
    first = re.search(r"^  - id: (\S+)\n", text, re.MULTILINE)
    korean.write_text(text[:first.end()] + "    view: {center: [40.1, 124.4], zoom: 9}\n    show: [rivers]\n"
                      + text[first.end():], encoding="utf-8")
    status, out = check(project)
    assert status == 1
    (line,) = [line for line in out.splitlines() if line.startswith(f"chapters/ko/{english.name}")]
    assert f"step {first.group(1)!r} has view:, show:" in line
    assert "Fix: remove view, show: the map (and the date) come from the English step of the same id" in line


def test_a_step_without_translates_is_refused_and_given_its_hash(project):
    english, korean = first_chapter(project)
    text = korean.read_text(encoding="utf-8")
    step = load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0].steps[0]
    korean.write_text(re.sub(r"^    translates: \S+\n", "", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    status, out = check(project)
    assert status == 1
    (line,) = [line for line in out.splitlines() if line.startswith(f"chapters/ko/{english.name}")]
    assert f"step {step.id!r} does not say which English text it translates" in line
    assert f"add 'translates: {words_hash(step)}'" in line


def test_a_step_whose_english_changed_is_shown_in_english_with_the_notice_and_listed(project, tmp_path):
    english, korean = first_chapter(project)
    step = load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0].steps[1]
    old_hash = words_hash(step)
    text = english.read_text(encoding="utf-8")
    marker = f"<!-- step: {step.id} -->\n"
    key = re.search(r"\[@([a-z0-9-]+)", step.body).group(1)
    added = f"A sentence the English gained since, with a new figure: 1,234 people [@{key}]."
    english.write_text(text.replace(marker, f"{marker}\n{added}\n"), encoding="utf-8")
    new_hash = words_hash(load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0].steps[1])
    assert new_hash != old_hash

    status, out = check(project)
    assert status == 0, out
    notes = [line for line in out.splitlines() if line.startswith("Shown in English until updated: "
                                                                   f"chapters/ko/{english.name}")]
    assert len(notes) == 1, out
    assert f"step {step.id!r}" in notes[0] and old_hash in notes[0] and f"translates: {new_hash}" in notes[0]

    log = io.StringIO()
    assert build_site(dataclasses.replace(project, site_dir=tmp_path / "site"), out=log) == [], log.getvalue()  # the preview builds so too
    slug = load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0].slug
    html = (tmp_path / "site" / "ko" / slug / "index.html").read_text(encoding="utf-8")
    behind = section(html, step.id)
    notice = NOTICE_RE.search(behind)
    assert notice and HANGUL.search(notice.group(1)), "the notice, in Korean"
    assert "with a new figure: 1,234 people" in behind and '<div lang="en">' in behind
    others = [s.id for s in load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0].steps if s.id != step.id]
    assert all(not NOTICE_RE.search(section(html, other)) and HANGUL.search(section(html, other))
               for other in others), "the other steps stay translated"
    assert not NOTICE_RE.search(html.split('<section class="step"', 1)[0]), "the chapter itself is translated"


def test_a_chapter_whose_english_head_changed_shows_it_in_english_with_the_notice_and_is_listed(project, tmp_path):
    """An English edit to a chapter's introduction (here a new figure) and title never fails the
    build: each edition shows the English title, summary, questions and introduction under the
    notice until its translation is updated, and keeps its translated steps."""
    english, korean = first_chapter(project)
    chapter = load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0]
    old_hash = head_hash(chapter)
    text = english.read_text(encoding="utf-8")
    body = text.index("\n---\n", 4) + len("\n---\n")
    key = re.search(r"\[@([a-z0-9-]+)", text[body:]).group(1)
    added = f"An opening the English gained since, with a new figure: 4,321 people [@{key}].\n\n"
    text = re.sub(r"^title: .*$", "title: A title the English took since", text[:body], count=1, flags=re.MULTILINE) \
        + added + text[body:]
    english.write_text(text, encoding="utf-8")
    new_hash = head_hash(load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0])
    assert new_hash != old_hash

    status, out = check(project)
    assert status == 0, out
    notes = [line for line in out.splitlines() if line.startswith("Shown in English until updated: "
                                                                   f"chapters/ko/{english.name}")]
    assert len(notes) == 1 and "the title, summary, questions and introduction" in notes[0], out
    assert old_hash in notes[0] and f"translates: {new_hash}" in notes[0]

    log = io.StringIO()
    assert build_site(dataclasses.replace(project, site_dir=tmp_path / "site"), out=log) == [], log.getvalue()
    html = (tmp_path / "site" / "ko" / chapter.slug / "index.html").read_text(encoding="utf-8")
    header = html[html.index('<header class="chapter-header"'):html.index("</header>", html.index('<header class="chapter-header"'))]
    notice = NOTICE_RE.search(header)
    assert notice and HANGUL.search(notice.group(1)), "the notice, in Korean"
    assert '<h1 id="chapter-title" lang="en">A title the English took since</h1>' in header
    assert "with a new figure: 4,321 people" in header
    assert all(not NOTICE_RE.search(section(html, step.id)) and HANGUL.search(section(html, step.id))
               for step in chapter.steps), "the steps stay translated"
    landing = (tmp_path / "site" / "ko" / "index.html").read_text(encoding="utf-8")
    assert f'<li lang="en"><a href="{chapter.slug}/">A title the English took since</a>' in landing


def test_a_translation_without_translates_beside_its_title_is_refused_and_given_the_hash(project):
    english, korean = first_chapter(project)
    korean.write_text(re.sub(r"^translates: \S+\n", "", korean.read_text(encoding="utf-8"), count=1,
                             flags=re.MULTILINE), encoding="utf-8")
    status, out = check(project)
    assert status == 1
    (line,) = [line for line in out.splitlines() if line.startswith(f"chapters/ko/{english.name}")]
    assert "does not say which English text its title, summary, questions and introduction translate" in line
    head = head_hash(load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0])
    assert f"add 'translates: {head}' beside the title" in line


def test_a_step_the_translation_lacks_or_the_english_lost_is_a_note(project):
    english, korean = first_chapter(project)
    text = korean.read_text(encoding="utf-8")
    steps = load_chapters(project / "chapters", project / FRONT_MATTER_SCHEMA)[0].steps
    renamed = steps[-1].id
    korean.write_text(text.replace(f"- id: {renamed}\n", "- id: gone-from-the-english\n")
                      .replace(f"<!-- step: {renamed} -->", "<!-- step: gone-from-the-english -->"), encoding="utf-8")
    status, out = check(project)
    assert status == 0, out
    notes = [line for line in out.splitlines() if line.startswith("Shown in English until updated: ")]
    assert any(f"step {renamed!r} of the English chapter has no translation" in line for line in notes), out
    assert any("'gone-from-the-english' is not a step of the English chapter" in line for line in notes), out
    ko = next(e for e in load_inputs(project).editions if e.edition.code == "ko")
    shown = ko.chapters[0].steps[-1]
    assert shown.untranslated and shown.body == steps[-1].body and shown.view == steps[-1].view
