"""The stdlib parser (compat32) with a Message class whose lookups are cheaper.

The feed parser asks every part for its Content-Type several times and every multipart part
for its boundary; Message.get lower-cases every header name on each call and get_boundary runs
the full parameter parser (RFC 2231 and all). _Message answers the common cases directly and
hands everything else to the stdlib: the same parts, headers, values and boundaries come out
(tests/domain/test_diagnosis_parsing.py compares them on the mail fixtures)."""

from __future__ import annotations

import email
import email.policy
from email.message import Message, _splitparam

from desktop.domain.diagnosis.fastparse import parse_text

COMPAT32 = email.policy.compat32
MISSING = object()


def _unquote(text: str) -> str:
    """email.utils.unquote for a text without backslashes."""
    if len(text) > 1:
        if text[0] == '"' and text[-1] == '"':
            return text[1:-1]
        if text[0] == "<" and text[-1] == ">":
            return text[1:-1]
    return text


class _Message(Message):
    def get(self, name, failobj=None):
        # a name of another length is passed over without lower-casing it (the parser only makes
        # ASCII names, whose lower case has the same length; any other name is compared as before)
        name = name.lower()
        n = len(name)
        for k, v in self._headers:
            if (len(k) == n or not k.isascii()) and k.lower() == name:
                if self.policy is COMPAT32 and isinstance(v, str) and v.isascii():
                    return v      # what compat32's header_fetch_parse returns for a plain value
                return self.policy.header_fetch_parse(k, v)
        return failobj

    def _content_type_value(self):
        """self.get('content-type', MISSING), kept until the headers change (the parser asks each
        part for its type four times and more): appending or deleting a header changes the list or
        its length, and replace_header (the one change in place) drops it."""
        headers = self._headers
        kept = self.__dict__.get("_ctype_kept")
        if kept is not None and kept[0] is headers and kept[1] == len(headers):
            return kept[2]
        value = self.get("content-type", MISSING)
        self.__dict__["_ctype_kept"] = (headers, len(headers), value)
        return value

    def replace_header(self, _name, _value):
        self.__dict__.pop("_ctype_kept", None)
        super().replace_header(_name, _value)

    def get_content_type(self):
        value = self._content_type_value()   # Message.get_content_type from here on
        if value is MISSING:
            return self.get_default_type()
        ctype = _splitparam(value)[0].lower()
        if ctype.count("/") != 1:
            return "text/plain"
        return ctype

    def get_content_maintype(self):
        return self.get_content_type().split("/")[0]

    def get_boundary(self, failobj=None):
        raw = self._content_type_value()
        raw = None if raw is MISSING else raw
        if not isinstance(raw, str) or not raw.isascii() or "\\" in raw or "*" in raw:
            return super().get_boundary(failobj)
        quotes = raw.count('"')
        if quotes not in (0, 2) or (quotes == 2 and ";" in raw[raw.index('"'):raw.rindex('"')]):
            return super().get_boundary(failobj)
        # no RFC 2231 parameters, no escapes, no quoted ';': _parseparam's pieces are the split
        # on ';', and get_param + collapse_rfc2231_value unquote the value twice
        for piece in raw.split(";"):
            i = piece.find("=")
            name, value = (piece[:i], piece[i + 1:]) if i >= 0 else (piece, "")
            if name.strip().lower() == "boundary":
                return _unquote(_unquote(value.strip())).rstrip()
        return failobj


def parse_bytes(data: bytes) -> Message:
    """email.message_from_bytes(data, policy=compat32): plain MIME read by fastparse (the same
    tree without the feed parser's per-line work), anything else by the stdlib parser."""
    text = data.decode("ASCII", errors="surrogateescape")   # what BytesParser.parsebytes does
    msg = parse_text(text, _Message, COMPAT32)
    return msg if msg is not None else email.message_from_string(text, _Message, policy=COMPAT32)
