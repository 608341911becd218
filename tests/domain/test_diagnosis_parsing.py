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
        assert (x.preamble, x.epilogue, x.get_unixfrom(), x.get_default_type()) == \
            (y.preamble, y.epilogue, y.get_unixfrom(), y.get_default_type())
        assert type(x._payload) is type(y._payload)
        if not x.is_multipart():
            assert x._payload == y._payload
            assert x.get_payload(decode=True) == y.get_payload(decode=True)


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".eml", ".mbox")),
                         ids=lambda p: p.name)
def test_fixture_parses_as_the_stdlib_parses_it(path):
    data = path.read_bytes()
    _same(email.message_from_bytes(data, policy=email.policy.compat32), parse_bytes(data))


@pytest.mark.parametrize("data", ODD_BOUNDARIES)
def test_unusual_boundaries_parse_as_the_stdlib_parses_them(data):
    _same(email.message_from_bytes(data, policy=email.policy.compat32), parse_bytes(data))


_MIXED = (b"From: a@example.org\nContent-Type: multipart/mixed; boundary=b1\n\npreamble\n\n--b1\n"
          b"Content-Type: text/plain\n\nhello\n\n--b1\nContent-Type: message/rfc822\n\nSubject: inner\n\n"
          b"inner body\n\n\n--b1--\nepilogue\n")
_REPORT = (b"From: MAILER-DAEMON@example.org\nContent-Type: multipart/report; report-type=delivery-status;\n"
           b"\tboundary=\"r\"\n\n--r\n\nThe mail system\n\n--r\nContent-Type: message/delivery-status\n\n"
           b"Reporting-MTA: dns; mx.example.org\n\n\nFinal-Recipient: rfc822; x@example.net\nAction: failed\n"
           b"Status: 5.1.1\n Diagnostic-Code: folded\n\n--r\nContent-Type: text/rfc822-headers\n\nSubject: s\n--r--")
# MIME the fast reader (fastparse.py) builds itself or hands to the stdlib parser: both must give the stdlib's tree
ODD_MIME = [
    _MIXED, _MIXED.replace(b"\n", b"\r\n"), _MIXED.replace(b"\n", b"\r"), _REPORT, _REPORT.replace(b"\n", b"\r\n"),
    _MIXED.replace(b"--b1--\nepilogue\n", b"--b1--"), _MIXED.replace(b"--b1--\nepilogue\n", b"--b1--  \n\nepi\n"),
    _MIXED.replace(b"--b1--\nepilogue\n", b""), _MIXED.replace(b"preamble\n\n", b""), _MIXED.replace(b"preamble\n", b""),
    _MIXED.replace(b"hello\n", b"hello\n--b1x\n--b1 x\n-- b1\n"), _MIXED.replace(b"hello\n\n--b1\n", b"hello\n\n--b1\n--b1\n"),
    _MIXED.replace(b"--b1\nContent-Type: text/plain", b"--b1\t \nContent-Type: text/plain"),
    _MIXED.replace(b"multipart/mixed", b"multipart/digest"), _MIXED.replace(b"; boundary=b1", b""),
    _MIXED.replace(b"boundary=b1", b"boundary=b1\nContent-Transfer-Encoding: base64"),
    _MIXED.replace(b"Content-Type: text/plain\n\n", b"Content-Type: text/plain\nhello without a blank line\n"),
    _MIXED.replace(b"Content-Type: text/plain\n\nhello\n\n", b" continued first\nContent-Type: text/plain\n\nx\n"),
    _MIXED.replace(b"Content-Type: text/plain\n\nhello\n\n", b"Content-Type: text/plain\n"),
    _MIXED.replace(b"Subject: inner\n", b"Subject: inner\nContent-Type: multipart/alternative; boundary=in\n\n"
                   b"--in\n\nplain\n--in\nContent-Type: text/html\n\n<p>x</p>\n--in--\ninner epilogue\n"),
    _MIXED.replace(b"Subject: inner\n", b"Subject: inner\nContent-Type: multipart/alternative; boundary=in\n\n"
                   b"--in\n\nplain\n--in--\n"),
    b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" + _REPORT, b"Subject: x\nFrom someone\nTo: y\n\nbody\n",
    b"Subject: x\n:no name\n\nbody\n", b"Subject: x\nnot a header\n\nbody\n", b"Subject: only headers",
    b"Subject: x\n\n", b"\n\nbody only\n", b" continued\nSubject: x\n\nbody\n",
    _REPORT.replace(b"Reporting-MTA: dns; mx.example.org\n", b"Content-Type: text/plain\nReporting-MTA: x\n"),
    _REPORT.replace(b"Reporting-MTA: dns; mx.example.org\n", b"not a field\n"),
    _REPORT.replace(b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n\n"
                    b"Final-Recipient: rfc822; x@example.net\nAction: failed\nStatus: 5.1.1\n Diagnostic-Code: folded\n\n",
                    b"Content-Type: message/delivery-status\n\n"),
    _REPORT.replace(b"Diagnostic-Code: folded\n\n--r", b"Diagnostic-Code: folded\n\n\n\n--r"),
    b"Content-Type: message/rfc822\n\nSubject: inner\n\nbody\n\n",
    b"Content-Type: message/delivery-status\n\nAction: failed\n\nStatus: 5.0.0\n",
    "Subject: caf\u00e9\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\n\u00e9t\u00e9\n--q--\n".encode(),
    b"Subject: x\nContent-Type: multipart/mixed; boundary=q\n\n--q--\n--q\n\nafter close\n--q--\n",
]


@pytest.mark.parametrize("data", ODD_MIME)
def test_odd_mime_parses_as_the_stdlib_parses_it(data):
    _same(email.message_from_bytes(data, policy=email.policy.compat32), parse_bytes(data))
