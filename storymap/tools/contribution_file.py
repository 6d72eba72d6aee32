"""A contribution file: what the studio changed, in one zip for the editors, and its merge.

The studio's "Send to the editors" packs every file it wrote that differs from the version it
first changed (storymap/tools/contributions.py keeps their SHA-256 in .studio/ledger.json and a copy in
.studio/base/), with
manifest.json (each file's path, its SHA-256 before and after) and SUMMARY.txt in plain words.

`python build.py add-contribution FILE` merges one: it refuses an archive larger than
MAX_ARCHIVE_BYTES, with more than MAX_ENTRIES entries or unpacking past MAX_UNPACKED_BYTES (a zip
bomb), with a path outside the files a contribution may change (`../`, absolute, links), or a
file that changed in the project since the contributor's copy (it never overwrites one). Then it
checks the project with the contribution in a scratch copy, says what it adds, and writes the
files (all or none) only if that check passes.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import sys
import zipfile
from pathlib import Path
from typing import TextIO

from ..inputs.project import Project
from .contributions import BASE_FOLDER, LEDGER, PLACES_FILE, REFERENCES, ROUTES_FOLDER, check_in_copy, sha256, write_files

MAX_ARCHIVE_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 50
MANIFEST, SUMMARY = "manifest.json", "SUMMARY.txt"
#: The only files a contribution may add or change.
ALLOWED = re.compile(rf"{ROUTES_FOLDER}/[a-z0-9]+(-[a-z0-9]+)*\.geojson|{re.escape(PLACES_FILE)}|"
                     rf"{re.escape(REFERENCES)}|content/(ko|zh)/places\.yaml")


class Refused(Exception):
    """The archive cannot be merged; the message says why, in plain words."""


def changed_files(root: Path) -> dict[str, tuple[str | None, str | None]]:
    """Path -> (SHA-256 before the studio changed it, now) of every file the studio changed."""
    path = root / LEDGER
    ledger = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {relative: (base, sha256(root / relative)) for relative, base in sorted(ledger.items())
            if sha256(root / relative) != base}


def summary(before: Path, files: dict[str, bytes | None]) -> list[str]:
    """What the files add to the project in `before` (a folder holding the files as they were),
    in plain words: each route's name and places, new places and references."""
    root = before
    lines = []
    for relative, content in sorted(files.items()):
        if content is None:
            lines.append(f"Deletes {relative}.")
            continue
        if relative.startswith(ROUTES_FOLDER + "/"):
            try:
                properties = json.loads(content)["features"][0]["properties"]
                places = [v if isinstance(v, str) else f"{v.get('waypoint') or v.get('place')}" +
                          (" (waypoint)" if "waypoint" in v else "") for v in properties.get("via", [])]
                lines.append(f"{'Changes' if (root / relative).exists() else 'Adds'} the route "
                             f"“{properties.get('name')}” ({relative}): {' → '.join(places)}; sources: "
                             f"{', '.join(properties.get('sources', []))}.")
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                lines.append(f"Adds {relative} (it cannot be read as a route file).")
        elif relative == PLACES_FILE:
            old = _ids(root / relative, "features")
            new = [f["properties"]["id"] for f in json.loads(content)["features"]]
            lines.append(f"Adds to {relative}: {', '.join(i for i in new if i not in old) or 'no new place'}.")
        elif relative == REFERENCES:
            old = _ids(root / relative, None)
            new = [item["id"] for item in json.loads(content)]
            lines.append(f"Adds to {relative}: {', '.join(i for i in new if i not in old) or 'no new reference'}.")
        else:
            lines.append(f"Changes {relative} (place names in translation).")
    return lines


def _ids(path: Path, key: str | None) -> set[str]:
    if not path.is_file():
        return set()
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["id"] for f in data[key]} if key else {item["id"] for item in data}


def contribution_zip(root: Path) -> bytes | None:
    """The contribution file of everything the studio changed (None if it changed nothing)."""
    changed = changed_files(root)
    if not changed:
        return None
    contents = {relative: (root / relative).read_bytes() if now else None for relative, (base, now) in changed.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = {"files": [{"path": relative, "before": base, "after": now} for relative, (base, now) in changed.items()]}
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
        # Described against the files as the studio first found them, so it says what the contribution adds.
        archive.writestr(SUMMARY, "A contribution to Between Borders, made in the contribution studio.\n\n"
                         + "\n".join(f"- {line}" for line in summary(root / BASE_FOLDER, contents)) + "\n")
        for relative, content in contents.items():
            if content is not None:
                archive.writestr(relative, content)
    return buffer.getvalue()


def read_contribution(path: Path) -> dict[str, tuple[str | None, bytes | None]]:
    """Path -> (SHA-256 before, new bytes or None to delete) of each file of a contribution file.
    Raises Refused for anything an editor should not have to trust."""
    if not path.is_file():
        raise Refused(f"{path} cannot be found. Give the path of the contribution file (a .zip) you received.")
    if path.stat().st_size > MAX_ARCHIVE_BYTES:
        raise Refused(f"{path.name} is larger than {MAX_ARCHIVE_BYTES // 2 ** 20} MB: a contribution is a few small "
                      "text files. Ask the contributor what else it holds.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise Refused(f"{path.name} is not a zip file, or it is damaged.") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise Refused(f"{path.name} holds {len(entries)} entries; a contribution holds at most {MAX_ENTRIES}.")
        if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise Refused(f"{path.name} unpacks to more than {MAX_UNPACKED_BYTES // 2 ** 20} MB (a zip bomb?).")
        for entry in entries:
            mode = entry.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise Refused(f"{path.name} holds a link ({entry.filename!r}); a contribution holds plain files only.")
            if entry.filename not in (MANIFEST, SUMMARY) and not ALLOWED.fullmatch(entry.filename):
                raise Refused(f"{path.name} holds {entry.filename!r}, which is not a file a contribution may add or "
                              "change (route files, layers/places.geojson, references.json, content/ko|zh/places.yaml).")
        names = {entry.filename for entry in entries}
        if MANIFEST not in names:
            raise Refused(f"{path.name} has no {MANIFEST}: it was not made by the studio's “Send to the editors”.")
        budget = [MAX_UNPACKED_BYTES]

        def read(name: str) -> bytes:
            with archive.open(name) as file:
                data = file.read(budget[0] + 1)
            budget[0] -= len(data)
            if budget[0] < 0:
                raise Refused(f"{path.name} unpacks to more than {MAX_UNPACKED_BYTES // 2 ** 20} MB (a zip bomb?).")
            return data

        try:
            manifest = json.loads(read(MANIFEST))
            listed = {item["path"]: (item["before"], item["after"]) for item in manifest["files"]}
        except (ValueError, KeyError, TypeError):
            raise Refused(f"{path.name}'s {MANIFEST} cannot be read.") from None
        files = {}
        for relative, (before, after) in listed.items():
            if not isinstance(relative, str) or not ALLOWED.fullmatch(relative):
                raise Refused(f"{path.name}'s {MANIFEST} names {relative!r}, which a contribution may not change.")
            if after is None:
                files[relative] = (before, None)
                continue
            if relative not in names:
                raise Refused(f"{path.name} lacks {relative}, which its {MANIFEST} lists.")
            content = read(relative)
            if hashlib.sha256(content).hexdigest() != after:
                raise Refused(f"{relative} in {path.name} is not the file its {MANIFEST} describes (changed by hand?).")
            files[relative] = (before, content)
        return files


def add_contribution(project: Project, path: Path, out: TextIO = sys.stdout) -> int:
    """`python build.py add-contribution FILE`: merge a contribution file if the project then passes the check."""
    root = project.root
    try:
        files = read_contribution(path)
        for relative, (before, content) in files.items():
            now = sha256(root / relative)
            wanted = hashlib.sha256(content).hexdigest() if content is not None else None
            if now not in (before, wanted):
                raise Refused(f"{relative} changed in the project since the contributor's copy: merging would overwrite "
                              "those changes. Ask the contributor to make the contribution again from the current "
                              "project, or merge that file by hand.")
    except Refused as refusal:
        print(f"{refusal}\nNothing was written.", file=out)
        return 1
    try:
        texts = {relative: content.decode("utf-8") if content is not None else None
                 for relative, (_before, content) in files.items()}
    except UnicodeDecodeError:
        print(f"{path.name} holds a file that is not UTF-8 text.\nNothing was written.", file=out)
        return 1
    print("The contribution:", file=out)
    for line in summary(root, {relative: content for relative, (_b, content) in files.items()}):
        print(f"  {line}", file=out)
    problems = check_in_copy(project, texts)
    if problems:
        print("With it, the check finds:", file=out)
        for problem in problems:
            print(f"  {problem}", file=out)
        print("Nothing was written. Send these problems to the contributor.", file=out)
        return 1
    write_files(root, texts)
    print(f"Merged {len(texts)} file{'s' if len(texts) != 1 else ''}; the check passes. "
          "Review them with git diff, then build: python build.py build", file=out)
    return 0
