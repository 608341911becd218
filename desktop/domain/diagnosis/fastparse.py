"""The stdlib feed parser's result (compat32) for well-formed MIME, built without its per-line work.

The feed parser reads a message line by line through a generator, testing every line against
the boundary of every enclosing multipart; for a bounce that is most of its cost. This module
splits the same lines the same way (io.StringIO(newline="").readlines(), as the feed parser
does), finds each multipart's boundary lines with one startswith test per line, and builds the
same tree of Message objects with the same headers, payloads, preambles and epilogues.

Only the plain case is read here: any defect the feed parser would record (a missing boundary,
start or close boundary, a header line without a colon, a line that is neither header nor blank
before the body, an envelope "From " line, a bad multipart transfer encoding), multipart/digest
(its parts have another default type), two boundary lines in a row, or a delivery-status block
with a Content-Type of its own, and the whole message goes to the stdlib parser instead.
tests/domain/test_diagnosis_parsing.py compares the result with the stdlib's on every fixture and
on odd cases.
"""

from __future__ import annotations

import re
from email import errors
from io import StringIO

_HEADER = re.compile(r"^(From |[\041-\071\073-\176]*:|[\t ])")     # feedparser.headerRE
_GOOD_CTE = ("7bit", "8bit", "binary")


class _Fallback(Exception):
    """Something the feed parser treats specially: let it read the whole message."""


def parse_text(text: str, factory, policy):
    """What email.parser.Parser(factory, policy=policy).parsestr(text) returns, or None when the
    message is not plain enough for this reader (the caller then uses the stdlib parser)."""
    lines = StringIO(text, newline="").readlines()
    if not lines:
        return None
    try:
        msg, _last = _part(lines, 0, len(lines), factory, policy)
    except (_Fallback, RecursionError):   # deep nesting: the stdlib parser decides what it makes of it
        return None
    return msg


def _part(lines: list[str], lo: int, hi: int, factory, policy):
    """(message, the feed parser's `_last` after it) for lines[lo:hi]."""
    msg = factory(policy=policy)
    i = _read_headers(msg, lines, lo, hi)
    ctype = msg.get_content_type()
    maintype = ctype.split("/")[0]
    if ctype == "message/delivery-status":
        return _status_blocks(msg, lines, i, hi, factory, policy)
    if maintype == "message":              # message/rfc822 and the like: the rest is a message
        inner, last = _part(lines, i, hi, factory, policy)
        msg.attach(inner)
        return msg, last
    if maintype != "multipart":
        msg.set_payload("".join(lines[i:hi]))
        return msg, msg
    if ctype == "multipart/digest":
        raise _Fallback
    boundary = msg.get_boundary()
    if boundary is None or str(msg.get("content-transfer-encoding", "8bit")).lower() not in _GOOD_CTE:
        raise _Fallback
    sep = "--" + boundary
    marks = []
    for k in range(i, hi):
        if lines[k].startswith(sep):
            mo = _boundary_line(lines[k], len(sep))
            if mo is not None:
                marks.append((k, mo))
                if mo[0]:
                    break
    if not marks or marks[0][1][0] or not marks[-1][1][0]:
        raise _Fallback                     # StartBoundaryNotFound / CloseBoundaryNotFound
    first = marks[0][0]
    if first > i:
        preamble = lines[i:first]
        preamble[-1] = _strip_eol(preamble[-1])
        msg.preamble = "".join(preamble)
    for (start, _mo), (end, _next) in zip(marks, marks[1:], strict=False):
        if end == start + 1:                # boundary lines in a row: the feed parser skips them
            raise _Fallback
        sub, last = _part(lines, start + 1, end, factory, policy)
        msg.attach(sub)
        _trim(last)
    close, mo = marks[-1]
    epilogue = [""] if mo[1] else []
    epilogue.extend(lines[close + 1:hi])
    if epilogue and epilogue[0][:1] in ("\r", "\n"):
        epilogue[0] = epilogue[0][2 if epilogue[0][:2] == "\r\n" else 1:]
    msg.epilogue = "".join(epilogue)
    return msg, msg


def _read_headers(msg, lines: list[str], i: int, hi: int) -> int:
    """The feed parser's header loop and _parse_headers for header lines that give it no defect
    (set_raw and compat32's header_source_parse written out: the name up to the first colon, the
    value's leading blanks and its last line break dropped, continuation lines kept as they are).
    Returns the index of the first body line."""
    store = msg._headers
    name = None
    value: list[str] = []
    lo = i
    while i < hi:
        line = lines[i]
        if line[0] in " \t":                # a continuation line
            if name is None:                # FirstHeaderLineIsContinuationDefect
                raise _Fallback
            value.append(line)
        elif _HEADER.match(line):           # "From " or "Name:"
            if name is not None:
                store.append((name, "".join(value).rstrip("\r\n")))
                name = None
            if line.startswith("From "):
                if i != lo:                 # MisplacedEnvelopeHeaderDefect, or a body line
                    raise _Fallback
                msg.set_unixfrom(_strip_eol(line))
            else:
                colon = line.find(":")
                if colon <= 0:              # InvalidHeaderDefect: no header name
                    raise _Fallback
                name, value = line[:colon], [line[colon + 1:].lstrip(" \t")]
        else:
            if line[0] in "\r\n":
                i += 1                      # the blank line between headers and body
            else:                           # a body line without the blank line: read as body
                msg.defects.append(errors.MissingHeaderBodySeparatorDefect())
            break
        i += 1
    if name is not None:
        store.append((name, "".join(value).rstrip("\r\n")))
    return i


def _strip_eol(text: str) -> str:
    """text without its last line break (feedparser.NLCRE_eol: \\r\\n, \\r or \\n at the end)."""
    if text[-2:] == "\r\n":
        return text[:-2]
    return text[:-1] if text[-1:] in ("\n", "\r") else text


def _trim(last) -> None:
    """The newline before a boundary belongs to the boundary: what the feed parser strips from
    the part it read last (an epilogue of a multipart, else a payload)."""
    if last.get_content_maintype() == "multipart":
        if last.epilogue == "":
            last.epilogue = None
        elif last.epilogue is not None:
            last.epilogue = _strip_eol(last.epilogue)
    elif isinstance(last._payload, str):
        last._payload = _strip_eol(last._payload)


def _boundary_line(line: str, n: int) -> tuple[bool, str] | None:
    """The feed parser's boundary regex, '(--B)(--)?[ \\t]*(\\r\\n|\\r|\\n)?$', matched on a line
    that starts with '--B' (n characters): (close boundary?, line ending) or None."""
    rest = line[n:]
    end = rest[:2] == "--"
    if end:
        rest = rest[2:]
    rest = rest.lstrip(" \t")
    if rest in ("", "\n", "\r\n", "\r"):
        return end, rest
    return None


def _status_blocks(msg, lines: list[str], i: int, hi: int, factory, policy):
    """message/delivery-status: each block of fields (up to a blank line) becomes a message with
    those headers and an empty payload, as the feed parser builds them."""
    block = None
    while True:
        block = factory(policy=policy)
        msg.attach(block)
        i = _read_headers(block, lines, i, hi)   # up to and with the blank line after the block
        if block.defects or block.get("content-type") is not None:   # a line that is not a field
            raise _Fallback
        block.set_payload("")
        if i >= hi:
            return msg, block
