"""The fonts the static maps draw an edition's words with: the first of `Edition.fonts` installed
with a glyph for every character, found through matplotlib's font list (rescanned when a font was
installed while running), and the plain-words problem when none is."""
from __future__ import annotations

from functools import lru_cache

from ..inputs.editions import Edition
from .map_text import forget_fonts
from ..core.problems import Problem

#: Package that gives Debian machines fonts with Hangul and Han glyphs (CI and dev.sh install it).
CJK_FONT_PACKAGE = "fonts-noto-cjk"


@lru_cache(maxsize=None)
def _font_path(family: str) -> str | None:
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name == family and entry.weight in (400, "normal", "regular"):
            return entry.fname
    return next((entry.fname for entry in font_manager.fontManager.ttflist if entry.name == family), None)


def missing_glyphs(family: str, texts) -> set[str]:
    """Characters of `texts` the font family has no glyph for (all of them if it is not installed)."""
    wanted = {c for text in texts for c in text if not c.isspace()}
    path = _font_path(family)
    if path is None:
        return wanted
    font = _ft2font(path)
    return {c for c in wanted if font.get_char_index(ord(c)) == 0}


def _rescan_fonts() -> None:
    from matplotlib import font_manager

    fresh = font_manager._load_fontmanager(try_read_cache=False)
    font_manager.fontManager.__dict__.update(fresh.__dict__)  # the same object: its users see the new list
    cached = getattr(font_manager.FontManager, "_findfont_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()
    _font_path.cache_clear()
    forget_fonts()


@lru_cache(maxsize=None)
def _ft2font(path: str):
    from matplotlib.ft2font import FT2Font

    return FT2Font(path)


def map_font(edition: Edition, texts) -> tuple[str | None, set[str]]:
    """The first of the edition's fonts that draws every character of `texts`; else None and the
    characters the best candidate lacks."""
    best: set[str] | None = None
    if not any(_font_path(family) for family in edition.fonts):
        _rescan_fonts()  # a font installed since matplotlib last listed them (its cache is stale)
    for family in edition.fonts:
        missing = missing_glyphs(family, texts)
        if not missing:
            return family, set()
        if best is None or len(missing) < len(best):
            best = missing
    return None, best or set()


def font_problem(edition: Edition, missing: set[str]) -> Problem:
    sample = "".join(sorted(missing)[:12])
    return Problem(f"static maps ({edition.name})",
                   f"no installed font can draw the {edition.name} map labels (for example {sample!r}): "
                   f"they would print as empty boxes, so nothing was built.",
                   f"install a font with Hangul and Chinese characters: on Debian or Ubuntu "
                   f"'sudo apt-get install {CJK_FONT_PACKAGE}'; "
                   f"elsewhere one of: {', '.join(f for f in edition.fonts if f != 'DejaVu Sans')}.")
