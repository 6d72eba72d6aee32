"""The live preview's rebuild: after a save, only what the save affects is read and rendered again.

An `IncrementalBuild` keeps the last good build (the pipeline's Assembly) and the content hash of
every input file it was made from. On each rebuild it hashes the inputs again and compares:

- only chapter files changed (chapters/*.md, chapters/<code>/*.md), none added or removed, and
  each chapter's title, summary, questions, slug and map set-up as they were (its words: prose and
  map texts, may differ): those files alone are read and checked again (with the checks across
  files that concern them: references, sourcing, the translations against the English, the
  retired terms, by the functions the full build calls: pipeline.chapter_problems and
  checked_translation), and only the pages that can show those words are rendered again: those
  chapters' pages in each edition whose chapter changed, and the page types that read the
  chapters' words (storymap.rendering.pages.PageType.reads_words: the timeline, the sources, the
  educators page). Only the files whose bytes changed are written (storymap.rendering.site.update_site).
  The offline copy and the pages that list it (phase 2) are brought up to date by `finish`, which
  the preview calls once the saves pause (and when it closes), not before the edit is on screen;
- anything else (a layer, references.json, content/, templates/, static/, a chapter added,
  removed or re-titled, the first build): the full build, as `python build.py build` does it.

Either way site/ ends byte-identical to a full build of the same inputs (tests/test_incremental.py
compares them). Bad input leaves the last good build and site/ as they were.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TextIO

from ..cache.renderers import StaticMaps
from ..cache.session import BuildSession
from ..cache.store import BuildCache
from ..core.problems import InputError, Problem
from ..core.progress import Progress
from ..inputs.chapters import Chapter, Translation, display_path, load_chapter, load_translation
from ..inputs.project import CHAPTERS, FRONT_MATTER_SCHEMA, TEMPLATES, Project
from ..inputs.retired_terms import load_terms
from ..rendering.offline import OFFLINE_PATH
from ..rendering.page_types import PAGE_TYPES
from ..rendering.pages import PageType
from ..rendering.site import update_site, write_site
from .pipeline import Assembly, EditionInputs, Inputs, assemble, chapter_problems, checked_translation, \
    list_downloads, pack_offline_copy
from .run import report_problems


def input_hashes(project: Project) -> dict[str, str]:
    """Every input file (storymap.inputs.project.INPUTS), by its path from the root: its SHA-256."""
    folders, files = project.watched()
    paths = [p for folder in folders for p in folder.rglob("*") if p.is_file()] + files
    return {PurePosixPath(p.relative_to(project.root)).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(paths)}


def _without_words(chapter: Chapter) -> Chapter:
    """A chapter (an edition's) with its words taken out (introduction, steps' prose and map texts,
    and whether a step is shown in English): what an edit the rebuild handles in part leaves as it was."""
    return replace(chapter, intro="", steps=tuple(replace(step, body="", map_text="", untranslated=False)
                                                  for step in chapter.steps))


class IncrementalBuild:
    """Build project.site_dir, then rebuild it save by save (see the module's docstring)::

        builder = IncrementalBuild(project)
        builder.rebuild(out)   # the problems ([] when site/ was written)
        builder.finish()       # the offline copy and the pages that list it, when `behind`
    """

    def __init__(self, project: Project, page_types: tuple[PageType, ...] = PAGE_TYPES,
                 session: BuildSession | None = None):
        """`session`: what every rebuild remembers of the ones before, and their helper processes
        (storymap/cache/session.py); the preview's, or one of the builder's own."""
        self.project, self.page_types = project, page_types
        self.session = session or BuildSession()
        self.cache = BuildCache(project.cache_dir)
        self.assembly: Assembly | None = None  # the last good build
        self.hashes: dict[str, str] = {}  # of the inputs it was made from
        #: The offline copy and the pages that list it lag behind the last rebuild (finish brings them up).
        self.behind = False
        self._terms = None

    def forget(self) -> None:
        """Make the next rebuild a full build (after a rebuild stopped by a bug)."""
        self.assembly, self.hashes, self.behind, self._terms = None, {}, False, None

    def rebuild(self, out: TextIO = sys.stdout) -> list[Problem]:
        """Bring site/ up to date with the inputs, saying what it does; the problems if it could
        not (then site/ and the last good build are left as they were)."""
        progress = Progress(out)
        hashes = input_hashes(self.project)
        try:
            edited = self._edited_chapters(hashes)
            if edited is None:
                self._full(progress)
            elif edited:
                self._partial(edited, progress)
        except InputError as error:
            report_problems(error.problems, out)
            return error.problems
        finally:
            self.session.end_pool()  # a failed build's workers too
        self.hashes = hashes
        print(f"Built {progress.summary() or 'nothing new'} into {self.project.site_dir.name}/ in "
              f"{progress.elapsed():.2f} s.", file=out, flush=True)
        return []

    def finish(self) -> None:
        """Pack the offline copy again and render the pages that list it, if a rebuild left them
        behind; write those that changed."""
        if not self.behind:
            return
        assembly = self.assembly
        listing, offline = dict(assembly.listing), assembly.offline
        pack_offline_copy(assembly, self.cache, self.page_types)
        changed = {path: page for path, page in assembly.listing.items() if listing.get(path) != page}
        if assembly.offline != offline:
            changed[OFFLINE_PATH] = assembly.offline
        update_site(self.project.site_dir, changed)
        self.behind = False

    # --- the two ways ----------------------------------------------------------------------------

    def _full(self, progress: Progress) -> None:
        assembly = assemble(self.project, self.cache, progress, self.page_types, self.session)
        progress.stage(f"Writing {self.project.site_dir.name}/")
        write_site(self.project.site_dir, assembly.files, assembly.assets)
        self.assembly, self.behind, self._terms = assembly, False, None

    def _edited_chapters(self, hashes: dict[str, str]) -> list[str] | None:
        """The chapter files (paths from the root) that changed since the last good build, if only
        chapter files did and none was added or removed; None where a full build is needed."""
        if self.assembly is None:
            return None
        changed = sorted(path for path in hashes.keys() | self.hashes.keys() if hashes.get(path) != self.hashes.get(path))
        codes = {e.code for e in self.project.editions if not e.is_default}
        for path in changed:
            parts = PurePosixPath(path).parts
            is_chapter = (parts[0] == CHAPTERS and parts[-1].endswith(".md")
                          and (len(parts) == 2 or (len(parts) == 3 and parts[1] in codes)))
            if not is_chapter or path not in hashes or path not in self.hashes:
                return None
        return changed

    def _partial(self, edited: list[str], progress: Progress) -> None:
        """Read and check the edited chapter files, render what shows their words, write what changed."""
        assembly = self.assembly
        progress.stage(f"Checking {', '.join(edited)}")
        inputs = self._edited_inputs(assembly.inputs, edited)
        if inputs is None:
            self._full(progress)
            return
        old_files = assembly.files
        changed_slugs = {}
        for build, edition in zip(assembly.builds, inputs.editions):
            changed_slugs[build.edition.code] = {new.slug for new, old in zip(edition.chapters, build.inputs.chapters)
                                                 if new != old}
            build.take_edit(edition, changed_slugs[build.edition.code])
        downloads = list_downloads(inputs, assembly.builds, self.session)
        downloads_changed = any(assembly.pages.get(path) != data for path, data in downloads.items())
        jobs = {build.edition.prefix + path: job for build in assembly.builds
                for path, job in build.static_map_jobs(changed_slugs[build.edition.code]).items()}
        static_maps = StaticMaps(None, self.cache, progress, self.session, jobs=jobs)
        pages: dict[str, str | bytes] = dict(downloads)
        env_dir = self.project / TEMPLATES
        for build in assembly.builds:
            slugs = changed_slugs[build.edition.code]
            if slugs or downloads_changed:
                progress.stage(f"Rendering pages ({build.edition.name})")
                rendered = build.pages_for_edit(env_dir, slugs, self.page_types)
                progress.count("pages", sum(1 for path in rendered if path.endswith(".html")))
                pages.update(rendered)
        pages.update(static_maps.files())
        # The re-rendered chapters' folders hold what they now write, nothing left from before.
        folders = tuple(f"{build.edition.prefix}{where}{slug}/" for build in assembly.builds
                        for slug in changed_slugs[build.edition.code] for where in ("", "embed/"))
        assembly.pages = {**{path: page for path, page in assembly.pages.items() if not path.startswith(folders)},
                          **pages}
        assembly.inputs = inputs
        progress.stage(f"Writing {self.project.site_dir.name}/")
        if assembly.files.keys() != old_files.keys():  # a file more or fewer: write the whole site
            pack_offline_copy(assembly, self.cache, self.page_types)
            write_site(self.project.site_dir, assembly.files, assembly.assets)
            self.behind = False
            return
        self.behind = True
        update_site(self.project.site_dir, {path: content for path, content in pages.items()
                                             if path not in assembly.listing and old_files[path] != content})

    def _edited_inputs(self, inputs: Inputs, edited: list[str]) -> Inputs | None:
        """The build's inputs with the edited chapter files read and checked again; None where an
        edit changes more than the chapters' words. Raises InputError listing the problems."""
        project, schema = self.project, self.project / FRONT_MATTER_SCHEMA
        problems: list[Problem] = []
        by_name = {c.path.name: c for c in inputs.chapters}
        english: dict[str, Chapter] = {}
        translations: dict[tuple[str, str], Translation] = {}
        for path in edited:
            parts = PurePosixPath(path).parts
            try:
                if len(parts) == 2:
                    english[parts[1]] = chapter = load_chapter(project / path, schema)
                    if _without_words(chapter) != _without_words(by_name[parts[1]]):
                        return None
                else:
                    translations[parts[1], parts[2]] = load_translation(project / path, schema)
            except InputError as error:
                problems.extend(error.problems)
        if problems:
            raise InputError(problems)
        chapters = [english.get(c.path.name, c) for c in inputs.chapters]
        if english:
            problems.extend(chapter_problems(list(english.values()), chapters, inputs.layers, inputs.references))
        editions = []
        for edition in inputs.editions:
            if edition.edition.is_default:
                editions.append(replace(edition, chapters=chapters))
                continue
            shown = self._edition_chapters(edition, chapters, english.keys(), translations, problems)
            if shown is None:
                return None
            editions.append(shown)
        if problems:
            raise InputError(problems)
        return replace(inputs, chapters=chapters, editions=tuple(editions))

    def _edition_chapters(self, edition: EditionInputs, chapters: list[Chapter], english: set[str],
                          translations: dict[tuple[str, str], Translation],
                          problems: list[Problem]) -> EditionInputs | None:
        """A translated edition's inputs after the edit: each chapter whose English or translation
        was edited put together again and checked as pipeline.load_edition checks it; None where
        more than its words changed."""
        code = edition.edition.code
        names = set(english) | {name for c, name in translations if c == code}
        if not names:
            return edition
        shown = list(edition.chapters)  # in the order of the English chapters
        notes = {}  # the notes of the edited translations, by file
        for index, chapter in enumerate(chapters):
            name = chapter.path.name
            path = self.project / CHAPTERS / code / name
            if name not in names:
                continue
            if not path.exists():  # shown in English
                shown[index] = chapter
                continue
            translation = translations.get((code, name)) or load_translation(path, self.project / FRONT_MATTER_SCHEMA)
            file = display_path(translation.path)
            shown[index], out_of_step, notes[file] = checked_translation(chapter, translation,
                                                                          self._retired_terms().get(code, ()))
            if _without_words(shown[index]) != _without_words(edition.chapters[index]):
                return None
            problems.extend(out_of_step)
        # In load_edition's order: the notes on other files first, then the chapters' by file name.
        by_file: dict[str, list[Problem]] = {}
        for note in edition.stale:
            by_file.setdefault(note.file, []).append(note)
        by_file.update(notes)
        stale = [note for file, those in by_file.items() if not file.startswith(f"{CHAPTERS}/") for note in those]
        stale += [note for file in sorted(f for f in by_file if f.startswith(f"{CHAPTERS}/")) for note in by_file[file]]
        return replace(edition, chapters=shown, stale=tuple(stale))

    def _retired_terms(self) -> dict:
        """docs/retired-terms.yaml as the last full build read it (an edit to it is a full build)."""
        if self._terms is None:
            self._terms = load_terms(self.project, [])
        return self._terms
