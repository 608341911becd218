"""Mail files: .msg via olefile (our reader of MAPI properties), mbox, folders; pre-fill of the
intake form from a customer's mail and a form plugin's notification; hostile messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.domain.mail.prefill import MailReadError
from desktop.services.mail import prefill_bytes
from desktop.services.mail_files import iter_messages, read_one
from tests.helpers.msgfile import build_msg

CUSTOMER = b"""From: Jane Customer <jane@customer.example>
Reply-To: Jane at work <jane@work.example>
To: support@helpdesk.example
Subject: My shop's mails bounce
Date: Tue, 17 Nov 2026 08:30:00 +0100
Message-ID: <q-1@customer.example>
Content-Type: text/html; charset=utf-8

<html><head><script>steal()</script><style>p{}</style></head><body><p>Hello,</p>
<p>order mails to Gmail bounce since Monday.</p><p>-- <br>Jane</p>
<blockquote>old</blockquote></body></html>
"""


def test_customer_mail_prefill_html_converted_and_script_dropped():
    p = prefill_bytes(CUSTOMER)
    assert (p.name, p.email, p.channel, p.source) == ("Jane Customer", "jane@customer.example", "email", "message")
    assert p.received_at == datetime(2026, 11, 17, 7, 30, tzinfo=UTC)
    assert "order mails to Gmail bounce since Monday." in p.description
    assert "steal" not in p.description and "Jane" not in p.description.split("Monday.")[1]
    assert prefill_bytes(CUSTOMER, {"name_from_reply_to": True}).email == "jane@work.example"


def test_quoted_reply_trimmed():
    raw = b"From: a@b.example\nSubject: Re: x\n\nStill broken.\n\nOn Mon, 16 Nov 2026, Support wrote:\n> Try again\n"
    assert prefill_bytes(raw).description == "Still broken."


def test_gravity_forms_html_table_notification():
    raw = b"""From: WordPress <wordpress@site.example>
Subject: New submission from Contact
Content-Type: text/html

<table><tr bgcolor="#EAF2FA"><td><strong>Name</strong></td></tr><tr><td>Ann Lee</td></tr>
<tr bgcolor="#EAF2FA"><td><strong>Email</strong></td></tr><tr><td><a href="mailto:ann@lee.example">ann@lee.example</a></td></tr>
<tr bgcolor="#EAF2FA"><td><strong>Message</strong></td></tr><tr><td>SMTP auth fails with 535.</td></tr></table>
<p>Sent by Gravity Forms</p>
"""
    p = prefill_bytes(raw)
    assert (p.source, p.form_plugin, p.name, p.email) == ("form_notification", "Gravity Forms", "Ann Lee", "ann@lee.example")
    assert p.description == "SMTP auth fails with 535." and p.channel == "web_form"


def test_bounce_prefill_goes_to_technical_details_with_masked_recipient(tmp_path):
    raw = b"From: MAILER-DAEMON@relay.example\nTo: ann@shop.example\nSubject: failure notice\n\n" \
          b"<bob@remote.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n"
    p = prefill_bytes(raw)
    assert p.source == "bounce" and p.email == "ann@shop.example" and p.category == "bounce"
    assert "Status: 5.1.1" in p.technical_details and "***@remote.example" in p.technical_details
    assert "bob@remote.example" not in p.technical_details


def test_msg_file_read_without_opening_attachments(tmp_path):
    f = tmp_path / "question.msg"
    f.write_bytes(build_msg(subject="Bounces", sender_name="Jane Doe", sender_email="jane@customer.example",
                            body="Hello,\nmy mails bounce.", delivered=datetime(2026, 11, 17, 9, 30, tzinfo=UTC),
                            attachments=2))
    label, data = read_one(f)
    assert b"X-Helpdesk-Attachments-Not-Opened: 2" in data
    p = prefill_bytes(data)
    assert (p.name, p.email, p.subject) == ("Jane Doe", "jane@customer.example", "Bounces")
    assert p.received_at == datetime(2026, 11, 17, 9, 30, tzinfo=UTC) and p.description.startswith("Hello,")


def test_real_outlook_msg_files(tmp_path):
    from pathlib import Path

    fix = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
    # an unsent message saved by Outlook: no sender, three attachments (one a nested .msg) counted, not opened
    label, data = read_one(fix / "msgparser-outer-nested.msg")
    assert b"X-Helpdesk-Attachments-Not-Opened: 3" in data
    p = prefill_bytes(data)
    assert (p.email, p.subject, p.description, p.source) == ("", "outer subject", "Outer body", "message")
    assert p.received_at == datetime(2016, 11, 15, 23, 29, 5, tzinfo=UTC)
    # a received bounce: whose case is the returned message's sender, the bounce goes to technical details
    p = prefill_bytes(read_one(fix / "msgparser-other-bounce.msg")[1])
    assert (p.source, p.email, p.category) == ("bounce", "yosipnps@model.com", "bounce")
    assert p.subject == "投递状态通知 (Failure Notice)"
    assert "Status: 5.2.1" in p.technical_details and "***@tjdpf.org.cn" in p.technical_details


def test_mbox_and_folder(tmp_path):
    box = tmp_path / "in.mbox"
    box.write_bytes(b"From a@b Tue Nov 17 08:00:00 2026\nFrom: a@b.example\nSubject: one\n\nbody one\n\n"
                    b"From c@d Tue Nov 17 08:01:00 2026\nFrom: c@d.example\nSubject: two\n\nbody two\n")
    (tmp_path / "one.eml").write_bytes(CUSTOMER)
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    items = list(iter_messages(tmp_path))
    assert [label for label, _ in items] == ["in.mbox message 1", "in.mbox message 2", "one.eml"]


def test_hostile_messages_get_one_clear_message():
    with pytest.raises(MailReadError, match="empty"):
        prefill_bytes(b"   ")
    with pytest.raises(MailReadError, match="larger than"):
        prefill_bytes(b"From: a@b\n\n" + b"x" * (25 * 1024 * 1024 + 1))
    p = prefill_bytes(b"From: =?utf-8?B?QW5u4oCuZXZpbA==?= <a@b.example>\nSubject: \x00hi\n\nbody\x00\n")
    assert "\u202e" not in p.name and "\x00" not in p.subject
