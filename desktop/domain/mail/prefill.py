"""An intake pre-fill from one message: who wrote (or whose bounce it is), when, what they need,
technical details and the delivery diagnosis. Never saved by itself: staff confirm it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from desktop.domain.diagnosis import Diagnosis, Rules, diagnose
from desktop.domain.diagnosis.mime import header_text, mailbox_of, parse_bytes
from desktop.domain.mail.forms import FormLayouts
from desktop.domain.mail.text import body_markup, body_text, trim_reply

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
TECHNICAL_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Return-Path", "Received",
                     "Authentication-Results", "ARC-Authentication-Results", "Received-SPF", "DKIM-Signature",
                     "X-Failed-Recipients", "Auto-Submitted")


class MailReadError(ValueError):
    """A message that cannot be read; the text is one clear line for staff."""


@dataclass
class Prefill:
    name: str = ""
    email: str = ""
    received_at: datetime | None = None
    channel: str = "email"
    description: str = ""
    technical_details: str = ""
    category: str = "other"
    message_id: str = ""
    subject: str = ""
    source: str = "message"          # message, form_notification, bounce, headers
    form_plugin: str = ""
    diagnosis: Diagnosis | None = None
    warnings: list[str] = field(default_factory=list)


def _received(msg) -> datetime | None:
    text = header_text(msg, "Date")
    try:
        dt = parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None
    if dt is not None and dt.tzinfo is None:   # "-0000": time in UTC, zone unknown (RFC 5322 3.3)
        from datetime import UTC
        dt = dt.replace(tzinfo=UTC)
    return dt


def technical_summary(msg, diagnosis: Diagnosis | None, mask) -> str:
    """Headers and the diagnosis for the technical-details field; third-party addresses masked
    with mask(address) and the bodies of returned messages left out."""
    lines = []
    for name in TECHNICAL_HEADERS:
        for value in (msg.get_all(name) or [])[:20]:
            lines.append(f"{name}: {' '.join(str(value).split())}"[:1000])
    if diagnosis is not None and diagnosis.kind not in ("message",):
        lines.append("")
        lines.append(f"Diagnosis: {diagnosis.reason_label} ({diagnosis.category})")
        for label, value in (("Status", diagnosis.status), ("Reply code", diagnosis.reply_code),
                             ("Recipient", mask(diagnosis.recipient) if diagnosis.recipient else ""),
                             ("Remote MTA", diagnosis.remote_mta), ("Reporting MTA", diagnosis.reporting_mta)):
            if value:
                lines.append(f"{label}: {value}")
        for e in diagnosis.evidence:
            lines.append("Evidence: " + _mask_text(e, diagnosis, mask))
    return "\n".join(lines)[:20_000]


def _mask_text(text: str, d: Diagnosis, mask) -> str:
    for r in d.recipients:
        if r.recipient:
            text = text.replace(r.recipient, mask(r.recipient))
    return text


def prefill(raw: bytes, rules: Rules, forms: FormLayouts, *, use_reply_to: bool = False, mask=lambda a: a) -> Prefill:
    """Read one message (RFC 5322 bytes, or pasted text) into a pre-fill. Raises MailReadError."""
    if not raw or not raw.strip():
        raise MailReadError("the message is empty")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MailReadError(f"the message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB; not read")
    raw = raw.replace(b"\x00", b"")
    try:
        msg = parse_bytes(raw)
        d = diagnose(raw, rules)
    except Exception as exc:  # malformed MIME the stdlib parser cannot take: one clear line
        raise MailReadError(f"the message could not be read as email ({type(exc).__name__})") from exc
    p = Prefill(message_id=header_text(msg, "Message-ID"), subject=header_text(msg, "Subject"),
                received_at=_received(msg), diagnosis=d, category=d.category)
    if msg.defects:
        p.warnings.append("the message is malformed (" + ", ".join(sorted({type(x).__name__ for x in msg.defects}))[:200] + "); read as far as possible")
    name, email = mailbox_of(msg, "Reply-To") if use_reply_to else ("", "")
    if not email:
        name, email = mailbox_of(msg, "From")
    if d.kind in ("bounce", "delay", "forwarded bounce", "forwarded delay", "ses", "feedback_report") or d.kind.startswith("forwarded"):
        p.source = "bounce"
        owner = d.case_owner
        if owner and owner.lower() != email.lower():
            name = d.returned_from_name if owner.lower() == d.returned_from.lower() else ""
        email = owner or email
        p.description = f"Delivery problem: {d.reason_label}" + (f" ({d.status})" if d.status else "")
        if d.kind.startswith("forwarded"):
            written = trim_reply(body_text(msg))
            if written:
                p.description = written + "\n\n" + p.description
    else:
        text = body_text(msg)
        fields = forms.parse(p.subject, text, body_markup(msg))
        if fields is not None:
            p.source, p.form_plugin = "form_notification", fields.plugin
            name, email, p.description = fields.name, fields.email, trim_reply(fields.message)
            p.channel = "web_form"
        else:
            p.source = "headers" if d.kind == "headers" else "message"
            p.description = trim_reply(text) or p.subject
    p.name, p.email = name, email
    p.technical_details = technical_summary(msg, d, mask) if p.source in ("bounce", "headers") else ""
    if p.source in ("message", "form_notification") and d.kind == "message":
        p.diagnosis = d if d.reason != "not_bounce" else d
    return p
