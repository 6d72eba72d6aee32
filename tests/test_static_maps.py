"""Static PNG maps: the right size, the same bytes every build, a real map on them, one per view."""
from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from matplotlib import colors
from matplotlib import image as mpimg

from storymap.commands.pipeline import load_inputs
from storymap.scenes.scenes import build_scene
from storymap.rendering import static_maps
from storymap.rendering.static_maps import (HEIGHT_PX, TITLE_STRIP_PX, WIDTH_PX, MapJob, map_credits,
                                  render_static_map, render_static_maps, static_map_files, static_map_jobs)
from storymap.inputs.kinds import KINDS, SEA
from storymap.inputs.layers import Layer
from tests.support.layers import owned_project


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    """The chapters' scenes with the tests' own routes and places: a contributor's route is drawn
    (faded) on every map of the routes chapter, and may bring its colour or sources into any view."""
    inputs = load_inputs(owned_project(tmp_path_factory.mktemp("static-maps") / "project"))
    return {chapter.slug: build_scene(chapter, inputs.layers) for chapter in inputs.chapters}


def render(scene, step) -> bytes:
    return render_static_map(list(scene.layers), step.view, layers_forward=step.layers, highlight=step.highlight,
                             route_colours=scene.route_colours, title=scene.chapter.title)


def pixels(png: bytes) -> np.ndarray:
    """The image as an (h, w, 3) array of 0-255 integers."""
    return np.rint(mpimg.imread(io.BytesIO(png), format="png")[:, :, :3] * 255).astype(int)


def count_near(image: np.ndarray, hex_colour: str, tolerance: int) -> int:
    target = np.array([round(c * 255) for c in colors.to_rgb(hex_colour)])
    return int((np.abs(image - target).max(axis=2) <= tolerance).sum())


@pytest.fixture(scope="module")
def rivers_step(scenes):
    """The first step of the rivers chapter: the Yalu and the Tumen highlighted."""
    scene = scenes["crossing-the-rivers"]
    step = scene.steps[0]
    assert {"yalu", "tumen"} <= set(step.highlight)
    return scene, step


@pytest.fixture(scope="module")
def rivers_png(rivers_step) -> bytes:
    return render(*rivers_step)


def test_png_has_the_open_graph_size_and_the_same_bytes_every_time(rivers_step, rivers_png):
    assert rivers_png[:8] == b"\x89PNG\r\n\x1a\n"
    assert pixels(rivers_png).shape == (HEIGHT_PX, WIDTH_PX, 3) == (630, 1200, 3)
    assert render(*rivers_step) == rivers_png
    assert b"tIME" not in rivers_png and b"Software" not in rivers_png, "no timestamp, no version in the file"


def test_png_is_a_map_with_sea_land_and_the_highlighted_rivers(rivers_png):
    image = pixels(rivers_png)
    packed = (image[:, :, 0] << 16) | (image[:, :, 1] << 8) | image[:, :, 2]
    # A blank canvas has one colour, a map drawn without antialiasing about 20 (its styles').
    assert len(np.unique(packed)) > 50, "an antialiased map (its edges blend), not a blank canvas"
    map_area = image[TITLE_STRIP_PX:]
    # Pillow maps a pixel to the PNG's palette through a cache of limited precision, which may
    # take a palette colour a level or two off the exact one (invisible): hence a tolerance of 2.
    assert count_near(map_area, SEA, 2) > 20_000, "sea"
    assert count_near(map_area, KINDS["country"].style["fillColor"], 2) > 100_000, "land"
    assert count_near(map_area, KINDS["river"].style["color"], 40) > 2_000, "highlighted rivers"


def test_a_step_without_rivers_has_no_river_colour(scenes):
    scene = scenes["the-long-way-out"]
    step = scene.steps[0]  # across China: routes, borders and cities; rivers faded
    image = pixels(render(scene, step))
    assert count_near(image, KINDS["river"].style["color"], 25) < 50
    assert count_near(image, scene.route_colours["routes/china-laos-thailand"], 30) > 1_000, "the route"


def test_one_image_per_chapter_and_per_step_with_its_own_view(scenes):
    chosen = {slug: scenes[slug] for slug in ("crossing-the-rivers", "enforcement")}
    files = static_map_files(chosen)
    expected = set()
    for slug, scene in chosen.items():
        expected.add(f"{slug}/map.png")
        expected |= {f"{slug}/steps/{s.id}.png" for s in scene.steps[1:] if s.view != scene.steps[0].view}
    assert set(files) == expected
    assert "crossing-the-rivers/steps/the-pandemic-years.png" not in files, "same view as the first step"
    assert files["crossing-the-rivers/map.png"] == render(*next(
        (scenes["crossing-the-rivers"], s) for s in scenes["crossing-the-rivers"].steps[:1]))


def test_credits_name_only_the_sources_on_the_map(tmp_path):
    """Fixtures of the test's own: a contributor's route or place may bring any source into any view."""
    from shapely.geometry import LineString, Point, box

    def layer(name, *features):
        return Layer(name, tmp_path / f"{name}.geojson", None, [
            {"id": f"{name}-{n}", "name": f"{name} {n}", "kind": kind, "sources": [source], "geometry": geometry}
            for n, (kind, source, geometry) in enumerate(features)])

    layers = [layer("countries", ("country", "naturalearth", box(100.0, 15.0, 130.0, 45.0))),
              layer("rivers", ("river", "openstreetmap", LineString([(124.2, 40.0), (124.6, 40.3)]))),
              layer("cities", ("city", "geonames", Point(102.6, 17.97)))]
    river_view, mekong_view = {"center": [40.1, 124.4], "zoom": 9}, {"center": [18.0, 102.6], "zoom": 9}
    assert "OpenStreetMap" in map_credits(layers, river_view)
    credits = map_credits(layers, mekong_view)
    assert "OpenStreetMap" not in credits and "GeoNames" in credits and "Natural Earth" in credits


def test_highlighted_features_are_drawn_above_every_other_at_every_step(scenes):
    from storymap.scenes.projection import view_extent
    from storymap.core.memo import ByIdentity
    from storymap.rendering.static_maps import _draw_order, _prepare

    failures = []
    for slug, scene in scenes.items():
        for step in scene.steps:
            extent = view_extent(step.view, WIDTH_PX, HEIGHT_PX - TITLE_STRIP_PX)
            drawn = _prepare(list(scene.layers), extent, (extent[2] - extent[0]) / WIDTH_PX, set(step.layers),
                             set(step.highlight), scene.route_colours, ByIdentity(limit=256))
            by_kind: dict = {}
            for item in drawn:
                by_kind.setdefault(item.feature["kind"], []).append(item)
            order = _draw_order(by_kind)
            assert sum(len(items) for _, _, items in order) == len(drawn), "every feature is drawn once"
            top = [z for z, _, items in order if items[0].highlighted]
            others = [z for z, _, items in order if not items[0].highlighted]
            if step.highlight and not top:
                failures.append(f"{slug}#{step.id}: no highlighted feature drawn")
            if top and others and min(top) <= max(others):
                failures.append(f"{slug}#{step.id}: a highlighted feature is drawn under another feature")
    assert not failures, "\n".join(failures)


def test_a_map_drawn_with_its_other_editions_is_the_map_drawn_alone(scenes):
    """The maps of one view in every edition share one drawing of their art: sharing must not
    change a byte, or a map drawn alone (its cache entry missing) would differ from a full build."""
    scene = scenes["crossing-the-rivers"]
    step = scene.steps[1]
    english = MapJob(tuple(scene.layers), step.view, layers_forward=step.layers, highlight=step.highlight,
                     route_colours=scene.route_colours, title=scene.chapter.title)
    renamed = tuple(dataclasses.replace(layer, features=[{**f, "name": f["name"].upper()} for f in layer.features])
                    for layer in scene.layers)
    shouting = dataclasses.replace(english, scene_layers=renamed, title=scene.chapter.title.upper())
    together = render_static_maps([english, shouting])
    assert static_maps.art_key(english) == static_maps.art_key(shouting), "one art for both"
    assert together[0] != together[1], "each with its own words"
    assert together == [render_static_maps([english])[0], render_static_maps([shouting])[0]]


def test_a_static_map_job_is_a_typed_object_that_refuses_a_missing_or_misspelt_field(scenes):
    """A job says what a map shows in named fields: a job without a title, or with a field no map
    has, is refused where it is made, not drawn with a default (or a KeyError) in a worker."""
    jobs = static_map_jobs(scenes, font="DejaVu Sans")
    job = jobs["crossing-the-rivers/map.png"]
    assert isinstance(job, MapJob) and job.font == "DejaVu Sans" and job.title
    assert (job.width_px, job.height_px) == (static_maps.WIDTH_PX, static_maps.HEIGHT_PX)
    with pytest.raises(TypeError):
        MapJob(job.scene_layers, job.view, job.layers_forward, job.highlight, job.route_colours)
    with pytest.raises(TypeError):
        dataclasses.replace(job, titel="A typo")
