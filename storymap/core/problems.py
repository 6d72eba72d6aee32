"""Plain-words reports of mistakes in a contributor's files.

Every stage that reads a contributor's input collects `Problem`s instead of
raising on the first one, so that one run reports everything wrong at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: A field of an interface text or a Phrase, {name}: the only thing filled in. A translation is
#: data, never a format string: str.format would follow "{title.__class__...}" through attributes
#: and items, all the way to the build machine's environment.
FIELD_RE = re.compile(r"\{(\w+)\}")


class Phrase(str):
    """A problem's message or fix in English that keeps the template it was made from and the
    values that filled it, so that the contribution studio can say it in the contributor's language.

    The template is the message's one place: it is the key of its translations in
    content/<code>/strings.yaml (storymap/inputs/studio_words.py finds every Phrase("...") and
    `check` names any translation an edition lacks), and the text a Phrase is, used as any str,
    is the template with each {name} filled (a value may be a Phrase too). Values are given
    already written (a name quoted, a number formatted): only {name} fields are filled, so a
    template may show JSON's braces."""

    template: str
    values: dict

    def __new__(cls, template: str, **values) -> "Phrase":
        text = FIELD_RE.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)
        phrase = super().__new__(cls, text)
        phrase.template, phrase.values = template, values
        return phrase

    def __reduce__(self):
        return _phrase, (self.template, self.values)


def _phrase(template: str, values: dict) -> Phrase:
    return Phrase(template, **values)


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is (file, feature, field), what is wrong, how to fix it."""

    file: str
    message: str
    fix: str = ""
    feature_index: int | None = None
    feature_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.feature_index is not None:
            label = f"feature {self.feature_index}"
            if self.feature_id:
                label += f" (id {self.feature_id!r})"
            where.append(label)
        if self.field:
            where.append(f"field {self.field!r}")
        text = ", ".join(where) + ": " + self.message
        if self.fix:
            text += " Fix: " + self.fix
        return text


class InputError(Exception):
    """Raised with every problem found, once a stage has finished looking."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
