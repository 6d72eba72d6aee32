"""Every kind of broken layer file stops the build with a plain message naming the file, exit
status 1, no traceback, and the previous site/ left exactly as it was."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from build import build
from tests.support.layers import owned_project
from tests.support.project import snapshot
from tests.test_layers import FIXTURES

BAD = sorted(p.name for p in (FIXTURES / "bad").glob("*.geojson") if p.name != "duplicate-of-good.geojson")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    # The tests' own routes: each broken file is added under its fixture's name, then removed.
    root = owned_project(tmp_path_factory.mktemp("bad-input") / "project")
    assert build(root, out=io.StringIO()) == 0
    return root


def refused(project: Path, relative: str) -> str:
    """Build with one extra file in layers/; assert it is refused cleanly; return the message."""
    before = snapshot(project / "site")
    out = io.StringIO()
    try:
        status = build(project, out=out)
    finally:
        (project / relative).unlink()
    message = out.getvalue()
    assert status == 1, message
    assert "Traceback" not in message
    assert relative in message, message
    assert "nothing was built and site/ is unchanged" in message
    assert snapshot(project / "site") == before
    return message


@pytest.mark.parametrize("fixture", BAD)
def test_a_broken_route_file_is_refused_and_the_site_is_untouched(project, fixture):
    relative = f"layers/routes/{fixture}"
    shutil.copy(FIXTURES / "bad" / fixture, project / relative)
    message = refused(project, relative)
    assert " Fix: " in message


def test_a_route_copied_under_a_new_name_is_refused_for_its_duplicate_id(project):
    relative = "layers/routes/copy-of-mongolia.geojson"
    shutil.copy(project / "layers" / "routes" / "mongolia.geojson", project / relative)
    message = refused(project, relative)
    assert "route-mongolia" in message and "layers/routes/mongolia.geojson" in message
