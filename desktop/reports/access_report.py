"""The Art. 15 access report: a PDF for a reader who is not an expert.

render_access_report() is safe to call on a worker thread: it shares nothing mutable except
the one-time font registration (guarded by a lock in fonts.py), reports progress through a
callback, and writes the file atomically (optionally AES-256 encrypted before it touches disk).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.pdfgen.textobject import rtlSupport
from reportlab.platypus import PageBreak, SimpleDocTemplate

from desktop.domain.dossier import Dossier
from desktop.reports import report_sections as S
from desktop.reports import report_text as T
from desktop.reports.blocks import MUTED, RULE, Styles, Writer, gap, when
from desktop.reports.files import atomic_write, encrypt_pdf, suggest_filename
from desktop.reports.fonts import BODY, Glyphs, plain, register

Progress = Callable[[float, str], None]
MARGIN = 18 * mm


@dataclass(frozen=True)
class ReportResult:
    path: Path
    pages: int
    encrypted: bool
    missing: tuple[int, ...]   # code points no shipped font could draw (shown as [U+XXXX])
    controls: tuple[int, ...]  # invisible/control characters shown as [U+XXXX]


_TEXT_PREFIX = "BT 1 0 0 1 0 0 Tm "


class ReusingCanvas(rl_canvas.Canvas):
    """A canvas whose drawString() works out the PDF text operators of a string once.

    reportlab builds them from the font, size, leading and text and from the document's font
    subsets, which never change once a character is in one; only the position (the text matrix)
    differs from one call to the next. Labels, purposes, dates and statuses repeat in every case
    table of a large report, so most table cells reuse what an earlier one worked out. The output
    is byte for byte what reportlab writes (a test renders a report both ways).
    """

    reuse_text = True  # tests turn it off to compare

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._text_ops: dict[tuple, str] = {}
        self._numbers: dict[float, str] = {}  # fp_str() of each coordinate (few distinct x and y)

    def _fp(self, value: float) -> str:
        got = self._numbers.get(value)
        if got is None:
            got = self._numbers[value] = fp_str(value)
        return got

    def drawString(self, x, y, text, mode=None, charSpace=0, direction=None,  # noqa: N802, N803
                   wordSpace=None, shaping=False):  # noqa: N803 (reportlab API)
        if (not self.reuse_text or mode is not None or charSpace or wordSpace or direction or shaping
                or not self.bottomup or rtlSupport):
            super().drawString(x, y, text, mode, charSpace, direction, wordSpace, shaping)
            return
        key = (self._fontname, self._fontsize, self._leading, text)
        ops = self._text_ops.get(key)
        if ops is None:
            t = self.beginText(0, 0)
            t.textLine(text)
            code = t.getCode()
            if not code.startswith(_TEXT_PREFIX):  # not the layout we know: draw it reportlab's way
                super().drawString(x, y, text)
                return
            ops = self._text_ops[key] = code[len(_TEXT_PREFIX):]
        self._code.append(f"BT 1 0 0 1 {self._fp(x)} {self._fp(y)} Tm {ops}")  # = fp_str(x, y)


def _numbered_canvas(footer_left: str, footer_right: str, pages_out: list[int]):
    """A canvas class that holds pages back until the end so each can say 'Page N of M'."""

    class NumberedCanvas(ReusingCanvas):
        def __init__(self, *args, **kwargs) -> None:
            # Our own font from the start, so no unembedded standard font (Helvetica) is referenced.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or BODY
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            pages_out.append(total)
            for state in self._saved:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            _plain_page_streams(self._doc)
            super().save()

        def _footer(self, total: int) -> None:
            width, _height = A4
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
            self.setFont(BODY, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 10 * mm, footer_left)
            self.drawRightString(width - MARGIN, 10 * mm, f"{footer_right}Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _plain_page_streams(doc) -> None:
    """Page streams compressed only (Flate), not also ASCII85-encoded as reportlab does by default:
    the same PDF content, a fifth smaller, and without encoding every page in pure Python (a tenth
    of the time of a large report). Per document, not through reportlab's global switch."""
    for page in getattr(getattr(doc, "Pages", None), "pages", ()):
        if getattr(page, "Contents", None) is None and getattr(page, "stream", None) and page.compression:
            page.Contents = PDFStream(content=page.stream, filters=[PDFZCompress])
            page.Contents.__Comment__ = "page stream"


def _title_page(w: Writer, d: Dossier, ref: str, generated_at: datetime, verification_note: str,
                received_at: datetime | None) -> list:
    org = d.organisation
    s = w.s
    out: list = [gap(18), w.fixed("Your personal data: access report", s.title),
                 w.fixed("A copy of the personal data we hold about you, and what we do with it "
                         "(Article 15 of the General Data Protection Regulation)", s.subtitle)]
    controller = org.controller_name + (f", {org.controller_address}" if org.controller_address else "")
    rows: list[list] = [["Prepared by (the controller)", controller]]
    # optional contacts are left out when not set, never printed as a blank or a placeholder
    rows += [[label, value] for label, value in (("Privacy contact", org.contact_email),
                                                  ("Data protection officer", org.dpo_contact)) if value]
    rows += [
        ["Request reference", ref],
        ["Request received", when(received_at)],
        ["Report generated", when(generated_at)],
        ["Email address covered", d.email],
        ["Name(s) in our records", "; ".join(d.names()) or "—"],
        ["Identity check", verification_note or "—"],
    ]
    out.append(w.table(rows, [52 * mm, 122 * mm], header=False))
    out += [gap(8), w.fixed("About this report", s.h2), w.fixed(T.INTRO), w.fixed(T.HOW_TO_READ)]
    return out


def _glyph_notices(w: Writer, glyphs: Glyphs) -> list:
    out = []
    if glyphs.missing:
        out.append(w.fixed(T.CHARACTERS_MISSING.format(codes=Glyphs.codes(glyphs.missing)), w.s.notice))
    if glyphs.controls:
        out.append(w.fixed(T.CHARACTERS_CONTROL.format(codes=Glyphs.codes(glyphs.controls)), w.s.notice))
    return out


def render_access_report(dossier: Dossier, out_path: Path | str, *, request_ref: str, generated_at: datetime,
                         verification_note: str, password: str | None = None,
                         progress: Progress | None = None, request_received_at: datetime | None = None,
                         ) -> ReportResult:
    """Typeset the report for `dossier` and write it to out_path (atomically, mode 0600).

    With a password, the finished PDF is encrypted with AES-256 before it is written.
    progress(fraction, message) is called from the calling thread.
    """
    def tick(fraction: float, message: str) -> None:
        if progress is not None:
            progress(max(0.0, min(1.0, fraction)), message)

    tick(0.0, "preparing fonts")
    register()
    glyphs = Glyphs()
    w = Writer(Styles(), glyphs)
    tick(0.05, "writing sections")
    body: list = []
    body += S.summary(w, dossier)
    body += S.your_data(w, dossier, tick)
    body += S.consents(w, dossier)
    body += S.requests(w, dossier)
    body += S.purposes(w, dossier)
    body += S.categories(w, dossier)
    body += S.recipients(w, dossier)
    body += S.retention(w, dossier)
    body += S.rights(w, dossier, request_ref)
    body += S.complaint(w, dossier)
    body += S.source(w, dossier)
    body += S.automated(w, dossier)
    # The title page comes last in the making so it can name every character we had to replace.
    title = _title_page(w, dossier, request_ref, generated_at, verification_note, request_received_at)
    title += _glyph_notices(w, glyphs)
    story = title + [PageBreak()] + body

    tick(0.65, "laying out pages")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=22 * mm,
        title=f"Access report {plain(request_ref, 60)}", author=plain(dossier.organisation.controller_name, 80),
        subject="Copy of personal data (Art. 15 GDPR)", creator="helpdesk-intake", invariant=1,
    )
    pages: list[int] = []
    footer_left = f"{T.FOOTER_NOTE} \u00b7 Request {plain(request_ref, 40)} \u00b7 Generated {when(generated_at)}"
    doc.build(story, canvasmaker=_numbered_canvas(footer_left, "", pages))
    data = buf.getvalue()
    if password:
        tick(0.9, "encrypting (AES-256)")
        data = encrypt_pdf(data, password)
    tick(0.95, "saving")
    atomic_write(Path(out_path), data)
    tick(1.0, "done")
    return ReportResult(Path(out_path), pages[-1] if pages else 0, bool(password),
                        tuple(sorted(glyphs.missing)), tuple(sorted(glyphs.controls)))


__all__ = ["ReportResult", "render_access_report", "suggest_filename"]
