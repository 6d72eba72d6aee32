"""The contributor's commands: check (plain words, an exit status, no traceback) and new-route."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storymap.commands.run import new_route, run_check
from storymap.inputs.project import SCHEMAS, Project
from tests.test_layers import FIXTURES, KEYS, make_project
from tests.support.layers import owned_project
from tests.support.project import ROOT, copy_project


def project(tmp_path: Path, *fixtures: str) -> Project:
    """make_project plus a references.json holding the test keys, one small chapter, and the
    repository's schemas."""
    root = make_project(tmp_path, *fixtures)
    shutil.copytree(FIXTURES.parent / "chapters", root / "chapters")
    references = [{"id": key, "type": "article-journal", "title": key} for key in KEYS]
    (root / "references.json").write_text(json.dumps(references))
    (root / "content").mkdir()
    shutil.copy(ROOT / "content" / "site.yaml", root / "content" / "site.yaml")
    for page in ("landing", "about"):
        (root / "content" / f"{page}.md").write_text(f"The {page} page [@king-2023].\n")
    shutil.copytree(ROOT / "data", root / "data")
    for schema in SCHEMAS:
        shutil.copy(ROOT / schema, root / schema)
    return Project(root)


def check(root: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = run_check(root, out=out)
    assert "Traceback" not in out.getvalue()
    return status, out.getvalue().splitlines()


def make_route(root: Path, slug: str) -> tuple[int, str]:
    out = io.StringIO()
    return new_route(root, slug, out=out), out.getvalue()


def test_check_passes_valid_layers(tmp_path):
    assert check(project(tmp_path, "good")) == (0, ["OK: 3 layers, 5 features and 1 chapter checked."])


def test_check_prints_every_problem_on_its_own_line_and_a_summary(tmp_path):
    status, lines = check(project(tmp_path, "good", "bad/three-mistakes.geojson", "bad/not-json.geojson"))
    assert status == 1
    assert lines[-1] == "4 problems in 2 files; nothing was built and site/ is unchanged."
    assert lines[0].startswith("layers/not-json.geojson: is not valid JSON: Expecting ',' delimiter at line 3")
    assert lines[1].startswith("layers/three-mistakes.geojson, feature 0 (id 'route-three-1'), field 'kind': ")
    assert all(" Fix: " in line for line in lines[:-1])


def test_check_reports_a_broken_references_file_without_repeating_it_per_source(tmp_path):
    root = project(tmp_path, "good", "bad/empty.geojson")
    (root / "references.json").write_text('[{"id": "king-2023",}]')
    status, lines = check(root)
    assert status == 1
    assert "references.json" in lines[0] and "cannot be read as JSON" in lines[0]
    assert lines[1].startswith("layers/empty.geojson: the file is empty.")
    assert lines[-1] == "2 problems in 2 files; nothing was built and site/ is unchanged."


def test_new_route_fails_check_only_until_its_placeholders_are_filled_in(tmp_path):
    # The template's places are in the project's gazetteer; the routes are the tests' own (a contributor
    # may have a via-vietnam.geojson).
    root = owned_project(tmp_path / "project")
    status, said = make_route(root, "via-vietnam")
    assert status == 0
    assert "layers/routes/via-vietnam.geojson" in said and "python build.py check" in said
    assert "python build.py serve" in said

    status, lines = check(root)
    assert status == 1
    prefix = "layers/routes/via-vietnam.geojson, feature 0 (id 'route-via-vietnam'), field "
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        prefix + "'sources'", prefix + "'name'", prefix + "'description'"]
    assert "lists no sources" in lines[0] and "placeholder" in lines[1] and "placeholder" in lines[2]

    path = root / "layers" / "routes" / "via-vietnam.geojson"
    route = json.loads(path.read_text())
    route["features"][0]["properties"].update(
        name="Through Vietnam to Cambodia", description="A longer, costlier route.", sources=["king-2023"])
    path.write_text(json.dumps(route))
    status, lines = check(root)
    assert status == 0 and lines[-1].startswith("OK: "), lines
    assert not [line for line in lines if "via-vietnam" in line], "nothing more to say about the new route"


def test_new_route_refuses_an_existing_route(tmp_path):
    root = project(tmp_path, "good")
    existing = root / "layers" / "routes" / "sample-route.geojson"
    before = existing.read_text()
    status, said = make_route(root, "sample-route")
    assert status == 1 and "already exists" in said
    assert existing.read_text() == before


@pytest.mark.parametrize("slug", ["My Route", "via_vietnam", "-via", "via--laos", "", "../escape", "x" * 75])
def test_new_route_refuses_a_bad_slug(tmp_path, slug):
    status, said = make_route(tmp_path, slug)
    assert status == 1 and "lower-case letters, digits and single hyphens" in said
    assert not (tmp_path / "layers").exists()


def test_build_py_check_reports_a_broken_route_without_a_traceback(tmp_path):
    root = copy_project(tmp_path / "project")
    make_project(root, "bad/swapped.geojson")
    result = subprocess.run([sys.executable, "build.py", "check"], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # storymap/ stays in the repository
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "layers/swapped.geojson, feature 0 (id 'route-sample'), field 'geometry': longitude and latitude look "
        "swapped; GeoJSON wants [longitude, latitude]. Fix: swap the two numbers in every position, "
        "e.g. [40.1, 124.4] becomes [124.4, 40.1].",
        "1 problem in 1 file; nothing was built and site/ is unchanged."]


def edit_chapter(root: Path, old: str, new: str) -> None:
    path = root / "chapters" / "01-sample.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_check_refuses_a_paragraph_that_cites_nothing_and_names_it(tmp_path):
    root = project(tmp_path, "good")
    edit_chapter(root, "Where they begin [@king-2023].", "Where they begin, far from any source.")
    status, lines = check(root)
    assert status == 1
    assert lines[0].startswith("chapters/01-sample.md, field 'steps[1].body': paragraph 1 of step 'second' "
                               "(\"Where they begin, far from any …\") cites no source.")
    assert "<!-- framing -->" in lines[0], "the fix tells the contributor how to mark framing"


def test_check_accepts_framing_but_not_a_framing_paragraph_with_a_figure(tmp_path):
    root = project(tmp_path, "good")
    assert check(root)[0] == 0, "the sample's third step is marked as framing and cites nothing"
    edit_chapter(root, "Where they cross.", "Where 300 people cross.")
    status, lines = check(root)
    assert status == 1 and "is marked as framing but gives a figure" in lines[0]
    edit_chapter(root, "<!-- framing -->\nWhere 300 people cross.", "Where 300 people cross.")
    status, lines = check(root)
    assert status == 1 and "cites no source" in lines[0], "without the marker the paragraph needs a citation"


def test_check_refuses_an_estimate_without_its_year(tmp_path):
    root = project(tmp_path, "good")
    edit_chapter(root, "Routes out [@king-2023].", "An estimated 50,000 people live in hiding [@king-2023].")
    status, lines = check(root)
    assert status == 1
    assert "paragraph 1 of step 'first' (\"An estimated 50,000 people live in …\") gives an estimate without its year" \
        in lines[0], "the year in the citation key does not count"
    edit_chapter(root, "An estimated 50,000 people live", "An estimated 50,000 people lived")
    edit_chapter(root, "in hiding [@king-2023].", "in hiding in 2012 [@king-2023].")
    assert check(root)[0] == 0
