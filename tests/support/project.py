"""A throwaway copy of the project, for tests that change its inputs or build it."""
from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

from storymap.commands.run import run_check
from storymap.inputs.project import Project

ROOT = Path(__file__).resolve().parents[2]


def repository() -> Project:
    """The repository's own project, building into the test run's cache (tests/conftest.py sets
    $BETWEEN_BORDERS_CACHE before any test runs: made at import time, it would be .cache/)."""
    return Project(ROOT)


def copy_project(target: Path) -> Project:
    """A copy of every input of the build (Project.copy: not site/, tests or the virtual
    environment) at target, with build.py, which some tests run there."""
    project = repository().copy(target)
    shutil.copy2(ROOT / "build.py", project / "build.py")
    return project


def snapshot(folder: Path) -> dict[str, str]:
    """Path -> SHA-256 of every file under folder, to compare two trees byte for byte."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: What a clone of the repository does not have (.gitignore) besides .git itself.
NOT_IN_A_CLONE = (".git", "site", ".site-*", ".venv", "__pycache__", "*.pyc", "*.egg-info", "build",
                  "node_modules", ".pytest_cache", "results", ".lighthouse", ".cache")


def copy_checkout(target: Path) -> Path:
    """Copy the whole repository as a fresh clone has it (code, tests, docs, inputs) to target."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE), symlinks=True)
    return target


def check(project: Project) -> tuple[int, str]:
    """`build.py check` on a project: its exit status and what it said (never a traceback)."""
    out = io.StringIO()
    status = run_check(project, out=out)
    assert "Traceback" not in out.getvalue()
    return status, out.getvalue()
