#!/usr/bin/env python3
"""Between Borders: build, check, preview and extend the story map.

    python build.py build            check everything, then write the site to site/
    python build.py check            check layers, chapters and references; write nothing
    python build.py serve [--port N] build, preview on http://127.0.0.1:N/, rebuild and reload on save
    python build.py new-route SLUG   start a new route file in layers/routes/
    python build.py import-route FILE SLUG
                                     a route drawn elsewhere (KML, GPX, GeoJSON, zipped shapefile)
                                     becomes layers/routes/SLUG.geojson
    python build.py add-contribution FILE
                                     merge a contribution file from the studio's "Send to the editors",
                                     if the project then passes the check

This file only wires the stages in storymap/ together.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def build(project=None, out=sys.stdout) -> int:
    """Check, assemble and write the site of `project` (a storymap.inputs.project.Project; default
    this folder's, into site/) into its site_dir. 0 if built, 1 (and nothing written) if not."""
    from storymap.cache import head_start
    from storymap.cache.session import BuildSession

    project = project or here()
    # The reference lists are formatted while the next line imports; the build's session ends it.
    session = BuildSession(head_start=head_start.start(project))
    try:
        from storymap.commands.run import build_site

        return 1 if build_site(project, out, session) else 0
    finally:
        session.end_build()


def here():
    """The project of this folder: its site/ and .cache/ (or $BETWEEN_BORDERS_CACHE, $SITE_URL)."""
    from storymap.inputs.project import Project

    return Project(ROOT)


def serve(port: int) -> int:
    from storymap.tools.preview import serve as preview

    return preview(here(), port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("build", help="check everything, then write site/")
    commands.add_parser("check", help="check layers, chapters and references")
    serve_parser = commands.add_parser("serve", help="build, preview on 127.0.0.1, rebuild on save")
    serve_parser.add_argument("--port", type=int, default=8000)
    new_route = commands.add_parser("new-route", help="write layers/routes/SLUG.geojson from the template")
    new_route.add_argument("slug")
    import_route = commands.add_parser("import-route", help="write layers/routes/SLUG.geojson from a KML, GPX, "
                                       "GeoJSON or zipped shapefile")
    import_route.add_argument("file", type=Path)
    import_route.add_argument("slug")
    add_contribution = commands.add_parser("add-contribution", help="merge a contribution file (.zip) from the "
                                           "contribution studio, if the project then passes the check")
    add_contribution.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.command == "check":
        from storymap.commands.run import run_check
        return run_check(here())
    if args.command == "import-route":
        from storymap.tools.importing import import_route as read_route
        return read_route(here(), args.file, args.slug)
    if args.command == "add-contribution":
        from storymap.tools.contribution_file import add_contribution as merge
        return merge(here(), args.file)
    if args.command == "new-route":
        from storymap.commands.run import new_route as write_route
        return write_route(here(), args.slug)
    if args.command == "serve":
        return serve(args.port)
    return build()


if __name__ == "__main__":
    sys.exit(main())
