"""check validates every input the build reads besides layers, chapters and references.json:
content/site.yaml, the pages of content/ and data/defector_arrivals.csv. A mistake in any of them
is refused by check (and so by build) in plain words, never with a traceback."""
from __future__ import annotations

import io
import re
import shutil

import pytest

from build import build
from storymap.rendering.charts import load_arrivals
from storymap.commands.run import run_check
from storymap.inputs.content import read_site
from storymap.inputs.project import SITE_SCHEMA, SITE_SETTINGS, Project
from storymap.core.problems import InputError
from tests.support.project import ROOT, copy_project

SITE = (ROOT / "content" / "site.yaml").read_text(encoding="utf-8")
ARRIVALS = (ROOT / "data" / "defector_arrivals.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("content") / "project")


@pytest.fixture
def project(pristine, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(pristine, root, symlinks=True)
    return Project(root)


def refused_by_check(root) -> str:
    out = io.StringIO()
    assert run_check(root, out=out) == 1, out.getvalue()
    assert "Traceback" not in out.getvalue()
    return out.getvalue()


SITE_MISTAKES = {
    "url missing": (SITE.replace("url: https://example.org/between-borders/\n", ""), "field 'url'", "add the address"),
    "url not an address": (SITE.replace("url: https://", "url: "), "field 'url'", "https://"),
    "misspelt field": (SITE.replace("citation:", "citaton:"), "'citaton'", "'citation'"),
    "title empty": (SITE.replace('title: "Between', 'title: ""\n  subtitle: "Between'), "citation.title", ""),
    "year as text": (SITE.replace("[[2026]]", "[[this year]]"), "citation.issued.date-parts[0][0]", "2015"),
    "not YAML": (SITE + "url: [unclosed\n", "not valid YAML (line", "indentation"),
}


@pytest.mark.parametrize("name", SITE_MISTAKES)
def test_a_mistake_in_site_yaml_is_refused_by_check_with_the_field_and_a_fix(project, name):
    text, where, fix = SITE_MISTAKES[name]
    (project / "content" / "site.yaml").write_text(text, encoding="utf-8")
    message = refused_by_check(project)
    assert "content/site.yaml" in message and where in message and fix in message, message


def test_site_yaml_as_committed_passes():
    assert read_site(ROOT / SITE_SETTINGS, ROOT / SITE_SCHEMA)[1] == []


def test_build_refuses_a_site_yaml_without_url_instead_of_crashing(project):
    (project / "content" / "site.yaml").write_text(SITE_MISTAKES["url missing"][0], encoding="utf-8")
    out = io.StringIO()
    assert build(project, out=out) == 1
    assert "content/site.yaml, field 'url': the required field 'url' is missing." in out.getvalue()
    assert not (project / "site").exists()


PAGE_MISTAKES = {
    "unknown key": ("See [@no-such-source].", "cites [@no-such-source], which is not in references.json"),
    "citation with words": ("See [see @king-2023].", "is not a citation the site can format"),
}


@pytest.mark.parametrize("name", PAGE_MISTAKES)
def test_a_bad_citation_in_a_content_page_is_refused_by_check(project, name):
    text, words = PAGE_MISTAKES[name]
    with (project / "content" / "about.md").open("a", encoding="utf-8") as page:
        page.write("\n" + text + "\n")
    message = refused_by_check(project)
    assert "content/about.md" in message and words in message, message


def test_a_missing_content_page_is_refused_by_check(project):
    (project / "content" / "landing.md").unlink()
    assert "content/landing.md: is missing." in refused_by_check(project)


ARRIVAL_MISTAKES = {
    "column renamed": (ARRIVALS.replace("female", "women", 1), "has the columns year,total,male,women"),
    "total as words": (ARRIVALS.replace("\n1999,148,", "\n1999,many,", 1), "line 3: total 'many' is not a whole number"),
    "short line": (ARRIVALS.replace("\n1999,148,,,", "\n1999,148\n#,", 1), "line 3: does not have one value per column"),
    "years out of order": (ARRIVALS.replace("\n1999,", "\n1997,", 1), "line 3: year 1997 does not follow 1998"),
    "no source": (ARRIVALS.replace(",https://www.hankyung.com/politics/article/2002021750248\n1999", ",\n1999", 1),
                  "line 2: has no source_url"),
    "no rows": (ARRIVALS.splitlines()[0] + "\n", "has no rows"),
}


@pytest.mark.parametrize("name", ARRIVAL_MISTAKES)
def test_a_mistake_in_the_arrivals_table_names_its_line(tmp_path, name):
    text, words = ARRIVAL_MISTAKES[name]
    path = tmp_path / "defector_arrivals.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_arrivals(path)
    assert any(words in str(p) and p.file == "data/defector_arrivals.csv" for p in caught.value.problems), \
        [str(p) for p in caught.value.problems]


def test_check_refuses_a_broken_arrivals_table(project):
    (project / "data" / "defector_arrivals.csv").write_text(ARRIVAL_MISTAKES["total as words"][0], encoding="utf-8")
    assert "data/defector_arrivals.csv, field 'total': line 3" in refused_by_check(project)


def test_the_committed_arrivals_table_loads_in_year_order():
    years = [row.year for row in load_arrivals(ROOT / "data" / "defector_arrivals.csv")[0]]
    assert years == sorted(set(years)) and len(years) > 20


def test_a_chapter_may_not_take_the_folder_of_another_page(project):
    first = sorted((project / "chapters").glob("[0-9][0-9]-*.md"))[0]
    slug = first.stem[3:]
    text = first.read_text(encoding="utf-8").replace(f"slug: {slug}\n", "slug: educators\n", 1)
    first.unlink()
    (project / "chapters" / f"{first.name[:3]}educators.md").write_text(text, encoding="utf-8")
    message = refused_by_check(project)
    assert f"chapters/{first.name[:3]}educators.md, field 'slug': slug 'educators' is taken by another page" in message


def test_a_figure_the_site_does_not_have_is_refused_by_check(project):
    first = sorted((project / "chapters").glob("[0-9][0-9]-*.md"))[0]
    with first.open("a", encoding="utf-8") as chapter:
        chapter.write("\n<!-- figure: arrivals-by-month -->\n")
    message = refused_by_check(project)
    assert f"chapters/{first.name}" in message and "places the figure 'arrivals-by-month'" in message
    assert "defector-arrivals" in message, "the fix names the figures there are"


def test_a_placed_figure_needs_the_references_its_caption_cites(project):
    """The reference renamed wherever the project cites it (layers, chapters, pages), but not in the
    figure's caption, which is code."""
    key = re.compile(r"(?<![\w-])voa-2022(?![\w-])")
    for path in [project / "references.json", *project.root.glob("layers/**/*.geojson"), *project.root.glob("chapters/**/*.md"),
                 *project.root.glob("content/**/*.md")]:
        text = path.read_text(encoding="utf-8")
        if key.search(text):
            path.write_text(key.sub("voa-2022-old", text), encoding="utf-8")
    message = refused_by_check(project)
    assert "has no reference 'voa-2022', which the caption of the figure 'defector-arrivals' cites" in message


def test_a_chapter_may_not_take_the_folder_of_an_edition(project):
    first = sorted((project / "chapters").glob("[0-9][0-9]-*.md"))[0]
    slug = first.stem[3:]
    text = first.read_text(encoding="utf-8").replace(f"slug: {slug}\n", "slug: ko\n", 1)
    first.unlink()
    (project / "chapters" / f"{first.name[:3]}ko.md").write_text(text, encoding="utf-8")
    assert "slug 'ko' is taken by another page" in refused_by_check(project)
