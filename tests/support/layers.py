"""Layers a test owns: the layers derive makes from ../shared (the map's own data, which no
contribution changes) with the test's own places and routes (tests/fixtures/project-layers)."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.project import ROOT

#: The layers storymap/derive.py writes; contributors own layers/places.geojson and layers/routes/.
DERIVED = ("basemap", "borders.geojson", "cities.geojson", "crossings.geojson", "dmz.geojson", "fences.geojson",
           "rivers.geojson", "sites.geojson")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "project-layers"


def owned_layers(target: Path) -> Path:
    """A layers folder at target: the derived layers, and the fixtures' places and three routes."""
    target.mkdir(parents=True, exist_ok=True)
    for name in DERIVED:
        (shutil.copytree if (ROOT / "layers" / name).is_dir() else shutil.copy2)(ROOT / "layers" / name, target / name)
    shutil.copy2(FIXTURES / "places.geojson", target / "places.geojson")
    shutil.copytree(FIXTURES / "routes", target / "routes")
    return target
