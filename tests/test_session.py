"""The build session (storymap/cache/session.py): what a build remembers is the session's, never
a module's, so two projects built in one process see nothing of each other's, and a preview's
rebuild reuses what the session kept."""
from __future__ import annotations

import dataclasses
import io
import sys

from storymap.cache.session import BuildSession
from storymap.commands.run import build_site
from storymap.core.memo import ByIdentity
from tests import golden


def _built(project, session: BuildSession) -> None:
    out = io.StringIO()
    assert build_site(project, out, session) == [], out.getvalue()


def _sources(memo: ByIdentity) -> list:
    return [source for source, _result in memo._known.values()]


def test_two_projects_built_in_one_process_see_nothing_of_each_others(tmp_path):
    one, two = golden.copy(tmp_path / "one"), golden.copy(tmp_path / "two")
    first, second = BuildSession(), BuildSession()
    _built(one, first)
    _built(two, second)
    for session, project, other in ((first, one, two), (second, two, one)):
        layers = _sources(session.layer_keys)
        assert layers, "the build fingerprinted its layers in its session"
        assert all(layer.path.is_relative_to(project.root) for layer in layers), "only its own project's layers"
        assert not any(layer.path.is_relative_to(other.root) for layer in _sources(session.projected))
        assert session.templates().compiled, "the templates were compiled into the session"
    assert not set(map(id, _sources(first.worked))) & set(map(id, _sources(second.worked)))


def test_no_module_holds_what_a_build_worked_out(tmp_path):
    """Every memo of a project's results is a session's: none is a module's attribute, where the
    next build in the process (another project's, a test's) would find it."""
    _built(golden.copy(tmp_path), BuildSession())
    from jinja2 import BytecodeCache

    held = [f"{name}.{attribute}" for name, module in sorted(sys.modules.items()) if name.startswith("storymap")
            for attribute, value in vars(module).items() if isinstance(value, (ByIdentity, BytecodeCache))]
    assert held == []


def test_a_session_kept_between_rebuilds_reuses_what_it_remembers(tmp_path, monkeypatch):
    """As the preview's: a rebuild after a chapter edit checks no layer again; a new session
    (another build, a test) starts with nothing (the build cache, a folder, keeps the checked layers
    for the next process: a new one here)."""
    from storymap.inputs import layers

    project = golden.copy(tmp_path)
    checked = []
    original = layers.load_layers
    monkeypatch.setattr(layers, "load_layers", lambda *args: checked.append(args) or original(*args))
    session = BuildSession()
    _built(project, session)
    chapter = next((project / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n<!-- framing -->\nWhat came next?\n", encoding="utf-8")
    _built(project, session)
    assert len(checked) == 1, "the kept session remembered the checked layers"
    _built(dataclasses.replace(project, cache_dir=tmp_path / "another cache"), BuildSession())
    assert len(checked) == 2, "a fresh session remembers nothing"


def test_a_build_ends_its_pool_and_its_head_start(tmp_path):
    from storymap.cache import head_start

    project = golden.copy(tmp_path)
    session = BuildSession(head_start=head_start.start(project))
    started = session.head_start
    _built(project, session)
    assert session.head_start is None and not started.started()
    assert session._pool is None
