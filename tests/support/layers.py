"""Layers a test owns: the layers derive makes from ../shared (the map's own data, which no
contribution changes) with the test's own places and routes (tests/fixtures/project-layers)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.support.project import ROOT, copy_project

#: The layers storymap/tools/derive.py writes; contributors own layers/places.geojson and layers/routes/.
DERIVED = ("basemap", "borders.geojson", "cities.geojson", "crossings.geojson", "dmz.geojson", "fences.geojson",
           "rivers.geojson", "sites.geojson")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "project-layers"
#: Files of content/ that name features by id: a contributor may add a place's names or aliases.
FEATURE_NAMING = ("content/aliases.yaml", "content/*/places.yaml")
#: Where the project cites a work by its key (storymap/, which is not copied, holds the figures' captions).
CITING, CITING_FILES = ("chapters", "content", "layers", "templates", "data"), (".md", ".yaml", ".geojson", ".py", ".html")


def owned_layers(target: Path) -> Path:
    """A layers folder at target: the derived layers, and the fixtures' places and three routes."""
    target.mkdir(parents=True, exist_ok=True)
    for name in DERIVED:
        (shutil.copytree if (ROOT / "layers" / name).is_dir() else shutil.copy2)(ROOT / "layers" / name, target / name)
    shutil.copy2(FIXTURES / "places.geojson", target / "places.geojson")
    shutil.copytree(FIXTURES / "routes", target / "routes")
    return target


def owned_project(target: Path, uncited_references: bool = True) -> Path:
    """A copy of the project whose contributed layers are the tests' own: the fixtures' places and
    routes in layers/, and no names or aliases in content/ of features they lack. A contributor's
    route or place (its file name, id or name) then never meets one a test adds. With
    uncited_references=False, references.json keeps only the works something in the copy cites, so a
    contributor's reference is not among a search's suggestions either; else it stays the project's
    (contributors only add to it: a test's new reference takes the key reference_key gives it)."""
    project = copy_project(target)
    shutil.rmtree(project / "layers" / "routes")
    shutil.copytree(FIXTURES / "routes", project / "layers" / "routes")
    shutil.copy2(FIXTURES / "places.geojson", project / "layers" / "places.geojson")
    ids = {f["properties"]["id"] for path in (project / "layers").rglob("*.geojson")
           for f in json.loads(path.read_text(encoding="utf-8"))["features"]}
    for pattern in FEATURE_NAMING:
        for path in project.root.glob(pattern):
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            path.write_text(yaml.safe_dump({k: v for k, v in entries.items() if k in ids}, allow_unicode=True,
                                           sort_keys=False, width=1000), encoding="utf-8")
    if not uncited_references:
        cited = "\n".join(path.read_text(encoding="utf-8", errors="replace")
                          for folder in [*(project / name for name in CITING), ROOT / "storymap"]
                          for path in folder.rglob("*") if path.suffix in CITING_FILES and path.is_file())
        references = json.loads((project / "references.json").read_text(encoding="utf-8"))
        (project / "references.json").write_text(json.dumps([item for item in references if item["id"] in cited],
                                                            indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return project
