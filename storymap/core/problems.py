"""Plain-words reports of mistakes in a contributor's files.

Every stage that reads a contributor's input collects `Problem`s instead of
raising on the first one, so that one run reports everything wrong at once.
"""
from __future__ import annotations

from dataclasses import dataclass


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
