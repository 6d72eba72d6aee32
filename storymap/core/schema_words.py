"""JSON Schema errors in plain words: what is wrong, where, and how to fix it.

Every input a contributor writes is checked against a JSON Schema (layers/feature.schema.json,
chapters/front-matter.schema.json, content/site.schema.json) with `jsonschema`; this module turns
the errors into the same kind of sentences for all of them. A `Words` gives one contract's own
words: how to fix a missing field, what a pattern means, what a number is.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from .problems import Phrase

TYPE_WORDS = {
    "string": "text in double quotes",
    "integer": "a whole number such as 2015",
    "number": "a number",
    "array": "a list in square brackets [ ]",
    "object": "a group of fields in curly braces { }",
}


#: How deep a contributor's document may nest lists and objects: GeoJSON needs 8 levels at most
#: (a MultiPolygon's rings in a feature of a collection); validating a deeper one could exhaust
#: Python's recursion (a file of 5,000 nested brackets did, in json.loads itself).
MAX_DEPTH = 32
#: What a parser's RecursionError leaves in place of the document.
DEEP = object()
DEPTH_FIX = "look for brackets [ ] or braces { } that open and never close, or data pasted into itself."


def too_deep(document, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `limit` levels deep in `document` (no recursion)."""
    level = [document] if isinstance(document, (list, dict)) else []
    for _ in range(limit):
        if not level:
            return False
        level = [child for value in level for child in (value.values() if isinstance(value, dict) else value)
                 if isinstance(child, (list, dict))]
    return bool(level)


def validator(schema_path: Path, pointer: str = "") -> Draft202012Validator:
    """The compiled contract in `schema_path` as the file is now, or the part of it at `pointer`
    (e.g. "/$defs/translation"), whose references into the rest still resolve: read and compiled
    once per version (a contract edited while the preview runs is the one its next rebuild checks)."""
    version = schema_path.stat()
    return _compiled(schema_path, pointer, version.st_mtime_ns, version.st_size)


def schema_document(schema_path: Path) -> dict:
    """The contract in `schema_path` as the file is now, parsed and checked: read once per version."""
    version = schema_path.stat()
    return _document(schema_path, version.st_mtime_ns, version.st_size)


@functools.lru_cache(maxsize=8)
def _document(schema_path: Path, _mtime_ns: int, _size: int) -> dict:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@functools.lru_cache(maxsize=16)
def _compiled(schema_path: Path, pointer: str, mtime_ns: int, size: int) -> Draft202012Validator:
    schema = _document(schema_path, mtime_ns, size)
    if not pointer:
        return Draft202012Validator(schema)
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{schema['$id']}#{pointer}"}, registry=registry)


def dotted(path) -> str | None:
    """A path inside a document as a contributor reads it: steps[1].view.zoom."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def _no_item(path) -> tuple[str | None, str]:
    return dotted(path), ""


@dataclass(frozen=True)
class Words:
    """One contract's words. Fixes are looked up by a field's own name (the last name in its path).

    `missing`: how to add a field that is missing; `patterns`: how a field must be written;
    `empty`: what an empty field means; `choices`: how to choose a value (else the allowed values
    are listed); `numbers`: (what the number is, how to fix it) for numbers out of range;
    `types`: how to write a field given in the wrong shape (else a generic hint);
    `where`: path -> (field as reported, "item N of 'field' " or "").
    """

    missing: Mapping[str, str] = dataclass_field(default_factory=dict)
    patterns: Mapping[str, str] = dataclass_field(default_factory=dict)
    empty: Mapping[str, str] = dataclass_field(default_factory=dict)
    choices: Mapping[str, str] = dataclass_field(default_factory=dict)
    numbers: Mapping[str, tuple[str, str]] = dataclass_field(default_factory=dict)
    types: Mapping[str, str] = dataclass_field(default_factory=dict)
    where: Callable[[list], tuple[str | None, str]] = _no_item


def name_of(field: str | None) -> str | None:
    """The field's own name, by which its words are looked up: steps[0].show[1] -> show."""
    return re.sub(r"(\[\d+\])+$", "", field.rsplit(".", 1)[-1]) if field else None


def missing(name: str, path, words: Words) -> tuple[str | None, str, str]:
    """(field, message, fix) for a required field that is not there."""
    field, _ = words.where(list(path) + [name])
    return field, f"the required field {name!r} is missing.", words.missing.get(name, "")


def explain(error: ValidationError, words: Words) -> tuple[str | None, str, str]:
    """(field, what is wrong, how to fix it) for one schema error other than "required"."""
    path = list(error.absolute_path)
    field, item = words.where(path)
    name = name_of(field)
    value, expected = error.instance, error.validator_value
    if error.validator == "type":
        kinds = " or ".join(TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        return field, f"{item}should be {kinds}, but is {describe(value)}.", _type_fix(expected, name, value, words)
    if error.validator in ("enum", "const"):
        return field, f"{json.dumps(value)} is not an allowed {name}.", _choice_fix(name, value, expected, words)
    if error.validator == "pattern":
        return field, f"{json.dumps(value)} is not written the way {name!r} must be.", words.patterns.get(name, "")
    if error.validator in ("minLength", "minItems") and item:
        return field, f"{item}is empty.", "fill it in or remove it."
    if error.validator == "minItems" and expected > 1 and value:
        return field, f"has {len(value)} {name}; at least {expected} are needed.", words.missing.get(name, "")
    if error.validator in ("minLength", "minItems"):
        return field, words.empty.get(name, "the field is empty."), words.missing.get(name, "")
    if error.validator in ("maxLength", "maxItems"):
        what = Phrase("{count} characters", count=len(value)) if isinstance(value, str) \
            else Phrase("{count} items", count=len(value))
        return field, Phrase("it is too long ({what}; at most {limit}).", what=what, limit=expected), Phrase("shorten it.")
    if error.validator in ("minimum", "maximum"):
        noun, fix = words.numbers.get(name, ("value", f"correct the {name}."))
        return field, f"{value} is not a plausible {noun} (the {error.validator} is {expected}).", fix
    if error.validator == "additionalProperties":
        return _unknown_fields(error, path, words)
    if error.validator in ("oneOf", "anyOf"):
        return field, f"is not written in any of the ways {name!r} may be.", words.missing.get(name, "")
    return field, error.message + ".", ""


def _type_fix(expected, name: str | None, value, words: Words) -> str:
    if name in words.types:
        return words.types[name]
    if expected == "string":
        return f"put the text in double quotes: {json.dumps(str(value))}."
    if expected == "integer" and name in words.numbers:
        return words.numbers[name][1]
    if expected == "integer":
        return f'write the year as a plain number without quotes, e.g. "{name}": 2015.'
    if expected == "array":
        example = json.dumps(value) if isinstance(value, str) else '"..."'
        return f'write a list in square brackets, e.g. "{name}": [{example}].'
    return ""


def _choice_fix(name: str | None, value, allowed, words: Words) -> str:
    allowed = allowed if isinstance(allowed, list) else [allowed]
    if name in words.choices:
        return words.choices[name]
    close = difflib.get_close_matches(value, allowed, n=1) if isinstance(value, str) else []
    hint = f" (did you mean {json.dumps(close[0])}?)" if close else ""
    noun = "kinds" if name == "kind" else "values"
    return f"use one of the allowed {noun}: {', '.join(map(str, allowed))}{hint}."


def _unknown_fields(error: ValidationError, path: list, words: Words) -> tuple[str | None, str, str]:
    known = list(error.schema["properties"])
    unknown = [str(name) for name in error.instance if name not in known]
    close = {name: difflib.get_close_matches(name, known, n=1) for name in unknown}
    hints = [f"{name!r} -> {match[0]!r}" for name, match in close.items() if match]
    fix = f"check the spelling ({', '.join(hints)}), or remove it." if hints else \
        f"remove it; the fields the map knows are: {', '.join(known)}."
    field, _ = words.where(path + [unknown[0]])
    return field, f"has a field the map does not know: {', '.join(map(repr, unknown))}.", fix


def describe(value) -> str:
    """A JSON value as a contributor would name it."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"true/false ({json.dumps(value)})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({json.dumps(value)[:40]})"
    return "a list" if isinstance(value, list) else "a group of fields { }"
