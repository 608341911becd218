"""Building blocks for the access report: styles, escaped paragraphs, long text, tables."""

from __future__ import annotations

import copy
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop.reports import rtl
from desktop.reports.fonts import BODY, BOLD, MONO, Glyphs, is_plain, markup, normalise_newlines

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#1d4e89")
RULE = colors.HexColor("#c3ccd6")
SHADE = colors.HexColor("#eef2f6")

# Long text is cut into paragraphs of at most this many characters so reportlab can split them
# across pages cheaply; a single huge paragraph (or table cell) would not fit.
CHUNK = 2500
# Table cells longer than this are shortened, with the full text printed below the table.
CELL_LIMIT = 400
# Table cell padding (points), the same on every table.
PAD_X, PAD_TOP, PAD_BOTTOM = 3, 2, 3


class Para(Paragraph):
    """A Paragraph that keeps its last layout: wrapped again at the same width, it reuses it.

    reportlab wraps a table cell when it measures the table (again for each page it tries) and
    once more when it draws it, and a frame wraps a paragraph before splitting it; breaking the
    same lines at the same width again gave the same answer, at a third of the report's time.
    The layout depends only on the width (the height is not used to break lines); split() may
    drop blPara, and then the next wrap lays out afresh.
    """

    _laid_out_at: float | None = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab API)
        if availWidth == self._laid_out_at and "blPara" in self.__dict__:
            return self.width, self.height
        got = super().wrap(availWidth, availHeight)
        self._laid_out_at = availWidth if "blPara" in self.__dict__ else None
        return got

    # Right-to-left text: None = not yet known, else the base direction ("L"/"R") or "" for none.
    _rtl_base: str | None = None

    def drawPara(self, debug=0):  # noqa: N802 (reportlab API)
        """Draws the lines in visual order when the text has right-to-left characters.

        Lines are broken (and paragraphs split) in logical order; only the drawing sees each
        line reordered (see desktop.reports.rtl), so wrapped lines keep their order.
        """
        logical = self.blPara
        base = self._rtl_base
        if base is None:
            text = _layout_text(logical)
            base = self._rtl_base = rtl.base_dir(text) if rtl.has_rtl(text) else ""
        if not base:
            return super().drawPara(debug)
        style = self.style
        self.blPara = _visual_blpara(logical, base)
        if base == "R" and style.alignment == TA_LEFT:  # right-to-left text starts at the right
            self.style = style.clone(f"{style.name}-rtl", alignment=TA_RIGHT)
        try:
            return super().drawPara(debug)
        finally:
            self.blPara = logical
            self.style = style


def _layout_text(blpara) -> str:
    """The text of a paragraph layout (the parsed fragments are consumed by laying it out)."""
    if blpara.kind == 0:
        return " ".join(" ".join(words) for _extra, words in blpara.lines)
    return "".join(getattr(f, "text", "") for line in blpara.lines for f in line.words)


def _visual_blpara(blpara, base: str):
    """A copy of a paragraph layout with each line in visual order."""
    out = copy.copy(blpara)
    if blpara.kind == 0:  # one font: lines are (extra space, [word, ...])
        out.lines = [(extra, rtl.visual_line(" ".join(words), base).split(" ")) for extra, words in blpara.lines]
        return out
    lines = []
    for line in blpara.lines:
        words = line.words
        texts = [getattr(f, "text", "") if not hasattr(f, "cbDefn") else "\ufffc" for f in words]
        if not rtl.has_rtl("".join(texts)):
            lines.append(line)
            continue
        frags = []
        for n, text in rtl.visual_pieces(texts, base):
            f = words[n]
            frags.append(f if hasattr(f, "cbDefn") else f.clone(text=text))
        line = copy.copy(line)
        line.words = frags
        lines.append(line)
    out.lines = lines
    return out


def _style(name: str, font: str = BODY, size: float = 9.5, leading: float | None = None, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.32,
                          textColor=kw.pop("textColor", INK), alignment=TA_LEFT, splitLongWords=1, bulletFontName=BODY,
                          wordWrap=None, **kw)


class Styles:
    def __init__(self) -> None:
        self.title = _style("title", BOLD, 22, 27, textColor=ACCENT, spaceAfter=4 * mm)
        self.subtitle = _style("subtitle", BODY, 12, 16, textColor=MUTED, spaceAfter=6 * mm)
        self.h1 = _style("h1", BOLD, 14, 18, textColor=ACCENT, spaceBefore=6 * mm, spaceAfter=2.5 * mm,
                         keepWithNext=1)
        self.h2 = _style("h2", BOLD, 11, 14, textColor=INK, spaceBefore=4 * mm, spaceAfter=1.5 * mm,
                         keepWithNext=1)
        self.h3 = _style("h3", BOLD, 9.5, 12.5, textColor=INK, spaceBefore=2.5 * mm, spaceAfter=1 * mm,
                         keepWithNext=1)
        self.body = _style("body", spaceAfter=1.8 * mm)
        self.small = _style("small", BODY, 8, 10.5, textColor=MUTED)
        self.cell = _style("cell", BODY, 8.5, 11)
        self.cell_head = _style("cell_head", BOLD, 8.5, 11)
        self.mono = _style("mono", MONO, 7.5, 9.5, spaceAfter=1 * mm)
        self.notice = _style("notice", BODY, 9, 12, textColor=colors.HexColor("#8a1c1c"), borderPadding=4,
                             borderColor=colors.HexColor("#d9a0a0"), borderWidth=0.6, spaceBefore=3 * mm,
                             spaceAfter=3 * mm, backColor=colors.HexColor("#fbeeee"))
        self.bullet = _style("bullet", leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=1.2 * mm)


def when(value: datetime | None, empty: str = "—") -> str:
    """A date-time for a reader: '10 January 2026, 09:00 UTC'."""
    if value is None:
        return empty
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


def day(value: datetime | None, empty: str = "—") -> str:
    if value is None:
        return empty
    return f"{value.day} {value:%B %Y}"


class Writer:
    """Makes flowables from user text, escaping it and tallying characters it had to replace."""

    def __init__(self, styles: Styles, glyphs: Glyphs) -> None:
        self.s = styles
        self.glyphs = glyphs
        # (text, style name, width) -> its table cell (see cell()). Per report, not global: a
        # report may be rendered on a worker thread, and flowables are not thread-safe.
        self._cells: dict[tuple[str, str, float], str | Paragraph] = {}
        self._shared: dict[tuple[str, str], Paragraph] = {}
        # (markup, style name) -> the parsed fragment of a one-fragment paragraph (see _para()).
        self._frags: dict[tuple[str, str], list] = {}

    def cell(self, text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
        """A table cell for user text, `width` points wide inside its padding.

        Text the style's font draws entirely by itself, in single-spaced words, is given to the
        table as a plain string, broken into the very lines a Paragraph would make: the table
        draws it at the same place in the same font, size, leading and colour (its cell styles
        are set from `style`), and a string cell is never parsed as markup, so it needs no
        escaping. That is a quarter of the work of a Paragraph per cell. Anything else (fallback
        fonts, markers, line breaks, runs of spaces, a line a Paragraph would squeeze) becomes an
        escaped Paragraph as before. The same text in the same place (the labels and purposes of
        every case) is worked out once per report: a table cell is never split, so one Paragraph
        can be laid out once and drawn in every table.
        """
        key = (text, style.name, width)
        got = self._cells.get(key)
        if got is None:
            lines = self._plain_lines(text, style, width)
            got = self._cells[key] = self.p(text, style) if lines is None else lines
        return got

    @staticmethod
    def _plain_lines(text: str, style: ParagraphStyle, width: float) -> str | None:
        # A Paragraph collapses runs of spaces and breaks at other white space: keep its rendering.
        # (isprintable() is False for every separator but the ASCII space, and for controls.)
        if ("  " in text or text[0] == " " or text[-1] == " " or not text.isprintable()
                or not is_plain(text, style.fontName) or rtl.has_rtl(text)):
            return None
        if stringWidth(text, style.fontName, style.fontSize) <= width:
            return text
        para = Paragraph(markup(text, style.fontName), style)
        para.wrap(width, 1 << 30)
        blpara = para.blPara
        # kind 0: one font, lines of plain words. A line with negative room is drawn with its
        # spaces squeezed, which a string cell cannot do.
        if blpara.kind != 0 or any(extra < 0 for extra, _words in blpara.lines):
            return None
        return "\n".join(" ".join(words) for _extra, words in blpara.lines)

    def _para(self, markup_text: str, style: ParagraphStyle) -> Paragraph:
        """Para(markup_text, style), parsing the same short markup only once per report.

        Repeated wording ("No notes.", "Staff notes (0)", ...) comes up for every case. A
        paragraph of one fragment (one font, no tags but escapes) is laid out from that fragment
        without changing it (reportlab's line breaking and splitting work on clones), so the
        parsed fragment list can serve every paragraph with the same markup and style.
        """
        key = (markup_text, style.name)
        frags = self._frags.get(key)
        if frags is not None:
            return Para(markup_text, style, frags=frags)
        para = Para(markup_text, style)
        if (len(para.frags) == 1 and para.style is style and not style.endDots and len(markup_text) <= 300
                and not para.bulletText):
            self._frags[key] = para.frags
        return para

    def p(self, text: str | None, style: ParagraphStyle | None = None, *, empty: str = "") -> Paragraph:
        """A paragraph of USER text (escaped)."""
        style = style or self.s.body
        return self._para(markup(text, style.fontName, self.glyphs, empty=empty), style)

    def fixed(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of our own wording: escaped too, so no wording can break the markup."""
        return self.p(text, style)

    def rich(self, markup_text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph whose markup we wrote ourselves; user parts must come through esc()."""
        return self._para(markup_text, style or self.s.body)

    def shared(self, markup_text: str, style: ParagraphStyle) -> Paragraph:
        """One paragraph of our own markup for many TABLE CELLS of this report (a cell is never
        split, so one instance can be laid out once and drawn in every table)."""
        key = (markup_text, style.name)
        para = self._shared.get(key)
        if para is None:
            para = self._shared[key] = self.rich(markup_text, style)
        return para

    def esc(self, text: str | None, font: str = BODY, empty: str = "—") -> str:
        return markup(text, font, self.glyphs, empty=empty)

    def long(self, text: str | None, style: ParagraphStyle | None = None, *, empty: str = "—") -> list:
        """Any length of user text as a list of paragraphs that flow across pages."""
        style = style or self.s.body
        if not text:
            return [self.p(None, style, empty=empty)]
        return [Para(markup(chunk, style.fontName, self.glyphs), style) for chunk in chunks(text)]

    def table(self, rows: list[list], widths: list[float], *, header: bool = True) -> Table:
        """rows of cells (str = user text, escaped; Paragraph = as is)."""
        data = []
        inner = [w - 2 * PAD_X for w in widths]
        for i, row in enumerate(rows):
            style = self.s.cell_head if header and i == 0 else self.s.cell
            data.append([c if not isinstance(c, str | type(None)) else self.cell(c or "—", style, inner[j])
                         for j, c in enumerate(row)])
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        # String cells (see cell()) are drawn in the cell style's font, size, leading and colour.
        cell, head = self.s.cell, self.s.cell_head
        cmds = [
            ("FONT", (0, 0), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
            ("TEXTCOLOR", (0, 0), (-1, -1), cell.textColor),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
        ]
        if header:
            cmds += [("BACKGROUND", (0, 0), (-1, 0), SHADE),
                     ("FONT", (0, 0), (-1, 0), head.fontName, head.fontSize, head.leading),
                     ("TEXTCOLOR", (0, 0), (-1, 0), head.textColor)]
        t.setStyle(TableStyle(cmds))
        return t

    def bullets(self, items: list[str]) -> list:
        return [Para(markup(i, BODY, self.glyphs), self.s.bullet, bulletText="•") for i in items]


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """Cut text into pieces of at most `size` characters, at line breaks where possible."""
    text = normalise_newlines(text)
    out: list[str] = []
    buf = ""
    for line in text.split("\n"):
        while len(line) > size:
            if buf:
                out.append(buf)
                buf = ""
            out.append(line[:size])
            line = line[size:]
        if buf and len(buf) + 1 + len(line) > size:
            out.append(buf)
            buf = line
        else:
            buf = f"{buf}\n{line}" if buf else line
    if buf or not out:
        out.append(buf)
    return out


def short(text: str | None, limit: int = CELL_LIMIT) -> tuple[str | None, bool]:
    """(text for a table cell, True when shortened)."""
    if text is None or len(text) <= limit:
        return text, False
    return text[:limit].rstrip() + " …", True


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)
