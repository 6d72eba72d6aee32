"""The build cache: what names an entry, what invalidates it, and citations formatted once."""
from __future__ import annotations

import dataclasses
import functools
import shutil
import sys

import pytest
from shapely.geometry import Point

from storymap.cache import renderers as cached

from storymap.inputs import layers
from storymap.cache.store import BuildCache, code_fingerprint, fingerprint, keep_code
from storymap.cache.renderers import CachedBibliography
from storymap.cache.session import BuildSession
from storymap.inputs.layers import Layer
from storymap.inputs.references import Bibliography, Cite
from storymap.inputs.project import FEATURE_SCHEMA, REFERENCES_SCHEMA
from storymap.inputs.project import Project
from storymap.rendering.static_maps import MapJob
from tests.support.project import ROOT, repository
from tests.test_rendering import ITEMS


def job(layer: Layer, **changes) -> MapJob:
    return MapJob(**{"scene_layers": (layer,), "view": {"center": [40.1, 124.4], "zoom": 9},
                     "layers_forward": ("sites",), "highlight": ("site-dandong",), "route_colours": {},
                     "title": "Enforcement", **changes})


def map_key(job: MapJob) -> str:
    return cached.map_key(job, BuildSession())


@pytest.fixture
def layer(tmp_path) -> Layer:
    feature = {"id": "site-dandong", "name": "Dandong", "kind": "site", "sources": ["a"], "geometry": Point(124.4, 40.1)}
    return Layer("sites", tmp_path / "layers" / "sites.geojson", None, [feature])


def test_a_static_map_is_redrawn_when_anything_it_is_drawn_from_changes(layer):
    key = map_key(job(layer))
    moved = dataclasses.replace(layer, features=[{**layer.features[0], "geometry": Point(124.41, 40.1)}])
    renamed = dataclasses.replace(layer, features=[{**layer.features[0], "name": "Dandong city"}])
    for changed in (job(moved), job(renamed), job(layer, title="Enforcement!"), job(layer, highlight=()),
                    job(layer, view={"center": [40.1, 124.4], "zoom": 8}), job(layer, font="Noto Sans CJK KR"),
                    job(layer, kind_labels={"site": "구금 시설"})):
        assert map_key(changed) != key
    elsewhere = dataclasses.replace(layer, path=layer.path.parent.parent / "copy" / "sites.geojson")
    assert map_key(job(elsewhere)) == key, "moving the project keeps the cache"


@pytest.mark.parametrize("kept", [False, True], ids=["followed", "kept in the cache"])
def test_the_code_fingerprint_follows_the_modules_a_module_imports(monkeypatch, tmp_path, kept):
    """Through sub-packages, relative and absolute imports, imports inside functions and
    `from . import x`, but never into modules the map is not drawn with; the same when the
    modules found are kept in the build cache, which never hides a change."""
    files = {
        "pkg/__init__.py": "",
        "pkg/render/__init__.py": "from .drawing import draw\n",
        "pkg/render/drawing.py": "from ..inputs.style import COLOUR\nfrom . import units\n"
                                 "def draw():\n    import pkg.inputs.fonts\n",
        "pkg/render/units.py": "PX = 1\n",
        "pkg/inputs/__init__.py": "",
        "pkg/inputs/style.py": "COLOUR = 'red'\n",
        "pkg/inputs/fonts.py": "FONT = 'sans'\n",
        "pkg/pages.py": "TITLE = 'x'\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [name for name in sys.modules if name.partition(".")[0] == "pkg"]:
        monkeypatch.delitem(sys.modules, name)  # another test's pkg, which finding a module would import from
    cache = BuildCache(tmp_path / "cache") if kept else None
    if kept:  # as the head start does: every module's imports followed first, none of them run
        keep_code("pkg", cache)
        assert not [name for name in sys.modules if name.partition(".")[0] == "pkg"], "nothing imported"
    unkept = functools.partial(code_fingerprint, "pkg.render.drawing", ("pillow",))
    drawing = functools.partial(code_fingerprint, "pkg.render.drawing", ("pillow",), cache=cache)
    before = drawing()
    assert drawing() == before == unkept()
    (tmp_path / "pkg/pages.py").write_text("TITLE = 'y'\n", encoding="utf-8")
    assert drawing() == before, "a module drawing does not import"
    for name in ("pkg/inputs/style.py", "pkg/render/units.py", "pkg/inputs/fonts.py", "pkg/inputs/__init__.py",
                 "pkg/render/__init__.py"):
        (tmp_path / name).write_text((tmp_path / name).read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
        assert drawing() != before, name
        before = drawing()
        assert before == unkept(), name
    (tmp_path / "pkg/render/drawing.py").write_text("from . import units\n", encoding="utf-8")
    assert drawing() == unkept() != before, "an import removed"
    assert code_fingerprint("pkg.render.drawing", ("pillow", "numpy"), cache=cache) != drawing(), \
        "library versions count"


def test_the_code_fingerprint_refuses_a_name_that_is_no_module():
    """A short name (`static_maps` for storymap.rendering.static_maps) would fingerprint no code at
    all: what is cached by it would be served after the code changed."""
    with pytest.raises(ValueError, match="full name"):
        code_fingerprint("static_maps", ())


def test_the_maps_code_fingerprint_covers_the_modules_that_draw_them():
    from storymap.cache.store import _local_imports, _source_path
    seen, todo = set(), ["storymap.rendering.static_maps"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_local_imports(name, _source_path(name)))
    assert {"storymap.rendering.static_maps", "storymap.rendering.map_text", "storymap.scenes.projection", "storymap.inputs.kinds"} <= seen


def test_each_citation_is_formatted_once_and_a_second_build_formats_none(tmp_path, monkeypatch):
    calls = []
    original = Bibliography.cite
    monkeypatch.setattr(Bibliography, "cite", lambda self, cites: calls.append(cites) or original(self, cites))
    cache = BuildCache(tmp_path)
    first = CachedBibliography(ITEMS, cache)
    texts = [first.cite([Cite("ahn-2018", ("page", "4"))]) for _ in range(3)] + [first.cite([Cite("ahn-2018")])]
    assert texts[0] == texts[1] == texts[2] == "(Ahn, 2018, p. 4)" and texts[3] == "(Ahn, 2018)"
    assert len(calls) == 2
    first.save()
    second = CachedBibliography(ITEMS, cache)
    assert second.cite([Cite("ahn-2018", ("page", "4"))]) == texts[0]
    assert second.ordered_keys() == Bibliography(ITEMS).ordered_keys() == ["ahn-2018", "park-baptista-2024"]
    assert second.entry("ahn-2018") == Bibliography(ITEMS).entry("ahn-2018")
    assert len(calls) == 2, "the second build read every citation from the cache"
    assert "_engine" not in vars(second) and "_formatted_entries" not in vars(second), "and never loaded citeproc"
    changed = {**ITEMS, "ahn-2018": {**ITEMS["ahn-2018"], "issued": {"date-parts": [[2019]]}}}
    assert CachedBibliography(changed, cache).cite([Cite("ahn-2018")]) == "(Ahn, 2019)"


def test_fingerprints_are_canonical():
    assert fingerprint({"a": 1, "b": [Point(1, 2)]}) == fingerprint({"b": [Point(1, 2)], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_the_layers_are_checked_again_only_when_a_file_under_layers_changes(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "layers", tmp_path / "layers")
    checked = []
    original = layers.load_layers
    monkeypatch.setattr(layers, "load_layers", lambda *args: checked.append(args) or original(*args))
    session = BuildSession()
    first = cached.load_layers(tmp_path / "layers", None, ROOT / FEATURE_SCHEMA, session)
    assert cached.load_layers(tmp_path / "layers", None, ROOT / FEATURE_SCHEMA, session) == first and len(checked) == 1
    rivers = tmp_path / "layers" / "rivers.geojson"
    rivers.write_text(rivers.read_text(encoding="utf-8").replace('"name":"Yalu', '"name":"Amnok', 1), encoding="utf-8")
    again = cached.load_layers(tmp_path / "layers", None, ROOT / FEATURE_SCHEMA, session)
    assert len(checked) == 2
    assert "Amnok" in {f["name"][:5] for layer in again for f in layer.features}


def test_map_data_from_the_cache_serves_a_clone_of_the_project_in_another_folder(tmp_path, monkeypatch):
    from pathlib import Path

    from storymap.rendering import maps
    from storymap.scenes.scenes import build_scene
    from tests.test_maps import BIBLIOGRAPHY
    from tests.test_scenes import CLOSE, LAYERS, WIDE, chapter

    made = []
    original = maps.map_data
    monkeypatch.setattr(maps, "map_data", lambda *args: made.append(args) or original(*args))
    here = chapter(WIDE, CLOSE)
    for folder in ("/home/one/between-borders", "/tmp/ci/clone"):
        moved = dataclasses.replace(here, path=Path(folder, "chapters", "01-test.md"))
        # a fresh session: only the cache folder remains
        data = cached.map_data(build_scene(moved, LAYERS), BIBLIOGRAPHY, BuildCache(tmp_path), BuildSession())
    assert len(made) == 1, "the second folder's build drew no map data: the cache's keys hold no folder"
    other = cached.map_data(build_scene(chapter(CLOSE, WIDE), LAYERS), BIBLIOGRAPHY, BuildCache(tmp_path),
                            BuildSession())
    assert len(made) == 2 and other != data, "a chapter whose steps differ is drawn anew"


def test_a_changed_layer_makes_only_its_own_part_of_the_map_data_again(tmp_path, monkeypatch):
    from storymap.rendering import maps
    from storymap.scenes.scenes import build_scene
    from tests.test_maps import BIBLIOGRAPHY
    from tests.test_scenes import CLOSE, LAYERS, WIDE, chapter

    made = []
    original = maps.layer_data
    monkeypatch.setattr(maps, "layer_data", lambda scene, layer, *args: made.append(layer.id) or
                        original(scene, layer, *args))
    scene = build_scene(chapter(WIDE, CLOSE), LAYERS)
    first = cached.map_data(scene, BIBLIOGRAPHY, BuildCache(tmp_path), BuildSession())
    assert first == maps.map_data(scene, BIBLIOGRAPHY), "the parts make the map data they make without the cache"
    rivers = next(layer for layer in LAYERS if layer.id == "rivers")
    renamed = dataclasses.replace(rivers, features=[{**rivers.features[0], "name": "Amnok"}])
    changed = build_scene(chapter(WIDE, CLOSE), [renamed if layer is rivers else layer for layer in LAYERS])
    made.clear()
    data = cached.map_data(changed, BIBLIOGRAPHY, BuildCache(tmp_path), BuildSession())  # a fresh build
    assert made == ["rivers"], "the layers that did not change came from the cache"
    assert data == maps.map_data(changed, BIBLIOGRAPHY) != first


def test_a_map_shell_from_the_cache_is_the_one_folium_renders_and_follows_its_inputs(tmp_path):
    from storymap.rendering import maps
    from storymap.scenes.scenes import build_scene
    from tests.test_maps import BIBLIOGRAPHY
    from tests.test_scenes import CLOSE, LAYERS, WIDE, chapter

    scene = build_scene(chapter(WIDE, CLOSE), LAYERS)
    data = maps.map_data(scene, BIBLIOGRAPHY)
    drawn = maps.render_map(scene, data, asset_prefix="../assets/", label="A map")
    assert cached.render_map(scene, data, BuildCache(tmp_path), BuildSession(), asset_prefix="../assets/",
                             label="A map") == drawn
    assert any(tmp_path.rglob("*.json")), "the shell was kept in the cache folder"
    session = BuildSession()  # as a fresh build would: only the cache folder remains
    assert cached.render_map(scene, data, BuildCache(tmp_path), session, asset_prefix="../assets/", label="A map") == drawn
    other = cached.render_map(scene, data, BuildCache(tmp_path), session, asset_prefix="../assets/", label="Another map")
    assert "Another map" in other.html and other != drawn
    # Other map data (a route added): the kept shell with that data, as folium renders it; no shell rendered.
    changed = dataclasses.replace(data, config_json=data.config_json.replace('"layers":', '"layers" :', 1))
    shells = sorted(tmp_path.rglob("*.json"))
    expected = maps.render_map(scene, changed, asset_prefix="../assets/", label="A map")
    assert cached.render_map(scene, changed, BuildCache(tmp_path), BuildSession(), asset_prefix="../assets/",
                             label="A map") == expected
    assert expected != drawn and sorted(tmp_path.rglob("*.json")) == shells


def test_citations_formatted_ahead_are_every_one_an_editions_pages_make(tmp_path, monkeypatch):
    """On an empty cache the worker processes format each edition's citations while the pages
    render: if they missed one, the main process would load citeproc and format it itself."""
    from concurrent.futures import Future

    from storymap.commands import pipeline

    inputs = pipeline.load_inputs(repository())

    def at_once(function, *args):  # a pool's submit, run here
        done = Future()
        done.set_result(function(*args))
        return done

    # A session without a head start: the workers format the entries too.
    builds = pipeline.edition_builds(inputs, BuildCache(tmp_path), BuildSession())
    for build in builds:
        build.bibliography.prefetch(build.citations(), at_once)
    monkeypatch.setattr(Bibliography, "cite", lambda self, cites: pytest.fail(f"{self.locale}: {cites} not ahead"))
    for build in builds:
        pages = build.pages(ROOT / "templates", pipeline.Progress(None))
        assert any("class=\"cite\"" in page for page in pages.values() if isinstance(page, str))
        assert "_formatted_entries" not in vars(build.bibliography), f"{build.edition.code}: entries formatted here"


@pytest.fixture
def head_start():
    from storymap.cache import head_start

    started = []
    yield lambda project: started.append(head_start.start(project)) or started[-1]
    for process in started:
        process.stop()


def test_the_head_start_formats_each_editions_reference_list_the_cache_lacks(tmp_path, head_start):
    from storymap.inputs.editions import EDITIONS
    from storymap.inputs.references import load_references
    from storymap.cache.head_start import cache_key

    items = load_references(ROOT / "references.json", ROOT / REFERENCES_SCHEMA)
    locales = list(dict.fromkeys(edition.csl_locale for edition in EDITIONS))
    assert len(locales) == 3
    cache = BuildCache(tmp_path)
    cache.write("citations", cache_key(items, locales[1]), ".json", b"{}")  # this one is cached
    started = head_start(Project(ROOT, cache_dir=tmp_path))
    assert started.started()
    english, formatted_here = started.entries(cache_key(items, locales[0])), Bibliography(items, locales[0])
    assert english == {key: formatted_here.entry(key) for key in formatted_here.ordered_keys()}
    assert list(english) == formatted_here.ordered_keys(), "in the list's order"
    assert started.entries(cache_key(items, locales[1])) is None, "nothing for what the cache has"
    assert started.entries(cache_key(items, locales[2])), "the third edition's"
    assert started.entries(cache_key(items, locales[0])) is None, "each list is taken once"
    session = BuildSession(head_start=started)
    session.end_build()
    assert not started.started() and session.head_start is None, "a build's head start ends with it"


def test_a_head_start_that_cannot_read_the_references_leaves_the_build_to_report_it(tmp_path, head_start):
    from storymap.cache.head_start import cache_key

    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "references.json").write_text("{not json", encoding="utf-8")
    assert head_start(Project(tmp_path, cache_dir=tmp_path / ".cache")).entries(cache_key({}, "en-US")) is None


def test_the_offline_copy_is_packed_again_only_when_a_file_in_it_changes(tmp_path, monkeypatch):
    from storymap.rendering import offline

    packed = []
    original = offline.offline_copy
    monkeypatch.setattr(offline, "offline_copy", lambda files, assets, deflated=None: packed.append(1) or original(files, assets, deflated))
    (tmp_path / "story.css").write_text("body{}", encoding="utf-8")
    assets = {"assets/story.css": tmp_path / "story.css"}
    cache = BuildCache(tmp_path / "cache")
    files = {"index.html": '<a href="hunger/">Hunger</a>', "hunger/map.png": b"\x89PNG"}
    first = cached.offline_copy(files, assets, cache)
    assert cached.offline_copy(dict(files), assets, cache) == first and len(packed) == 1
    second = cached.offline_copy({**files, "hunger/map.png": b"\x89PNG2"}, assets, cache)
    assert second != first and len(packed) == 2
    assert second == original({**files, "hunger/map.png": b"\x89PNG2"}, assets), "the same bytes as packed afresh"
    (tmp_path / "story.css").write_text("body{color:red}", encoding="utf-8")
    assert cached.offline_copy({**files, "hunger/map.png": b"\x89PNG2"}, assets, cache) != second
    assert len(packed) == 3 and len(list((tmp_path / "cache" / "offline").iterdir())) == 1, "only the latest kept"


def test_a_build_does_not_wait_for_a_head_start_that_takes_too_long(tmp_path, head_start, monkeypatch):
    from storymap.cache import head_start as module
    from storymap.inputs.references import load_references
    from storymap.cache.head_start import cache_key

    items = load_references(ROOT / "references.json", ROOT / REFERENCES_SCHEMA)
    monkeypatch.setattr(module, "WAIT_SECONDS", 0)  # it takes longer than this to format a list
    started = head_start(Project(ROOT, cache_dir=tmp_path))
    assert started.entries(cache_key(items, "en-US")) is None
    assert not started.started(), "the process is given up on"


def test_a_static_map_is_kept_while_what_it_shows_is_unchanged():
    """A route added elsewhere changes legs' lists of routes and legs far away, not the map."""
    from pathlib import Path

    from shapely.geometry import LineString

    def job(*features):
        flows = Layer("flows", Path("flows"), None, list(features))
        return MapJob((flows,), {"center": [21.18, 101.67], "zoom": 10}, layers_forward=("flows",),
                      highlight=(), route_colours={}, title="Into Laos")

    def leg(leg_id, coords, routes, weight=3.0):
        return {"id": leg_id, "name": leg_id, "kind": "route", "sources": ["king-2023", "geonames"], "precision": "schematic",
                "geometry": LineString(coords), "routes": routes, "colour": "#009e73", "corridor": "THA", "weight": weight}

    near = [(101.5, 21.5), (101.67, 21.18)]
    far = [(116.4, 39.9), (123.4, 41.8)]  # Beijing to Shenyang, far outside the view
    key = map_key(job(leg("near", near, ["route-a"]), leg("far", far, ["route-a"])))
    assert map_key(job(leg("near", near, ["route-b"]), leg("far", far, ["route-a"]))) == key, "routes listed"
    assert map_key(job(leg("near", near, ["route-a"]), leg("far", far, ["route-a", "route-b"], 5.5))) == key
    assert map_key(job(leg("near", near, ["route-a"], 5.5), leg("far", far, ["route-a"]))) != key, "its width"


def test_the_downloads_made_in_a_worker_are_those_made_here_and_are_remembered(layer, tmp_path):
    import os

    from storymap.core.progress import Progress
    from storymap.rendering import downloads

    arrivals = (ROOT / "data" / "defector_arrivals.csv").read_bytes()
    references = {"a": {"id": "a", "type": "article", "title": "T"}}
    session = BuildSession()
    made = cached.Downloads([layer], references, arrivals, session)
    assert set(made.background) == {"downloads"}
    pool = cached.StaticMaps(None, BuildCache(tmp_path), Progress(None), session, jobs={},
                             background={**made.background, "process": os.getpid})
    if cached._workers() > 1:
        assert pool.result("process") != os.getpid(), "made in a worker process"
    assert made.files(pool) == downloads.download_files([layer], references, arrivals)
    pool.files()
    assert cached.Downloads([layer], references, arrivals, session).background == {}, "remembered: not made again"


def test_compiled_templates_are_kept_in_the_build_cache_and_an_edited_one_is_compiled_again(tmp_path, monkeypatch):
    """A fresh process (the next build) reads the compiled templates instead of compiling them; a
    template edited since is compiled again, and its page shows the edit."""
    from jinja2 import Environment

    from storymap.cache.templates import CompiledTemplates
    from storymap.rendering.pages import environment

    folder, store = tmp_path / "templates", BuildCache(tmp_path / "cache")
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ _('Sources') }}: {{ n }}</p>\n", encoding="utf-8")

    def page() -> str:  # each time in a new session, as in a new process
        return environment(folder, compiled=CompiledTemplates(store)).get_template("page.html").render(n=1)

    first = page()
    compiled = []
    original = Environment.compile
    monkeypatch.setattr(Environment, "compile", lambda self, *args, **kwargs: compiled.append(args[1:2]) or
                        original(self, *args, **kwargs))
    assert page() == first == "<p>Sources: 1</p>\n" and not compiled, "read from the cache, not compiled"
    (folder / "page.html").write_text("<p>{{ _('Sources') }}: {{ n }}!</p>\n", encoding="utf-8")
    assert page() == "<p>Sources: 1!</p>\n" and compiled == [("page.html",)], "the edited template compiled again"
    moved = tmp_path / "moved"  # a clone, or the project moved: its templates are those already compiled
    folder.rename(moved)
    folder = moved
    assert page() == "<p>Sources: 1!</p>\n" and compiled == [("page.html",)], "read from the cache in another folder"


def test_checked_layers_are_kept_in_the_build_cache_and_an_edited_layer_is_checked_again(tmp_path, monkeypatch):
    """The next build (a new session) reads the checked layers instead of checking them; after an
    edit to a layer file they are checked again and show the edit; layers with a problem are not kept."""
    from storymap.core.problems import InputError
    from storymap.inputs.project import LAYERS
    from tests import golden

    project, cache = golden.copy(tmp_path / "project"), BuildCache(tmp_path / "cache")
    checked = []
    original = layers.load_layers
    monkeypatch.setattr(layers, "load_layers", lambda *args: checked.append(args) or original(*args))

    def load() -> list[Layer]:
        return cached.load_layers(project / LAYERS, None, project / FEATURE_SCHEMA, BuildSession(), cache)

    first = load()
    assert load() == first and len(checked) == 1, "the second session read them from the cache"
    cities = project / LAYERS / "cities.geojson"
    text = cities.read_text(encoding="utf-8")
    name = first[0].features[0]["name"]
    cities.write_text(text.replace(f'"{name}"', f'"{name} (edited)"', 1), encoding="utf-8")
    assert load()[0].features[0]["name"] == f"{name} (edited)" and len(checked) == 2
    cities.write_text(text.replace('"kind"', '"kinds"', 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError):
            load()
    assert len(checked) == 4, "layers with a problem are checked every time"


def test_the_studio_words_kept_in_the_build_cache_follow_an_edit_to_the_studio_page(tmp_path, monkeypatch):
    from storymap.inputs import studio_words as studio

    page, cache = tmp_path / "studio.html", BuildCache(tmp_path / "cache")
    html_pattern = next(iter(studio.PAGE_SOURCES.values()))
    monkeypatch.setattr(studio, "PAGE_SOURCES", {page: html_pattern})
    monkeypatch.setattr(studio, "studio_words", functools.cache(studio.studio_words.__wrapped__))
    page.write_text('<p>{{ _("Where did it start?") }}</p>\n', encoding="utf-8")
    first = cached.studio_words(cache)
    assert "Where did it start?" in first and first == studio.studio_words()
    assert cached.studio_words(cache) == first
    page.write_text('<p>{{ _("Where did it end?") }}</p>\n', encoding="utf-8")
    studio.studio_words.cache_clear()  # as a new process
    assert "Where did it end?" in cached.studio_words(cache) and "Where did it start?" not in cached.studio_words(cache)


def test_the_downloads_are_kept_in_the_build_cache_and_made_again_when_their_inputs_change(layer, tmp_path):
    from storymap.rendering import downloads

    arrivals = (ROOT / "data" / "defector_arrivals.csv").read_bytes()
    references = {"a": {"id": "a", "type": "article", "title": "T"}}
    cache = BuildCache(tmp_path)
    first = cached.Downloads([layer], references, arrivals, BuildSession(), cache=cache)
    assert set(first.background) == {"downloads"}
    files = first.files()
    kept = cached.Downloads([layer], references, arrivals, BuildSession(), cache=cache)  # as the next process
    assert kept.background == {}, "kept in the cache: not made again"
    assert kept.files() == files == downloads.download_files([layer], references, arrivals)
    changed = {"a": {**references["a"], "title": "T2"}}
    again = cached.Downloads([layer], changed, arrivals, BuildSession(), cache=cache)
    assert set(again.background) == {"downloads"}
    assert again.files() == downloads.download_files([layer], changed, arrivals) != files
