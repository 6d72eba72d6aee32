"""Write the site: everything goes to a temporary folder next to site/, which replaces site/
only once it is complete, so a failed build leaves the previous site exactly as it was.

The temporary folders are named .site-new-<pid>-* (and .site-old-<pid>-* where the swap takes two
renames); a build killed midway leaves one behind, and the next build removes those whose process
is gone. On Linux the swap is one atomic exchange of the two folders (renameat2 with
RENAME_EXCHANGE), so there is never a moment without site/; elsewhere it is two renames. The
live preview, after an edit that changed a few pages, replaces only those (`update_site`), each
file in one rename.
"""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from xstatic.pkg import leaflet as xstatic_leaflet

#: The folder inside site/ of the assets every edition shares.
ASSETS = "assets"
#: Files of the xstatic-leaflet package the site serves (the .map and the images leaflet.css names
#: keep audits free of 404s).
LEAFLET_FILES = ("leaflet.js", "leaflet.js.map", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def asset_files(static_dir: Path) -> dict[str, Path]:
    """Assets copied as they are: our CSS and JS, and the self-hosted Leaflet."""
    files = {f"{ASSETS}/{p.name}": p for p in sorted(static_dir.iterdir()) if p.is_file()}
    leaflet_dir = Path(xstatic_leaflet.BASE_DIR)
    files.update({f"{ASSETS}/leaflet/{name}": leaflet_dir / name for name in LEAFLET_FILES})
    return files


def write_site(site_dir: Path, pages: dict[str, str | bytes], assets: dict[str, Path]) -> None:
    """Write pages and assets into a fresh folder, then swap it into place."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(site_dir.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".site-new-{os.getpid()}-", dir=site_dir.parent))
    try:
        for relative, content in sorted(pages.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(target, content if isinstance(content, bytes) else content.encode("utf-8"), site_dir / relative)
        for relative, source in sorted(assets.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(target, source.read_bytes(), site_dir / relative)
        os.chmod(staging, 0o755)
        _swap(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write(target: Path, data: bytes, previous: Path) -> None:
    """Write `data` at `target`; where the site being replaced holds the same bytes at the same
    place (`previous`), link its file instead: a build that changed little writes little (the
    site's 15 MB took a tenth of a warm build to write). No build changes a written file in place
    (the preview too replaces each file by a rename), so the two sites never see each other's edits."""
    try:
        if previous.stat().st_size == len(data) and previous.read_bytes() == data:
            os.link(previous, target)
            return
    except OSError:  # no previous file, or a file system without hard links
        pass
    target.write_bytes(data)


def update_site(site_dir: Path, pages: dict[str, str | bytes]) -> None:
    """Replace some files of a written site, each in one step (written beside it, then renamed
    over it): the live preview's rebuild after an edit that changed a few pages only."""
    for relative, content in sorted(pages.items()):
        target = Path(site_dir) / relative
        staging = target.with_name(f".{target.name}.new-{os.getpid()}")
        if isinstance(content, bytes):
            staging.write_bytes(content)
        else:
            staging.write_text(content, encoding="utf-8", newline="\n")
        os.replace(staging, target)


#: A temporary folder of write_site: .site-new-<pid>-..., .site-old-<pid>-... (older builds: no pid).
_TEMPORARY_RE = re.compile(r"\.site-(?:new|old)-(?:(\d+)-)?.*")
#: linux/fs.h: renameat2's flag that swaps the two names.
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path) -> None:
    """Remove the temporary folders that builds killed midway left in `folder` (those of a
    process still running, another build's, are left alone)."""
    for path in folder.iterdir():
        match = _TEMPORARY_RE.fullmatch(path.name)
        if match and path.is_dir() and not (match.group(1) and int(match.group(1)) > 0
                                            and _running(int(match.group(1)))):
            shutil.rmtree(path, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing folders' names in one step (Linux); False where that cannot be done."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # a C library older than glibc 2.28
        return False
    return renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


def _swap(staging: Path, site_dir: Path) -> None:
    if site_dir.exists() and _exchange(staging, site_dir):
        shutil.rmtree(staging)  # now the previous site
        return
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".site-old-{os.getpid()}-", dir=site_dir.parent))
        os.rmdir(old)
        site_dir.rename(old)
    staging.rename(site_dir)
    if old is not None:
        shutil.rmtree(old)
