"""Chapters: chapters/NN-slug.md (YAML front matter + Markdown) parsed into dataclasses.

The front matter lists a chapter's scroll steps (where the map goes, what it shows); the body
holds each step's prose after a marker line `<!-- step: <id> -->`, in the same order. Text
before the first marker is the chapter's introduction. See docs/ARCHITECTURE.md, "Chapters".

A translation (chapters/<code>/NN-slug.md) holds the words only: each step its id, map_text and
`translates:` (the `words_hash` of the English step it translates); where the map goes comes from
the English step (storymap.inputs.parity puts the two together).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from ..core.characters import invisible_problems, private_use_problems
from ..core.dates import year_problems
from ..core.geo import REGION
from ..core.problems import InputError, Problem
from ..core.schema_words import Words, dotted, explain, missing, schema_document, validator
from ..core.yaml_input import Refused, load as load_yaml

#: A Pandoc citation key: starts with a letter, digit or _, may hold internal punctuation,
#: never ends with punctuation (so "@ahn-2018." in running text is the key "ahn-2018").
CITE_KEY = r"[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*\w)?"
#: Anything in brackets that looks like a Pandoc citation, e.g. "[see @a, para. 3]". Not followed
#: by "(" so that a Markdown link whose text holds an "@" is not taken for one.
CITATION_LIKE_RE = re.compile(rf"\[(?P<items>[^\[\]]*?(?<![\w.])-?@{CITE_KEY}[^\[\]]*)\](?!\()")
#: The citations the site renders: "[@a]", "[@a; @b, p. 3]" (keys are references.json ids).
_ONE_CITE = r"@[a-z0-9][a-z0-9-]*(?:,[^;\]]*)?"
CITATION_RE = re.compile(rf"\[(?P<items>{_ONE_CITE}(?:;\s*{_ONE_CITE})*)\](?!\()")
#: One key inside a citation's items; group "key" is the key without "@" (or "-@").
CITE_KEY_RE = re.compile(rf"(?<![\w.@])-?@(?P<key>{CITE_KEY})")

#: A line placing a figure the build draws, e.g. <!-- figure: defector-arrivals --> (pipeline.FIGURES).
FIGURE_RE = re.compile(r"^<!--\s*figure:\s*([a-z0-9-]+)\s*-->\s*$", re.MULTILINE)
STEP_MARKER_RE = re.compile(r"^[ \t]*<!--\s*step:\s*(?P<id>.*?)\s*-->[ \t]*$", re.MULTILINE)
FILE_NAME_RE = re.compile(r"^(?P<order>\d{2})-(?P<slug>.+)\.md$")


@dataclass(frozen=True)
class View:
    """Where the map goes: bounds ((south, west), (north, east)), or a center (lat, lon) and zoom."""

    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
    center: tuple[float, float] | None = None
    zoom: int | None = None


@dataclass(frozen=True)
class StepDate:
    """The year or period a step is about (end is None for a single year), and who dates it."""

    start: int
    end: int | None
    sources: tuple[str, ...]

    @property
    def last(self) -> int:
        return self.end if self.end is not None else self.start


@dataclass(frozen=True)
class Step:
    id: str
    view: View
    show: tuple[str, ...]
    highlight: tuple[str, ...]
    map_text: str
    body: str
    date: StepDate | None = None
    #: In a translated edition: the step is shown in English (its translation is missing, or
    #: translates an older English text), under the notice the site gives untranslated text.
    untranslated: bool = False


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str
    summary: str
    order: int
    questions: tuple[str, ...]
    intro: str
    steps: tuple[Step, ...]
    path: Path
    #: In a translated edition: the title, summary, questions and introduction are shown in English
    #: (their translation translates an older English text), under the notice for untranslated text.
    head_untranslated: bool = False


@dataclass(frozen=True)
class StepWords:
    """A translated step: its words, and the `words_hash` of the English step they translate."""

    id: str
    map_text: str
    body: str
    translates: str | None


@dataclass(frozen=True)
class Translation:
    """A translated chapter: its words only (chapters/<code>/NN-slug.md)."""

    slug: str
    title: str
    summary: str
    questions: tuple[str, ...]
    intro: str
    steps: tuple[StepWords, ...]
    path: Path
    #: The `head_hash` of the English title, summary, questions and introduction it translates.
    translates: str | None = None


def _hash(*texts: str) -> str:
    words = "\n".join(" ".join(text.split()) for text in texts)
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:10]


def words_hash(step: Step) -> str:
    """A short hash of an English step's words (map text and prose, however the lines are wrapped):
    what a translated step's `translates:` names, so that a change to the English shows."""
    return _hash(step.map_text, step.body)


def head_hash(chapter: Chapter) -> str:
    """A short hash of an English chapter's title, summary, questions and introduction: what a
    translated chapter's own `translates:` (beside its title) names."""
    return _hash(chapter.title, chapter.summary, *chapter.questions, chapter.intro)


def cite_keys(markdown: str) -> list[str]:
    """Every citation key used in bracketed citations, in order of appearance (with repeats)."""
    return [key.group("key") for cite in CITATION_RE.finditer(markdown)
            for key in CITE_KEY_RE.finditer(cite.group("items"))]


def display_path(path: Path) -> str:
    """How messages name a chapter file: relative to the project, e.g. chapters/01-hunger.md, or
    chapters/ko/01-hunger.md for a translation."""
    if path.parent.parent.name == "chapters":
        return f"chapters/{path.parent.name}/{path.name}"
    return f"{path.parent.name}/{path.name}"


def load_chapters(chapters_dir: Path, schema: Path) -> list[Chapter]:
    """All chapters, sorted by their NN prefix, their front matter checked against `schema` (the
    project's chapters/front-matter.schema.json: structure and types; the rest is checked here).
    Raises InputError listing every problem found."""
    problems: list[Problem] = []
    chapters = []
    paths = sorted(Path(chapters_dir).glob("*.md"))
    if not paths:
        raise InputError([Problem(f"{Path(chapters_dir).name}/", "holds no chapter files (*.md).",
                                  "add chapters named NN-slug.md, e.g. 01-hunger.md.")])
    for path in paths:
        chapter = _parse_chapter(path, problems, schema)
        if chapter is not None:
            chapters.append(chapter)
    _check_unique(chapters, problems)
    if problems:
        raise InputError(problems)
    return sorted(chapters, key=lambda c: (c.order, c.slug))


def load_translations(folder: Path, schema: Path) -> list[Translation]:
    """Every translated chapter in chapters/<code>/, by file name. Raises InputError listing every
    problem found (a map field in a translation among them: the map comes from the English)."""
    problems: list[Problem] = []
    translations = [t for path in sorted(Path(folder).glob("*.md"))
                    if (t := _parse_translation(path, problems, schema)) is not None]
    if problems:
        raise InputError(problems)
    return translations


def load_chapter(path: Path, schema: Path) -> Chapter:
    """One chapter file, checked as load_chapters checks it alone (the checks across chapters,
    such as unique slugs, are load_chapters'). Raises InputError listing its problems."""
    problems: list[Problem] = []
    chapter = _parse_chapter(Path(path), problems, schema)
    if problems:
        raise InputError(problems)
    return chapter


def load_translation(path: Path, schema: Path) -> Translation:
    """One translated chapter file, checked as load_translations checks it. Raises InputError
    listing its problems."""
    problems: list[Problem] = []
    translation = _parse_translation(Path(path), problems, schema)
    if problems:
        raise InputError(problems)
    return translation


def check_references(chapters: Iterable[Chapter], layer_ids: Iterable[str],
                     feature_ids: Iterable[str], reference_keys: Iterable[str],
                     figures: Collection[str] | None = None) -> list[Problem]:
    """Problems for ids the chapters use but the layers or references.json do not define.

    A `show` entry may be a layer id ("rivers") or a group name ("routes") that stands for
    every layer whose id starts with "<group>/".
    """
    layer_ids, feature_ids, keys = set(layer_ids), set(feature_ids), set(reference_keys)
    groups = {layer.split("/", 1)[0] for layer in layer_ids if "/" in layer}
    problems = []
    for chapter in chapters:
        file = display_path(chapter.path)
        texts = [("intro", chapter.intro)]
        for i, step in enumerate(chapter.steps):
            for layer in step.show:
                if layer not in layer_ids and layer not in groups:
                    problems.append(Problem(file, f"step {step.id!r} shows layer {layer!r}, which does not exist.",
                                            f"use one of: {', '.join(sorted(layer_ids | groups))}.",
                                            field=f"steps[{i}].show"))
            for feature in step.highlight:
                if feature not in feature_ids:
                    problems.append(Problem(file, f"step {step.id!r} highlights feature {feature!r}, "
                                                  "which is in no layer.",
                                            "use a feature id from layers/ (see docs/ARCHITECTURE.md).",
                                            field=f"steps[{i}].highlight"))
            texts.append((f"steps[{i}].body", step.body))
            for key in step.date.sources if step.date else ():
                if key not in keys:
                    problems.append(Problem(file, f"step {step.id!r} cites [@{key}] for its date, which is not "
                                                  "in references.json.",
                                            "fix the key or add the reference to references.json.",
                                            field=f"steps[{i}].date.sources"))
        for field, text in texts:
            problems.extend(citation_problems(file, field, text, keys))
            if figures is not None:
                problems.extend(figure_problems(file, field, text, figures))
    return problems


def figure_problems(file: str, field: str | None, text: str, figures: Collection[str]) -> list[Problem]:
    """Figure markers naming a figure the build does not draw."""
    return [Problem(file, f"places the figure {name!r}, which the site does not have.",
                    f"use one of: {', '.join(sorted(figures))} (<!-- figure: name --> on a line of its own).",
                    field=field)
            for name in FIGURE_RE.findall(text) if name not in figures]


def citation_problems(file: str, field: str | None, text: str, keys: Collection[str]) -> list[Problem]:
    """Citations in a Markdown text that the site cannot format, or whose keys references.json lacks."""
    problems = []
    for match in CITATION_LIKE_RE.finditer(text):
        if not CITATION_RE.fullmatch(match.group(0)):
            problems.append(Problem(file, f"{match.group(0)} is not a citation the site can format.",
                                    "write [@key], [@key, p. 3] or [@a; @b], with keys from "
                                    "references.json and no words before the @.", field=field))
    for key in dict.fromkeys(cite_keys(text)):
        if key not in keys:
            problems.append(Problem(file, f"cites [@{key}], which is not in references.json.",
                                    "fix the key or add the reference to references.json.", field=field))
    return problems


# --- parsing ---------------------------------------------------------------------------------

class _FrontMatterYAML(YAMLHandler):
    """python-frontmatter's YAML handler, reading with yaml_input.load (no aliases)."""

    def load(self, fm: str, **kwargs):
        return load_yaml(fm)


_FRONT_MATTER = _FrontMatterYAML()


def _checked_front_matter(path: Path, problems: list[Problem], schema: Path, pointer: str = "",
                          not_here: Collection[str] = ()) -> tuple[dict, str, re.Match | None] | None:
    """Front matter that meets its contract (`schema`, or its part at `pointer`: $defs/translation for a translation's), its
    Markdown and its file name's parts; None (and the problems) if it does not. A step field in
    `not_here` is refused by name, before the contract is read (a translation's map fields)."""
    file = display_path(path)

    def problem(message: str, fix: str = "", field: str | None = None) -> None:
        problems.append(Problem(file, message, fix, field=field))

    name = FILE_NAME_RE.match(path.name)
    if not name:
        problem("file name is not NN-slug.md.", "rename it, e.g. 03-protocols.md (two digits give the order).")
    try:
        text = path.read_text(encoding="utf-8")
        post = frontmatter.loads(text, handler=_FRONT_MATTER)
    except UnicodeDecodeError:
        problem("is not UTF-8 text.", "save the file as UTF-8.")
        return None
    except Refused as err:
        problem(f"front matter {err.message}{err.line()}.", err.fix)
        return None
    except yaml.YAMLError as err:
        problem(f"front matter is not valid YAML ({_yaml_error(err)}).",
                "check indentation, colons and brackets between the two '---' lines.")
        return None
    problems.extend(private_use_problems(file, text))
    meta, content = post.metadata, post.content
    if not text.lstrip("\ufeff").startswith("---") or not isinstance(meta, dict):
        problem("has no YAML front matter.", "start the file with a '---' block holding title, slug, summary, steps.")
        return None
    steps = meta.get("steps") if isinstance(meta.get("steps"), list) else []
    refused = [(i, step, [field for field in not_here if field in step])
               for i, step in enumerate(steps) if isinstance(step, dict) and any(field in step for field in not_here)]
    for i, step, fields in refused:
        problem(f"step {step.get('id')!r} has {', '.join(f'{f}:' for f in fields)}, which a translation does not "
                "repeat.", f"remove {', '.join(fields)}: the map (and the date) come from the English step of "
                "the same id; a translation holds only words.", f"steps[{i}].{fields[0]}")
    if refused:
        return None
    errors = list(validator(schema, pointer).iter_errors(meta))
    for error in errors:
        for field, message, fix in _schema_problems(error):
            problem(message, fix, field)
    if errors:
        return None
    problems.extend(invisible_problems(file, "the title", meta["title"], field="title"))
    slug = meta["slug"]
    if name and name.group("slug") != slug:
        problem(f"slug {slug!r} does not match the file name {path.name!r}.",
                f"rename the file to {name.group('order')}-{slug}.md or change the slug.", "slug")
    seen: set[str] = set()
    for i, raw in enumerate(meta["steps"]):
        if raw["id"] in seen:
            problem(f"step id {raw['id']!r} is used twice.", "give every step its own id.", f"steps[{i}].id")
        seen.add(raw["id"])
    return meta, content, name


def _parse_chapter(path: Path, problems: list[Problem], schema: Path) -> Chapter | None:
    before = len(problems)

    def problem(message: str, fix: str = "", field: str | None = None) -> None:
        problems.append(Problem(display_path(path), message, fix, field=field))

    checked = _checked_front_matter(path, problems, schema)
    if checked is None:
        return None
    meta, content, name = checked
    steps = [(raw["id"], _parse_view(raw["view"], f"steps[{i}].view", problem),
              tuple(s.strip() for s in raw.get("show", [])), tuple(s.strip() for s in raw.get("highlight", [])),
              raw["map_text"].strip(), _parse_date(raw.get("date"), f"steps[{i}].date", problem))
             for i, raw in enumerate(meta["steps"])]
    intro, bodies = _split_body(content, [s[0] for s in steps], problem)
    if len(problems) > before:
        return None
    return Chapter(slug=meta["slug"], title=meta["title"].strip(), summary=meta["summary"].strip(),
                   order=int(name.group("order")), questions=tuple(q.strip() for q in meta.get("questions", [])),
                   intro=intro,
                   steps=tuple(Step(step_id, view, show, highlight, map_text, bodies[step_id], date)
                               for step_id, view, show, highlight, map_text, date in steps),
                   path=path)


def map_fields(schema: Path) -> tuple[str, ...]:
    """A step's fields that set up its map, and its date: those of the English step that a
    translated step (the contract's $defs/translated-step) does not have."""
    contract = schema_document(schema)["$defs"]
    return tuple(name for name in contract["step"]["properties"]
                 if name not in contract["translated-step"]["properties"])


def _parse_translation(path: Path, problems: list[Problem], schema: Path) -> Translation | None:
    before = len(problems)
    checked = _checked_front_matter(path, problems, schema, "/$defs/translation", not_here=map_fields(schema))
    if checked is None:
        return None
    meta, content, _name = checked
    intro, bodies = _split_body(content, [raw["id"] for raw in meta["steps"]],
                                lambda message, fix="", field=None: problems.append(
                                    Problem(display_path(path), message, fix, field=field)))
    if len(problems) > before:
        return None
    return Translation(slug=meta["slug"], title=meta["title"].strip(), summary=meta["summary"].strip(),
                       questions=tuple(q.strip() for q in meta.get("questions", [])), intro=intro,
                       steps=tuple(StepWords(raw["id"], raw["map_text"].strip(), bodies[raw["id"]],
                                             raw.get("translates")) for raw in meta["steps"]),
                       path=path, translates=meta.get("translates"))


# --- the front matter contract (chapters/front-matter.schema.json) ----------------------------

VIEW_FIX = "write {bounds: [[south, west], [north, east]]} or {center: [lat, lon], zoom: N}."
TEXT_FIX = "write some text; it may not be empty."

FRONT_MATTER_WORDS = Words(
    missing={"title": "add 'title:' with the chapter's title.",
             "slug": "add 'slug:', e.g. crossing-the-rivers (the file is then named NN-crossing-the-rivers.md).",
             "summary": "add 'summary:' with one sentence for the table of contents.",
             "steps": "add a 'steps:' list of at least 3 steps, each '- id: ...' with view, show, highlight, map_text.",
             "id": "add 'id:', e.g. two-rivers (it becomes the #link of the step).",
             "view": VIEW_FIX, "bounds": VIEW_FIX, "center": "write the centre as [lat, lon], e.g. [40.1, 124.4].",
             "map_text": "add 'map_text:' saying in words what the map shows, for readers who cannot see it.",
             "start": "add 'start:' with the year, e.g. date: {start: 1994, end: 1998, sources: [ahn-2018]}.",
             "sources": "add 'sources:' with the references.json keys that give this date, e.g. [ahn-2018]: "
                        "a date without a source cannot go on the timeline."},
    patterns={"slug": "write it like 'crossing-the-rivers': lower-case letters, digits and single hyphens.",
              "id": "write it like 'two-rivers' (it becomes the #link of the step).",
              "sources": "write reference keys from references.json, e.g. ahn-2018.",
              "translates": "write the hash `python build.py check` gives for the English text, e.g. 3f9a0c12be.",
              **{name: TEXT_FIX for name in ("title", "summary", "map_text", "questions", "show", "highlight")}},
    numbers={"zoom": ("zoom", "use a whole number from 2 to 16, e.g. 6 for a region, 11 for a city.")},
    types={"start": "write the year as a plain number, e.g. start: 1994.",
           "end": "write the year as a plain number, e.g. end: 1998."},
    where=lambda path: (dotted(path), ""),
)


def _schema_problems(error) -> list[tuple[str | None, str, str]]:
    if error.validator == "required":
        return [missing(name, error.absolute_path, FRONT_MATTER_WORDS)
                for name in error.validator_value if name not in error.instance]
    return [explain(error, FRONT_MATTER_WORDS)]


def _parse_view(raw: dict, field: str, problem) -> View:
    """The view, once the contract has checked its fields' types: the combinations and corners."""
    if "bounds" in raw and ("center" in raw or "zoom" in raw):
        problem("view has both bounds and center/zoom.", "keep one of the two.", field)
        return View()
    if "bounds" in raw:
        points = [_point(corner, f"{field}.bounds[{k}]", problem) for k, corner in enumerate(raw["bounds"])]
        if None in points:
            return View()
        (south, west), (north, east) = points
        if not (south < north and west < east):
            problem(f"bounds {raw['bounds']} are not [[south, west], [north, east]] (south < north, west < east).",
                    "put the south-west corner first, in lat, lon order.", f"{field}.bounds")
            return View()
        return View(bounds=(points[0], points[1]))
    if "center" in raw and "zoom" in raw:
        center = _point(raw["center"], f"{field}.center", problem)
        return View(center=center, zoom=raw["zoom"]) if center else View()
    problem("view has neither bounds nor both center and zoom.", VIEW_FIX, field)
    return View()


def _parse_date(raw: dict | None, field: str, problem) -> StepDate | None:
    """A step's date, once the contract has checked its fields' types: the years' range and order."""
    if raw is None:
        return None
    found = year_problems(raw["start"], raw.get("end"))
    for name, message, fix in found:
        problem(message, fix, f"{field}.{name}")
    return None if found else StepDate(raw["start"], raw.get("end"), tuple(raw["sources"]))


def _point(raw: list, field: str, problem) -> tuple[float, float] | None:
    """A [lat, lon] pair (two numbers: the contract checked that), if it is a place in the story's region."""
    west, south, east, north = REGION
    lat, lon = float(raw[0]), float(raw[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problem(f"[{lat}, {lon}] is not a valid latitude, longitude.", "write [lat, lon]: latitude first.", field)
        return None
    if not (south <= lat <= north and west <= lon <= east):
        problem(f"[{lat}, {lon}] is outside the story's region (lat {south}..{north}, lon {west}..{east}).",
                "check the numbers, and that latitude comes first.", field)
        return None
    return lat, lon


def _split_body(content: str, step_ids: list[str], problem) -> tuple[str, dict[str, str]]:
    """Cut the Markdown at the step markers; report markers that do not match the front matter."""
    markers = list(STEP_MARKER_RE.finditer(content))
    intro = content[:markers[0].start()].strip() if markers else content.strip()
    bodies: dict[str, str] = {}
    for k, marker in enumerate(markers):
        end = markers[k + 1].start() if k + 1 < len(markers) else len(content)
        marker_id = marker.group("id")
        if marker_id in bodies:
            problem(f"marker <!-- step: {marker_id} --> appears twice.", "keep one marker per step.", "body")
        bodies[marker_id] = content[marker.end():end].strip()
    wanted = [s for s in step_ids if s]
    for marker_id in bodies:
        if marker_id not in wanted:
            problem(f"marker <!-- step: {marker_id} --> has no step with that id in the front matter.",
                    "add the step to 'steps:' or fix the marker's id.", "body")
    for i, step_id in enumerate(step_ids):
        if step_id and step_id not in bodies:
            problem(f"step {step_id!r} has no marker <!-- step: {step_id} --> in the text.",
                    "add the marker line before the step's prose.", f"steps[{i}].id")
        elif step_id and not bodies[step_id]:
            problem(f"step {step_id!r} has no text after its marker.", "write the step's prose.", f"steps[{i}]")
    in_both = [m.group("id") for m in markers if m.group("id") in wanted]
    if in_both != [s for s in wanted if s in bodies]:
        problem(f"step markers are in the order {in_both}, the front matter in the order {wanted}.",
                "put the markers in the same order as the steps.", "body")
    return intro, bodies


def _yaml_error(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    what = getattr(err, "problem", None) or str(err).splitlines()[0]
    # The front matter's text begins with the end of the opening '---' line: its line 0 is the file's line 1.
    return f"{what}, line {mark.line + 1}" if mark is not None else what


def _check_unique(chapters: list[Chapter], problems: list[Problem]) -> None:
    by_slug: dict[str, Chapter] = {}
    by_order: dict[int, Chapter] = {}
    for chapter in chapters:
        if chapter.slug in by_slug:
            problems.append(Problem(display_path(chapter.path), f"slug {chapter.slug!r} is also used by "
                                                       f"{by_slug[chapter.slug].path.name}.",
                                    "give every chapter its own slug.", field="slug"))
        if chapter.order in by_order:
            problems.append(Problem(display_path(chapter.path), f"number {chapter.order:02d} is also used by "
                                                       f"{by_order[chapter.order].path.name}.",
                                    "give every chapter its own two-digit number.", field=None))
        by_slug.setdefault(chapter.slug, chapter)
        by_order.setdefault(chapter.order, chapter)
