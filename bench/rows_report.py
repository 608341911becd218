"""Access-report PDF for one person with many cases vs a bare reportlab platypus document."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from xml.sax.saxutils import escape

from bench.harness import Row, Side, measure_pair
from bench.stores import NOW, SEED, Workspace
from desktop.services.demo import DemoGenerator

PERSON_EMAIL = "zoe.lukasz-kowalska@example.org"
PERSON_NAME = "Ζωή Łukasz-Kowalska"


def person_store(ws: Workspace, cases: int, key=None) -> Path:
    """A store holding `cases` cases of one person (plus nobody else)."""
    path = ws.empty_store(key)
    services = ws.open(path, key)
    try:
        items = [dataclasses.replace(c.data, email=PERSON_EMAIL, name=PERSON_NAME)
                 for c in DemoGenerator(SEED + 5, NOW).cases(cases)]
        for start in range(0, len(items), 5000):
            services.intake.store_many(items[start:start + 5000], source="bench")
    finally:
        services.close()
    return path


def report_services():
    from desktop.services.dossier import DossierService

    return DossierService


def render_app(services, out: Path) -> int:
    from desktop.reports.access_report import render_access_report
    from desktop.services.dossier import DossierService

    dossier = DossierService(services.ctx, services.settings).gather(PERSON_EMAIL)
    result = render_access_report(dossier, out, request_ref="R-BENCH-1", generated_at=NOW,
                                  verification_note="Identity verified for the benchmark.")
    return result.pages


def render_bare(rows: list[list[tuple[str, str]]], out: Path) -> None:
    """The same case texts as a plain platypus story: a heading and a two-column table per case."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from desktop.paths import resource

    if "Bench-Sans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Bench-Sans", str(resource("fonts", "DejaVuSans.ttf"))))
    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("bench", fontName="Bench-Sans", fontSize=9.5)
    head = styles["Heading2"].clone("benchh", fontName="Bench-Sans")
    story: list = []
    for fields in rows:
        story.append(Paragraph(escape(fields[0][1]), head))
        story.append(Table([[Paragraph(escape(k), body), Paragraph(escape(v).replace("\n", "<br/>"), body)]
                            for k, v in fields[1:]], colWidths=[40 * mm, 130 * mm]))
    SimpleDocTemplate(str(out), pagesize=A4).build(story)


def report_row(ws: Workspace, cases: int, *, runs: int) -> Row:
    try:
        import desktop.reports.access_report  # noqa: F401
        import desktop.services.dossier  # noqa: F401
    except ImportError as exc:
        return Row("report", f"access-report PDF, person with {cases:,} cases", target=1.5,
                   unavailable=f"the access report is not in the app yet ({exc})")
    store = person_store(ws, cases)
    services = ws.open(store)
    pages: list[int] = []
    try:
        people = services.cases.rows(list(services.cases.ids(__import__(
            "desktop.domain.models", fromlist=["CaseQuery"]).CaseQuery(sort="id", descending=False))))
        rows = [[("title", f"Support case {c.id} — received {c.received_at.date()}"),
                 ("Name", c.name or ""), ("Email", c.email or ""), ("Phone", c.phone or "—"),
                 ("Category", c.category.label), ("Channel", c.channel.label), ("Status", c.status.label),
                 ("Received", c.received_at.isoformat()), ("Description", c.description or ""),
                 ("Technical details", c.technical_details or "—")] for c in people.values()]
        out_app, out_base = ws.root / "report-app.pdf", ws.root / "report-bare.pdf"
        a, b = measure_pair(Side(lambda _: pages.append(render_app(services, out_app))),
                            Side(lambda _: render_bare(rows, out_base)), runs=runs, warmup=0)
    finally:
        services.close()
    n_pages = pages[-1] if pages else 0
    per_s = n_pages / a.median if a.median else 0.0
    row = Row("report", f"access-report PDF, person with {cases:,} cases ({n_pages} pages)", a, b, target=1.5,
              extra_ok=per_s >= 150, extra_text=">= 150 pages/s", details={"pages": n_pages, "pages_per_s": per_s})
    row.note = (f"{per_s:.0f} pages/s (gather + typeset + write); baseline = same case texts as heading + "
                "two-column table per case, DejaVu Sans, no title page, no sections, no glyph checks")
    return row
