"""Every YAML file the project reads (chapters' front matter, content/site.yaml, strings.yaml and
places.yaml) is read with `load`: PyYAML's safe loader (plain data, never Python objects) that
refuses aliases, a key given twice and deep nesting.

An alias (`*name`, repeating what `&name` marked) lets a few lines stand for billions of values
(the "billion laughs"): the parsed data is a small graph, but every check that walks it walks the
whole expansion, and `check` hung for minutes on a chapter's front matter. No file of the
project needs aliases, so the composer refuses the first one, before anything is built.
"""
from __future__ import annotations

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .schema_words import MAX_DEPTH, too_deep

ALIAS_FIX = "write the value out in full where it is needed: aliases (&name ... *name) are not accepted."
DUPLICATE_FIX = ("keep one of them: YAML keeps only the last value of a key given twice, so the other is "
                 "silently lost.")
DEPTH_FIX = "look for brackets [ ] or braces { } that open and never close, or indentation that keeps growing."


class Refused(yaml.YAMLError):
    """YAML the project does not accept (an alias, a repeated key, deep nesting): `message` and `fix` in plain
    words; `problem_mark` where it is, when known (0-based line, as PyYAML's own errors)."""

    def __init__(self, message: str, fix: str, mark=None):
        super().__init__(message)
        self.message, self.fix, self.problem_mark, self.problem = message, fix, mark, message

    def line(self, first: int = 1) -> str:
        """' on line N' (counting the text's first line as `first`), or '' where unknown."""
        return f" on line {self.problem_mark.line + first}" if self.problem_mark is not None else ""


class _Refusing:
    """What the project refuses, on top of a PyYAML loader: its composer's nodes and its constructor's mappings."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise Refused(f"uses the YAML alias *{event.anchor}", ALIAS_FIX, event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise Refused(f"gives the key {key!r} twice", DUPLICATE_FIX, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


class _Loader(_Refusing, yaml.SafeLoader):
    """PyYAML's safe loader in pure Python: the words and places of its errors are the ones the
    project's messages quote."""


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _FastLoader(_Refusing, Composer, CParser, SafeConstructor, Resolver):
        """The same loader on libyaml's parser (C): about 7 times faster on the translations'
        strings.yaml and places.yaml. Its events are composed and constructed by the same Python
        code as _Loader's, so the data is the same."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)
else:  # a PyYAML built without libyaml
    _FastLoader = _Loader


def load(text: str):
    """The data in a YAML text; yaml.YAMLError (Refused for what is refused) if it cannot be read.
    Where libyaml finds the text wrong, the pure-Python parser reads it again for its error."""
    try:
        try:
            data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
        except Refused:
            raise
        except yaml.YAMLError:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except RecursionError:
        data = None
        deep = True
    else:
        deep = too_deep(data)
    if deep:
        raise Refused(f"nests lists and mappings more than {MAX_DEPTH} levels deep", DEPTH_FIX)
    return data
