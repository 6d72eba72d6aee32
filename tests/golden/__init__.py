"""The golden build: a tiny project (tests/golden/project: two layers, one chapter, two references)
built with the real templates and static files, and compared with what it built before
(tests/golden/expected). Any change to the output shows as a readable diff.

Refresh the expected files on purpose, after a change you mean, with:

    .venv/bin/python -m tests.golden

and commit tests/golden/expected/ with the change that made it differ.

The expected files are a readable view of the site: text files as they are (JSON pretty-printed,
a map script one statement part per line), each PNG as the size and a hash of its pixels (the
drawing, not the zlib stream), the zip as its members (the offline copy as a list of its members
with a hash of each), the assets and Leaflet as a list of names.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

from PIL import Image

from storymap.inputs.project import SCHEMAS, STATIC, TEMPLATES, Project
from storymap.rendering.offline import OFFLINE_PATH

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "project"
EXPECTED = HERE / "expected"
ROOT = HERE.parents[1]
#: The repository's inputs the tiny project builds with (its own are in project/): the pages' and
#: maps' templates and scripts, and the contracts its inputs are checked against.
SHARED = (TEMPLATES, STATIC, *SCHEMAS)
#: The offline copy's size on the educators page: in its row of downloads and in the text.
OFFLINE_SIZE = re.compile(r"(between-borders-offline\.zip\" download>[^<]*</a>(?:</td><td>ZIP</td><td>| \())[\d.,]+( [KM]B)")
TEXT = (".html", ".css", ".csv", ".md", ".bib", ".svg", ".txt")


def copy(work: Path) -> Project:
    """A copy of the golden project (its inputs, and SHARED from the repository) in work/project,
    with its cache in work/cache."""
    root = work / "project"
    shutil.copytree(PROJECT, root)
    for name in SHARED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, root / name)
    return Project(root, cache_dir=work / "cache")


def build(work: Path) -> Path:
    """Build the golden project in `work` (an empty cache, the committed site URL); its site/ folder."""
    from build import build as build_site

    project = copy(work)
    out = io.StringIO()
    if build_site(project, out=out) != 0:
        raise AssertionError("the golden project does not build:\n" + out.getvalue())
    return project.site_dir


def view(site: Path) -> dict[str, str]:
    """The site as text files: relative path -> content (see the module docstring)."""
    files: dict[str, str] = {}
    listed = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if name.startswith("assets/"):
            listed.append(name)
        elif path.suffix == ".png":
            with Image.open(io.BytesIO(data)) as image:
                pixels = hashlib.sha256(image.convert("RGB").tobytes()).hexdigest()
                files[name + ".txt"] = f"{image.width} x {image.height} px, pixels sha256 {pixels}\n"
        elif path.suffix == ".zip" and name == OFFLINE_PATH:
            # The offline copy repeats the whole site: its members, each text file with a hash of its
            # bytes (images and zips by name: their compressed bytes vary with the zlib version;
            # assets by name, as for the site itself).
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                files[name + ".txt"] = "".join(
                    f"{member} sha256 {hashlib.sha256(archive.read(member)).hexdigest()[:16]}\n"
                    if member.endswith(TEXT + (".js", ".json", ".geojson")) and "/assets/" not in member
                    else f"{member}\n"
                    for member in sorted(archive.namelist()))
        elif path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in sorted(archive.namelist()):
                    files[f"{name}.d/{member}"] = _text(member, archive.read(member))
        else:
            files[name] = _text(name, data)
    # The offline copy's size moves with every change to the assets (story.js, story.css) and
    # to the static maps' bytes: masked, in every edition's educators page.
    for name in [n for n in files if n == "educators/index.html" or n.endswith("/educators/index.html")]:
        files[name] = OFFLINE_SIZE.sub(r"\1…\2", files[name])
    files["assets.txt"] = "".join(f"{name}\n" for name in listed)
    return files


def _text(name: str, data: bytes) -> str:
    text = data.decode("utf-8").replace("\r\n", "\n")  # the CSVs' RFC 4180 line ends, kept out of git's way
    if name.endswith((".json", ".geojson")):
        return json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if name.endswith(".js"):
        return text.replace(",", ",\n")
    return text


def read_expected() -> dict[str, str]:
    return {p.relative_to(EXPECTED).as_posix(): p.read_bytes().decode("utf-8")
            for p in sorted(EXPECTED.rglob("*")) if p.is_file()}


def refresh(work: Path) -> dict[str, str]:
    """Rebuild the golden project and replace tests/golden/expected/ with what it built."""
    files = view(build(work))
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, text in files.items():
        target = EXPECTED / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    return files
