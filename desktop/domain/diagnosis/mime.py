"""Reading a message safely with the stdlib email package: parts, text, the returned message.

Nothing here opens attachments: parts are only decoded as text when they are text/* or
delivery reports, each part is capped, and the walk stops after MAX_PARTS parts.
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from html.parser import HTMLParser

from desktop.domain.diagnosis.gates import may_match, row_gate
from desktop.domain.diagnosis.parsing import MISSING, parse_bytes  # noqa: F401  (the parser the diagnosis reads with)

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


# the markers are matched without regard to case: the gate is asked about the lower-cased text
_MARKERS_GATE = row_gate([RETURNED_MARKERS.pattern.lower()], re.M)


def _index(msg: Message) -> dict[str, list]:
    index = msg.__dict__.get("_diagnosis_headers")
    if index is None:
        index = {}
        for key, value in msg._headers:   # what raw_items() yields, without its copy of the list
            index.setdefault(key.lower(), []).append(value)
        msg.__dict__["_diagnosis_headers"] = index
    return index


def header_index(msg: Message) -> dict[str, list]:
    """The message's headers by lower-case name (built once per message)."""
    return _index(msg)


def _plain(value) -> bool:
    return isinstance(value, str) and value.isascii()


def hget(msg: Message, name: str):
    """msg.get(name) through an index of the headers built once per message (Message.get
    lower-cases every header name on each call). Plain ASCII values come back as stored, which is
    what compat32 returns for them; anything else goes through msg.get itself."""
    values = _index(msg).get(name.lower())
    if values is None:
        return None
    return values[0] if _plain(values[0]) else msg.get(name)


def hall(msg: Message, name: str) -> list:
    """msg.get_all(name) or [], through the same index."""
    values = _index(msg).get(name.lower())
    if values is None:
        return []
    return values if all(_plain(v) for v in values) else (msg.get_all(name) or [])


# "Name <a@b>", "\"Name\" <a@b>", "<a@b>", "a@b": what getaddresses() gives for these, without it
_MAILBOX = re.compile(r'^\s*(?:"([^"\\]*)"|([^<>"@,;:()\\\[\]]*?))\s*<([^<>@\s,;"()\\\[\]]+@[^<>@\s,;"()\\\[\]]+)>\s*$'
                      r'|^\s*([^<>@\s,;"()\\\[\]:]+@[^<>@\s,;"()\\\[\]:]+)\s*$')


def first_mailbox(text: str) -> tuple[str, str]:
    """(display name, address) of the first mailbox in an address header ('', '' if none)."""
    m = _MAILBOX.match(text)
    if m:
        if m.group(4):
            return "", m.group(4)
        return (m.group(1) if m.group(1) is not None else " ".join((m.group(2) or "").split())), m.group(3)
    for name, addr in getaddresses([text]):
        if "@" in addr:
            return name, addr
    return "", ""


def mailbox_of(msg: Message | None, name: str) -> tuple[str, str]:
    """(display name, address) of the first mailbox of an address header. The address is read
    from the header as written; only the display name is then decoded (RFC 2047), so an
    encoded-word cannot smuggle in an address of its own ("=?utf-8?B?...?=" decoding to
    " <someone@else>"). Kept on the message, like header_text."""
    if msg is None:
        return "", ""
    memo = msg.__dict__.setdefault("_diagnosis_mailbox", {})
    got = memo.get(name)
    if got is None:
        raw = hget(msg, name)
        display, address = first_mailbox(clean_line(str(raw))) if raw is not None else ("", "")
        if "=?" in display:
            try:
                display = str(make_header(decode_header(display)))
            except Exception:  # a broken encoded-word stays as written
                pass
        got = memo[name] = (clean_line(display), clean_line(address))
    return got


def header_text(msg: Message | None, name: str) -> str:
    """A header decoded (RFC 2047), on one line, without NUL or control characters (kept on the
    message: the diagnosis asks for From and To several times)."""
    if msg is None:
        return ""
    memo = msg.__dict__.setdefault("_diagnosis_htext", {})
    text = memo.get(name)
    if text is None:
        text = memo[name] = _header_text(msg, name)
    return text


def _header_text(msg: Message, name: str) -> str:
    raw = hget(msg, name)
    if raw is None:
        return ""
    if isinstance(raw, str) and "=?" not in raw:   # no encoded-words: nothing to decode
        return clean_line(raw)
    try:
        text = str(make_header(decode_header(str(raw))))
    except Exception:  # bad encoded-word, unknown charset: keep the raw text
        text = str(raw)
    return clean_line(text)


_HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_line(text: str) -> str:
    """One line, without control characters or bidirectional overrides (a header can hide text)."""
    if text.isascii() and text.isprintable():   # printable ASCII: nothing hidden, no tab or break
        return " ".join(text.split()) if "  " in text or text[:1] == " " or text[-1:] == " " else text
    if not text.isascii() or _HIDDEN.search(text):
        text = _HIDDEN.sub("", text)
    return " ".join(text.split())


def first_text(msg: Message) -> str:
    """The decoded text of the first text part outside any attached message ('' if none)."""
    for part, _depth, inside in walk(msg):
        if not inside and not part.is_multipart() and content_type(part) in ("text/plain", "text/html"):
            return part_text(part)
    return ""


def part_text(part: Message, *, html: bool = True) -> str:
    """The decoded text of a leaf part; '' for anything that is not text-like. HTML is turned
    into its visible text unless html=False (then the markup comes back as it is, decoded)."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, list):
            return "\n\n".join(str(p) for p in raw)[:MAX_TEXT]
        payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    charset = _charset(part)
    try:
        text = payload.decode(charset, "replace")
    except LookupError:
        text = payload.decode("latin-1", "replace")
    text = text.replace("\x00", "")
    if html and content_type(part) == "text/html":
        text = html_to_text(text)
    return text[:MAX_TEXT]


_CHARSET = re.compile(r';\s*charset\s*=\s*"?([A-Za-z0-9_.:+-]+)"?\s*(?:;|$)', re.I)


def _charset(part: Message) -> str:
    """part.get_content_charset() or utf-8; a plain charset= parameter read without the full
    parameter parser (RFC 2231 forms and anything unusual still go through it)."""
    content_type(part)
    ctype = part.__dict__["_diagnosis_ctype_raw"]
    if isinstance(ctype, str) and "*" not in ctype and "charset" in ctype.lower():
        m = _CHARSET.search(ctype)
        if m and ctype.lower().count("charset") == 1:
            return m.group(1).lower()
    elif isinstance(ctype, str) and "charset" not in ctype.lower():
        return "utf-8"
    return part.get_content_charset() or "utf-8"


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

    def handle_startendtag(self, tag, attrs):   # <br/>: one line break, not an opening and a closing one
        self.handle_starttag(tag, attrs)

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
    """part.get_content_type(), kept on the part (read from the header index: the same rule as
    Message.get_content_type, without its header scan)."""
    ctype = part.__dict__.get("_diagnosis_ctype")
    if ctype is None:
        value = None
        kept = getattr(part, "_content_type_value", None)   # the parser's Message keeps it (parsing.py)
        if kept is not None:
            value = kept()
            value = None if value is MISSING else value
        else:
            raw = _index(part).get("content-type")
            if raw is not None:
                value = raw[0] if _plain(raw[0]) else part.get("Content-Type")
        if value is None:
            ctype = part.get_default_type()
        elif isinstance(value, str):
            ctype = value.split(";", 1)[0].strip().lower()
            if ctype.count("/") != 1:
                ctype = "text/plain"
        else:
            ctype = part.get_content_type()
        part.__dict__["_diagnosis_ctype"] = ctype
        part.__dict__["_diagnosis_ctype_raw"] = value
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


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_HEADER_LINE = re.compile(r"^(?:From |[\041-\071\073-\176]*:|[\t ])")


def header_block(text: str) -> Message:
    """HeaderParser(policy=compat32).parsestr(text, headersonly=True), for the headers of a
    returned message, without the feed parser's machinery: the same lines become the same headers
    (folded values kept as the parser keeps them); the rest is the payload, as a string."""
    msg = Message()
    lines = _LINE.findall(text)
    headers: list[tuple[str, list[str]]] = []
    n = 0
    for n, line in enumerate(lines):
        if line in ("\n", "\r\n", "\r") or not _HEADER_LINE.match(line):
            break
        if line[0] in " \t":
            if headers:
                headers[-1][1].append(line)
            continue
        if line.startswith("From "):
            if n == 0:
                msg.set_unixfrom(line.rstrip("\r\n"))
                continue
            if n == len(lines) - 1:
                break
            continue
        i = line.find(":")
        if i > 0:
            headers.append((line[:i], [line[i + 1:].lstrip(" \t")]))
    else:
        n = len(lines)
    for name, source in headers:
        msg.set_raw(name, "".join(source).rstrip("\r\n"))
    rest = lines[n + 1:] if n < len(lines) and lines[n] in ("\n", "\r\n", "\r") else lines[n:]
    msg.set_payload("".join(rest))
    return msg


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
                return header_block(part_text(part).lstrip())
            except Exception:
                return None
    return None


def split_returned(text: str) -> tuple[str, str]:
    """A plain-text bounce: (the human part, the quoted returned message) at the first marker."""
    if not may_match(_MARKERS_GATE, text.lower()):
        return text, ""
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
        return header_block(block)
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
