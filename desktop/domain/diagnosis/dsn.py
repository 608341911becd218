"""RFC 3464 delivery-status fields: per-message and per-recipient blocks."""

from __future__ import annotations

import re
from email.message import Message

from desktop.domain.diagnosis.mime import DSN_TYPES, content_type, part_text, walk

FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")
RECIPIENT_FIELDS = ("final-recipient", "original-recipient", "x-actual-recipient")
# a delivery-status part whose own header slipped into its body (a blank line written before
# "Content-Type: message/delivery-status": the part is then text/plain, its body the report)
STRAY_REPORT = re.compile(r"\A\s*content-type:\s*(?:message|text)/(?:global-)?delivery-status\b", re.I)


def blocks_from_text(text: str) -> list[dict[str, str]]:
    """Field blocks separated by blank lines; folded lines joined; names lower-cased."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            if current:
                blocks.append(current)
                current, last = {}, ""
            continue
        if line[:1] in (" ", "\t") and last:
            current[last] = (current[last] + " " + line.strip()).strip()
            continue
        m = FIELD.match(line)
        if m:
            last = m.group(1).lower()
            value = m.group(2).strip()
            if last in current and last in RECIPIENT_FIELDS:   # a block without a blank line between
                blocks.append(current)
                current = {}
            current[last] = value if last not in current else current[last] + " " + value
        elif last:
            current[last] = (current[last] + " " + line.strip()).strip()
    if current:
        blocks.append(current)
    return blocks


NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ADDRESS = re.compile(r"[^\s<>\"'();,]+@[^\s<>\"'();,]+")
_DIAG_TYPE = re.compile(r"^(?:smtp|x-[\w-]+|mail|x400|unix|ses|x-postfix)\s*;\s*", re.I)


def dsn_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [p for p in payload if isinstance(p, Message)]
        direct = _blocks_direct(blocks)
        if direct is not None:
            return direct
        text = "\n\n".join(_fields_text(p) for p in blocks)
    else:
        text = part_text(part)
    return blocks_from_text(text)


def _blocks_direct(blocks: list[Message]) -> list[dict[str, str]] | None:
    """What blocks_from_text makes of the field blocks the parser already split, without writing
    them out as text and reading them again; None when a block needs the text path (a body, a
    field name the text path would read differently)."""
    out: list[dict[str, str]] = []
    for block in blocks:
        body = block.get_payload()
        if isinstance(body, str) and body.strip():
            return None
        current: dict[str, str] = {}
        for key, value in block.raw_items():
            if not NAME.fullmatch(key):
                return None
            name, text = key.lower(), " ".join(str(value).split())
            if name in current and name in RECIPIENT_FIELDS:
                out.append(current)
                current = {}
            current[name] = text if name not in current else current[name] + " " + text
        if current:
            out.append(current)
    return out


def _fields_text(block: Message) -> str:
    lines = [f"{k}: {' '.join(str(v).split())}" for k, v in block.items()]
    body = block.get_payload()
    if isinstance(body, str) and body.strip():   # a block the parser took for a body
        lines.append(body)
    return "\n".join(lines)


def split_blocks(blocks: list[dict[str, str]]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(per-message fields, per-recipient blocks)."""
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    for b in blocks:
        if any(f in b for f in RECIPIENT_FIELDS) or ("status" in b and "action" in b):
            recipients.append(b)
        else:
            for k, v in b.items():
                per_message.setdefault(k, v)
    return per_message, recipients


def address_of(value: str) -> str:
    """'rfc822; <Jane@Example.com>' -> 'Jane@Example.com'."""
    value = value.split(";", 1)[1] if ";" in value else value
    m = _ADDRESS.search(value)
    return m.group(0).strip(".") if m else value.strip(" <>")


def mta_of(value: str) -> str:
    """'dns; mx.example.com (1.2.3.4)' -> 'mx.example.com (1.2.3.4)'."""
    value = value.split(";", 1)[1] if ";" in value else value
    return " ".join(value.split())


def diagnostic_of(value: str) -> str:
    """'smtp; 550 5.1.1 ...' -> '550 5.1.1 ...'."""
    value = " ".join(value.split())
    m = _DIAG_TYPE.match(value)
    return value[m.end():] if m else value


def report_parts(msg: Message) -> list[Message]:
    """The delivery-status parts outside the returned message; when there is none, a text part that
    holds the report's fields itself: its body begins with the delivery-status part's own
    Content-Type line (see STRAY_REPORT), or it carries a recipient block (a Final-/Original-Recipient
    line and a Status line at line starts: a report sent, forwarded or pasted as plain text)."""
    parts = [p for p, _d, inside in walk(msg) if content_type(p) in DSN_TYPES and not inside]
    if parts:
        return parts
    return [p for p, _d, inside in walk(msg)
            if not inside and not p.is_multipart() and content_type(p) == "text/plain"
            and isinstance(p.get_payload(), str) and _holds_report(p.get_payload())]


TEXT_RECIPIENT = re.compile(r"^(?:final|original)-recipient[ \t]*:", re.I | re.M)
TEXT_STATUS = re.compile(r"^status[ \t]*:[ \t]*[245]\.\d{1,3}\.\d{1,3}", re.I | re.M)


def _holds_report(raw: str) -> bool:
    if STRAY_REPORT.match(raw[:200]):
        return True
    head = raw[:20000]
    low = head.lower()   # both fixed words, or the patterns cannot match: most texts stop here
    return "-recipient" in low and "status" in low and bool(TEXT_RECIPIENT.search(head)) \
        and bool(TEXT_STATUS.search(head))


def report_fields(msg: Message) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(per-message fields, per-recipient blocks) of all the report parts of a bounce."""
    per_message: dict[str, str] = {}
    blocks: list[dict[str, str]] = []
    for part in report_parts(msg):
        pm, recips = split_blocks(dsn_blocks(part))
        for k, v in pm.items():
            per_message.setdefault(k, v)
        blocks.extend(b for b in recips if b not in blocks)   # the same report in two text parts
    return per_message, blocks
