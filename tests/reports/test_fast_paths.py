"""The report's fast paths (issue 7: access report for 1,000 cases) give the same PDF as the slow ones.

markup() skips per-character work when the font draws every character; table cells of such text
are plain strings broken into the lines a Paragraph would make; a Paragraph keeps its layout per
width; the canvas reuses the text operators of a string; page streams are Flate only.
"""

from __future__ import annotations

import io
import re
import subprocess
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate

from desktop.reports import access_report, fonts
from desktop.reports.access_report import render_access_report
from desktop.reports.blocks import Para, Styles, Writer
from desktop.reports.fonts import (
    BODY,
    BOLD,
    CHAINS,
    FALLBACK,
    MONO,
    Glyphs,
    is_control,
    is_plain,
    markup,
    register,
)
from desktop.reports.rtl import RTL_CHARS, shape
from tests.reports.util import EMAIL, HOSTILE_DESC, HOSTILE_NAME, person_with_cases


def reference_markup(text, font=BODY, glyphs=None, *, multiline=True):
    """markup() as it was before the fast path: every character looked up on its own."""
    maps = register()
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not set(text).isdisjoint(RTL_CHARS):  # Arabic letters are joined first (contextual forms)
        text = shape(text)
    parts, run, run_font = [], [], font

    def flush():
        if run:
            s = escape("".join(run))
            parts.append(s if run_font == font else f'<font name="{run_font}">{s}</font>')
            run.clear()

    for ch in text:
        if ch == "\n":
            flush()
            parts.append("<br/>" if multiline else " ")
            continue
        ch = " " if ch == "\t" else ch
        cp = ord(ch)
        if is_control(ch):
            flush()
            glyphs.controls.add(cp)
            parts.append(f"[U+{cp:04X}]")
            continue
        use = next((f for f in CHAINS[font] if cp in maps[f]), None)
        if use is None:
            flush()
            glyphs.missing.add(cp)
            parts.append(f"[U+{cp:04X}]")
            continue
        if use != run_font:
            flush()
            run_font = use
        run.append(ch)
    flush()
    return "".join(parts)


TEXTS = st.one_of(
    st.text(alphabet=st.characters(), max_size=60),
    st.text(alphabet=st.sampled_from(list("سلام عليكم محمد لا\u0644\u0627 ab 12\n")), max_size=40),  # joining
    st.text(alphabet=st.sampled_from(list("ab <>&\"'\n\t\r Łő Ωж 山田 ก \u202e\x00\u200d\ufeff")), max_size=60),
    st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=60),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from([BODY, BOLD, MONO]), st.booleans())
def test_markup_is_the_same_as_per_character_markup(text, font, multiline):
    got, want = Glyphs(), Glyphs()
    assert markup(text, font, got, multiline=multiline) == reference_markup(text, font, want, multiline=multiline)
    assert (got.missing, got.controls) == (want.missing, want.controls)


def test_plain_text_needs_no_per_character_lookup(monkeypatch):
    def boom(*_args):
        raise AssertionError("per-character lookup on plain text")

    monkeypatch.setattr(fonts, "_font_for", boom)
    assert markup('<b>Bob</b> & <img src="/etc/passwd"/>\tZoë Ωμέγα\nЖуков') == (
        '&lt;b&gt;Bob&lt;/b&gt; &amp; &lt;img src="/etc/passwd"/&gt; Zoë Ωμέγα<br/>Жуков')
    assert is_plain("Zoë Łukasz-Ωμέγα Жуков") and not is_plain("山田") and not is_plain("a\u202eb")
    assert not is_plain("a\nb")


@pytest.fixture
def writer():
    register()
    return Writer(Styles(), Glyphs())


def test_cells_of_plain_text_are_literal_strings(writer):
    s = writer.s
    assert writer.cell(HOSTILE_NAME, s.cell, 200) == "<b>Bob</b>"  # a string cell is never parsed
    assert writer.cell(HOSTILE_DESC, s.cell, 2000) == HOSTILE_DESC
    long = "To diagnose the delivery problem. These may contain internet and network data such as IP addresses."
    lines = writer.cell(long, s.cell, 140)
    assert isinstance(lines, str) and lines.count("\n") >= 2
    para = Paragraph(escape(long), s.cell)
    para.wrap(140, 1000)
    assert lines.split("\n") == [" ".join(words) for _extra, words in para.blPara.lines]
    assert writer.cell(long, s.cell, 140) is lines  # worked out once per report


@pytest.mark.parametrize("text", ["Zoë 山田", "Somchai ทดสอบ", "a\u202eb", "two  spaces", " lead", "a\nb", "a\xa0b"])
def test_cells_needing_fonts_markers_or_paragraph_spacing_stay_paragraphs(writer, text):
    cell = writer.cell(text, writer.s.cell, 300)
    assert isinstance(cell, Paragraph)
    if "山" in text:
        assert FALLBACK in cell.text
    if "ท" in text:
        assert "[U+0E17]" in cell.text and 0x0E17 in writer.glyphs.missing


def test_a_line_paragraph_would_squeeze_stays_a_paragraph(writer):
    # Paragraph fits this line by shrinking its spaces (negative room); a string cannot.
    text = "network data such as IP addresses"
    style = writer.s.cell
    para = Paragraph(text, style)
    width = stringWidth(text, style.fontName, style.fontSize) - 0.3
    para.wrap(width, 1000)
    assert len(para.blPara.lines) == 1 and para.blPara.lines[0][0] < 0
    assert isinstance(writer.cell(text, style, width), Paragraph)


def word_boxes(pdf: bytes, tmp_path, name: str) -> list[tuple]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [(w, round(float(x0), 1), round(float(y0), 1), round(float(x1), 1), round(float(y1), 1))
            for x0, y0, x1, y1, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def test_string_cells_are_drawn_where_paragraph_cells_were(writer, tmp_path):
    purpose = ("To diagnose the delivery problem. These may contain internet and network data such as "
               "IP addresses and mail server names.")
    rows = [["Detail", "What we hold", "Why we hold it"],
            ["Name", HOSTILE_NAME, "To identify and address you."],
            ["Email delivery issue", HOSTILE_DESC, purpose],
            ["Received", "10 January 2026, 09:00 UTC", "To handle your request in order and apply retention."]]
    widths = [36 * mm, 84 * mm, 54 * mm]

    def build(cells_as_paragraphs: bool) -> bytes:
        data = rows
        if cells_as_paragraphs:
            data = [[writer.p(c, writer.s.cell_head if i == 0 else writer.s.cell) for c in row]
                    for i, row in enumerate(rows)]
        assert any(isinstance(c, str) for c in writer.table(rows, widths)._cellvalues[1])
        buf = io.BytesIO()
        SimpleDocTemplate(buf, invariant=1).build([writer.table(data, widths)])
        return buf.getvalue()

    strings, paragraphs = word_boxes(build(False), tmp_path, "s"), word_boxes(build(True), tmp_path, "p")
    assert strings == paragraphs
    assert ("&lt;b&gt;Bob&lt;/b&gt;",) == tuple(w for w, *_ in strings if "Bob" in w)  # literal, escaped by -bbox


def test_paragraph_keeps_its_layout_per_width(writer, monkeypatch):
    calls = []
    original = Paragraph.breakLines
    monkeypatch.setattr(Paragraph, "breakLines", lambda self, w: calls.append(w) or original(self, w))
    p = Para("word " * 60, writer.s.body)
    first = p.wrap(200, 50)
    assert p.wrap(200, 999) == first and len(calls) == 1
    assert p.wrap(300, 50) != first and len(calls) == 2
    assert p.wrap(200, 50) == first and len(calls) == 3
    assert p.split(200, 5) == [] and "blPara" not in p.__dict__  # too little room: reportlab drops the layout
    assert p.wrap(200, 50) == first and len(calls) == 4 and p.blPara.lines


def render(services, out, **kw):
    dossier = services.dossier.gather(EMAIL)
    return render_access_report(dossier, out, request_ref="DSR-2026-0009", generated_at=services.ctx.now(),
                                verification_note="Verified", **kw)


def test_reused_text_operators_give_the_same_bytes(services, tmp_path, monkeypatch):
    person_with_cases(services)
    made = []
    original = access_report.ReusingCanvas.beginText
    monkeypatch.setattr(access_report.ReusingCanvas, "beginText",
                        lambda self, *a, **k: made.append(1) or original(self, *a, **k))
    render(services, tmp_path / "fast.pdf")
    fast, made[:] = len(made), []
    monkeypatch.setattr(access_report.ReusingCanvas, "reuse_text", False)
    render(services, tmp_path / "slow.pdf")
    assert (tmp_path / "fast.pdf").read_bytes() == (tmp_path / "slow.pdf").read_bytes()
    assert fast < len(made) * 0.8  # the repeated labels and purposes were not worked out again


def test_page_streams_are_flate_only(services, tmp_path):
    person_with_cases(services)
    render(services, tmp_path / "r.pdf")
    reader = PdfReader(str(tmp_path / "r.pdf"))
    for page in reader.pages:
        assert list(page["/Contents"].get_object()["/Filter"]) == ["/FlateDecode"]  # not also /ASCII85Decode
    assert "Support case" in reader.pages[2].extract_text() + reader.pages[1].extract_text()


def test_repeated_wording_is_parsed_once_and_stays_intact(writer, monkeypatch):
    from reportlab.platypus import paraparser

    parsed = []
    original = paraparser.ParaParser.parse
    monkeypatch.setattr(paraparser.ParaParser, "parse", lambda self, *a: parsed.append(1) or original(self, *a))
    text = "We hold no support cases about you. " * 6
    first, second = writer.fixed(text), writer.fixed(text)
    assert len(parsed) == 1 and first.frags is second.frags
    fresh = Paragraph(escape(text), writer.s.body)
    fresh.wrap(150, 1000)
    parts = first.split(150, 3 * writer.s.body.leading)  # splitting one must not change the other
    assert len(parts) == 2
    second.wrap(150, 1000)
    assert second.blPara.lines == fresh.blPara.lines
    assert len(parsed) == 2  # the fresh one
    assert writer.p("Zoë Ωμέγα").frags is writer.p("Zoë Ωμέγα").frags and len(parsed) == 3
    # Escapes make several fragments (reportlab lays those out in place): parsed each time, never shared.
    hostile = writer.p("<b>x</b>"), writer.p("<b>x</b>")
    assert hostile[0].frags is not hostile[1].frags and len(parsed) == 5
