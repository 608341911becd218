"""The diagnosis parses with a Message subclass whose lookups are quicker; what it reads must be
exactly what the stdlib's own compat32 parse gives (parts, headers, boundaries, payloads)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from desktop.domain.diagnosis.parsing import parse_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

ODD_BOUNDARIES = [
    b'Content-Type: multipart/mixed; boundary="a;b"\n\n--a;b\n\nx\n--a;b--\n',
    b"Content-Type: multipart/mixed; boundary=<ab>\n\n--ab\n\nx\n--ab--\n",
    b"Content-Type: multipart/mixed; boundary*=utf-8''ab\n\n--ab\n\nx\n--ab--\n",
    b'Content-Type: multipart/mixed; BOUNDARY = "ab "\n\n--ab\n\nx\n--ab--\n',
    b'Content-Type: multipart/mixed; boundary="a\\"b"\n\n--a"b\n\nx\n--a"b--\n',
    b"Content-Type: multipart/mixed; boundary\n\nx\n",
    b'Content-Type: multipart/mixed; boundary=""\n\nx\n',
    b'Content-Type: multipart/mixed; boundary="ab\n\nx\n',
    b'Content-Type: multipart/mixed; foo="x;y"; boundary=ab\n\n--ab\n\nx\n--ab--\n',
    b'Content-type: multipart/mixed;\n boundary="=_ab"\n\n--=_ab\n\nx\n--=_ab--\n',
    'Content-Type: multipart/mixed; boundary="\u00e9ab"\n\n--\u00e9ab\n\nx\n--\u00e9ab--\n'.encode(),
    b"Content-Type: multipart/mixed; boundary=ab; boundary=cd\n\n--ab\n\nx\n--ab--\n",
    b"CONTENT-TYPE: multipart/alternative; boundary=ab\nX-\xe9: 1\n\n--ab\nContent-Type: text/plain\n\nx\n--ab--\n",
]


def _flat(msg):
    try:
        return msg.as_bytes()
    except Exception as exc:  # both parses must fail alike when the tree cannot be written out
        return repr(exc)


def _same(a, b):
    pa, pb = list(a.walk()), list(b.walk())
    assert _flat(a) == _flat(b)
    assert len(pa) == len(pb)
    for x, y in zip(pa, pb, strict=True):
        assert x.get_boundary() == y.get_boundary()
        assert x.get_content_type() == y.get_content_type()
        assert x.items() == y.items()
        assert [type(d) for d in x.defects] == [type(d) for d in y.defects]
        if not x.is_multipart():
            assert x.get_payload(decode=True) == y.get_payload(decode=True)


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".eml", ".mbox")),
                         ids=lambda p: p.name)
def test_fixture_parses_as_the_stdlib_parses_it(path):
    data = path.read_bytes()
    _same(email.message_from_bytes(data, policy=email.policy.compat32), parse_bytes(data))


@pytest.mark.parametrize("data", ODD_BOUNDARIES)
def test_unusual_boundaries_parse_as_the_stdlib_parses_them(data):
    _same(email.message_from_bytes(data, policy=email.policy.compat32), parse_bytes(data))
