"""Contributions never break CI: random but valid contributions (a reference, a place, routes by
place names, a drawn route, and a route saved by the studio's own save with a new place and a new
reference of its own) are made in a contributor's copy and handed over as a contribution file, as
the studio's "Send to the editors" makes it; `build.py add-contribution` merges it into a
copy of the project as a fresh clone lays it out (../shared beside it, as .ci/run has it); then
check, the build, every test but the browser's and the browser tests that show what a contribution
adds (BROWSER_TESTS), run in that clone in one pytest run, all pass. The seed of the contributions is printed in the header of every run; CONTRIBUTION_SEED=<seed>
replays it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from storymap.tools.contribution_file import contribution_zip
from storymap.tools.contributions import note_in_ledger
from tests.support.contributions import SEED, add_contributions, add_studio_route, replay_hint
from tests.support.project import ROOT, copy_checkout, snapshot

SHARED = ROOT.parent / "shared"
#: Set in the copy's own test run, which must not copy the project again.
INNER_RUN = "BETWEEN_BORDERS_CONTRIBUTION_COPY"
#: The browser tests that read what a contribution adds to the built site: the flow map's legs,
#: popups and picker, every link and fragment (the catalogue's pages, the sources' ids), the
#: timeline's routes by year, the downloads. About 40 s in the copy; the rest of the browser suite
#: (axe on every page, scrolling the story, the phone, the preview, the studio) tests code, on the
#: project as committed or on fixtures of its own, and would take the suite past ten minutes.
BROWSER_TESTS = ("test_routes_map.py", "test_links.py", "test_timeline.py", "test_educators.py")


def run(args: list[str], cwd, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, INNER_RUN: "1"})


@pytest.mark.timeout(1200)
@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="../shared/data is not available")
@pytest.mark.skipif(bool(os.environ.get(INNER_RUN)), reason="already inside a contributed copy")
def test_random_valid_contributions_pass_check_build_and_every_test(tmp_path):
    print(replay_hint())
    project = copy_checkout(tmp_path / "project")
    (tmp_path / "shared").symlink_to(SHARED)
    contribution, added = contribution_file(tmp_path, SEED)
    said = f"{replay_hint()}; added {json.dumps(added, ensure_ascii=False)}\n"
    merged = run(["build.py", "add-contribution", str(contribution)], project)
    assert merged.returncode == 0 and "Merged" in merged.stdout, said + merged.stdout + merged.stderr

    check = run(["build.py", "check"], project)
    assert check.returncode == 0 and check.stdout.rstrip().splitlines()[-1].startswith("OK"), \
        said + check.stdout + check.stderr
    build = run(["build.py", "build"], project)
    assert build.returncode == 0, said + build.stdout + build.stderr
    site = project / "site"
    # The catalogue's pages, and the flow maps' route data (names for their popups and picker).
    catalogue = "".join(p.read_text(encoding="utf-8") for p in sorted((site / "routes").glob("**/index.html")))
    downloads = (site / "downloads" / "layers" / "routes.geojson").read_text(encoding="utf-8")
    maps = "".join(p.read_text(encoding="utf-8") for p in site.glob("*/routes.json"))
    places = (site / "downloads" / "layers" / "places.geojson").read_text(encoding="utf-8")
    sources = (site / "sources" / "index.html").read_text(encoding="utf-8")
    for made in (added, added["studio"]):
        for route_id, name in made["routes"].items():
            assert name in catalogue and json.dumps(name, ensure_ascii=False)[1:-1] in maps, said + name
            assert route_id in downloads, said + route_id
        assert made["place"] in places, said
        assert f'id="ref-{made["reference"]}"' in sources, said

    # On every core, as the project's pytest settings have it: this test's own process only waits.
    ignored = [f"--ignore={path.relative_to(project).as_posix()}" for path in (project / "tests" / "browser").glob("test_*.py")
               if path.name not in BROWSER_TESTS]
    assert len(ignored) == len(list((project / "tests" / "browser").glob("test_*.py"))) - len(BROWSER_TESTS)
    tests = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", *ignored,
                 "--ignore=tests/test_contribution_ci.py", f"--junitxml={tmp_path / 'tests.xml'}", "tests"],
                project, timeout=1100)
    summary = tests.stdout[-4000:]
    assert tests.returncode == 0 and " passed" in tests.stdout, said + summary + tests.stderr[-2000:]
    assert "../shared/data is not available" not in tests.stdout, said + "the data tests must run: " + summary
    cases = ElementTree.parse(tmp_path / "tests.xml").getroot().iter("testcase")
    ran = {case.get("classname").split(".")[2] + ".py" for case in cases
           if case.get("classname").startswith("tests.browser.") and case.find("skipped") is None}
    assert ran == set(BROWSER_TESTS), said + f"browser tests run in the copy: {sorted(ran)}"


def contribution_file(tmp_path, seed: int):
    """The contributions of `seed` made in a contributor's copy of the project, by hand and with the
    studio's save (a route, its new place and its new reference), as the contribution file the
    studio makes of what changed (storymap.tools.contribution_file), and what they add."""
    author = copy_checkout(tmp_path / "contributor")
    before = snapshot(author)
    originals = {relative: (author / relative).read_bytes() for relative in before}
    added = add_contributions(author, seed)
    changed = sorted(relative for relative, digest in snapshot(author).items() if before.get(relative) != digest)
    made = {relative: (author / relative).read_bytes() for relative in changed}
    for relative in changed:  # the studio notes each file before its first change
        if relative in originals:
            (author / relative).write_bytes(originals[relative])
        else:
            (author / relative).unlink()
    note_in_ledger(author, changed)
    for relative, content in made.items():
        (author / relative).write_bytes(content)
    added["studio"] = add_studio_route(author, seed)
    path = tmp_path / "contribution.zip"
    path.write_bytes(contribution_zip(author))
    return path, added
