"""Reading a message safely with the stdlib email package: parts, text, the returned message.

Nothing here opens attachments: parts are only decoded as text when they are text/* or
delivery reports, each part is capped, and the walk stops after MAX_PARTS parts.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from html.parser import HTMLParser

MAX_PARTS = 200
MAX_TEXT = 1_000_000          # characters of decoded text kept per part
MAX_DEPTH = 8

DSN_TYPES = {"message/delivery-status", "message/global-delivery-status", "text/delivery-status"}
RETURNED_TYPES = {"message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers",
                  "message/partial"}

# Where a plain-text bounce starts quoting the message it returns.
RETURNED_MARKERS = re.compile(
    r"^[ \t>]*(?:-{2,}[ \t]*)?(?:"
    r"below this line is a copy of the message|this is a copy of the message|"
    r"original message (?:follows|headers? follows?)|(?:the )?original message (?:was|is) (?:included|attached|below)|"
    r"unsent message (?:below|follows)|returned (?:mail|message)(?: headers)? follows?|"
    r"enclosed (?:is|are) a copy|a copy of the (?:original )?message (?:is )?(?:below|follows|attached)|"
    r"(?:begin )?original message\b|message headers follow|headers of the (?:original|returned) message|"
    r"returned message|forwarded message|the headers of your message|included is a copy|mensaje original"
    r")", re.I | re.M)


def parse_bytes(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


def header_text(msg: Message | None, name: str) -> str:
    """A header decoded (RFC 2047), on one line, without NUL or control characters."""
    if msg is None:
        return ""
    raw = msg.get(name)
    if raw is None:
        return ""
    if isinstance(raw, str) and "=?" not in raw:   # no encoded-words: nothing to decode
        return clean_line(raw)
    try:
        text = str(make_header(decode_header(str(raw))))
    except Exception:  # bad encoded-word, unknown charset: keep the raw text
        text = str(raw)
    return clean_line(text)


def clean_line(text: str) -> str:
    """One line, without control characters or bidirectional overrides (a header can hide text)."""
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return " ".join(text.split())


def part_text(part: Message) -> str:
    """The decoded text of a leaf part; '' for anything that is not text-like."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, list):
            return "\n\n".join(str(p) for p in raw)[:MAX_TEXT]
        payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, "replace")
    except LookupError:
        text = payload.decode("latin-1", "replace")
    text = text.replace("\x00", "")
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text[:MAX_TEXT]


class _Text(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title", "noscript", "template"):
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("\t")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body: scripts, styles and markup dropped, nothing fetched."""
    p = _Text()
    try:
        p.feed(html)
        p.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(p.out)
    lines = ["\t".join(" ".join(cell.split()) for cell in line.strip(" \t").split("\t")) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def walk(msg: Message):
    """Parts depth-first with their depth, stopping at MAX_PARTS and MAX_DEPTH (computed once per
    message and kept on it: the diagnosis walks the same message several times)."""
    cached = msg.__dict__.get("_diagnosis_walk")
    if cached is None:
        cached = list(_walk(msg))
        msg.__dict__["_diagnosis_walk"] = cached
    return cached


def content_type(part: Message) -> str:
    """part.get_content_type(), kept on the part."""
    ctype = part.__dict__.get("_diagnosis_ctype")
    if ctype is None:
        ctype = part.get_content_type()
        part.__dict__["_diagnosis_ctype"] = ctype
    return ctype


def _walk(msg: Message):
    count = 0
    stack: list[tuple[Message, int, bool]] = [(msg, 0, False)]
    while stack and count < MAX_PARTS:
        part, depth, inside_returned = stack.pop()
        count += 1
        yield part, depth, inside_returned
        if depth >= MAX_DEPTH:
            continue
        ctype = content_type(part)
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                returned = inside_returned or ctype in RETURNED_TYPES
                for sub in reversed(payload):
                    if isinstance(sub, Message):
                        stack.append((sub, depth + 1, returned))


def returned_headers(msg: Message) -> Message | None:
    """The headers of the message a bounce returns (message/rfc822 or text/rfc822-headers part)."""
    for part, _depth, _inside in walk(msg):
        ctype = content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if ctype in ("text/rfc822-headers", "message/global-headers"):
            try:
                return HeaderParser(policy=email.policy.compat32).parsestr(part_text(part).lstrip(), headersonly=True)
            except Exception:
                return None
    return None


def split_returned(text: str) -> tuple[str, str]:
    """A plain-text bounce: (the human part, the quoted returned message) at the first marker."""
    m = RETURNED_MARKERS.search(text)
    if not m:
        return text, ""
    return text[:m.start()], text[m.end():]


def headers_in_text(text: str) -> Message | None:
    """Parse the header block of a quoted message in plain text (after a marker)."""
    lines = text.lstrip("\r\n -").splitlines()
    start = next((i for i, line in enumerate(lines[:40]) if re.match(r"^[A-Za-z][\w-]*:", line)), None)
    if start is None:
        return None
    block = "\n".join(lines[start:start + 200])
    try:
        return HeaderParser(policy=email.policy.compat32).parsestr(block, headersonly=True)
    except Exception:
        return None


def attached_report(msg: Message) -> Message | None:
    """A message with no delivery report of its own whose first attached message is one: that report."""
    if any(content_type(p) in DSN_TYPES for p, _d, inside in walk(msg) if not inside):
        return None
    for part, depth, _inside in walk(msg):
        if depth and content_type(part) == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if inner is not None and any(content_type(p) in DSN_TYPES for p, _d, ins in walk(inner) if not ins):
                return inner
            return None
    return None
