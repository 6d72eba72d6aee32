"""Hostile input (issue 24): no contributor's or translator's text can leak the build's
environment, become markup, smuggle a spreadsheet formula, hang or crash `check`, or crash a build
that `check` passed. Each hostile input is a file in tests/fixtures/hostile/, put into a copy of
the golden project (tests/golden/project), which is built once for the module."""
from __future__ import annotations

import contextlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from markupsafe import Markup

from build import build
from storymap.commands import run_check
from storymap.editions import Strings
from tests.golden import PROJECT, ROOT, SHARED
from tests.support.project import snapshot

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
SECRET = "h24-dummy-secret-0a9f3c"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the golden project, built once (its site/ is what a refused build must leave)."""
    work = tmp_path_factory.mktemp("hostile")
    root = work / "project"
    shutil.copytree(PROJECT, root)
    for name in SHARED:
        shutil.copytree(ROOT / name, root / name)
    out = io.StringIO()
    assert build(root, out=out, cache_dir=work / "cache") == 0, out.getvalue()
    return root


@contextlib.contextmanager
def hostile(root: Path, relative: str, fixture: str):
    """`relative` in the project replaced by (or made from) tests/fixtures/hostile/<fixture>, for the
    duration of the block; put back as it was after."""
    target = root / relative
    before = target.read_bytes() if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HOSTILE / fixture, target)
    try:
        yield relative
    finally:
        if before is None:
            target.unlink()
        else:
            target.write_bytes(before)


def check(root: Path) -> tuple[int, str]:
    out = io.StringIO()
    status = run_check(root, out=out)
    assert "Traceback" not in out.getvalue()
    return status, out.getvalue()


def refused(root: Path, relative: str, *words: str) -> str:
    """`check` and `build` both refuse the project with a plain problem naming `relative` and its
    fix (and each of `words`); the build leaves site/ as it was. The check's report."""
    status, message = check(root)
    assert status == 1, message
    assert relative in message and " Fix: " in message, message
    for word in words:
        assert word in message, message
    before = snapshot(root / "site")
    out = io.StringIO()
    assert build(root, out=out, cache_dir=root.parent / "cache") == 1, out.getvalue()
    assert "Traceback" not in out.getvalue() and relative in out.getvalue()
    assert snapshot(root / "site") == before
    return message


def site_bytes(site: Path):
    """Every file the site publishes, and every member of its zips."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        yield path.relative_to(site).as_posix(), path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path.name}/{member}", archive.read(member)


# --- 1. a translation is text with {name} fields, never a format string ---------------------------

def test_a_translation_cannot_publish_the_build_environment(project, monkeypatch):
    monkeypatch.setenv("H24_DUMMY_SECRET", SECRET)
    with hostile(project, "content/ko/strings.yaml", "strings-environment.yaml") as relative:
        message = refused(project, relative, "brace", "{title}")
    assert SECRET not in message
    leaks = [name for name, data in site_bytes(project / "site") if SECRET.encode() in data]
    assert not leaks


def test_an_interface_text_fills_only_its_named_fields():
    attack = "{title.format.__globals__[string]._re.enum.sys.modules[os].environ}"
    strings = Strings({"Next: {title}": attack, "Step {number}": "{number}단계 {number!r} {0} {}"})
    # Markup's format is a Python function, whose globals lead to os.environ under str.format.
    assert strings("Next: {title}", title=Markup("<i>x</i>")) == attack
    assert strings("Step {number}", number=3) == "3단계 {number!r} {0} {}"


def test_a_stray_brace_in_a_translation_is_a_problem_not_a_crash(project):
    with hostile(project, "content/ko/strings.yaml", "strings-stray-brace.yaml") as relative:
        message = refused(project, relative, "brace")
    assert "'Sources'" in message and "Map for the chapter" in message
