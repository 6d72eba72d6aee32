"""The words of a static map, written with Pillow on the map art that static_maps.py draws: the
names of places, rivers and countries (each where it collides with nothing), the legend, the
scale bar, the credits and the title strip.

Why Pillow, when matplotlib draws the art: the art of a view is the same in every edition and
is drawn once, only the words differ; and Pillow lays out and writes a label in a fraction of a
millisecond, where matplotlib's text artists took half of each map's time. Sizes are in pixels
of the PNG (1 px of a Leaflet style is 1 px here). Text is laid out by its font's metrics, not
by the ink, so a name's box does not depend on which letters it has.
"""
from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

from matplotlib import colors
from PIL import Image, ImageDraw, ImageFont

from ..inputs.kinds import LABEL

#: matplotlib's bundled font: the static maps' font where an edition names none.
FONT = "DejaVu Sans"
PAPER = "#fbfaf7"
INK = "#1f1e1b"
MUTED = "#6b675e"
RULE = "#ddd8cc"
HALO = "#ffffff"
#: The white behind the legend, the scale bar and the credits.
BACKGROUND = "#ffffff"
#: Every colour the words and what frames them are drawn in (static_maps keeps each exact in a
#: PNG's palette); a label along a line is in that line's colour.
COLOURS = (PAPER, INK, MUTED, RULE, HALO, BACKGROUND, LABEL)
SITE_NAME = "BETWEEN BORDERS"
#: Legend symbols are drawn this many times larger, then scaled down: smooth edges (Pillow's own
#: shapes have none).
SUPERSAMPLE = 4


def rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    r, g, b, a = colors.to_rgba(colour)
    return round(r * 255), round(g * 255), round(b * 255), round(a * opacity * 255)


# --- fonts ---------------------------------------------------------------------------------------

@functools.cache
def _face(family: str, bold: bool, italic: bool) -> tuple[str, int]:
    """(file, face index) of the installed face of `family` nearest the weight and style asked for
    (matplotlib's font list, which the editions' font check reads too); else of FONT."""
    from matplotlib import font_manager

    entries = [e for e in font_manager.fontManager.ttflist if e.name == family] or \
              [e for e in font_manager.fontManager.ttflist if e.name == FONT]

    def weight(entry) -> int:
        w = entry.weight
        return font_manager.weight_dict.get(w, 400) if isinstance(w, str) else int(w)

    def distance(entry):
        slanted = entry.style in ("italic", "oblique")
        return (slanted != italic, abs(weight(entry) - (700 if bold else 400)), entry.fname, entry.index)

    best = min(entries, key=distance)
    return best.fname, best.index


@functools.cache
def font(family: str | None, size: float, bold: bool = False, italic: bool = False) -> ImageFont.FreeTypeFont:
    path, index = _face(family or FONT, bold, italic)
    return ImageFont.truetype(path, size, index=index)


def forget_fonts() -> None:
    """Look the fonts up again (fonts._rescan_fonts: a font was installed while running)."""
    for remembered in (_face, font, _glyphs, _line_metrics, _length, _masks):
        remembered.cache_clear()


@functools.cache
def _glyphs(path: str, index: int):
    from matplotlib.ft2font import FT2Font

    return FT2Font(path, face_index=index)


def warn_missing_glyphs(face: ImageFont.FreeTypeFont, text: str) -> None:
    """Warn (as matplotlib did) for each character the font would draw as an empty box."""
    path, index = face.path, face.index
    glyphs = _glyphs(path, index)
    for char in dict.fromkeys(text):
        if not char.isspace() and glyphs.get_char_index(ord(char)) == 0:
            warnings.warn(f"Glyph {ord(char)} ({char!r}) missing from font {face.getname()[0]}.", stacklevel=3)


# --- boxes and placement -------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def expanded(self, fx: float, fy: float) -> Box:
        dx, dy = (self.x1 - self.x0) * (fx - 1) / 2, (self.y1 - self.y0) * (fy - 1) / 2
        return Box(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)

    def padded(self, pad: float) -> Box:
        return Box(self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad)

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: Box) -> bool:
        return other.x0 <= self.x0 and self.x1 <= other.x1 and other.y0 <= self.y0 and self.y1 <= other.y1


_HA = {"left": 0.0, "center": 0.5, "right": 1.0}
_VA = {"top": 0.0, "center": 0.5, "bottom": 1.0}


@functools.cache
def _line_metrics(face: ImageFont.FreeTypeFont) -> tuple[float, float]:
    """(ascent, descent) of a line of the font, as matplotlib measures it: by the ink of "lp"
    (the font's own line metrics add its line gap, which would make every label's box taller)."""
    _left, top, _right, bottom = face.getbbox("lp", anchor="ls")
    return -top, bottom


@functools.lru_cache(maxsize=8192)
def _length(face: ImageFont.FreeTypeFont, text: str) -> float:
    return face.getlength(text)


@functools.lru_cache(maxsize=4096)
def _masks(face: ImageFont.FreeTypeFont, text: str, halo_px: float, opacity: float):
    """(offset from the baseline's start, the halo's mask or None, the letters' mask) of a label.
    The same names come back on map after map: each is rendered once a process."""
    stroke = halo_px / 2
    left, top, right, bottom = face.getbbox(text, anchor="ls", stroke_width=stroke)
    left, top, right, bottom = math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom)
    size, origin = (max(1, right - left), max(1, bottom - top)), (-left, -top)

    def mask(**halo) -> Image.Image:
        image = Image.new("L", size)
        ImageDraw.Draw(image).text(origin, text, font=face, fill=255, anchor="ls", **halo)
        return image if opacity == 1 else image.point(lambda v: round(v * opacity))
    halo = mask(stroke_width=stroke, stroke_fill=255) if halo_px else None
    return (left, top), halo, mask()


def text_box(face: ImageFont.FreeTypeFont, text: str, x: float, y: float, ha: str, va: str) -> Box:
    """The layout box of `text` aligned at (x, y): its advance width, its font's line height."""
    ascent, descent = _line_metrics(face)
    width, height = _length(face, text), ascent + descent
    left, top = x - width * _HA[ha], y - height * _VA[va]
    return Box(left, top, left + width, top + height)


@dataclass(frozen=True)
class Words:
    """How one kind of label looks."""

    face: ImageFont.FreeTypeFont
    colour: str
    halo_px: float = 0.0
    opacity: float = 1.0

    def write(self, image: Image.Image, x: float, y: float, text: str, ha: str = "left",
              va: str = "center") -> Box:
        """Write `text` aligned at (x, y) (`ha` left, center or right; `va` top, center or bottom
        of its layout box), on whole pixels; returns that box."""
        warn_missing_glyphs(self.face, text)
        box = text_box(self.face, text, x, y, ha, va)
        (left, top), halo, letters = _masks(self.face, text, self.halo_px, self.opacity)
        at = (round(box.x0) + left, round(box.y0 + _line_metrics(self.face)[0]) + top)
        if halo is not None:
            image.paste(rgba(HALO)[:3], at, halo)
        image.paste(rgba(self.colour)[:3], at, letters)
        return box


class Placer:
    """Greedy label placement: each label takes the first of its candidate spots that is free
    (inside `frame`, clear of every box taken so far)."""

    def __init__(self, image: Image.Image, frame: Box):
        self.image, self.frame = image, frame
        self.taken: list[Box] = []

    def block(self, box: Box) -> None:
        self.taken.append(box)

    def place(self, candidates, text: str, words: Words, *, force: bool) -> Box | None:
        """Write `text` at the first free one of `candidates` (x, y, ha, va, dx, dy; pixels, dy
        upwards); where none is free, at the first if `force`, else not at all."""
        for x, y, ha, va, dx, dy in candidates:
            box = text_box(words.face, text, x + dx, y - dy, ha, va).expanded(1.04, 1.15)
            if box.inside(self.frame) and not any(box.overlaps(other) for other in self.taken):
                self.taken.append(box)
                return words.write(self.image, x + dx, y - dy, text, ha, va)
        if force and candidates:
            x, y, ha, va, dx, dy = candidates[0]
            box = words.write(self.image, x + dx, y - dy, text, ha, va)
            self.taken.append(box)
            return box
        return None


# --- the legend ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Symbol:
    """A legend's key to one kind: "point", "line" or "area", in its style (a Leaflet style dict)."""

    shape: str
    style: dict


def _dashes(style: dict) -> list[float] | None:
    return [float(v) for v in style["dashArray"].split()] if "dashArray" in style else None


def _dashed(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], fill, width: float,
            dashes: list[float] | None, scale: float) -> None:
    """A polyline `width` px wide with round caps, dashed like a Leaflet dashArray (px), at `scale`."""
    def stroke(a, b):
        draw.line([a, b], fill=fill, width=max(1, round(width * scale)))
        for x, y in (a, b):
            r = width * scale / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)

    points = [(x * scale, y * scale) for x, y in points]
    if not dashes:
        for a, b in zip(points, points[1:]):
            stroke(a, b)
        return
    pattern = [d * scale for d in dashes] * (2 if len(dashes) % 2 else 1)
    index, left, on = 0, pattern[0], True
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        length, done = math.hypot(bx - ax, by - ay), 0.0
        while done < length:
            step = min(left, length - done)
            if on:
                t0, t1 = done / length, (done + step) / length
                stroke((ax + (bx - ax) * t0, ay + (by - ay) * t0), (ax + (bx - ax) * t1, ay + (by - ay) * t1))
            done += step
            left -= step
            if left <= 1e-9:
                index = (index + 1) % len(pattern)
                left, on = pattern[index], not on


def _symbol(draw: ImageDraw.ImageDraw, symbol: Symbol, box: Box, scale: float) -> None:
    style = symbol.style
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    weight = style.get("weight", 1)
    if symbol.shape == "point":
        r = style["radius"] + weight / 2
        draw.ellipse(((cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale),
                     fill=rgba(style["fillColor"]), outline=rgba(style["color"]), width=round(weight * scale))
    elif symbol.shape == "line":
        _dashed(draw, [(box.x0, cy), (box.x1, cy)], rgba(style["color"]), style["weight"], _dashes(style), scale)
    else:
        draw.rectangle((box.x0 * scale, box.y0 * scale, box.x1 * scale, box.y1 * scale),
                       fill=rgba(style["fillColor"], style.get("fillOpacity", 1)))
        corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1), (box.x0, box.y0)]
        _dashed(draw, corners, rgba(style["color"]), style["weight"], _dashes(style), scale)


def legend(image: Image.Image, entries: list[tuple[Symbol, str]], family: str | None, left: float,
           bottom: float) -> Box | None:
    """A key in the lower left, its lower left corner at (left, bottom): one row per entry
    (symbol, words), in a white frame. Returns its box, or None when there is nothing to key."""
    if not entries:
        return None
    size = 12.5
    face = font(family, size)
    pad, handle_w, handle_h, row_gap, gap = 0.6 * size, 2.2 * size, 0.9 * size, 0.45 * size, 0.8 * size
    ascent, descent = _line_metrics(face)
    row_h = max(ascent + descent, handle_h)
    width = 2 * pad + handle_w + gap + max(_length(face, label) for _, label in entries)
    height = 2 * pad + len(entries) * row_h + (len(entries) - 1) * row_gap
    box = Box(round(left), round(bottom - height), round(left + width), round(bottom))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle((box.x0, box.y0, box.x1, box.y1), fill=rgba(BACKGROUND, 0.93), outline=rgba(RULE), width=1)
    # The symbols: on the frame's pixels enlarged, then scaled back (smooth edges).
    frame = (int(box.x0) + 1, int(box.y0) + 1, int(box.x1), int(box.y1))
    region = image.crop(frame)
    large = region.resize((region.width * SUPERSAMPLE, region.height * SUPERSAMPLE), Image.Resampling.NEAREST)
    large_draw = ImageDraw.Draw(large, "RGBA")
    words = Words(face, LABEL)
    for row, (symbol, label) in enumerate(entries):
        top = box.y0 + pad + row * (row_h + row_gap)
        cy = top + row_h / 2
        handle = Box(box.x0 + pad, cy - handle_h / 2, box.x0 + pad + handle_w, cy + handle_h / 2)
        _symbol(large_draw, symbol, Box(handle.x0 - frame[0], handle.y0 - frame[1], handle.x1 - frame[0],
                                        handle.y1 - frame[1]), SUPERSAMPLE)
    image.paste(large.reduce(SUPERSAMPLE), frame[:2])
    for row, (symbol, label) in enumerate(entries):
        cy = box.y0 + pad + row * (row_h + row_gap) + row_h / 2
        words.write(image, box.x0 + pad + handle_w + gap, cy, label)
    return box


# --- scale bar, credits, title -------------------------------------------------------------------

def scale_bar(image: Image.Image, length_px: float, label: str, family: str | None) -> Box:
    """A Leaflet-like scale bar in the lower left: a bracket `length_px` long and its distance."""
    draw = ImageDraw.Draw(image, "RGBA")
    h = image.height
    box = Box(6, h - 32, 6 + length_px + 16, h - 6)
    draw.rectangle((box.x0, box.y0, box.x1, box.y1), fill=rgba(BACKGROUND, 0.88))
    x0, y0 = 14, h - 12
    draw.line([(x0, y0 - 8), (x0, y0), (x0 + length_px, y0), (x0 + length_px, y0 - 8)], fill=rgba(INK), width=2,
              joint=None)
    Words(font(family, 12), INK).write(image, x0 + 5, y0 - 3, label, "left", "bottom")
    return box


def credits(image: Image.Image, text: str, family: str | None) -> Box | None:
    """The credits the data's licences require, in the lower right, on a white band."""
    if not text:
        return None
    draw = ImageDraw.Draw(image, "RGBA")
    face = font(family, 11.5)
    x, y = image.width - 6, image.height - 6
    pad = 0.35 * 11.5
    inner = text_box(face, text, x - pad, y - pad, "right", "bottom")
    box = inner.padded(pad)
    draw.rectangle((box.x0, box.y0, box.x1, box.y1), fill=rgba(BACKGROUND, 0.88))
    Words(face, LABEL).write(image, x - pad, y - pad, text, "right", "bottom")
    return box


def title_strip(image: Image.Image, title: str, height: float, family: str | None) -> None:
    """The strip above the map: the site's name, a rule, the title (smaller, then cut, if long)."""
    draw = ImageDraw.Draw(image, "RGBA")
    width = image.width
    draw.rectangle((0, 0, width, height - 1), fill=rgba(PAPER))
    draw.rectangle((0, height - 1, width, height), fill=rgba(RULE))
    Words(font(family, 13, bold=True), MUTED).write(image, 18, height / 2, SITE_NAME)
    draw.rectangle((173, height * 0.28, 174, height * 0.72), fill=rgba(RULE))
    left, room = 190, width - 190 - 18
    face = font(family, 24, bold=True)
    if _length(face, title) > room:
        face = font(family, max(16.0, round(24 * room / _length(face, title), 1)), bold=True)
        text = title
        while _length(face, text) > room and len(text) > 1:
            title = title[:-1]
            text = title.rstrip() + "…"
        title = text
    Words(face, INK).write(image, left, height / 2, title)
