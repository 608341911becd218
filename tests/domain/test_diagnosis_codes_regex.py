"""codes.ENHANCED, codes.REPLY and the Received header's by/from patterns are written with their
look-behind after the text they look for (faster); they must find exactly what the plain forms
find, on every fixture and on generated text."""

from __future__ import annotations

import random
import re
from pathlib import Path

from desktop.domain.diagnosis.codes import ENHANCED, REPLY
from desktop.domain.diagnosis.headers import BY, FROM

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
PLAIN_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
PLAIN_REPLY = re.compile(
    r"(?:^|(?<=[\s:;(\[\"'#=]))([245][0-5]\d)(?:[ -]+(?=[245]\.\d)|[ -](?=[\"'<(\[A-Za-z#])|[ -]?$)", re.M)
PLAIN_BY = re.compile(r"\bby\s+([^\s;()]+)")
PLAIN_FROM = re.compile(r"\bfrom\s+([^\s;()]+)")


def _found(rx, text):
    return [(m.span(), m.groups()) for m in rx.finditer(text)]


def _texts():
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace")
        yield text
        yield from text.splitlines()
    rnd = random.Random(16)
    alphabet = "245.0139 \n\r\t:;([\"'#=-aZ_\u00e9<byfrom"
    for _ in range(5000):
        yield "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))


def test_the_codes_are_found_as_the_plain_patterns_find_them():
    found = 0
    for text in _texts():
        got = _found(ENHANCED, text)
        assert got == _found(PLAIN_ENHANCED, text), text
        assert _found(REPLY, text) == _found(PLAIN_REPLY, text), text
        assert _found(BY, text) == _found(PLAIN_BY, text), text
        assert _found(FROM, text) == _found(PLAIN_FROM, text), text
        found += len(got)
    assert found > 500


def test_edges():
    assert ENHANCED.findall("5.1.1") == [("5", "1", "1")]
    assert ENHANCED.findall("x5.1.1 .5.1.1 5.1.1.2 15.1.1 5.1.1a") == []
    assert REPLY.findall("550 5.1.1") == ["550"]
    assert REPLY.findall("x550 user") == []
    assert REPLY.findall("said: 550-5.1.1\n452 mailbox") == ["550", "452"]
    assert BY.findall("by mx.example.org with esmtp; nearby x") == ["mx.example.org"]
    assert FROM.findall("from a.example by b; datafrom c") == ["a.example"]
