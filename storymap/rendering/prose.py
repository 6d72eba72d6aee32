"""Chapter Markdown to safe HTML, with APA citations linked to the sources page.

Raw HTML in chapters is not rendered (markdown-it's `html` option is off), so text from a
chapter reaches the page escaped. Citations and figures are swapped for placeholders before
Markdown runs and for their HTML after, so Markdown never sees (or escapes) our own markup.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..inputs.chapters import CITATION_RE, FIGURE_RE
from ..inputs.references import Bibliography, Cite, parse_locator
from ..inputs.sourcing import strip_framing

_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
_FIGURE_PARAGRAPH_RE = re.compile("<p>(\ue000\\d+\ue001)</p>")

_markdown = MarkdownIt("commonmark", {"typographer": True, "html": False}).enable(
    ["replacements", "smartquotes", "table"])


def parse_citation(inner: str) -> list[Cite]:
    """'@a; @b, p. 3' -> [Cite('a'), Cite('b', ('page', '3'))]."""
    cites = []
    for part in inner.split(";"):
        key, _, locator = part.strip().lstrip("@").partition(",")
        cites.append(Cite(key.strip(), parse_locator(locator)))
    return cites


#: A line break between two Chinese or Japanese characters (Han, kana, full-width punctuation):
#: neither language puts spaces between words, so the break must vanish rather than show as a
#: space. (Korean separates words with spaces, so a break between two Hangul syllables stays one.)
_CJK = "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_LINE_BREAK_RE = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")


def join_cjk_lines(markdown: str) -> str:
    """Source lines of Chinese prose joined without the space a soft line break would become."""
    return _CJK_LINE_BREAK_RE.sub("", markdown)


class ProseRenderer:
    """Renders chapter Markdown; `sources_href` is the relative link to the sources page."""

    def __init__(self, bibliography: Bibliography, figures: dict[str, Callable[[], str]]):
        self.bibliography = bibliography
        self.figures = figures

    def citation_html(self, cites: list[Cite], sources_href: str) -> str:
        order = {key: i for i, key in enumerate(self.bibliography.ordered_keys())}
        parts = []
        for cite in sorted(cites, key=lambda c: order.get(c.key, 0)):
            text = self.bibliography.cite([cite]).strip()
            text = text[1:-1] if text.startswith("(") and text.endswith(")") else text
            parts.append(f'<a class="cite" href="{escape(sources_href)}#ref-{escape(cite.key)}">{text}</a>')
        return "(" + "; ".join(parts) + ")"

    def render(self, markdown: str, sources_href: str) -> Markup:
        fragments: list[str] = []
        markdown = join_cjk_lines(markdown)

        def hold(html: str) -> str:
            fragments.append(html)
            return _PLACEHOLDER.format(len(fragments) - 1)

        text = FIGURE_RE.sub(lambda m: "\n" + hold(self.figures[m.group(1)]()) + "\n", strip_framing(markdown))
        text = CITATION_RE.sub(lambda m: hold(self.citation_html(parse_citation(m.group("items")), sources_href)), text)
        html = _markdown.render(text)
        html = _FIGURE_PARAGRAPH_RE.sub(r"\1", html)
        return Markup(_PLACEHOLDER_RE.sub(lambda m: fragments[int(m.group(1))], html))
