"""Downloads for educators: every layer as GeoJSON and CSV, one zip with a data dictionary, the
arrivals table, the timeline's events (CSV), and the bibliography as CSL-JSON and BibTeX.

`download_files` returns path inside site/ -> bytes, like the other build stages; nothing is
written here. Every file is deterministic: the same inputs give the same bytes (JSON with sorted
keys and fixed separators, CSV with fixed columns, zip entries with a fixed date, permissions and
order), so two builds of the site are byte-identical.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping

from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer
from shapely.geometry import mapping

from .charts import ARRIVALS_CAVEAT
from ..inputs.kinds import AREA_KINDS, KINDS, LINE_KINDS, POINT_KINDS, SHAPE_OF_GEOMETRY
from ..inputs.layers import Layer
from ..inputs.licences import DATA_SOURCES, STORY_CONTENT_TERMS, STORY_LICENCE, credit_line, data_sources

#: Everything lives under this folder of the site.
ROOT = "downloads"
LAYERS_FOLDER = f"{ROOT}/layers"
ZIP_PATH = f"{ROOT}/between-borders-layers.zip"
ARRIVALS_PATH = f"{ROOT}/defector-arrivals.csv"
TIMELINE_PATH = f"{ROOT}/timeline.csv"
REFERENCES_JSON_PATH = f"{ROOT}/references.json"
REFERENCES_BIB_PATH = f"{ROOT}/references.bib"
#: The zip unpacks into one folder of this name.
ZIP_FOLDER = "between-borders-layers"
#: A fixed timestamp for zip entries (the earliest a zip can hold), so that builds match.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

BASE_COLUMNS = ("id", "name", "kind", "precision", "start", "end", "country", "sources", "description")
OPTIONAL_COLUMNS = ("name_local", "via", "named_places", "waypoints")  # only in layers whose features have them
LIST_SEPARATOR = "; "

# --- file names ----------------------------------------------------------------------------------

def layer_path(layer_id: str, suffix: str) -> str:
    """downloads/layers/<layer id>.<suffix>; a layer id's folders ("routes/mongolia") stay folders."""
    return f"{LAYERS_FOLDER}/{layer_id}.{suffix}"


# --- GeoJSON -------------------------------------------------------------------------------------

def _json_bytes(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def _properties(feature: dict) -> dict:
    properties = {key: value for key, value in feature.items() if key not in ("geometry", "length_km")}
    if "length_km" in feature:
        properties["length_km"] = round(feature["length_km"], 1)
    return properties


def layer_geojson(layer: Layer) -> bytes:
    """The layer as a GeoJSON FeatureCollection (WGS84), properties as in layers/ plus length_km."""
    collection = {
        "type": "FeatureCollection",
        "name": layer.id,
        "attribution": credit_line(layer.features),
        "features": [{"type": "Feature", "properties": _properties(f), "geometry": mapping(f["geometry"])}
                     for f in layer.features],
    }
    return _json_bytes(collection)


# --- CSV -----------------------------------------------------------------------------------------

def layer_columns(layer: Layer) -> list[str]:
    """The CSV columns of a layer: the base ones, name_local and the routes' places when used, then where it is."""
    kinds = {f["kind"] for f in layer.features}
    columns = list(BASE_COLUMNS)
    columns += [name for name in OPTIONAL_COLUMNS if any(name in f for f in layer.features)]
    if kinds & (POINT_KINDS | AREA_KINDS):
        columns += ["lon", "lat"]
    if kinds & LINE_KINDS:
        columns.append("length_km")
    return columns


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _csv_row(feature: dict, columns: list[str]) -> list[str]:
    row = {name: _cell(feature.get(name)) for name in columns}
    geometry = feature["geometry"]
    if feature["kind"] in POINT_KINDS:
        row["lon"], row["lat"] = repr(round(geometry.x, 6)), repr(round(geometry.y, 6))
    elif feature["kind"] in AREA_KINDS:
        centroid = geometry.centroid
        row["lon"], row["lat"] = f"{centroid.x:.4f}", f"{centroid.y:.4f}"
    if "length_km" in feature and "length_km" in row:
        row["length_km"] = f"{feature['length_km']:.1f}"
    return [row[name] for name in columns]


#: How a cell may begin that a spreadsheet runs as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")


def neutralised(cell: str) -> str:
    """A cell that would begin a formula, with an apostrophe before it: a teacher opening the CSV
    in a spreadsheet sees a route named '=HYPERLINK(...)' as text, never a link that runs.
    Plain numbers (-12.5) are left as they are."""
    return "'" + cell if cell.startswith(FORMULA_START) and not _NUMBER_RE.fullmatch(cell) else cell


def _csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    """Every CSV the site offers is written here: RFC 4180, each cell `neutralised`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)  # RFC 4180
    for row in [header, *rows]:
        writer.writerow([neutralised(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def layer_csv(layer: Layer) -> bytes:
    """One row per feature (UTF-8, RFC 4180 quoting); see DATA-DICTIONARY.md for the columns."""
    columns = layer_columns(layer)
    return _csv_bytes(columns, (_csv_row(f, columns) for f in layer.features))


def arrivals_csv_bytes(data: bytes) -> bytes:
    """The arrivals table (the bytes of data/defector_arrivals.csv) as a clean CSV (UTF-8, CRLF
    line ends), rows as in data/."""
    rows = [row for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) if row]
    return _csv_bytes(rows[0], rows[1:])


# --- references ----------------------------------------------------------------------------------

def references_json(references: Mapping[str, dict]) -> bytes:
    """The bibliography as a CSL-JSON array sorted by id (Zotero, Pandoc and citeproc read it)."""
    items = [references[key] for key in sorted(references)]
    return (json.dumps(items, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


#: CSL item type -> BibTeX entry type.
BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "report": "techreport", "book": "book", "chapter": "incollection", "thesis": "phdthesis",
    "paper-conference": "inproceedings", "manuscript": "unpublished",
    "webpage": "misc", "post-weblog": "misc", "post": "misc", "legislation": "misc", "treaty": "misc",
    "dataset": "misc", "document": "misc", "entry-encyclopedia": "misc", "entry-dictionary": "misc",
}
#: Where a CSL item's container-title goes, per BibTeX entry type.
CONTAINER_FIELD = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}
#: Fields written as they are: BibTeX styles and biblatex read them verbatim.
VERBATIM_FIELDS = frozenset({"url", "doi"})


class _BibTeXWriter(Writer):
    """pybtex's BibTeX writer, but URLs and DOIs are not LaTeX-escaped (they are verbatim fields)."""

    def _write_field(self, stream, type, value):  # noqa: A002 - the parent's signature
        if type.lower() in VERBATIM_FIELDS:
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)


def _person(name: dict) -> Person:
    if "literal" in name:
        return Person(last="{" + name["literal"] + "}")  # braces: an organisation, not "Last, First"
    return Person(first=name.get("given", ""), prelast=name.get("non-dropping-particle", ""),
                  last=name.get("family", ""), lineage=name.get("suffix", ""))


def _date_parts(item: dict, field: str) -> list[int]:
    parts = (item.get(field) or {}).get("date-parts") or [[]]
    return [int(p) for p in parts[0]]


def _iso(parts: list[int]) -> str:
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])


def bibtex_entry(item: dict) -> Entry:
    """A CSL-JSON item as a pybtex Entry (types and fields mapped as in BIBTEX_TYPES)."""
    entry_type = BIBTEX_TYPES.get(item.get("type", ""), "misc")
    fields: dict[str, str] = {}
    if item.get("title"):
        fields["title"] = item["title"]
    container = item.get("container-title")
    if container:
        if entry_type in CONTAINER_FIELD:
            fields[CONTAINER_FIELD[entry_type]] = container
        elif entry_type == "misc":
            fields["howpublished"] = container
    issued = _date_parts(item, "issued")
    if issued:
        fields["year"] = str(issued[0])
        if len(issued) > 1:
            fields["month"] = str(issued[1])
        fields["date"] = _iso(issued)  # biblatex
    for csl, bib in (("volume", "volume"), ("issue", "number"), ("number", "number"),
                     ("publisher-place", "address"), ("DOI", "doi"), ("URL", "url"), ("language", "language")):
        if item.get(csl):
            fields[bib] = str(item[csl])
    if item.get("page"):
        fields["pages"] = str(item["page"]).replace("–", "-").replace("-", "--").replace("----", "--")
    if item.get("publisher"):
        fields["institution" if entry_type == "techreport" else "publisher"] = item["publisher"]
        if entry_type == "misc" and "howpublished" not in fields:
            fields["howpublished"] = item["publisher"]
    accessed = _date_parts(item, "accessed")
    if accessed:
        fields["urldate"] = _iso(accessed)
    if item.get("genre"):
        fields["type"] = item["genre"]
    note = item.get("note", "")
    if item.get("type") in ("legislation", "treaty"):
        note = f"{item['type'].capitalize()}. {note}".strip()
    if note:
        fields["note"] = note
    persons = {role: [_person(n) for n in item[role]] for role in ("author", "editor") if item.get(role)}
    return Entry(entry_type, fields=sorted(fields.items()), persons=persons)


def references_bibtex(references: Mapping[str, dict]) -> bytes:
    """The bibliography as BibTeX (UTF-8), one entry per reference, keys = CSL ids, sorted."""
    data = BibliographyData({key: bibtex_entry(references[key]) for key in sorted(references)})
    stream = io.StringIO()
    _BibTeXWriter(encoding="UTF-8").write_stream(data, stream)
    return stream.getvalue().encode("utf-8")


# --- data dictionary and licence note ------------------------------------------------------------

PRECISION_TEXT = {
    "exact": "survey-grade. Nothing in these layers is exact.",
    "approximate": ("as precise as the public sources allow: a city-centre point, a 1:10m border, a "
                    "simplified OpenStreetMap boundary, a bridge at its published position. Detention and "
                    "deportation sites are never placed more precisely than the city they are reported in."),
    "schematic": ("a diagram of where something runs, not its course on the ground (fences, escape routes)."),
}

COLUMN_TEXT = [
    ("id", "Unique id of the feature across all layers (lower-case, hyphens). The story's chapters refer to it."),
    ("name", "Short English name."),
    ("kind", "What the feature is; one of the kinds below."),
    ("precision", "How precisely it is placed: exact, approximate or schematic (see below)."),
    ("start", "Year the feature began, as its sources date it (fences, sites, routes); empty where they "
              "give none (the map by year then shows it in every period)."),
    ("end", "Year the feature ended, if it has; empty otherwise."),
    ("country", "ISO 3166-1 alpha-3 code of the country a point lies in (cities, sites, crossings; "
                "for a crossing the country of its point), or of a basemap country."),
    ("sources", "Keys of the references the feature is drawn from, separated by \"; \" in CSV "
                "(a list in GeoJSON). Look them up in references.json / references.bib."),
    ("description", "One or two plain sentences, as in the map's pop-up."),
    ("name_local", "Name in the local script (Chinese or Korean), where given. Only in layers that have it."),
    ("via", "Routes only: the places the line is drawn through, in order (separated by \"; \" in CSV). "
            "Only in the route layers."),
    ("named_places", "Routes only: the places of `via` that the route's published sources name, in order. "
                     "A route begins and ends at a named place."),
    ("waypoints", "Routes only: the places of `via` that no source of the route names, added only to draw "
                  "the line (for example to keep it in one country); empty where there are none."),
    ("lon, lat", "CSV only. Points: longitude and latitude (WGS84, decimal degrees). Areas (countries, "
                 "lakes, the DMZ): the centroid of the area, computed in longitude/latitude; for an area "
                 "with several parts or an irregular outline it can fall outside the area itself."),
    ("length_km", "Lines only: geodesic length on the WGS84 ellipsoid in kilometres, rounded to 0.1 km. "
                  "For schematic lines (routes, fences) it is the length of the drawing, not of a path on "
                  "the ground."),
]


TIMELINE_COLUMNS = [
    ("start", "first year of the event (from 1950)"),
    ("end", "last year of a period (empty for a single year, or for a feature still there)"),
    ("kind", "step (a step of the story) or the kind of a dated map feature: fence, site, crossing, route"),
    ("text", "for a step, the sentence of its text that names the year; for a feature, its name"),
    ("link", "the step it belongs to, from the site's address: append it to the site's address"),
    ("feature", "the id of the map feature (empty for a step)"),
    ("sources", "reference keys (references.json) of the sources that give the date, separated by \"; \""),
]


def timeline_csv(events: Iterable) -> bytes:
    """The timeline's events (storymap.rendering.timeline.Event), one row each, in date order."""
    return _csv_bytes([name for name, _text in TIMELINE_COLUMNS],
                      ([str(e.start), _cell(e.end), e.kind, e.text, e.href, e.feature or "", _cell(list(e.sources))]
                       for e in events))


def timeline_section() -> str:
    """The data dictionary's part on timeline.csv."""
    columns = "\n".join(f"| {name} | {text} |" for name, text in TIMELINE_COLUMNS)
    return f"""\
## timeline.csv

Every dated event of the story's timeline (the site's /timeline/ page): each dated step of the
chapters and each map feature whose sources date it, in date order. A feature without years is
not listed: its sources do not date it, and the map by year shows it in every period.

| column | meaning |
|---|---|
{columns}
"""


def arrivals_section(arrivals_csv: bytes) -> str:
    """The data dictionary's part on defector-arrivals.csv, with where each year's numbers come from."""
    rows = list(csv.DictReader(io.StringIO(arrivals_csv.decode("utf-8"), newline="")))
    runs: list[list] = []  # [first year, last year, source_url]
    for row in rows:
        if runs and runs[-1][2] == row["source_url"]:
            runs[-1][1] = row["year"]
        else:
            runs.append([row["year"], row["year"], row["source_url"]])
    sources = "\n".join(f"- {first}{'' if first == last else '-' + last}: {url}" for first, last, url in runs)
    return f"""\
## defector-arrivals.csv

Yearly arrivals of North Korean defectors in South Korea: the series of the Ministry of Unification
(Republic of Korea), taken from the Ministry's statistics page (reference `mou-defector-statistics`)
and, for the years it does not cover, from press reports of its figures (1998–2001 `hankyung-2002`;
2020–2025 `newsis-2026`, `voa-2022`, `yonhap-2024`, `yonhap-2025`; see references.json).

| column | meaning |
|---|---|
| year | calendar year of arrival in South Korea |
| total | number of arrivals that year |
| male | men among them (empty where the source gives no split) |
| female | women among them (empty where the source gives no split) |
| source_url | the page the row's numbers were taken from |

Where the numbers come from:

{sources}

{ARRIVALS_CAVEAT}
"""


def _layer_table(layers: list[Layer]) -> str:
    lines = ["| file | features | geometry | kinds | drawn from | licence |", "|---|---|---|---|---|---|"]
    for layer in layers:
        geometries = sorted({SHAPE_OF_GEOMETRY.get(f["geometry"].geom_type, f["geometry"].geom_type)
                             for f in layer.features})
        kinds = sorted({f["kind"] for f in layer.features})
        sources = data_sources(layer.features)
        licences = [source.licence for source in sources] or [f"{STORY_LICENCE} (the story's own data)"]
        lines.append(f"| layers/{layer.id}.geojson, .csv | {len(layer.features)} | {', '.join(geometries)} | "
                     f"{', '.join(kinds)} | {', '.join(source.name for source in sources) or 'the story'} | "
                     f"{'; '.join(licences)} |")
    return "\n".join(lines)


def _osm_features(layers: list[Layer]) -> str:
    items = []
    for layer in layers:
        ids = [f["id"] for f in layer.features if "openstreetmap" in f["sources"]]
        if ids and len(ids) == len(layer.features):
            items.append(f"- `{layer.id}`: all {len(ids)} features")
        elif ids:
            items.append(f"- `{layer.id}`: {', '.join(f'`{i}`' for i in ids)}")
    return "\n".join(items)


def data_dictionary(layers: list[Layer], arrivals_csv: bytes) -> str:
    """DATA-DICTIONARY.md: the files, every column, the kinds, precision and the licences."""
    columns = "\n".join(f"| {name} | {text} |" for name, text in COLUMN_TEXT)
    kinds = "\n".join(f"| {kind.name} | {kind.shape} | {kind.description} | {kind.legend} |" for kind in KINDS.values())
    precision = "\n".join(f"- **{name}**: {text}" for name, text in PRECISION_TEXT.items())
    sources = "\n".join(f"- **{s.name}** ({s.licence}): {s.terms}." for s in DATA_SOURCES.values())
    return f"""\
# Between Borders: data dictionary

The map layers of the story map "Between Borders" (China's policy on North Korean migrants),
for use in class. Each layer comes twice: as GeoJSON (open it in QGIS, geojson.io or any GIS;
coordinates are longitude/latitude, WGS84, EPSG:4326) and as CSV (open it in a spreadsheet;
UTF-8, comma-separated, one row per feature). A CSV text that would begin with =, +, -, @, a tab
or a carriage return starts with an apostrophe ('), so that a spreadsheet shows it as text
instead of running it as a formula.

## Files

{_layer_table(layers)}

Also in this download: `references.json` (the bibliography, CSL-JSON for Zotero or Pandoc),
`references.bib` (the same as BibTeX), `defector-arrivals.csv` and `timeline.csv` (see below) and
`LICENSE.md`.

## Columns and properties

The GeoJSON files carry the properties below on every feature; the CSV files have one column
each. Empty CSV cells mean the feature has no such value.

| column | meaning |
|---|---|
{columns}

## Kinds

| kind | geometry | what it is | legend label on the map |
|---|---|---|---|
{kinds}

## Precision

{precision}

The escape routes join the towns public accounts name with smooth lines: they show the
direction of a journey, not a way to make it. Nothing here shows more than public sources
already report.

## Licences

{sources}

Features drawn from OpenStreetMap (ODbL 1.0, share-alike; attribution "© OpenStreetMap contributors"):

{_osm_features(layers)}

A layer that contains any OpenStreetMap-derived feature is a derived database under the ODbL:
if you share a changed version of it, share it under the ODbL too. {STORY_CONTENT_TERMS}

{arrivals_section(arrivals_csv)}
{timeline_section()}"""



def licence_note(layers: list[Layer]) -> str:
    """LICENSE.md: the licence and the attribution each layer needs."""
    lines = []
    for layer in layers:
        credit = credit_line(layer.features) or "Between Borders"
        lines.append(f"- `layers/{layer.id}`: {credit}")
    return f"""\
# Licences and attribution

When you show, print or share these layers, credit the data they are drawn from:

{chr(10).join(lines)}

{chr(10).join(f"- **{source.name}**: {source.note}" for source in DATA_SOURCES.values())}
- **Ministry of Unification, Republic of Korea**: the arrivals figures in defector-arrivals.csv,
  from the sources named in its source_url column.

{STORY_CONTENT_TERMS}
"""


# --- zip -----------------------------------------------------------------------------------------

#: Files already compressed, which a zip stores as they are.
COMPRESSED = (".png", ".zip")


#: zlib's level for every zip the site offers: 6 compresses several times faster than 9 for a few
#: per cent more bytes (the offline copy's 4 MB: a quarter of the time for 1-2 % more, 2026-11-28;
#: the layers with a thousand routes: 0.07 s against 0.2 s for 2 % more, 2026-12-03).
ZIP_LEVEL = 6


def deterministic_zip(files: Mapping[str, bytes], level: int = ZIP_LEVEL,
                      deflated: dict[tuple[bytes, int], bytes] | None = None) -> bytes:
    """A zip of the files (name -> bytes), sorted, with fixed dates and permissions: same input, same bytes.

    `deflated`, where given, holds members compressed before, by their content's SHA-256 and the
    level: a member found there is not compressed again, and on return it holds exactly this
    zip's compressed members (the offline copy keeps them between builds, so that a route added
    compresses again the few pages it changed, not the site's 18 MB). The bytes are the same
    either way."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        used: dict[tuple[bytes, int], bytes] = {}
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(COMPRESSED) else zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the permissions below are read
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            if deflated is None or info.compress_type == zipfile.ZIP_STORED:
                archive.writestr(info, files[name], compress_type=info.compress_type, compresslevel=level)
                continue
            key = (hashlib.sha256(files[name]).digest(), level)
            used[key] = deflated.get(key) or _deflate(files[name], level)
            _write_deflated(archive, info, files[name], used[key])
        if deflated is not None:
            deflated.clear()
            deflated.update(used)
    return buffer.getvalue()


def _deflate(data: bytes, level: int) -> bytes:
    """A member's bytes compressed as zipfile compresses them (raw deflate, no zlib header)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Compressed:
    """Stands in for the compressor of one member's write handle: gives the member's bytes
    compressed before, all at once."""

    def __init__(self, data: bytes):
        self.data = data

    def compress(self, _data) -> bytes:
        data, self.data = self.data, b""
        return data

    def flush(self) -> bytes:
        return b""


def _write_deflated(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, compressed: bytes) -> None:
    """Writes the member as `writestr` would, with its compressed bytes given. zipfile has no
    public way to take them, so the handle's compressor (`_compressor`, CPython's since 3.6) is
    swapped; the handle still counts the size and CRC of `data`, and writes the header.
    tests/test_downloads.py checks the zip against writestr's, byte for byte."""
    info.file_size = len(data)
    with archive.open(info, mode="w") as handle:
        handle._compressor = _Compressed(compressed)  # noqa: SLF001 - see the docstring
        handle.write(data)


# --- the stage -----------------------------------------------------------------------------------

def download_files(layers: list[Layer], references: dict[str, dict], arrivals_csv: bytes,
                   events: Iterable = ()) -> dict[str, bytes]:
    """Every file of the downloads section, path inside site/ -> bytes (see the module docstring);
    `arrivals_csv` is the arrivals table as data/ holds it; `events` are the timeline's (storymap.rendering.timeline.timeline_events, in English)."""
    files: dict[str, bytes] = {}
    layers = downloadable(layers)
    for layer in layers:
        files[layer_path(layer.id, "geojson")] = layer_geojson(layer)
        files[layer_path(layer.id, "csv")] = layer_csv(layer)
    files[ARRIVALS_PATH] = arrivals_csv_bytes(arrivals_csv)
    files[TIMELINE_PATH] = timeline_csv(events)
    files[REFERENCES_JSON_PATH] = references_json(references)
    files[REFERENCES_BIB_PATH] = references_bibtex(references)
    in_zip = {f"{ZIP_FOLDER}/{path[len(ROOT) + 1:]}": data for path, data in files.items()}
    in_zip[f"{ZIP_FOLDER}/DATA-DICTIONARY.md"] = data_dictionary(layers, files[ARRIVALS_PATH]).encode("utf-8")
    in_zip[f"{ZIP_FOLDER}/LICENSE.md"] = licence_note(layers).encode("utf-8")
    files[ZIP_PATH] = deterministic_zip(in_zip)
    return dict(sorted(files.items()))


#: Contributed routes are one file each in layers/routes/; the downloads hold them as one layer,
#: so that a thousand routes are one row of the downloads table, not two thousand.
ROUTES_ID = "routes"


def downloadable(layers: list[Layer]) -> list[Layer]:
    """The layers as they are downloaded: every route file's features gathered in one `routes`
    layer, in the place of the first route file."""
    routes = [layer for layer in layers if layer.group == "routes"]
    if not routes:
        return list(layers)
    combined = Layer(ROUTES_ID, routes[0].path.parent, "routes",
                     sorted((f for layer in routes for f in layer.features), key=lambda f: f["id"]))
    out = [layer for layer in layers if layer.group != "routes"]
    out.insert(layers.index(routes[0]), combined)
    return out


#: How the downloads section names each layer; other layers are named by their kind or title.
LAYER_LABELS = {
    "basemap/countries": "Country outlines (basemap)",
    "basemap/water": "Lakes and reservoirs (basemap)",
    "borders": "National borders",
    "cities": "Cities",
    "crossings": "Bridges and border crossings",
    "dmz": "Korean Demilitarized Zone",
    "fences": "Fences and camera lines (schematic)",
    "rivers": "Border rivers",
    "sites": "Detention and deportation sites (approximate)",
}


def layer_label(layer: Layer, translate=None) -> str:
    """A layer's label in the downloads; `translate` (an edition's Strings) words a route's."""
    if layer.id in LAYER_LABELS:
        return LAYER_LABELS[layer.id]
    if layer.id == ROUTES_ID:
        words = "Escape routes, all {count} (one feature per route)"
        return (translate or (lambda text, **values: text.format(**values)))(words, count=len(layer.features))
    kinds = {f["kind"] for f in layer.features}
    return KINDS[kinds.pop()].legend if len(kinds) == 1 else layer.title


def download_index(layers: list[Layer], files: Mapping[str, bytes], translate=None) -> list[dict]:
    """What the downloads section lists, in order: the zip, each layer (GeoJSON, CSV), the arrivals
    table and the bibliography. Each: label, path (inside site/), format, size (bytes), features
    (a count, or None for files that are not layers). `files` is what `download_files` returned;
    `layers` and `translate` may be an edition's (its route names and words)."""
    def entry(label: str, path: str, fmt: str, features: int | None = None) -> dict:
        return {"label": label, "path": path, "format": fmt, "size": len(files[path]), "features": features}

    layers = downloadable(layers)
    total = sum(len(layer.features) for layer in layers)
    index = [entry("All layers, with the data dictionary and licences", ZIP_PATH, "ZIP", total)]
    for layer in layers:
        label = layer_label(layer, translate)
        index.append(entry(label, layer_path(layer.id, "geojson"), "GeoJSON", len(layer.features)))
        index.append(entry(label, layer_path(layer.id, "csv"), "CSV", len(layer.features)))
    index.append(entry("Defector arrivals in South Korea by year (Ministry of Unification)", ARRIVALS_PATH, "CSV"))
    index.append(entry("Timeline: every dated event, its link and sources", TIMELINE_PATH, "CSV"))
    index.append(entry("Bibliography (CSL-JSON, for Zotero and Pandoc)", REFERENCES_JSON_PATH, "CSL-JSON"))
    index.append(entry("Bibliography (BibTeX)", REFERENCES_BIB_PATH, "BibTeX"))
    return index
