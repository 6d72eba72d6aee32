"""What the contribution studio writes: a route, its new places and references, checked first.

A studio save is exactly as valid as a hand-written file: the new files are written into a
scratch copy of the project's inputs, `pipeline.load_inputs` (everything `build.py check` runs)
reads that copy, and only when it passes are the files written into the project, all of them or
none (`write_files`). Before that, the studio's own rules (a name, a source, years in order, two
or more places from the gazetteer) give the contributor's mistakes in their language, beside the
field they concern; whatever the check still finds is shown beside its field too, in their
language where the check's problem is a Phrase (storymap/core/problems.py), else in English.

Every file the studio changes is noted in `.studio/ledger.json` with the SHA-256 it had before
the studio first changed it (and a copy in .studio/base/): "Send to the editors" (storymap/tools/contribution_file.py) packs the
files that differ from it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs.editions import PLACES_FILE as PLACES, TRANSLATIONS, Strings
from ..core.dates import FIRST_YEAR, this_year
from ..core.geo import in_region
from ..core.problems import InputError, Problem
from ..inputs.project import CONTENT, INPUTS, LAYERS, REFERENCES, Project
from ..inputs.routes import MAX_ID_LENGTH, PLACE_KINDS, PLACES_FILE, SAFE_DECIMALS, route_file_text

ROUTES_FOLDER = f"{LAYERS}/routes"
PLACE_NAMES_FILE = f"{CONTENT}/{{code}}/{PLACES}"
LEDGER = ".studio/ledger.json"
#: Copies of the files as they were before the studio first changed them.
BASE_FOLDER = ".studio/base"
#: The inputs the studio writes to: a scratch copy holds copies of these, and links to the others.
COPIED_INPUTS = (LAYERS, CONTENT, REFERENCES)
#: CSL types the reference form offers.
REFERENCE_TYPES = ("report", "article-journal", "article-newspaper", "book", "chapter", "webpage", "dataset")
MAX_NAME, MAX_DESCRIPTION = 120, 2000
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass
class Problems:
    """The contributor's mistakes by form field: field -> [{message, fix}] in their language."""

    words: Strings
    found: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, where: str, message: str, fix: str = "") -> None:
        self.found.setdefault(where, []).append({"message": message, "fix": fix})

    def __bool__(self) -> bool:
        return bool(self.found)


class Refused(Exception):
    def __init__(self, problems: Problems):
        super().__init__(problems.found)
        self.problems = problems


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


# --- reading what the studio offers ------------------------------------------------------------

def route_slugs(root: Path) -> list[str]:
    """The route files the studio can open: those drawn through named places (geometry null)."""
    slugs = []
    for path in sorted((root / ROUTES_FOLDER).glob("*.geojson")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document["features"][0]["geometry"] is None:
                slugs.append(path.stem)
        except (ValueError, KeyError, IndexError, TypeError):
            continue
    return slugs


def read_route(root: Path, slug: str) -> dict | None:
    """A route file's properties as the form holds them, or None if the studio cannot open it."""
    if slug not in route_slugs(root):
        return None
    properties = json.loads((root / ROUTES_FOLDER / f"{slug}.geojson").read_text(encoding="utf-8"))["features"][0][
        "properties"]
    stops = []
    for entry in properties.get("via", []):
        if isinstance(entry, str):
            stops.append({"name": entry, "waypoint": False})
        elif isinstance(entry, dict) and isinstance(entry.get("waypoint"), str):
            stops.append({"name": entry["waypoint"], "waypoint": True})
        elif isinstance(entry, dict) and isinstance(entry.get("place"), str):
            stops.append({"name": entry["place"], "waypoint": False, "sources": entry.get("sources", [])})
    return {"slug": slug, "name": properties.get("name", ""), "description": properties.get("description", ""),
            "start": properties.get("start"), "end": properties.get("end"), "sources": properties.get("sources", []),
            "stops": stops}


# --- the contributor's submission, checked by the studio's own rules -------------------------------

def check_route(submission: dict, known_places: set[str], reference_keys: set[str], _: Strings,
                problems: Problems, crossings: frozenset[str] = frozenset()) -> None:
    """The route form's fields: what the build would refuse, said in the contributor's words.
    `crossings`: the official border posts, named only with the sources that say people crossed there."""
    name = str(submission.get("name") or "").strip()
    if not name:
        problems.add("name", _("The route needs a name."), _("Give it a short name, e.g. “Through Laos to Thailand”."))
    elif len(name) > MAX_NAME:
        problems.add("name", _("The name is longer than {count} characters.", count=MAX_NAME), _("Shorten it."))
    description = str(submission.get("description") or "").strip()
    if not description:
        problems.add("description", _("The route needs a description."),
                     _("Say in one or two sentences who took this route, when and why, as your sources tell it."))
    elif len(description) > MAX_DESCRIPTION:
        problems.add("description", _("The description is longer than {count} characters.", count=MAX_DESCRIPTION),
                     _("Shorten it."))
    years = {}
    for key in ("start", "end"):
        value = submission.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, int) and not (isinstance(value, str) and value.isdigit()):
            problems.add(key, _("A year is a number, e.g. 2005."), _("Write the year in digits."))
            continue
        years[key] = int(value)
        if not FIRST_YEAR <= years[key] <= this_year():  # the story's range, as the check has it
            problems.add(key, _("The year must lie between {first} and {last}.", first=FIRST_YEAR, last=this_year()),
                         _("Correct the year."))
    if "start" in years and "end" in years and years["end"] < years["start"]:
        problems.add("end", _("The end year is before the start year."),
                     _("Swap the start and end years, or correct the one that is wrong."))
    sources = submission.get("sources") or []
    if not sources:
        problems.add("sources", _("The route needs at least one published source."),
                     _("Search for your source and choose it, or add it with “New reference”."))
    for key in sources:
        if key not in reference_keys:
            problems.add("sources", _("The source “{key}” is not in the bibliography.", key=key),
                         _("Choose it again from the search, or add it with “New reference”."))
    stops = submission.get("stops") or []
    if len(stops) < 2:
        problems.add("stops", _("A route passes at least two places."), _("Add the places your source names, in order."))
    for index, stop in enumerate(stops):
        place = stop.get("name") if isinstance(stop, dict) else None
        if not isinstance(place, str) or place not in known_places:
            problems.add(f"stop-{index}", _("This is not a place the map knows."),
                         _("Choose a place from the suggestions, or add it with “New place”."))
        elif index and isinstance(stops[index - 1], dict) and stops[index - 1].get("name") == place:
            problems.add(f"stop-{index}", _("The same place twice in a row."), _("Remove one of them."))
        elif place in crossings and not stop.get("waypoint") and not stop.get("sources"):
            problems.add(f"stop-{index}", _("An official border post is named only with a source that says people "
                                            "crossed there."),
                         _("Choose that source beside the place, or mark it a waypoint."))
    for index in {0, len(stops) - 1} if stops else ():
        if isinstance(stops[index], dict) and stops[index].get("waypoint"):
            problems.add(f"stop-{index}", _("The first and last places must be places your source names."),
                         _("Mark this stop “named by the source”, or remove it."))


def check_place(place: dict, index: int, reference_keys: set[str], _: Strings, problems: Problems) -> None:
    where = f"place-{index}"
    if not str(place.get("name") or "").strip():
        problems.add(where, _("The new place needs its English name."), _("Write the name as an English map writes it."))
    lon, lat = place.get("lon"), place.get("lat")
    if not all(isinstance(v, (int, float)) for v in (lon, lat)) or not in_region(lon, lat):
        problems.add(where, _("The place lies outside the map's area."), _("Click the place on the map again."))
    elif not place.get("country"):
        problems.add(where, _("The place is not inside a country of the map."),
                     _("Click on land, at the town's centre."))
    if not place.get("sources") or any(key not in reference_keys for key in place.get("sources", [])):
        problems.add(where, _("Say where the place's position comes from."),
                     _("Choose a source, e.g. GeoNames or Natural Earth, or your own published source."))


def check_reference(item: dict, index: int, _: Strings, problems: Problems) -> None:
    where = f"reference-{index}"
    if item.get("type") not in REFERENCE_TYPES:
        problems.add(where, _("Choose what kind of publication it is."), "")
    if not str(item.get("title") or "").strip():
        problems.add(where, _("The reference needs its title."), _("Copy the title as published."))
    if not item.get("authors"):
        problems.add(where, _("The reference needs an author: a person or an organisation."),
                     _("Write “Family name, Given name”, or the organisation's name."))
    for key in ("issued", "accessed"):
        value = str(item.get(key) or "").strip()
        if value and not _DATE.fullmatch(value):
            problems.add(where, _("A date is written year-month-day, e.g. 2024-09-25 (month and day may be left out)."),
                         _("Correct the date."))
    if not str(item.get("issued") or "").strip():
        problems.add(where, _("The reference needs the year it was published."), _("Write the year, e.g. 2024."))
    url = str(item.get("URL") or "").strip()
    if url and not re.fullmatch(r"https?://\S+", url):
        problems.add(where, _("A web address starts with https:// or http://."), _("Copy the address from the browser."))


# --- the files a submission becomes -------------------------------------------------------------

def csl_item(item: dict, key: str) -> dict:
    """The reference form's fields as a CSL-JSON item (as Zotero exports it)."""
    csl = {"id": key, "type": item["type"], "title": item["title"].strip()}
    authors = []
    for author in item["authors"]:
        if author.get("organisation"):
            authors.append({"literal": author["organisation"].strip()})
        else:
            authors.append({k: v.strip() for k, v in (("family", author.get("family", "")),
                                                        ("given", author.get("given", ""))) if v.strip()})
    csl["author"] = authors
    for source, target in (("container", "container-title"), ("publisher", "publisher"), ("URL", "URL")):
        if str(item.get(source) or "").strip():
            csl[target] = item[source].strip()
    for key in ("issued", "accessed"):
        match = _DATE.fullmatch(str(item.get(key) or "").strip())
        if match:
            csl[key] = {"date-parts": [[int(part) for part in match.groups() if part]]}
    return csl


def reference_key(item: dict, taken: set[str]) -> str:
    """Key of a new reference: the first author's family name (or organisation), the year."""
    author = item["authors"][0]
    name = slugify(author.get("family") or author.get("organisation") or "") or "source"
    year = (_DATE.fullmatch(str(item.get("issued") or "").strip()) or _DATE.fullmatch("0000")).group(1)
    key = f"{'-'.join(name.split('-')[:3])}-{year}"
    suffix = iter("abcdefghijklmnopqrstuvwxyz")
    candidate = key
    while candidate in taken:
        candidate = f"{key}{next(suffix)}"
    return candidate


def place_feature(place: dict, feature_id: str) -> dict:
    lon, lat = (round(float(place[k]), SAFE_DECIMALS) for k in ("lon", "lat"))
    name = place["name"].strip()
    return {"type": "Feature",
            "properties": {"id": feature_id, "name": name, "kind": "city", "country": place["country"],
                           "description": f"{name}. Town centre point (approximate), placed in the contribution "
                                          f"studio and rounded to {SAFE_DECIMALS} decimals.",
                           "sources": list(place["sources"]), "precision": "approximate"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def places_file_text(features: list[dict]) -> str:
    """layers/places.geojson as contributors read it: one property per line, like a route file."""
    blocks = []
    for feature in features:
        fields = ",\n".join(f"        {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                            for k, v in feature["properties"].items())
        geometry = feature["geometry"]
        blocks.append('    {\n      "type": "Feature",\n      "properties": {\n' + fields + "\n      },\n"
                      f'      "geometry": {{\n        "type": {json.dumps(geometry["type"])},\n'
                      f'        "coordinates": {json.dumps(geometry["coordinates"])}\n      }}\n    }}')
    return '{\n  "type": "FeatureCollection",\n  "features": [\n' + ",\n".join(blocks) + "\n  ]\n}\n"


def references_text(items: list[dict]) -> str:
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def route_properties(submission: dict, slug: str) -> dict:
    properties = {"id": f"route-{slug}", "name": submission["name"].strip(), "kind": "route",
                  "description": submission["description"].strip(), "sources": list(submission["sources"]),
                  "precision": "schematic"}
    for key in ("start", "end"):
        if submission.get(key) not in (None, ""):
            properties[key] = int(submission[key])
    properties["via"] = [{"waypoint": stop["name"]} if stop.get("waypoint") else
                         ({"place": stop["name"], "sources": stop["sources"]} if stop.get("sources") else stop["name"])
                         for stop in submission["stops"]]
    return properties


def new_slug(root: Path, submission: dict) -> str:
    """A file name for a new route from its first and last places (the contributor never types one)."""
    stops = submission["stops"]
    base = "-".join(filter(None, (slugify(stops[0]["name"]), slugify(stops[-1]["name"])))) or "route"
    base = base[:60].strip("-")
    slug, number = base, 2
    while (root / ROUTES_FOLDER / f"{slug}.geojson").exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def route_files(root: Path, submission: dict, slug: str) -> dict[str, str]:
    """Path -> new text of every file the submission changes: the route, and where it adds
    places or references, layers/places.geojson, content/<code>/places.yaml and references.json."""
    files = {}
    references = json.loads((root / REFERENCES).read_text(encoding="utf-8"))
    new_references = submission.get("new_references") or []
    if new_references:
        taken = {item["id"] for item in references}
        keys = {}
        for item in new_references:
            keys[item["client_key"]] = key = reference_key(item, taken)
            taken.add(key)
            references.append(csl_item(item, key))
        files[REFERENCES] = references_text(references)
        submission = {**submission, "sources": [keys.get(k, k) for k in submission["sources"]],
                      "stops": [{**s, "sources": [keys.get(k, k) for k in s["sources"]]} if s.get("sources") else s
                                for s in submission["stops"]],
                      "new_places": [{**p, "sources": [keys.get(k, k) for k in p.get("sources", [])]}
                                     for p in submission.get("new_places") or []]}
    new_places = submission.get("new_places") or []
    if new_places:
        places = json.loads((root / PLACES_FILE).read_text(encoding="utf-8"))
        taken = {f["properties"]["id"] for f in places["features"]}
        yaml_lines = {edition.code: [] for edition in TRANSLATIONS}
        for place in new_places:
            # Within a feature id's length, whatever the name's, with room for a number ("-2").
            base = slugify(place["name"])[:MAX_ID_LENGTH - len("place-") - len("-99")].strip("-") or "town"
            feature_id, number = f"place-{base}", 2
            while feature_id in taken:
                feature_id, number = f"place-{base}-{number}", number + 1
            taken.add(feature_id)
            places["features"].append(place_feature(place, feature_id))
            for edition in TRANSLATIONS:
                local = str((place.get("names") or {}).get(edition.code) or "").strip()
                if local:
                    yaml_lines[edition.code].append(f"{feature_id}: {json.dumps({'name': local}, ensure_ascii=False)}")
        files[PLACES_FILE] = places_file_text(places["features"])
        for code, lines in yaml_lines.items():
            if lines:
                path = PLACE_NAMES_FILE.format(code=code)
                old = (root / path).read_text(encoding="utf-8") if (root / path).exists() else ""
                files[path] = old + ("" if not old or old.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    files[f"{ROUTES_FOLDER}/{slug}.geojson"] = route_file_text(route_properties(submission, slug))
    return files


# --- checking in a scratch copy, writing all or nothing ------------------------------------------

def check_in_copy(project: Project, files: dict[str, str | None]) -> list[Problem]:
    """The problems `build.py check` would report once `files` are written (None: deleted)."""
    from ..commands.pipeline import load_inputs  # the whole check: imported when first needed

    with tempfile.TemporaryDirectory(prefix="studio-check-") as scratch:
        copy = Path(scratch)
        for name in INPUTS:
            source = project / name
            if name in COPIED_INPUTS and source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns(".*"))
            elif name in COPIED_INPUTS and source.is_file():
                shutil.copy2(source, copy / name)
            elif source.exists():
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                (copy / name).symlink_to(source.resolve())
        for relative, text in files.items():
            target = copy / relative
            if text is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8", newline="\n")
        try:
            load_inputs(Project(copy, site_url=project.site_url, editions=project.editions))
        except InputError as error:
            return error.problems
    return []


def write_files(root: Path, files: dict[str, str | None]) -> None:
    """Write every file or none: each is written beside its target first, then all are moved
    into place; if one move fails, the files already moved get their old text back."""
    staged, done = {}, []
    try:
        for relative, text in files.items():
            if text is None:
                continue
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
            staged[relative] = Path(name)
        for relative, text in files.items():
            target = root / relative
            old = target.read_bytes() if target.is_file() else None
            if text is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(staged[relative], target)
                del staged[relative]
            done.append((target, old))
    except BaseException:
        for target, old in reversed(done):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        raise
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)


def note_in_ledger(root: Path, files) -> None:
    """Keep, for each file the studio is about to change, its SHA-256 before the first change."""
    path = root / LEDGER
    ledger = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for relative in files:
        if relative not in ledger:
            ledger[relative] = sha256(root / relative)
            if (root / relative).is_file():
                (root / BASE_FOLDER / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / relative, root / BASE_FOLDER / relative)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(ledger, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def field_of(problem: Problem, route_file: str) -> str:
    """The form field a problem of the check concerns."""
    if problem.file == route_file:
        return {"via": "stops", "name": "name", "description": "description", "sources": "sources", "start": "start",
                "end": "end"}.get((problem.field or "").split(".")[0].split("[")[0], "route")
    if problem.file == PLACES_FILE or problem.file.endswith("places.yaml"):
        return "place-0"
    if problem.file == REFERENCES:
        return "reference-0"
    return "route"


def place_kinds(layers) -> dict[str, str]:
    """The gazetteer `save` checks a route's stops against: each place's name -> its kind."""
    return {f["name"]: f["kind"] for layer in layers for f in layer.features if f["kind"] in PLACE_KINDS}


def save(project: Project, submission: dict, gazetteer: dict[str, str], reference_keys: set[str], _: Strings
         ) -> tuple[str, list[str]]:
    """Check and write a route from the studio (`gazetteer`: each place's name -> its kind); its
    slug and the files written. Raises Refused."""
    root = project.root
    problems = Problems(_)
    new_references = submission.get("new_references") or []
    new_places = submission.get("new_places") or []
    client_keys = {item.get("client_key") for item in new_references}
    keys = reference_keys | client_keys
    for index, item in enumerate(new_references):
        check_reference(item, index, _, problems)
    for index, place in enumerate(new_places):
        check_place(place, index, keys, _, problems)
    check_route(submission, set(gazetteer) | {str(p.get("name", "")).strip() for p in new_places}, keys, _, problems,
                frozenset(name for name, kind in gazetteer.items() if kind == "crossing"))
    original = submission.get("slug")
    if original is not None and original not in route_slugs(root):
        problems.add("route", _("This route's file is gone: it was deleted or renamed since you opened it."),
                     _("Save it as a new route."))
    if problems:
        raise Refused(problems)
    slug = original or new_slug(root, submission)
    files = route_files(root, submission, slug)
    found = check_in_copy(project, files)
    if found:
        for problem in found:
            problems.add(field_of(problem, f"{ROUTES_FOLDER}/{slug}.geojson"),
                         _("The check says: {problem}", problem=_.said(problem.message)), _.said(problem.fix))
        raise Refused(problems)
    note_in_ledger(root, files)
    write_files(root, files)
    return slug, sorted(files)


def delete(project: Project, slug: str, _: Strings) -> None:
    """Remove a route file, if the project still passes the check without it. Raises Refused."""
    root = project.root
    problems = Problems(_)
    if slug not in route_slugs(root):
        problems.add("route", _("This route's file is gone: it was deleted or renamed since you opened it."), "")
        raise Refused(problems)
    relative = f"{ROUTES_FOLDER}/{slug}.geojson"
    found = check_in_copy(project, {relative: None})
    if found:
        for problem in found:
            problems.add("route", _("The check says: {problem}", problem=f"{problem.file}: {_.said(problem.message)}"),
                         _.said(problem.fix))
        raise Refused(problems)
    note_in_ledger(root, [relative])
    write_files(root, {relative: None})
