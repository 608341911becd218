"""Mail into the intake form, without a window: read dropped or opened files and pasted text into
a pre-fill, keep its diagnosis until the form is saved, and store it with the new case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the mail reader and the diagnosis engine load when mail is first read, not at start
    from desktop.domain.mail.prefill import Prefill

MAIL_SUFFIXES = (".eml", ".msg", ".mbox", ".txt")


@dataclass
class Loaded:
    prefill: Prefill | None
    message: str


class MailFormController:
    def __init__(self, services) -> None:
        self.services = services
        self.pending: Prefill | None = None
        self.pending_raw: bytes = b""

    def _settings(self) -> dict:
        from desktop.services.mail_import import for_services

        return for_services(self.services).mail_settings()

    def load_bytes(self, data: bytes, label: str) -> Loaded:
        from desktop.domain.mail.prefill import MailReadError
        from desktop.services.mail import prefill_bytes

        try:
            p = prefill_bytes(data, self._settings())
        except MailReadError as exc:
            return Loaded(None, f"{label}: {exc}")
        self.pending, self.pending_raw = p, data
        what = {"bounce": "a bounce", "form_notification": f"a {p.form_plugin} notification",
                "headers": "pasted headers"}.get(p.source, "a message")
        note = f"Filled from {label} ({what}). Check the fields, show the privacy notice, then save."
        return Loaded(p, note + ("" if not p.warnings else " " + " ".join(p.warnings)))

    def load_paths(self, paths: list[Path]) -> Loaded:
        from desktop.domain.mail.prefill import MailReadError
        from desktop.services.mail_files import iter_messages

        mail = [p for p in paths if p.suffix.lower() in MAIL_SUFFIXES]
        if not mail:
            return Loaded(None, "Drop an .eml, .msg or mbox file (nothing else is read).")
        path = mail[0]
        items = list(iter_messages(path))
        if not items:
            return Loaded(None, f"{path.name}: no message found")
        label, first = items[0]
        if isinstance(first, MailReadError):
            return Loaded(None, f"{label}: {first}")
        loaded = self.load_bytes(first, path.name)
        if len(items) > 1 and loaded.prefill is not None:
            loaded.message += f" The mbox holds {len(items)} messages; the first is shown (File > Import mail for all)."
        return loaded

    def load_text(self, text: str) -> Loaded:
        if not text.strip():
            return Loaded(None, "Nothing pasted.")
        return self.load_bytes(text.encode("utf-8"), "the pasted message")

    def form_values(self) -> dict[str, object]:
        p = self.pending
        if p is None:
            return {}
        return {"name": p.name, "email": p.email, "description": p.description,
                "technical_details": p.technical_details, "category": p.category, "channel": p.channel}

    def extra(self) -> dict[str, object]:
        """Values the form has no field for: the received time from Date."""
        return {"received_at": self.pending.received_at} if self.pending and self.pending.received_at else {}

    def saved(self, case_id: int) -> None:
        """The form was saved by staff (notice shown, age confirmed): keep the diagnosis with it."""
        if self.pending is None or not case_id:
            return
        from desktop.services.mail_import import for_services

        for_services(self.services).attach(case_id, self.pending, self.pending_raw)
        self.forget()

    def forget(self) -> None:
        self.pending, self.pending_raw = None, b""


def diagnosis_lines(record: dict | None) -> list[str]:
    """What the Diagnosis panel shows for a stored or fresh diagnosis record (plain text lines)."""
    if not record:
        return []
    from desktop.domain.models import Category

    try:
        category = Category(record.get("category")).label
    except ValueError:
        category = str(record.get("category"))
    lines = [f"Suggested category: {category} — {record.get('reason_label')}"]
    for key, label in (("status", "Status"), ("reply_code", "Reply code"), ("recipient", "Recipient"),
                       ("remote_mta", "Remote MTA"), ("blocklist", "Block list")):
        if record.get(key):
            lines.append(f"{label}: {record[key]}")
    if record.get("explanation"):
        lines.append(record["explanation"])
    lines += [f"• {s}" for s in record.get("next_steps") or []]
    lines += [f"Evidence: {e}" for e in (record.get("evidence") or [])[:6]]
    return lines
