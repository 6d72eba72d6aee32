"""The story's editions: English at the site's root, Korean under ko/, Simplified Chinese under zh/.

One table (EDITIONS) says what each language needs: its folder, its `lang` and `hreflang`
codes, the citeproc locale of its citations and the fonts its static maps may draw with.

Translations live beside the English: `chapters/<code>/NN-slug.md` (the words only: each
step's map and date come from the English step, storymap.inputs.parity), `content/<code>/landing.md` and `about.md`, `content/<code>/strings.yaml`
(the interface's words, keyed by the English text the templates and story.js write) and
`content/<code>/places.yaml` (feature names and descriptions as the edition's readers know
them). Whatever is not translated falls back to the English, and the page says so.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from markupsafe import Markup, escape

from ..core.characters import invisible_problems, private_use_problems
from .parity import text_problems
from ..core.problems import FIELD_RE, Phrase, Problem
from ..core.yaml_input import Refused, load as load_yaml

if TYPE_CHECKING:
    from .project import Project

#: An edition's words beside its translated pages (Project.translation finds them).
STRINGS_FILE, PLACES_FILE = "strings.yaml", "places.yaml"


@dataclass(frozen=True)
class Edition:
    code: str           # folder under site/ ("" for English) and under chapters/ and content/
    name: str           # in its own language, for the language switch
    html_lang: str      # <html lang>
    hreflang: str       # <link rel="alternate" hreflang>
    csl_locale: str     # citeproc-py locale of citations and reference lists
    #: Static-map font families, best first; the first one installed that has every glyph is used
    #: (DejaVu Sans, matplotlib's own, last: enough for an edition with nothing translated yet).
    fonts: tuple[str, ...] = ("DejaVu Sans",)
    #: Characters that show a text is written in the edition's language (a regular expression's
    #: class; "" for English, the default): see written_in. An edition listed earlier is tried first.
    script: str = ""

    @property
    def prefix(self) -> str:
        """The edition's folder inside site/, with its slash ("" for English)."""
        return f"{self.code}/" if self.code != "en" else ""

    @property
    def is_default(self) -> bool:
        return self.code == "en"


#: Every edition, in the order of the language switch. A new edition is one line here and a folder
#: of words: chapters/<code>/ and content/<code>/ (CONTRIBUTING.md, "Translations").
EDITIONS: tuple[Edition, ...] = (
    Edition("en", "English", "en", "en", "en-US"),
    Edition("ko", "한국어", "ko", "ko", "ko-KR",
            ("Noto Sans CJK KR", "Source Han Sans KR", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic",
             "Noto Sans KR", "DejaVu Sans"), script="\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"),
    Edition("zh", "中文", "zh-Hans", "zh-Hans", "zh-CN",
            ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei",
             "Noto Sans SC", "DejaVu Sans"), script="\u3400-\u4dbf\u4e00-\u9fff"),
)
ENGLISH = EDITIONS[0]
TRANSLATIONS = EDITIONS[1:]

#: Markup in a translation: something a browser would read as a tag (the page shows it as text),
#: or a Markdown link (the arrivals chart's caption is rendered as Markdown, for its citations).
_MARKUP_RE = re.compile(r"<[A-Za-z/!?]|\]\(")


def fill(text: str, values: dict) -> str:
    """`text` with each {name} that `values` has replaced by str(value); nothing else is read.
    Where a value is markup (a link or a key name a template made), the text is escaped and so is
    every value that is not markup: the result is markup, and only the template's."""
    if not any(isinstance(value, Markup) for value in values.values()):
        return FIELD_RE.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)
    return Markup(FIELD_RE.sub(lambda m: escape(values[m[1]]) if m[1] in values else m[0], escape(text)))


@dataclass(frozen=True)
class Strings:
    """An edition's words for the interface: English text -> translation."""

    table: dict[str, str]

    def __call__(self, text: str, /, **values) -> str:
        """The translation of `text` (or `text` itself), with {name} fields filled from `values`:
        text, which templates escape, unless a value is markup (then see `fill`)."""
        translated = self.table.get(text, text)
        return fill(translated, values) if values else translated

    def said(self, text: str) -> str:
        """A problem's message or fix in the edition's words: a Phrase by its template's translation,
        its values said too; any other text (a problem that has no Phrase) as it is, in English."""
        if not isinstance(text, Phrase):
            return text
        return self(text.template, **{name: self.said(value) if isinstance(value, str) else value
                                      for name, value in text.values.items()})

    def subset(self, keys) -> dict[str, str]:
        return {k: self.table[k] for k in sorted(keys) if k in self.table}


ENGLISH_STRINGS = Strings({})

#: Strings story.js translates: the argument of every t("...") call in it.
_JS_STRING_RE = re.compile(r'\bt\("((?:[^"\\]|\\.)*)"\)')


def written_in(text: str) -> str:
    """The `lang` of a contributor's text, by its script: the first edition whose script it has
    (Korean where it has Hangul, Chinese where it has Han characters only), else English. A route
    written in the studio in Korean is shown so marked in the other editions, as any text not in
    the edition's language is."""
    return next((e.html_lang for e in EDITIONS if e.script and re.search(f"[{e.script}]", text)),
                ENGLISH.html_lang)


def script_strings(script: Path) -> set[str]:
    """The interface words a script asks for with t("..."), so that only those go on its pages."""
    return {m.group(1).encode().decode("unicode_escape") if "\\" in m.group(1) else m.group(1)
            for m in _JS_STRING_RE.finditer(script.read_text(encoding="utf-8"))}


def _yaml_mapping(path: Path, root: Path, problems: list[Problem], what: str) -> dict:
    display = path.relative_to(root).as_posix()
    if not path.exists():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except Refused as err:
        problems.append(Problem(display, f"{err.message}{err.line()}.", err.fix))
        return {}
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        problems.append(Problem(display, f"cannot be read as YAML ({str(err).splitlines()[0]}).",
                                f"keep it a mapping of {what}."))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(display, "is not a mapping.", f"keep it a mapping of {what}."))
        return {}
    return data


def _refused_translation(display: str, english: str, translated: str) -> list[Problem]:
    """Why a translation cannot be used at all (empty if it can): a brace that is no {field},
    a private-use character, markup, or {fields} other than the English text's."""
    unreadable = private_use_problems(display, translated, english)
    if unreadable:
        return unreadable
    about = f"the translation of {english[:60]!r}"
    if "{" in FIELD_RE.sub("", translated) or "}" in FIELD_RE.sub("", translated):
        message, fix = (f"{about} has a brace that is not part of a {{name}} field.",
                        "keep braces only around the English text's field names, e.g. {title}, and remove any "
                        "other { or }.")
    elif _MARKUP_RE.search(translated):
        message, fix = (f"{about} holds markup (<...> or a link), which a translation may not add.",
                        "write text only: links and key names come from the template, as the English text's "
                        "{fields}.")
    elif set(FIELD_RE.findall(english)) != set(FIELD_RE.findall(translated)):
        message, fix = f"{about} does not keep its {{fields}}.", "keep every {name} of the English text, untranslated."
    else:
        return []
    return [Problem(display, message, fix, field=english)]


def load_strings(project: Project, edition: Edition, problems: list[Problem]) -> Strings:
    """content/<code>/strings.yaml: each English interface text and its translation."""
    if edition.is_default:
        return ENGLISH_STRINGS
    path, root = project.translation(edition, STRINGS_FILE), project.root
    data = _yaml_mapping(path, root, problems, "English text: translation")
    table = {}
    for english, translated in data.items():
        if not isinstance(english, str) or not isinstance(translated, str) or not translated.strip():
            problems.append(Problem(path.relative_to(root).as_posix(),
                                    f"entry {english!r} is not English text with a translation.",
                                    "write each entry as \"English text\": \"translation\".", field=str(english)))
            continue
        refused = _refused_translation(path.relative_to(root).as_posix(), english, translated)
        if refused:
            problems.extend(refused)
            continue
        problems.extend(text_problems(path.relative_to(root).as_posix(), f"the translation of {english[:40]!r}",
                                      english, english, translated))
        table[english] = translated
    return Strings(table)


def load_places(project: Project, edition: Edition, features: list[dict], problems: list[Problem],
                stale: list[Problem]) -> dict[str, dict]:
    """content/<code>/places.yaml: feature id -> {name, description} in the edition's language.
    A text whose figures or citations no longer match the English (a layer changed since it was
    translated) is left out, so the map shows the English, and reported in `stale`."""
    if edition.is_default:
        return {}
    feature_ids = {f["id"] for f in features}
    english = {(f["id"], key): f.get(key) or "" for f in features for key in ("name", "description")}
    path, root = project.translation(edition, PLACES_FILE), project.root
    display = path.relative_to(root).as_posix()
    places = {}
    for feature_id, entry in _yaml_mapping(path, root, problems, "feature id: {name, description}").items():
        if feature_id not in feature_ids:
            problems.append(Problem(display, f"names feature {feature_id!r}, which is in no layer.",
                                    "use a feature id from layers/ (see docs/ARCHITECTURE.md).", field=str(feature_id)))
            continue
        if (not isinstance(entry, dict) or set(entry) - {"name", "description"}
                or not all(isinstance(v, str) and v.strip() for v in entry.values())):
            problems.append(Problem(display, f"entry {feature_id!r} is not a name and an optional description.",
                                    "write it as {name: ..., description: ...}.", field=str(feature_id)))
            continue
        hidden = invisible_problems(display, f"the name of {feature_id!r}", entry.get("name", ""), field=str(feature_id))
        if hidden:
            problems.extend(hidden)
            continue
        kept = {}
        for key, text in entry.items():
            # Out of step with the English (whose layer changed since): show the English instead.
            differences = text_problems(display, f"the {key} of {feature_id!r}", f"{feature_id}.{key}",
                                        english.get((feature_id, key), ""), text.strip())
            if differences:
                stale.extend(differences)
            else:
                kept[key] = text.strip()
        places[feature_id] = kept
    return places


def localize_layers(layers: list, places: dict[str, dict]) -> list:
    """The layers with each feature's name and description in the edition's language, where given."""
    if not places:
        return layers
    return [dataclasses.replace(layer, features=[{**f, **places.get(f["id"], {})} for f in layer.features])
            for layer in layers]
