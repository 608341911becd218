"""Building blocks for the access report: styles, escaped paragraphs, long text, tables."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop.reports.fonts import BODY, BOLD, MONO, Glyphs, markup, normalise_newlines

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

    def p(self, text: str | None, style: ParagraphStyle | None = None, *, empty: str = "") -> Paragraph:
        """A paragraph of USER text (escaped)."""
        style = style or self.s.body
        return Paragraph(markup(text, style.fontName, self.glyphs, empty=empty), style)

    def fixed(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of our own wording: escaped too, so no wording can break the markup."""
        return self.p(text, style)

    def rich(self, markup_text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph whose markup we wrote ourselves; user parts must come through esc()."""
        return Paragraph(markup_text, style or self.s.body)

    def esc(self, text: str | None, font: str = BODY, empty: str = "—") -> str:
        return markup(text, font, self.glyphs, empty=empty)

    def long(self, text: str | None, style: ParagraphStyle | None = None, *, empty: str = "—") -> list:
        """Any length of user text as a list of paragraphs that flow across pages."""
        style = style or self.s.body
        if not text:
            return [self.p(None, style, empty=empty)]
        return [Paragraph(markup(chunk, style.fontName, self.glyphs), style) for chunk in chunks(text)]

    def table(self, rows: list[list], widths: list[float], *, header: bool = True) -> Table:
        """rows of cells (str = user text, escaped; Paragraph = as is)."""
        data = []
        for i, row in enumerate(rows):
            style = self.s.cell_head if header and i == 0 else self.s.cell
            data.append([c if not isinstance(c, str | type(None)) else self.p(c, style, empty="—") for c in row])
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        cmds = [
            ("FONTNAME", (0, 0), (-1, -1), BODY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            cmds.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
        t.setStyle(TableStyle(cmds))
        return t

    def bullets(self, items: list[str]) -> list:
        return [Paragraph(markup(i, BODY, self.glyphs), self.s.bullet, bulletText="•") for i in items]


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
