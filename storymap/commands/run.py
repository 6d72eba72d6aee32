"""The contributor's commands: `python build.py check`, `build` and `new-route <slug>`.

Each prints plain words; only `build` writes to site/, and only when every input is good.
"""
from __future__ import annotations

import sys
from typing import TextIO

from ..cache.session import BuildSession
from ..cache.store import BuildCache
from .pipeline import assemble_site, load_inputs
from ..inputs.project import CONTENT_PAGES, LAYERS, Project
from ..core.collection import few_collections
from ..core.problems import InputError, Problem
from ..core.progress import Progress
from ..inputs.routes import SLUG_RULE, TEMPLATE, TEMPLATE_SLUG, is_slug
from ..rendering.site import write_site

NEXT_STEPS = """\
Created {file} (route id "route-{slug}").
Next:
  1. In "via", list the places your source names, in order (the sample goes Kunming to Luang
     Namtha). A place you add only to draw the line is a waypoint: {{"waypoint": "Jinghong"}}; the
     first and last places must be ones your source names. The map draws the line through them;
     leave "geometry" null. A place the map does not know goes in layers/places.geojson, with its source.
  2. Replace the two TODO texts (name and description) and list your reference keys in "sources".
  3. Add any new reference to references.json.
  4. Check your work:    python build.py check
  5. See it on the map:  python build.py serve   (the escape-routes chapter shows every route)
Already drew the route (Google My Maps, a GPS, QGIS)? Delete this file and run
  python build.py import-route YOUR-FILE {slug}
CONTRIBUTING.md, "Adding a route", explains each step."""


def run_check(project: Project, out: TextIO = sys.stdout) -> int:
    """Check references.json, every layer and every chapter, as the build does. 0 if all is well."""
    try:
        with few_collections():
            inputs = load_inputs(project)
    except InputError as err:
        report_problems(err.problems, out)
        return 1
    for note in (note for layer in inputs.layers for note in layer.notes):
        print(note, file=out)
    editions = []
    for edition in inputs.editions:
        if edition.edition.is_default or not (edition.translated or edition.strings.table):
            continue  # a project with no translation at all (the English only)
        for note in edition.stale:
            print(f"Shown in English until updated: {note}", file=out)
        chapters = [c.slug for c in edition.chapters if c.slug in edition.translated]
        pages = [name for name in CONTENT_PAGES if name in edition.translated]
        editions.append(f"{edition.edition.name} ({edition.edition.code}) {len(chapters)} of "
                        f"{_count(len(edition.chapters), 'chapter')}{''.join(', ' + p for p in pages)}, "
                        f"maps in {edition.map_font}")
    features = sum(len(layer.features) for layer in inputs.layers)
    translated = (f" Translations in step with the English (the rest is shown in English with a notice): "
                  f"{'; '.join(editions)}." if editions else "")
    print(f"OK: {_count(len(inputs.layers), 'layer')}, {_count(features, 'feature')} and "
          f"{_count(len(inputs.chapters), 'chapter')} checked.{translated}", file=out)
    return 0


def build_site(project: Project, out: TextIO = sys.stdout, session: BuildSession | None = None) -> list[Problem]:
    """Check, assemble and write the site into project.site_dir, saying what it does; the problems
    if it could not (then site_dir is left as it was). Static maps and citations are cached in
    project.cache_dir; `session` (storymap/cache/session.py) is what the build remembers in this
    process: a new one by default, the preview's own between its rebuilds. The build's helper
    processes end with it, whatever happens."""
    progress = Progress(out)
    site_dir = project.site_dir
    session = session or BuildSession()
    with few_collections():
        try:
            pages, assets = assemble_site(project, BuildCache(project.cache_dir), progress, session=session)
        except InputError as error:
            report_problems(error.problems, out)
            return error.problems
        finally:
            session.end_build()
        progress.stage(f"Writing {site_dir.name}/")
        write_site(site_dir, pages, assets)
    print(f"Built {progress.summary()} into {site_dir.name}/ in {progress.elapsed():.1f} s.", file=out, flush=True)
    return []


def report_problems(problems: list[Problem], out: TextIO) -> None:
    """Each problem on its own line, then how many there are and that nothing was written."""
    for problem in problems:
        print(problem, file=out)
    files = len({problem.file for problem in problems})
    print(f"{_count(len(problems), 'problem')} in {_count(files, 'file')}; nothing was built and site/ is unchanged.",
          file=out)


def new_route(project: Project, slug: str, out: TextIO = sys.stdout) -> int:
    """Copy the route template to layers/routes/<slug>.geojson and say what to edit next."""
    if not is_slug(slug):
        print(f"{slug!r} cannot be a route's file name: use {SLUG_RULE}, e.g. via-vietnam.", file=out)
        return 1
    relative = f"{LAYERS}/routes/{slug}.geojson"
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text(encoding="utf-8").replace(TEMPLATE_SLUG, slug)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        print(f"{relative} already exists. Choose another name, or edit that file.", file=out)
        return 1
    print(NEXT_STEPS.format(file=relative, slug=slug), file=out)
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
