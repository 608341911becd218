"""Right-to-left text in the access report: Arabic joined, RTL runs in visual order, per line."""

from __future__ import annotations

import pytest
from reportlab.platypus import SimpleDocTemplate

from desktop.reports import rtl
from desktop.reports.access_report import render_access_report
from desktop.reports.blocks import Styles, Writer
from desktop.reports.files import suggest_filename
from desktop.reports.fonts import Glyphs, markup
from tests.helpers.factories import add_case
from tests.reports.util import EMAIL, pdftotext

REF = "DSR-2026-0042"
ARABIC_NAME = "Ahmed محمد"
MIXED = "Ahmed محمد <ahmed@example.org>"
HEBREW = "שלום עולם 123"
FIRST, LAST = "بداية", "نهاية"
LONG_ARABIC = " ".join([FIRST] + ["هذا نص عربي طويل عن مشكلة البريد"] * 30 + [LAST])

# محمد joined: meem initial, hah medial, meem medial, dal final; drawn right to left.
MUHAMMAD_VISUAL = "\uFEAA\uFEE4\uFEA4\uFEE3"


def _visual(word: str) -> str:
    """A logical Arabic word as drawn: joined forms, right to left."""
    return rtl.shape(word)[::-1]


@pytest.fixture
def drawn(monkeypatch):
    """Every string reportlab draws, in drawing order, as the characters laid out left to right.

    Text extractors (pdftotext, pypdf, pdfium) all try to undo visual order, each in its own way,
    so the tests look at what is drawn instead."""
    from reportlab.pdfgen.textobject import PDFTextObject

    got: list[str] = []
    original = PDFTextObject._formatText

    def record(self, text):
        got.append(text)
        return original(self, text)

    monkeypatch.setattr(PDFTextObject, "_formatText", record)
    return got


@pytest.fixture
def report(services, tmp_path, drawn):
    add_case(services, name=ARABIC_NAME, email=EMAIL, description=LONG_ARABIC)
    cid = add_case(services, name="Dana", email=EMAIL, description=HEBREW)
    services.cases.add_note(cid, MIXED)
    out = tmp_path / suggest_filename(REF)
    result = render_access_report(services.dossier.gather(EMAIL), out, request_ref=REF,
                                  generated_at=services.ctx.now(), verification_note="Verified")
    return result, out, drawn


def test_arabic_is_joined_and_drawn_right_to_left(report):
    _result, out, drawn = report
    assert f"Ahmed {MUHAMMAD_VISUAL}" in drawn  # the name's table cell
    # The note: an RTL run inside left-to-right text (drawn in three pieces: "<" and ">" are
    # parsed as separate fragments).
    assert f"Ahmed {MUHAMMAD_VISUAL} <ahmed@example.org>" in "".join(drawn)
    assert not any("محمد" in s or rtl.shape("محمد") in s for s in drawn)  # neither unjoined nor logical
    text = pdftotext(out)  # the characters are still in the PDF's text (extractors reorder them)
    assert MUHAMMAD_VISUAL in text or rtl.shape("محمد") in text


def test_hebrew_run_is_reversed_and_numbers_stay(report):
    _result, _out, drawn = report
    assert "123 םלוע םולש" in drawn
    assert not any(HEBREW in s for s in drawn)


def test_wrapped_arabic_keeps_line_order(report):
    _result, _out, drawn = report
    first = [i for i, s in enumerate(drawn) if _visual(FIRST) in s]
    last = [i for i, s in enumerate(drawn) if _visual(LAST) in s]
    # The first words are on the first line, drawn first; reordering the whole text before
    # wrapping would swap the lines.
    assert len(first) == 1 and len(last) == 1  # printed in full below the table, not in a cell
    assert drawn[first[0]].endswith(_visual(FIRST))  # first logical word: rightmost on its line
    assert drawn[last[0]].startswith(_visual(LAST))  # last logical word: leftmost on its line
    assert last[0] - first[0] >= 3  # several lines apart: really wrapped
    lines = drawn[first[0]:last[0] + 1]
    assert all(rtl.has_rtl(s) for s in lines)
    words = " ".join(" ".join(s.split()[::-1]) for s in lines).split()
    assert words == [_visual(w) for w in LONG_ARABIC.split()]  # all there, in reading order


def test_plain_text_is_untouched_and_markup_still_escaped():
    assert markup("Zoë <b>x</b>") == "Zoë &lt;b&gt;x&lt;/b&gt;"
    shaped = markup("<b>محمد</b> & שלום", glyphs=Glyphs())
    assert shaped == "&lt;b&gt;\uFEE3\uFEA4\uFEE4\uFEAA&lt;/b&gt; &amp; שלום"  # logical order, joined


def test_diacritics_are_kept_and_only_lam_alef_ligatures_used():
    assert "\u064E" in rtl.shape("مَرحبا")  # fatha kept: the report hides no character
    assert rtl.shape("السلام") == "\uFE8D\uFEDF\uFEB4\uFEFC\uFEE1"  # lam-alef ligature
    assert rtl.shape("الله") != "\uFDF2"  # no word ligature


def test_rtl_table_cell_is_a_paragraph_not_a_plain_string():
    w = Writer(Styles(), Glyphs())
    assert isinstance(w.cell("Dana", w.s.cell, 100), str)
    assert not isinstance(w.cell(HEBREW, w.s.cell, 100), str)


def test_brackets_mirror_in_rtl_runs():
    assert rtl.visual_line("עברית (א) ב", "R") == "ב (א) תירבע"


def test_mixed_fonts_in_one_line_are_reordered_across_runs(tmp_path, drawn):
    """A line of several runs (bold label, fallback font) is put into visual order as a whole."""
    w = Writer(Styles(), Glyphs())
    hebrew_cjk = "שלום 山田 עולם"
    doc = SimpleDocTemplate(str(tmp_path / "mixed.pdf"))
    doc.build([w.rich(f"<b>Name:</b> {w.esc(hebrew_cjk)}"), w.p(hebrew_cjk)])
    assert drawn == ["Name:", " םולש ", "山田", " םלוע",  # left-to-right paragraph: two Hebrew runs
                     "םלוע ", "山田", " םולש"]  # right-to-left paragraph: 山田 is embedded in it


def test_paragraph_split_across_pages_keeps_line_order(tmp_path, drawn):
    """A frame splits the laid-out paragraph in logical order; each part is drawn line by line."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    w = Writer(Styles(), Glyphs())
    doc = SimpleDocTemplate(str(tmp_path / "split.pdf"))
    doc.build([Spacer(1, doc.height - 30 * mm), *w.long(LONG_ARABIC)])
    assert doc.page == 2  # really split
    lines = [s for s in drawn if rtl.has_rtl(s)]
    assert len(lines) >= 6
    words = " ".join(" ".join(s.split()[::-1]) for s in lines).split()
    assert words == [_visual(w) for w in LONG_ARABIC.split()]
