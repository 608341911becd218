"""Shipped TrueType fonts, glyph coverage and safe Paragraph markup for user text.

reportlab's Paragraph parses its text as markup, so every piece of user text goes through
markup(): it escapes <, > and &, wraps runs of characters the main font lacks in
<font name="...">, and turns characters no shipped font can draw (and invisible control or
direction-override characters) into a visible "[U+XXXX]" marker that is recorded in a Glyphs
tally, so the report can say which characters it could not display. Nothing becomes a silent
box or blank.

Font registration is the one piece of shared state: done once, guarded by a lock, so
rendering is safe on worker threads.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from desktop.paths import resource
from desktop.reports.rtl import RTL_CHARS, shape

BODY = "HI-Body"
BOLD = "HI-Bold"
MONO = "HI-Mono"
FALLBACK = "HI-Fallback"
HANGUL = "HI-Hangul"

FILES = {
    BODY: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
    HANGUL: "NanumSquareR.ttf",  # Korean: Droid Sans Fallback has only 3 of the 11,172 Hangul syllables
}

# The fonts tried, in order, for text whose style uses the key font.
CHAINS = {
    BODY: (BODY, FALLBACK, HANGUL),
    BOLD: (BOLD, BODY, FALLBACK, HANGUL),
    MONO: (MONO, BODY, FALLBACK, HANGUL),
}

# Direction controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM): they can make
# text read differently from what is stored, so they are shown, never obeyed.
BIDI_CONTROLS = frozenset(
    [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C])
# Format characters that are part of normal writing and harmless when not drawn.
KEEP_FORMAT = frozenset([0x200C, 0x200D])  # zero-width non-joiner / joiner

_lock = threading.Lock()
_charmaps: dict[str, frozenset[int]] = {}


def register() -> dict[str, frozenset[int]]:
    """Register the shipped fonts with reportlab (once) and return their character sets."""
    if _charmaps:
        return _charmaps
    with _lock:
        if _charmaps:
            return _charmaps
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        maps: dict[str, frozenset[int]] = {}
        for name, filename in FILES.items():
            font = TTFont(name, str(resource("fonts", filename)))
            pdfmetrics.registerFont(font)
            maps[name] = frozenset(font.face.charWidths)
        # <b> inside body text selects the bold face; italics fall back to upright faces.
        for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
            addMapping(BODY, bold, italic, BOLD if bold else BODY)
            addMapping(BOLD, bold, italic, BOLD)
            addMapping(MONO, bold, italic, MONO)
            addMapping(FALLBACK, bold, italic, FALLBACK)
            addMapping(HANGUL, bold, italic, HANGUL)
        _charmaps.update(maps)
    return _charmaps


# Per character and font: the shipped font that draws it, or None for a "[U+XXXX]" marker
# (controls and characters no shipped font has). Filled lazily; dict get/set is atomic under the
# GIL and every thread computes the same answer, so no lock is needed.
_CONTROL = "control"
_choice: dict[tuple[str, str], str | None] = {}
# Per font: the characters markup() passes through unchanged (the font itself draws them, not a
# control, not a line break or tab), so text made only of them needs no per-character work.
_plain_sets: dict[str, frozenset[str]] = {}


def _font_for(ch: str, font: str) -> str | None:
    """The font (from font's chain) that draws ch; None when no shipped font has it; _CONTROL
    for characters shown as a marker because they are invisible or change direction."""
    key = (ch, font)
    try:
        return _choice[key]
    except KeyError:
        pass
    if is_control(ch):
        use: str | None = _CONTROL
    else:
        maps = register()
        cp = ord(ch)
        use = next((f for f in CHAINS[font] if cp in maps[f]), None)
    _choice[key] = use
    return use


def plain_chars(font: str = BODY) -> frozenset[str]:
    """Characters that `font` itself draws and markup() leaves as they are (apart from escaping)."""
    got = _plain_sets.get(font)
    if got is None:
        cmap = register()[font]
        got = frozenset(ch for ch in map(chr, cmap)
                        if ch not in "\n\t\r" and not is_control(ch))
        _plain_sets[font] = got
    return got


def is_plain(text: str, font: str = BODY) -> bool:
    """True when every character of text is drawn by `font` itself: no fallback font, no marker."""
    return set(text) <= plain_chars(font)


@dataclass
class Glyphs:
    """What markup() had to replace, across a whole report."""

    missing: set[int] = field(default_factory=set)   # no shipped font has a glyph
    controls: set[int] = field(default_factory=set)  # invisible or direction-changing characters

    @staticmethod
    def codes(points: set[int]) -> str:
        return ", ".join(f"U+{cp:04X}" for cp in sorted(points))


def marker(cp: int) -> str:
    return f"[U+{cp:04X}]"


def is_control(ch: str) -> bool:
    """Characters shown as a marker rather than drawn: controls, surrogates, unassigned, private
    use, direction overrides, zero-width formatting (except joiners)."""
    cp = ord(ch)
    if ch in "\n\t":
        return False
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs", "Co", "Cn"):
        return True
    if cp in BIDI_CONTROLS:
        return True
    return cat == "Cf" and cp not in KEEP_FORMAT


def coverage(text: str, font: str = BODY) -> list[tuple[str, str | None]]:
    """Per character: the shipped font that draws it, or None (marker needed)."""
    out: list[tuple[str, str | None]] = []
    for ch in text:
        if ch in "\n\t":
            out.append((ch, font))
            continue
        use = _font_for(ch, font)
        out.append((ch, None if use == _CONTROL else use))
    return out


_LINE_CHARS = frozenset("\n\t")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def markup(text: str | None, font: str = BODY, glyphs: Glyphs | None = None, *,
           multiline: bool = True, empty: str = "") -> str:
    """Escape user text for a Paragraph in a style whose font is `font`.

    Newlines become <br/> (or spaces when multiline is False), tabs become spaces. Arabic
    letters are joined (contextual forms, logical order); a Para draws right-to-left text in
    visual order line by line (desktop.reports.rtl).
    """
    if text is None or text == "":
        return escape(empty)
    text = normalise_newlines(str(text))
    chars = set(text)
    if not chars.isdisjoint(RTL_CHARS):
        # Arabic letters joined, in logical order; the Paragraph draws each line in visual order.
        text = shape(text)
        chars = set(text)
    chars -= _LINE_CHARS
    if chars <= plain_chars(font):
        # Fast path (most text): the font draws every character, so only escaping and line breaks.
        out = escape(text)
        if "\n" in out:
            out = out.replace("\n", "<br/>" if multiline else " ")
        return out.replace("\t", " ") if "\t" in out else out
    parts: list[str] = []
    run: list[str] = []
    run_font = font

    def flush() -> None:
        if not run:
            return
        s = escape("".join(run))
        parts.append(s if run_font == font else f'<font name="{run_font}">{s}</font>')
        run.clear()

    for ch in text:
        if ch == "\n":
            flush()
            parts.append("<br/>" if multiline else " ")
            continue
        if ch == "\t":
            ch = " "
        use = _font_for(ch, font)
        if use == _CONTROL:
            cp = ord(ch)
            flush()
            if glyphs is not None:
                glyphs.controls.add(cp)
            parts.append(marker(cp))
            continue
        if use is None:
            cp = ord(ch)
            flush()
            if glyphs is not None:
                glyphs.missing.add(cp)
            parts.append(marker(cp))
            continue
        if use != run_font:
            flush()
            run_font = use
        run.append(ch)
    flush()
    return "".join(parts)


def plain(text: str | None, limit: int = 120) -> str:
    """A short, printable-ASCII-safe rendering for canvas strings (footer): no markup, no
    characters the base font might lack."""
    s = "".join(c if 32 <= ord(c) < 127 else "?" for c in (text or ""))
    return s[:limit]
