"""The docs stay true: every module is described in docs/ARCHITECTURE.md, every output of the
build is named there, and CONTRIBUTING.md shows what the commands really print."""
from __future__ import annotations

import io
import re

from storymap.commands.run import new_route, run_check
from tests.support.layers import owned_project
from tests.support.project import ROOT

ARCHITECTURE = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def described_modules() -> set[str]:
    """The module paths docs/ARCHITECTURE.md names: in its tree of storymap/ (a package's line, then
    its modules' lines, indented below it, a sub-package's modules two spaces further) and as
    storymap/.../name.py anywhere."""
    tree = ARCHITECTURE.split("```\nstorymap/\n", 1)[1].split("```", 1)[0]
    named, package = set(re.findall(r"storymap/[\w/]+\.py", ARCHITECTURE)), None
    for line in tree.splitlines():
        if match := re.match(r"  (\w+)/ ", line):
            package = folder = match[1]
        elif match := re.match(r"    (\w+)/ ", line):
            folder = f"{package}/{match[1]}"
        elif match := re.match(r"(      |    )([\w.,/ ]+?)(?:   |$)", line):
            if len(match[1]) == 4:
                folder = package
            named.update(f"storymap/{folder}/{name.strip()}" for name in match[2].split(",")
                         if name.strip().endswith(".py"))
    return named


def test_every_module_under_storymap_is_described_in_the_architecture():
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "storymap").rglob("*.py")
                     if p.name != "__init__.py")
    missing = [m for m in modules if m not in described_modules()]
    assert not missing, f"describe these modules in docs/ARCHITECTURE.md: {', '.join(missing)}"


def test_the_architecture_names_no_module_that_is_gone():
    named = described_modules()
    gone = sorted(m for m in named if not (ROOT / m).exists())
    assert not gone, f"docs/ARCHITECTURE.md describes modules that no longer exist: {', '.join(gone)}"


def test_every_kind_of_output_is_described_in_the_architecture():
    section = ARCHITECTURE.split("## What the build writes", 1)[-1]
    for output in ("index.html", "<slug>/index.html", "<slug>/map.js", "<slug>/map.png", "<slug>/steps/",
                   "<slug>/detail-", "embed/<slug>/", "sources/", "about/", "educators/", "downloads/", "assets/"):
        assert output in section, f"docs/ARCHITECTURE.md, 'What the build writes', does not name {output}"


def test_contributing_shows_what_check_prints_straight_after_new_route(tmp_path):
    root = owned_project(tmp_path / "project")  # a contributor may have a my-route.geojson
    assert new_route(root, "my-route", out=io.StringIO()) == 0
    out = io.StringIO()
    assert run_check(root, out=out) == 1
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    sample = contributing.split("Straight after `new-route`:", 1)[1].split("```")[1].strip()
    assert sample == out.getvalue().strip(), "update CONTRIBUTING.md's sample to what check prints"
