"""Write the site: everything goes to a temporary folder next to site/, which replaces site/
only once it is complete, so a failed build leaves the previous site exactly as it was."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from xstatic.pkg import leaflet as xstatic_leaflet

#: Files of the xstatic-leaflet package the site serves (the .map and the images leaflet.css names
#: keep audits free of 404s).
LEAFLET_FILES = ("leaflet.js", "leaflet.js.map", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def asset_files(static_dir: Path) -> dict[str, Path]:
    """Assets copied as they are: our CSS and JS, and the self-hosted Leaflet."""
    files = {f"assets/{p.name}": p for p in sorted(static_dir.iterdir()) if p.is_file()}
    leaflet_dir = Path(xstatic_leaflet.BASE_DIR)
    files.update({f"assets/leaflet/{name}": leaflet_dir / name for name in LEAFLET_FILES})
    return files


def write_site(site_dir: Path, pages: dict[str, str | bytes], assets: dict[str, Path]) -> None:
    """Write pages and assets into a fresh folder, then swap it into place."""
    site_dir = site_dir.resolve()
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=site_dir.parent))
    try:
        for relative, content in sorted(pages.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="\n")
        for relative, source in sorted(assets.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        os.chmod(staging, 0o755)
        _swap(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, site_dir: Path) -> None:
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=site_dir.parent))
        os.rmdir(old)
        site_dir.rename(old)
    staging.rename(site_dir)
    if old is not None:
        shutil.rmtree(old)
