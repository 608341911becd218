"""The text a person wrote: the body of a message with quoted replies and signatures trimmed."""

from __future__ import annotations

import re
from email.message import Message

from desktop.domain.diagnosis.mime import part_text, walk

REPLY_HEADER = re.compile(
    r"^(?:on .{3,200}wrote:|am .{3,200}schrieb .{1,200}:|le .{3,200}a écrit ?:|-{2,}\s*original message\s*-{2,}|"
    r"-{2,}\s*forwarded message\s*-{2,}|_{10,}|from: .{3,200}(?:\n|$)sent: )", re.I | re.M)
SIGNATURE = re.compile(r"^(?:-- ?|--|sent from my \w+.*|get outlook for \w+.*|von meinem \w+ gesendet.*)$", re.I | re.M)
MAX_DESCRIPTION = 20_000


def body_text(msg: Message) -> str:
    """The first text/plain body, else the first text/html converted to text; attachments and
    attached messages are never read."""
    plain = html = None
    for part, _depth, inside in walk(msg):
        if inside or part.is_multipart():
            continue
        if str(part.get("Content-Disposition", "")).lower().startswith("attachment"):
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = part_text(part)
        elif ctype == "text/html" and html is None:
            html = part_text(part)
    return (plain if plain and plain.strip() else html) or ""


def body_markup(msg: Message) -> str:
    """The raw HTML of the first text/html body part ('' without one): only read for the marks a
    form plugin leaves in its markup, never rendered."""
    for part, _depth, inside in walk(msg):
        if inside or part.is_multipart():
            continue
        if str(part.get("Content-Disposition", "")).lower().startswith("attachment"):
            continue
        if part.get_content_type() == "text/html":
            return part_text(part, html=False)[:200_000]
    return ""


def trim_reply(text: str) -> str:
    """Cut the quoted earlier message and the signature; keep what the person wrote."""
    text = text.replace("\r\n", "\n")
    m = REPLY_HEADER.search(text)
    if m and m.start() > 0:
        text = text[:m.start()]
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    text = "\n".join(lines)
    m = SIGNATURE.search(text)
    if m and m.start() > 0:
        text = text[:m.start()]
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:MAX_DESCRIPTION]
