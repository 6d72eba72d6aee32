"""The build as a whole: reproducible, self-contained, and all-or-nothing."""
from __future__ import annotations

import io
import json
import re

from build import build
from storymap.inputs.project import Project
from tests.support.project import ROOT, copy_project, snapshot


def test_builds_from_an_empty_cache_and_a_warm_one_are_byte_identical(tmp_path):
    """Two builds from empty caches (the renderers are deterministic) and one from a warm cache
    (what the cache gives back is what the renderers made) write the same bytes."""
    outputs = {}
    for name, cache in (("cold", "one"), ("warm", "one"), ("other cold", "two")):
        out = io.StringIO()
        assert build(Project(ROOT, site_dir=tmp_path / name, cache_dir=tmp_path / cache), out=out) == 0, out.getvalue()
        outputs[name] = out.getvalue()
    maps = len([p for p in (tmp_path / "cold").rglob("*.png") if p.name == "map.png" or p.parent.name == "steps"])
    assert maps > 20 and "from the cache" not in outputs["cold"]
    assert f"{maps} static maps ({maps} from the cache)" in outputs["warm"]
    cold, warm, other = (snapshot(tmp_path / name) for name in ("cold", "warm", "other cold"))
    assert cold and cold == warm == other
    assert not list(tmp_path.glob("*/.cache")), "the cache lives where it is told, not in site/"


def test_pages_and_scripts_reference_only_the_site_itself(tmp_path):
    assert build(Project(ROOT, site_dir=tmp_path / "site"), out=io.StringIO()) == 0
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loads = re.finditer(r'<(?:script|img|iframe)\b[^>]*\bsrc="([^"]+)"'
                            r'|<link\b(?=[^>]*\brel="(?:stylesheet|icon|preload|modulepreload)")[^>]*\bhref="([^"]+)"', text)
        for match in loads:
            url = match.group(1) or match.group(2)
            assert not re.match(r"(?:[a-z]+:)?//", url), f"{page} loads {url}"
    for script in (tmp_path / "site").rglob("map.js"):
        assert "cdn" not in script.read_text(encoding="utf-8").lower()


def test_failed_build_leaves_the_previous_site_untouched(tmp_path):
    project = copy_project(tmp_path / "project")
    assert build(project, out=io.StringIO()) == 0
    before = snapshot(project / "site")
    (project / "layers" / "rivers.geojson").write_text("{ not json", encoding="utf-8")
    out = io.StringIO()
    assert build(project, out=out) == 1
    assert "layers/rivers.geojson" in out.getvalue()
    assert "Traceback" not in out.getvalue()
    assert snapshot(project / "site") == before
    assert not [p.name for p in project.root.iterdir() if p.name.startswith(".site-")], "no staging folder is left behind"


def test_html_in_layer_text_never_reaches_a_page_as_markup(tmp_path):
    project = copy_project(tmp_path / "project")
    rivers_path = project / "layers" / "rivers.geojson"
    rivers = json.loads(rivers_path.read_text(encoding="utf-8"))
    rivers["features"][0]["properties"]["name"] = "Yalu <img src=x onerror=alert(1)>"
    rivers["features"][0]["properties"]["description"] = "</script><script>alert(2)</script>"
    rivers_path.write_text(json.dumps(rivers), encoding="utf-8")
    assert build(project, out=io.StringIO()) == 0
    for path in (project / "site").rglob("*"):
        if path.suffix in (".html", ".js"):
            text = path.read_text(encoding="utf-8")
            assert "<img src=x" not in text and "</script><script>alert" not in text, path
