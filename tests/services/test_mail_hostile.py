"""Hostile mail (issue 16): zip bombs in attachments, huge parts, many and deeply nested parts,
malformed MIME, encoded-word tricks, HTML with scripts, NUL bytes. Each gets a clear result or a
one-line refusal, nothing else in the batch is lost, and attachments are never opened."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest

from desktop.domain.diagnosis.mime import MAX_PARTS
from desktop.domain.mail.text import MAX_DESCRIPTION
from desktop.services.mail import diagnose_bytes, prefill_bytes
from desktop.services.mail_import import for_services


def zip_bomb() -> bytes:
    """A 60 KB zip that inflates to 64 MB (one member of zeros) and names a script."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("invoice.pdf.exe", b"\0" * (64 * 1024 * 1024))
        zf.writestr("readme.txt", b"SECRET-INSIDE-THE-ZIP")
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb_mail() -> bytes:
    payload = base64.encodebytes(zip_bomb()).decode("ascii")
    return (
        "From: Jane Customer <jane@customer.example>\nTo: support@helpdesk.example\n"
        "Subject: =?utf-8?B?SW52b2ljZSDigK5mZHAuZXhl?=\nDate: Tue, 17 Nov 2026 08:30:00 +0100\n"
        "Message-ID: <bomb-1@customer.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain; charset=utf-8\n\nOur invoices bounce, see the attached file.\n"
        "--b1\nContent-Type: application/zip; name=\"=?utf-8?Q?report=E2=80=AEpiz.exe?=\"\n"
        "Content-Disposition: attachment; filename=\"bomb.zip\"\nContent-Transfer-Encoding: base64\n\n"
        f"{payload}\n--b1--\n").encode("ascii")


@pytest.fixture
def no_archives(monkeypatch):
    """Opening any archive is a test failure: the mail code must never look inside attachments."""
    import gzip
    import tarfile

    def refuse(*_a, **_k):
        raise AssertionError("an attachment was opened")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    monkeypatch.setattr(zipfile, "is_zipfile", refuse)
    monkeypatch.setattr(tarfile, "open", refuse)
    monkeypatch.setattr(gzip, "open", refuse)
    monkeypatch.setattr(gzip, "decompress", refuse)


def test_zip_bomb_attachment_is_never_opened(bomb_mail, no_archives):
    p = prefill_bytes(bomb_mail)
    assert (p.name, p.email) == ("Jane Customer", "jane@customer.example")
    assert p.description == "Our invoices bounce, see the attached file."
    assert "\u202e" not in p.subject and "SECRET" not in p.description + p.technical_details
    d = diagnose_bytes(bomb_mail)
    assert d.kind == "message" and d.category == "other"


def test_zip_bomb_inside_a_bounce_is_not_opened(bomb_mail, no_archives):
    bounce = (b"From: MAILER-DAEMON@relay.example\nTo: jane@customer.example\nSubject: Undelivered Mail\n"
              b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n"
              b"--r\nContent-Type: text/plain\n\nThe message was rejected.\n"
              b"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example\n\n"
              b"Final-Recipient: rfc822; bob@remote.example\nAction: failed\nStatus: 5.7.1\n"
              b"Diagnostic-Code: smtp; 550 5.7.1 attachment type not allowed\n"
              b"--r\nContent-Type: message/rfc822\n\n" + bomb_mail + b"\n--r--\n")
    p = prefill_bytes(bounce)
    assert p.source == "bounce" and p.email == "jane@customer.example" and p.diagnosis.status == "5.7.1"
    assert "SECRET" not in p.technical_details + p.description


def test_a_huge_text_part_is_read_capped():
    text = ("Mails to our customers bounce. " * 200_000)[:6_000_000]
    raw = (b"From: Tom Reed <tom@reed.example>\nSubject: long\nContent-Type: text/plain; charset=utf-8\n\n"
           + text.encode())
    p = prefill_bytes(raw)
    assert p.email == "tom@reed.example" and p.description.startswith("Mails to our customers bounce.")
    assert len(p.description) <= MAX_DESCRIPTION


def test_thousands_of_parts_and_deep_nesting_give_a_result():
    parts = "".join(f"--m\nContent-Type: text/plain\n\npart {i}\n" for i in range(3 * MAX_PARTS))
    many = (f"From: a@shop.example\nSubject: parts\nContent-Type: multipart/mixed; boundary=\"m\"\n\n{parts}--m--\n").encode()
    p = prefill_bytes(many)
    assert p.email == "a@shop.example" and p.description.startswith("part 0")
    nested = "From: b@shop.example\nSubject: deep\n"
    body = "innermost words\n"
    for level in range(60):
        body = (f"Content-Type: multipart/mixed; boundary=\"n{level}\"\n\n--n{level}\n" + body + f"\n--n{level}--\n")
    p = prefill_bytes((nested + body).encode())
    assert p.email == "b@shop.example" and p.source == "message"


@pytest.mark.parametrize("raw", [
    b"From: c@shop.example\nSubject: no end\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\nstill here\n",
    b"From: c@shop.example\nSubject: no boundary\nContent-Type: multipart/mixed\n\nstill here\n",
    b"From: c@shop.example\nSubject: bad b64\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nst!ll h@re===\n",
    b"From: c@shop.example\nSubject: odd charset\nContent-Type: text/plain; charset=x-no-such-charset\n\nstill here\n",
    b"From: c@shop.example\nSubject: \x00nul\x00\nContent-Type: text/plain\n\nstill\x00 here\x00\n",
], ids=["unterminated", "no-boundary", "bad-base64", "unknown-charset", "nul-bytes"])
def test_malformed_mime_is_read_as_far_as_possible(raw):
    p = prefill_bytes(raw)
    assert p.email == "c@shop.example"
    assert "\x00" not in p.description + p.subject + p.name
    assert p.description  # the person's text (or the subject) is kept, never dropped


def test_encoded_word_tricks_do_not_reach_the_form():
    raw = (b"From: =?utf-8?Q?Ann=E2=80=AE=E2=80=8Bgpj.exe?= =?utf-8?B?IDxldmlsQGF0dGFjay5leGFtcGxlPg==?= <ann@shop.example>\n"
           b"Subject: =?utf-8?B?SGVsbG8=?==?iso-8859-1?Q?_w=F6rld?= =?bogus?X?zzz?=\n\nHi\n")
    p = prefill_bytes(raw)
    assert p.email == "ann@shop.example"
    assert not any(ch in p.name + p.subject for ch in "\u202e\u200b\x00")


def test_scripts_in_html_never_reach_the_description():
    raw = (b"From: WordPress <wordpress@site.example>\nSubject: Ninja Forms Submission\nContent-Type: text/html\n\n"
           b"<table><tr><td valign=\"top\">Name:</td><td>Eve<script>document.location='http://x'</script></td></tr>"
           b"<tr><td valign=\"top\">Email:</td><td>eve@shop.example</td></tr>"
           b"<tr><td valign=\"top\">Message:</td><td><img src=x onerror=alert(1)>Help<iframe src=\"http://x\">inner</iframe>"
           b"<style>td{}</style></td></tr></table>")
    p = prefill_bytes(raw)
    assert (p.name, p.email) == ("Eve", "eve@shop.example")
    assert "script" not in p.description.lower() and "alert" not in p.description and "document" not in p.name
    assert p.description.startswith("Help")


def test_a_hostile_message_in_a_folder_loses_nothing_else(services, tmp_path, bomb_mail, no_archives):
    box = tmp_path / "in"
    box.mkdir()
    (box / "1-good.eml").write_bytes(b"From: Tom Reed <tom@reed.example>\nSubject: bounces\n"
                                     b"Date: Wed, 07 Jan 2026 10:00:00 +0000\nMessage-ID: <good-1@reed.example>\n\n"
                                     b"Our mails bounce.\n")
    (box / "2-empty.eml").write_bytes(b"  \n")
    (box / "3-bomb.eml").write_bytes(bomb_mail.replace(b"17 Nov 2026", b"07 Jan 2026"))
    (box / "4-garbage.eml").write_bytes(b"\x00\xff\xfe" * 1000)
    report = for_services(services).import_path(box)
    by = {x.label: x for x in report.lines}
    assert by["1-good.eml"].case_id and by["3-bomb.eml"].case_id
    assert by["2-empty.eml"].case_id is None and "empty" in by["2-empty.eml"].message
    assert "\n" not in by["2-empty.eml"].message and "Traceback" not in by["2-empty.eml"].message
    assert services.ctx.cases.get(by["3-bomb.eml"].case_id).description == "Our invoices bounce, see the attached file."
