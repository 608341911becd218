"""The portable export (Art. 20): a zip with data.json (versioned schema, raw values), one CSV per
table (UTF-8 with BOM, safe against spreadsheet formula injection) and a README."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.domain.clock import to_iso
from desktop.domain.dossier import CASE_FIELDS, Dossier
from desktop.reports.files import atomic_write, suggest_filename

SCHEMA = "helpdesk-intake/portable-export"
VERSION = 1
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

CASE_COLUMNS = ("id",) + tuple(f.key for f in CASE_FIELDS) + ("next_removal_at", "next_removal_policy",
                                                                  "phone_unchecked")
PROVIDED_CASE_FIELDS = tuple(f.key for f in CASE_FIELDS if f.provided_by_person)
NOTE_COLUMNS = ("id", "case_id", "at", "staff", "body")
CHANGE_COLUMNS = ("id", "case_id", "at", "staff", "field", "old_value", "new_value", "request_ref")
CONSENT_COLUMNS = ("id", "case_id", "kind", "version", "given_at", "withdrawn_at", "source")
REQUEST_COLUMNS = ("ref", "type", "received_at", "channel", "status", "due_at", "extended_due_at",
                   "verification_method", "verified_at", "outcome", "refusal_reason", "completed_at")

# Which tables hold data the person gave us (Art. 20 covers these) and which we created.
PROVENANCE = {
    "cases": "provided by you (fields listed in provided_fields); the other columns were recorded by us",
    "consents": "provided by you (your acknowledgement of the privacy notice and your marketing choice)",
    "notes": "created by us (staff notes); included for completeness",
    "changes": "created by us (history of corrections and status changes); included for completeness",
    "requests": "created by us (your data-protection requests and how we handled them)",
}

README = """Portable copy of your personal data
===================================

Request reference: {ref}
Prepared by: {controller}
Generated: {generated} (UTC)

This archive contains the personal data we hold about you, in formats that other programs can
read (Article 20 GDPR). It holds the same data in two forms:

data.json
    Everything in one JSON file (UTF-8). Its first fields say which format it is:
    "schema": "{schema}", "version": {version}. Values are exactly as stored: dates and times
    are ISO 8601 in UTC (e.g. 2026-01-10T09:00:00+00:00), missing values are null.
    "provenance" says which tables hold data you gave us and which we created.

cases.csv       your support cases, one row per case, every field
notes.csv       our staff notes on your cases (created by us)
changes.csv     the history of corrections and status changes of your cases (created by us)
consents.csv    your privacy-notice acknowledgements and marketing consent (given by you)
requests.csv    your data-protection requests and how we handled them (created by us)

The CSV files are UTF-8 with a byte-order mark (so spreadsheet programs show accents and other
scripts correctly), comma-separated, with a header row.

Why some cells start with an apostrophe (')
    A spreadsheet program treats a cell that begins with = + - @, a tab or a line break as a
    formula, which could run commands when you open the file. To protect you, such cells in the
    CSV files start with an extra apostrophe ('). For example a phone number +442079460001 is
    written as '+442079460001. The apostrophe is not part of your data; data.json has the exact
    values without it.

Data you gave us is in cases (fields: {provided}) and consents. Notes, changes and requests were
created by us and are included so that you have everything. In cases, phone_unchecked is true
when the phone is exactly as you typed it in a web form and we could not read it as a number.
"""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    files: tuple[str, ...]


def _raw(value: object) -> object:
    if isinstance(value, datetime):
        return to_iso(value)
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value


def _row(obj: object, columns: tuple[str, ...], extra: dict | None = None) -> dict:
    extra = extra or {}
    return {c: _raw(extra[c] if c in extra else getattr(obj, c, None)) for c in columns}


def safe_cell(value: object) -> str:
    """A CSV cell that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: list[dict], columns: tuple[str, ...]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([safe_cell(r.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def tables(d: Dossier) -> dict[str, list[dict]]:
    cases, notes, changes = [], [], []
    for rec in d.cases:
        cases.append(_row(rec.case, CASE_COLUMNS, {"next_removal_at": rec.next_removal_at,
                                                   "next_removal_policy": rec.next_removal_policy}))
        notes += [_row(n, NOTE_COLUMNS) for n in rec.notes]
        changes += [_row(c, CHANGE_COLUMNS) for c in rec.changes]
    return {
        "cases": cases,
        "notes": notes,
        "changes": changes,
        "consents": [_row(c, CONSENT_COLUMNS) for c in d.consents],
        "requests": [_row(r, REQUEST_COLUMNS) for r in d.requests],
    }


COLUMNS = {"cases": CASE_COLUMNS, "notes": NOTE_COLUMNS, "changes": CHANGE_COLUMNS,
           "consents": CONSENT_COLUMNS, "requests": REQUEST_COLUMNS}


def document(d: Dossier, request_ref: str, generated_at: datetime) -> dict:
    org = d.organisation
    data = tables(d)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "generated_at": to_iso(generated_at),
        "request_ref": request_ref,
        "controller": {"name": org.controller_name, "contact": org.contact_email},
        "subject": {"email": d.email, "created_at": to_iso(d.subject.created_at) if d.subject else None},
        "provided_fields": list(PROVIDED_CASE_FIELDS),
        "provenance": PROVENANCE,
        **data,
    }


def write_export(dossier: Dossier, out_path: Path | str, *, request_ref: str = "",
                 generated_at: datetime | None = None,
                 progress: Callable[[float, str], None] | None = None) -> ExportResult:
    """Write the zip atomically (mode 0600). Safe on a worker thread."""
    generated_at = generated_at or dossier.gathered_at
    if progress:
        progress(0.1, "collecting tables")
    doc = document(dossier, request_ref, generated_at)
    members: dict[str, bytes] = {
        "README.txt": README.format(
            ref=request_ref or "—", controller=dossier.organisation.controller_name,
            generated=to_iso(generated_at), schema=SCHEMA, version=VERSION,
            provided=", ".join(PROVIDED_CASE_FIELDS)).encode("utf-8"),
        "data.json": json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"),
    }
    for name, columns in COLUMNS.items():
        members[f"{name}.csv"] = to_csv(doc[name], columns)
    if progress:
        progress(0.7, "compressing")
    buf = io.BytesIO()
    stamp = (generated_at.year, generated_at.month, generated_at.day, generated_at.hour,
             generated_at.minute, generated_at.second)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    atomic_write(Path(out_path), buf.getvalue())
    if progress:
        progress(1.0, "done")
    return ExportResult(Path(out_path), tuple(members))


__all__ = ["ExportResult", "SCHEMA", "VERSION", "safe_cell", "suggest_filename", "write_export"]
