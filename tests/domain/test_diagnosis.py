"""Delivery diagnosis rules the issue states: precedence, inner codes, whose case, headers,
hostile input. The corpus accuracy is in test_diagnosis_corpus.py."""

from __future__ import annotations

from pathlib import Path

from desktop.domain.diagnosis import diagnose, load_rules
from desktop.domain.diagnosis.headers import org_domain
from desktop.domain.diagnosis.privacy import diagnosis_record, mask_address

RULES = load_rules(Path(__file__).resolve().parents[2] / "resources" / "diagnosis")


def dsn(status: str, diag: str, action: str = "failed", human: str = "") -> bytes:
    return f"""From: MAILER-DAEMON@relay.example
To: customer@shop.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

{human}
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example

Final-Recipient: rfc822; bob@remote.example
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diag}

--B--
""".encode()


def test_expiry_is_a_bounce_whatever_the_last_error_and_reports_the_inner_code():
    d = diagnose(dsn("4.4.7", "450 4.7.1 Client host rejected: blocked using zen.spamhaus.org"), RULES)
    assert d.category == "bounce" and d.reason == "expired" and d.status == "4.7.1"


def test_text_beats_status_class():
    d = diagnose(dsn("5.1.1", "550 5.1.1 Too many recipients"), RULES)
    assert (d.category, d.reason, d.status) == ("rate_limit_blocklist", "rate_limited", "5.1.1")


def test_x00_status_takes_the_specific_code_from_the_text():
    d = diagnose(dsn("5.0.0", "550-5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy"), RULES)
    assert d.status == "5.7.26" and d.category == "spf_dkim_dmarc"


def test_delay_is_transient():
    d = diagnose(dsn("4.2.2", "452 4.2.2 Mailbox full", action="delayed"), RULES)
    assert d.kind == "delay" and d.permanent is False and d.category == "bounce"


def test_every_recipient_listed_and_first_failed_on_top():
    raw = dsn("5.1.1", "550 5.1.1 user unknown").replace(
        b"--B--", b"Final-Recipient: rfc822; ok@remote.example\nAction: delivered\nStatus: 2.0.0\n\n--B--")
    raw = raw.replace(b"Final-Recipient: rfc822; ok", b"\nFinal-Recipient: rfc822; ok")
    d = diagnose(raw, RULES)
    assert [r.recipient for r in d.recipients] == ["bob@remote.example", "ok@remote.example"]
    assert d.recipient == "bob@remote.example" and d.status == "5.1.1"


def test_case_owner_is_the_original_sender_never_the_daemon():
    raw = b"From: MAILER-DAEMON@relay.example\nTo: MAILER-DAEMON@relay.example\nSubject: failure notice\n\n" \
          b"<bob@remote.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n" \
          b"--- Below this line is a copy of the message.\n\nFrom: Ann <ann@shop.example>\nTo: bob@remote.example\nSubject: hi\n\nhi\n"
    d = diagnose(raw, RULES)
    assert d.case_owner == "ann@shop.example" and d.recipient == "bob@remote.example" and d.status == "5.1.1"


def test_headers_authentication_alignment_and_hops():
    raw = b"""Authentication-Results: mx.example; spf=pass smtp.mailfrom=esp.example; dkim=pass header.d=esp.example
Authentication-Results: other.example; arc=none
DKIM-Signature: v=1; d=esp.example; s=s1; b=x
Received: from b by c.example; Mon, 16 Nov 2026 10:00:30 +0000
Received: from a by b.example; Mon, 16 Nov 2026 10:00:00 +0000
From: Shop <news@shop.co.uk>
Subject: x

body
"""
    d = diagnose(raw, RULES)
    h = d.headers
    assert h.from_domain == "shop.co.uk" and h.dkim_domains == ("esp.example",) and h.dkim_aligned is False
    assert h.dmarc_from_headers == "fail" and d.category == "spf_dkim_dmarc"
    assert [hop.delay_seconds for hop in h.hops] == [None, 30.0]
    assert {c.source.split()[0] for c in h.auth} == {"Authentication-Results"}


def test_org_domain_keeps_two_label_suffixes():
    assert org_domain("mail.shop.co.uk") == "shop.co.uk" and org_domain("a.b.example.com") == "example.com"


def test_masking_hides_third_parties_but_not_the_customer():
    d = diagnose(dsn("5.1.1", "550 5.1.1 <bob@remote.example> user unknown"), RULES)
    rec = diagnosis_record(d, mask=True)
    assert rec["recipient"] == "***@remote.example" and "bob@remote.example" not in str(rec)
    assert mask_address("x@y.example") == "***@y.example"


def test_hostile_input_does_not_break_the_diagnosis():
    raw = dsn("5.1.1", "550 5.1.1 user unknown", human="<script>alert(1)</script>\x00") + b"\x00" * 10
    raw = raw.replace(b"Subject: Undelivered", b"Subject: =?utf-8?B?!!!notbase64?= =?x-unknown?Q?a?= Undelivered")
    d = diagnose(raw, RULES)
    assert d.category == "bounce" and d.status == "5.1.1"
    d = diagnose(b"Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n\x00\xff\xfe", RULES)
    assert d.category == "other"


def test_status_inferred_warning_only_when_no_status_anywhere():
    # a qmail bounce has no enhanced code at all: the status shown is inferred, and it says so
    fix = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
    d = diagnose((fix / "flufl-qmail-04.eml").read_bytes(), RULES)
    assert d.status == "5.1.1" and any("inferred" in w for w in d.warnings)
    # a report whose Final-Recipient is unusable ("system;<>") still carries Status: 5.0.0: not inferred
    d = diagnose((fix / "bouncedheld-tt-bounce-03.eml").read_bytes(), RULES)
    assert d.status == "5.0.0" and not any("inferred" in w for w in d.warnings)
