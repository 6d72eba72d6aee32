"""Translated chapters for tests: an English chapter's text turned into a translation (its words
only, each step naming the English text it translates), and a pseudo-translation that marks
every string, so that a page of its edition shows any English word no catalogue translates."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import frontmatter
import yaml

from storymap.inputs.chapters import STEP_MARKER_RE, load_chapters, words_hash

#: The pseudo-translation's marks: every string it translates is ⟦ ... ⟧.
OPEN, CLOSE = "⟦", "⟧"
#: A Markdown line that opens a block (a heading, a list item, a quotation), and what follows it.
_BLOCK_RE = re.compile(r"^(#+ |[-*] |\d+\. |> )?(.*)$")


def mark(text: str) -> str:
    """A string as the pseudo-translation writes it."""
    return f"{OPEN}{text}{CLOSE}"


def mark_markdown(markdown: str) -> str:
    """Markdown with each paragraph, heading and list item marked (comments, such as the step and
    figure markers, as they are)."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", markdown.strip()):
        if paragraph.lstrip().startswith("<!--") or not paragraph.strip():
            paragraphs.append(paragraph)
            continue
        items: list[list[str]] = []  # the lines of each block: a list item, or the text before one
        for line in paragraph.splitlines():
            if _BLOCK_RE.match(line).group(1) or not items:
                items.append([line])
            else:
                items[-1].append(line)
        marked = []
        for lines in items:
            opener, first = _BLOCK_RE.match(lines[0]).groups()
            lines = [f"{opener or ''}{OPEN}{first}", *lines[1:]]
            lines[-1] += CLOSE
            marked.extend(lines)
        paragraphs.append("\n".join(marked))
    return "\n\n".join(paragraphs) + "\n"


def translation_of(text: str, english_dir: Path, name: str, translate: Callable[[str], str] = str,
                   translate_markdown: Callable[[str], str] = str) -> str:
    """The English chapter `text` as chapters/<code>/`name` holds a translation of it: title,
    summary, questions, each step's id, `translates:` (the hash of the English step of that id in
    `english_dir`/`name`) and map_text, and the prose, each passed through `translate`."""
    hashes = {step.id: words_hash(step) for chapter in load_chapters(english_dir) if chapter.path.name == name
              for step in chapter.steps}
    post = frontmatter.loads(text)
    meta = post.metadata
    words = {"title": translate(meta["title"]), "slug": meta["slug"], "summary": translate(meta["summary"])}
    if meta.get("questions"):
        words["questions"] = [translate(q) for q in meta["questions"]]
    words["steps"] = [{"id": step["id"], "translates": hashes[step["id"]], "map_text": translate(step["map_text"])}
                      for step in meta["steps"]]
    parts = STEP_MARKER_RE.split(post.content)  # the introduction, then each step's id and prose
    body = translate_markdown(parts[0]) if parts[0].strip() else ""
    for step_id, prose in zip(parts[1::2], parts[2::2]):
        body += f"\n<!-- step: {step_id} -->\n\n{translate_markdown(prose)}"
    front = yaml.safe_dump(words, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{front}---\n\n{body}"
