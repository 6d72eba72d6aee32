"""The project (storymap.inputs.project): one object names every input, and `check`, the build,
the preview and a copy all take it. A project in a folder of its own builds with its own
contracts, also with storymap installed away from the repository (as `pip install .` puts it)."""
from __future__ import annotations

import builtins
import collections
import io
import json
import os
import shutil
import subprocess
import sys

from build import build
from storymap.commands.pipeline import load_inputs
from storymap.commands.run import run_check
from storymap.inputs.project import CACHE_FOLDER, INPUTS, REFERENCES_SCHEMA, SCHEMAS, SITE_SCHEMA, Project
from tests import golden
from tests.support.project import ROOT, repository, snapshot


def files_of(project: Project, names) -> dict[str, str]:
    """Path relative to the root -> SHA-256, of every file the named inputs hold."""
    found = {}
    for name in names:
        path = project / name
        if path.is_file():
            found[name] = snapshot(path.parent)[path.name]
        elif path.is_dir():
            found.update({f"{name}/{relative}": digest for relative, digest in snapshot(path).items()})
    return found


def test_a_copy_holds_exactly_the_inputs_byte_for_byte(tmp_path):
    copy = repository().copy(tmp_path / "copy")
    assert snapshot(copy) == files_of(repository(), INPUTS)
    assert {p.name for p in copy.root.iterdir()} <= {name.split("/")[0] for name in INPUTS}
    assert copy.site_dir == copy.root / "site" and not copy.site_dir.exists()
    assert CACHE_FOLDER not in {p.name for p in copy.root.iterdir()}
    assert copy.cache_dir != ROOT / CACHE_FOLDER, "a copy never builds into the developer's .cache/"


def test_the_preview_watches_every_input_and_nothing_else(tmp_path):
    copy = repository().copy(tmp_path / "copy")
    (copy.root / "notes.txt").write_text("not an input", encoding="utf-8")
    folders, files = copy.watched()
    assert sorted(p.relative_to(copy.root).as_posix() for p in folders + files) == sorted(
        name for name in INPUTS if (copy / name).exists())
    assert all(any(schema == name or schema.startswith(name + "/") for name in INPUTS) for schema in SCHEMAS)


def test_check_reads_each_input_once(tmp_path, monkeypatch):
    copy = repository().copy(tmp_path / "copy")
    reads: collections.Counter = collections.Counter()
    opened = io.open

    def counting(file, *args, **kwargs):
        reads[str(file)] += 1
        return opened(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)  # Path.read_text, read_bytes and open
    monkeypatch.setattr(builtins, "open", counting)
    load_inputs(copy)
    inside = {name: count for name, count in reads.items() if name.startswith(str(copy.root))}
    assert str(copy / "content" / "site.yaml") in inside and str(copy / "data" / "defector_arrivals.csv") in inside
    assert {name: count for name, count in inside.items() if count > 1} == {}


def test_a_project_of_its_own_builds_with_the_contracts_it_holds(tmp_path):
    project = golden.copy(tmp_path)
    out = io.StringIO()
    assert build(project, out=out) == 0, out.getvalue()
    assert (project.site_dir / "index.html").is_file() and (project.cache_dir).is_dir()
    # Its own contract is the one checked (not one beside storymap's code): make it stricter.
    schema = json.loads((project / SITE_SCHEMA).read_text(encoding="utf-8"))
    schema["required"].append("publisher")
    (project / SITE_SCHEMA).write_text(json.dumps(schema), encoding="utf-8")
    out = io.StringIO()
    assert run_check(project, out) == 1
    assert "content/site.yaml" in out.getvalue() and "publisher" in out.getvalue()


def test_a_project_without_a_contract_is_told_which_and_how_to_restore_it(tmp_path):
    project = golden.copy(tmp_path)
    (project / REFERENCES_SCHEMA).unlink()
    out = io.StringIO()
    assert run_check(project, out) == 1
    assert f"{REFERENCES_SCHEMA}: is missing" in out.getvalue() and "git checkout" in out.getvalue()
    assert "Traceback" not in out.getvalue()


def test_an_installed_storymap_checks_a_project_anywhere(tmp_path):
    """storymap as `pip install .` places it (the package and its package data, away from the
    repository), run from another folder on a project folder: `check` passes."""
    installed = tmp_path / "site-packages"
    shutil.copytree(ROOT / "storymap", installed / "storymap", ignore=shutil.ignore_patterns("__pycache__"))
    project = repository().copy(tmp_path / "story")
    code = ("import sys, storymap; from storymap.inputs.project import Project; from storymap.commands.run import "
            "run_check; assert storymap.__file__.startswith(sys.argv[2]), storymap.__file__; "
            "sys.exit(run_check(Project(sys.argv[1])))")
    result = subprocess.run([sys.executable, "-c", code, str(project.root), str(installed)], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(installed)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("OK: "), result.stdout  # after any notes
