"""A throwaway copy of the project, for tests that change its inputs or build it."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ("build.py", "references.json", "references.schema.json", "layers", "chapters", "content", "templates", "static", "data",
          "docs")


def copy_project(target: Path) -> Path:
    """Copy every input of the build (not site/, tests or the virtual environment) to target."""
    target.mkdir(parents=True, exist_ok=True)
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


def snapshot(folder: Path) -> dict[str, str]:
    """Path -> SHA-256 of every file under folder, to compare two trees byte for byte."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: What a clone of the repository does not have (.gitignore) besides .git itself.
NOT_IN_A_CLONE = (".git", "site", ".site-*", ".venv", "__pycache__", "*.pyc", "*.egg-info", "build",
                  "node_modules", ".pytest_cache", "results", ".lighthouse", ".cache")


def copy_checkout(target: Path) -> Path:
    """Copy the whole repository as a fresh clone has it (code, tests, docs, inputs) to target."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE), symlinks=True)
    return target
