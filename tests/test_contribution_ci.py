"""A contributor's first route passes CI: a clean copy of the project with ../shared beside it, as
.ci/run lays it out, plus one route by place names; check, build and the data tests all pass."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from storymap.routes import route_file_text
from tests.support.project import ROOT, copy_project

SHARED = ROOT.parent / "shared"


def run(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="../shared/data is not available")
def test_a_route_by_place_names_passes_check_build_and_data_tests(tmp_path):
    project = copy_project(tmp_path / "project")
    for code in ("storymap", "tests", "pyproject.toml"):
        (shutil.copytree if (ROOT / code).is_dir() else shutil.copy2)(ROOT / code, project / code)
    (tmp_path / "shared").symlink_to(SHARED)
    (project / "layers" / "routes" / "via-hanoi.geojson").write_text(route_file_text({
        "id": "route-via-hanoi", "name": "Through Hanoi and Vientiane", "kind": "route",
        "description": "Schematic: across China to Kunming, into Vietnam at Hanoi, then west into Laos.",
        "sources": ["king-2023"], "precision": "schematic",
        "via": ["Yanji", "Beijing", "Kunming", "Hanoi", "Vientiane", "Bangkok"]}), encoding="utf-8")

    check = run(["build.py", "check"], project)
    assert check.returncode == 0 and check.stdout.startswith("OK: 14 layers"), check.stdout + check.stderr
    build = run(["build.py", "build"], project)
    assert build.returncode == 0, build.stdout + build.stderr
    site = project / "site"
    assert "Through Hanoi and Vientiane" in (site / "routes" / "index.html").read_text(encoding="utf-8")
    assert "Through Hanoi and Vientiane" in (site / "the-long-way-out" / "map.js").read_text(encoding="utf-8")
    assert "route-via-hanoi" in (site / "downloads" / "layers" / "routes.geojson").read_text(encoding="utf-8")
    data = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_data.py"], project)
    assert data.returncode == 0 and " passed" in data.stdout and "skipped" not in data.stdout, data.stdout[-3000:]
