"""Right-to-left text (Arabic, Hebrew, ...) in the access report.

reportlab draws a string's characters left to right as stored, and does not join Arabic letters
(its own bidi support needs rlbidi, which we do not ship). So, for text that contains
right-to-left characters:

- shape(): Arabic letters are replaced by their contextual presentation forms (arabic-reshaper),
  in logical order, before the text is measured and broken into lines. The forms are ordinary
  characters of DejaVu Sans, so widths and line breaks are right, and the PDF's text still reads
  as Arabic (extracted as presentation forms). Diacritics are kept, and only the mandatory
  lam-alef ligatures are used: a data-access report shows every character it was given.
- visual_line() / visual_pieces(): AFTER reportlab has broken a paragraph into lines (in logical
  order), each line is put into visual order with the Unicode bidirectional algorithm
  (python-bidi), right-to-left runs reversed and mirrored brackets swapped. Reordering a whole
  paragraph before breaking it would reverse the order of its lines.

Text without right-to-left characters never comes here (has_rtl() is a set test), so the
report's fast paths for plain text are untouched.
"""

from __future__ import annotations

import re

# Blocks of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic,
# Arabic supplements and presentation forms).
_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
RTL_CHARS = frozenset(chr(cp) for lo, hi in _RANGES for cp in range(lo, hi + 1))
_RTL_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _RANGES) + "]")
_ARABIC_RE = re.compile("[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")

# Only the lam-alef ligatures are mandatory in Arabic; the others (word ligatures such as
# "Allah", pair ligatures) would hide letters behind one code point and some are not in the font.
_KEEP_LIGATURES = frozenset([
    "ARABIC LIGATURE LAM WITH ALEF",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
])
_reshaper = None


def has_rtl(text: str) -> bool:
    return _RTL_RE.search(text) is not None


def _get_reshaper():
    global _reshaper
    if _reshaper is None:
        from arabic_reshaper import ArabicReshaper
        from arabic_reshaper.ligatures import LIGATURES

        config = {name: name in _KEEP_LIGATURES for name, _forms in LIGATURES}
        config.update(delete_harakat=False, delete_tatweel=False, support_ligatures=True)
        _reshaper = ArabicReshaper(configuration=config)  # immutable once built: thread-safe
    return _reshaper


def shape(text: str) -> str:
    """Arabic letters in their joined (contextual) forms; logical order is kept."""
    if _ARABIC_RE.search(text) is None:
        return text
    return _get_reshaper().reshape(text)


def base_dir(text: str) -> str:
    """'R' or 'L': the direction of the first strong character (Unicode rules P2/P3), L if none."""
    from bidi.algorithm import get_base_level

    return "R" if get_base_level(text) else "L"


def _visual_order(text: str, base: str) -> list[tuple[str, int]]:
    """(character as drawn, index in text) in visual order, left to right, for ONE line."""
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    storage["base_level"] = uba.PARAGRAPH_LEVELS[base]
    storage["base_dir"] = base
    uba.get_embedding_levels(text, storage, False, False)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    uba.apply_mirroring(storage, False)
    return [(ch["ch"], ch["index"]) for ch in storage["chars"]]


def visual_line(text: str, base: str) -> str:
    """One line of text in visual order."""
    if not has_rtl(text):
        return text
    return "".join(ch for ch, _i in _visual_order(text, base))


def visual_pieces(pieces: list[str], base: str) -> list[tuple[int, str]]:
    """One line made of consecutive pieces (e.g. runs in different fonts), in visual order:
    (index of the piece, its text as drawn) runs, left to right. A piece may come out split."""
    owner: list[int] = []
    for n, piece in enumerate(pieces):
        owner.extend([n] * len(piece))
    out: list[tuple[int, str]] = []
    for ch, i in _visual_order("".join(pieces), base):
        n = owner[i]
        if out and out[-1][0] == n:
            out[-1] = (n, out[-1][1] + ch)
        else:
            out.append((n, ch))
    return out
