"""Translated chapters for tests: an English chapter's text turned into a translation (its words
only, each step naming the English text it translates), and a pseudo-translation that marks
every string, so that a page of its edition shows any English word no catalogue translates."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import frontmatter
import yaml

from storymap.inputs.project import FRONT_MATTER_SCHEMA
from storymap.commands.pipeline import CONTENT_PAGES
from storymap.inputs.chapters import STEP_MARKER_RE, head_hash, load_chapters, words_hash

#: The pseudo-translation's marks: every string it translates is ⟦ ... ⟧.
OPEN, CLOSE = "⟦", "⟧"
#: A Markdown line that opens a block (a heading, a list item, a quotation), and what follows it.
_BLOCK_RE = re.compile(r"^(#+ |[-*] |\d+\. |> )?(.*)$")
#: A bracketed part (a citation or a link's words), left whole, or the space after a sentence's end
#: (as the timeline cuts prose into sentences: storymap.rendering.timeline).
_SENTENCE_GAP_RE = re.compile(r"(\[[^\[\]]*\])|(?<=[.!?])(\s+)")


def mark(text: str) -> str:
    """A string as the pseudo-translation writes it."""
    return f"{OPEN}{text}{CLOSE}"


def mark_markdown(markdown: str) -> str:
    """Markdown with each sentence of each paragraph, heading and list item marked (comments, such
    as the step and figure markers, as they are)."""
    blocks: list[list[str]] = []  # the lines of each block: a comment, a list item, a paragraph
    for line in markdown.strip().splitlines():
        starts = (not line.strip() or line.lstrip().startswith("<!--") or _BLOCK_RE.match(line).group(1)
                  or not blocks or not blocks[-1][0].strip() or blocks[-1][0].lstrip().startswith("<!--"))
        if starts:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    lines = []
    for block in blocks:
        if not block[0].strip() or block[0].lstrip().startswith("<!--"):
            lines.extend(block)
            continue
        opener, first = _BLOCK_RE.match(block[0]).groups()
        text = "\n".join([first, *block[1:]])
        text = _SENTENCE_GAP_RE.sub(lambda m: m.group(1) or f"{CLOSE}{m.group(2)}{OPEN}", text)
        lines.extend(f"{opener or ''}{OPEN}{text}{CLOSE}".splitlines())
    return "\n".join(lines) + "\n"


def translation_of(text: str, english_dir: Path, name: str, translate: Callable[[str], str] = str,
                   translate_markdown: Callable[[str], str] = str) -> str:
    """The English chapter `text` as chapters/<code>/`name` holds a translation of it: title,
    its `translates:` (the hash of the English title, summary, questions and introduction), summary,
    questions, each step's id, `translates:` (the hash of the English step of that id in
    `english_dir`/`name`) and map_text, and the prose, each passed through `translate`."""
    english = next(chapter for chapter in load_chapters(english_dir, english_dir.parent / FRONT_MATTER_SCHEMA)
                   if chapter.path.name == name)
    hashes = {step.id: words_hash(step) for step in english.steps}
    post = frontmatter.loads(text)
    meta = post.metadata
    words = {"title": translate(meta["title"]), "translates": head_hash(english), "slug": meta["slug"],
             "summary": translate(meta["summary"])}
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


def _catalogue(root: Path, code: str, name: str) -> dict:
    return yaml.safe_load((root / "content" / code / name).read_text(encoding="utf-8")) or {}


def write_pseudo_edition(root: Path, code: str, models: tuple[str, ...]) -> None:
    """A pseudo-translation in content/`code`/ and chapters/`code`/ of the project at root: every
    chapter, page and place text of the English marked, and of the interface words those that
    every edition in `models` translates (so that a word one of them leaves out stays unmarked
    English on the pseudo-edition's pages)."""
    (root / "content" / code).mkdir(parents=True)
    (root / "chapters" / code).mkdir(parents=True)
    strings = set.intersection(*(set(_catalogue(root, model, "strings.yaml")) for model in models))
    # Every place text, whether the models translate it yet or not: a contributor's new route is
    # shown in English in their editions, marked so (its translation is data, not the interface's).
    marked_places = {feature: {key: mark(text) for key, text in texts.items()}
                     for feature, texts in _english_places(root).items()}
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=10_000)
    (root / "content" / code / "strings.yaml").write_text(dump({s: mark(s) for s in strings}), encoding="utf-8")
    (root / "content" / code / "places.yaml").write_text(dump({f: t for f, t in marked_places.items() if t}),
                                                         encoding="utf-8")
    for page in CONTENT_PAGES:
        english = (root / "content" / f"{page}.md").read_text(encoding="utf-8")
        (root / "content" / code / f"{page}.md").write_text(mark_markdown(english), encoding="utf-8")
    for path in sorted((root / "chapters").glob("*.md")):
        (root / "chapters" / code / path.name).write_text(
            translation_of(path.read_text(encoding="utf-8"), root / "chapters", path.name, mark, mark_markdown),
            encoding="utf-8")


def _english_places(root: Path) -> dict[str, dict[str, str]]:
    """Every feature's English name and description, by id."""
    places = {}
    for path in sorted((root / "layers").rglob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            properties = feature.get("properties") or {}
            if "id" in properties:
                places[properties["id"]] = {key: properties[key] for key in ("name", "description")
                                            if properties.get(key)}
    return places
