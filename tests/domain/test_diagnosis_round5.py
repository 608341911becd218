"""Round 5 of the unseen-mail work (docs/diagnosis.md): the general rules added for the first-run
misses on cfortune/PHP-Bounce-Handler's messages, each checked on a message of our own as well as
on the fixture that showed the miss."""

from __future__ import annotations

from pathlib import Path

from desktop.domain.diagnosis import diagnose, load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "resources" / "diagnosis")
FIXTURES = ROOT / "tests" / "fixtures" / "mail"

HEAD = ("From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: ann@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n')


def _report(notification: str, report_part: str) -> bytes:
    return (HEAD + "--B\nContent-Type: text/plain\n\n" + notification + "\n--B\n" + report_part
            + "\n--B\nContent-Type: text/rfc822-headers\n\nFrom: Ann <ann@example.org>\nTo: bo@example.net\n"
            "Subject: hello\n\n--B--\n").encode()


def test_a_report_whose_part_header_slipped_into_its_body_is_still_read():
    """A blank line written before "Content-Type: message/delivery-status" makes the report a
    text/plain part: its fields are read all the same, and the code it carries is kept."""
    fields = ("Content-Description: Delivery report\n\nContent-Type: message/delivery-status\n\n"
              "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; bo@example.net\n"
              "Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 Access from ip address 192.0.2.7 blocked\n")
    d = diagnose(_report("Your message could not be delivered.", fields), RULES)
    assert (d.category, d.status, d.recipient) == ("rate_limit_blocklist", "5.0.0", "bo@example.net")
    assert d.recipients[0].status_field == "5.0.0" and d.reporting_mta == "mx.example.org"
    fixture = diagnose((FIXTURES / "cf2-testfile-mailru-blocked.eml").read_bytes(), RULES)
    assert (fixture.category, fixture.status) == ("rate_limit_blocklist", "5.0.0")
    # the same words at the start of an ordinary text part do not make a report out of a message
    plain = diagnose(b"From: Ann <ann@example.org>\nSubject: q\n\nContent-Type: message/delivery-status is "
                     b"what our tool prints; why?\n", RULES)
    assert plain.kind != "bounce" and plain.status == ""


def _sendmail(last_line: str) -> bytes:
    transcript = ("   ----- Transcript of session follows -----\n... while talking to mx.example.net.:\n>>> DATA\n"
                  "<<< 550-Verification failed for <ann@example.org>\n<<< 550-The mail server could not deliver "
                  f"mail to ann@example.org.\n<<< {last_line}\n550 5.1.1 <bo@example.net>... User unknown\n")
    fields = ("Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
              "Final-Recipient: RFC822; bo@example.net\nAction: failed\nStatus: 5.1.1\n"
              "Diagnostic-Code: SMTP; 550-Verification failed for <ann@example.org>\n")
    return _report(transcript, fields)


def test_the_rest_of_a_multi_line_reply_is_read_from_the_transcript():
    """Sendmail keeps only the first line of a multi-line reply in Diagnostic-Code; the transcript
    has the rest. A receiver whose check of the *sender* address failed is the sender's setup
    (sender_rejected, category other), whatever Sendmail's own 5.1.1 says; the code is kept."""
    d = diagnose(_sendmail("550 Sender verify failed"), RULES)
    assert (d.category, d.reason, d.status) == ("other", "sender_rejected", "5.1.1")
    assert d.diagnostic.endswith("550 Sender verify failed")
    # the same transcript ending in a recipient check is the recipient's unknown address
    r = diagnose(_sendmail("550 Recipient verify failed"), RULES)
    assert (r.category, r.reason, r.status) == ("bounce", "user_unknown", "5.1.1")
    fixture = diagnose((FIXTURES / "cf2-sendmail-503-sender-verify.eml").read_bytes(), RULES)
    assert (fixture.category, fixture.reason) == ("other", "sender_rejected")


def test_a_policy_refusal_is_not_read_as_an_authentication_failure_by_its_code():
    """Yahoo answers 5.7.9 with "Message not accepted for policy reasons": the text says a policy
    (content/reputation) refusal; 5.7.9 on its own still means the login was too weak."""
    policy = ("Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
              "Final-Recipient: rfc822; bo@example.net\nAction: failed\nStatus: 5.7.9\n"
              "Diagnostic-Code: smtp; 554 5.7.9 Message not accepted for policy reasons.\n")
    d = diagnose(_report("Your message could not be delivered.", policy), RULES)
    assert (d.category, d.status) == ("spam_folder", "5.7.9")
    weak = policy.replace("Message not accepted for policy reasons.", "Authentication mechanism is too weak")
    assert diagnose(_report("Your message could not be delivered.", weak), RULES).category == "smtp_auth"


def test_a_report_sent_or_pasted_as_plain_text_is_read_as_a_report():
    """The report's fields in a plain-text bounce (no delivery-status part): its Status: is the code the
    bounce carries, kept as it is (5.0.0), not one inferred from the wording; Reporting-MTA is read."""
    text = (b"From: MAILER-DAEMON@mx.example.org\nTo: ann@example.org\nSubject: Returned mail\n\n"
            b"The original message was received at Mon, 1 Jan 2024 10:00:00 GMT\n\n"
            b"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; bo@example.net\nAction: failed\n"
            b"Status: 5.0.0\nDiagnostic-Code: smtp; 550 Requested action not taken: mailbox unavailable\n")
    d = diagnose(text, RULES)
    assert (d.kind, d.category, d.status, d.recipient) == ("bounce", "bounce", "5.0.0", "bo@example.net")
    assert d.recipients[0].status_field == "5.0.0" and d.reporting_mta == "mx.example.org"
    assert "status inferred" not in " ".join(d.warnings)
    # without the Status line there is no report to read: the code is inferred from the wording, and said so
    inferred = diagnose(text.replace(b"Status: 5.0.0\n", b""), RULES)
    assert inferred.recipients[0].status_field == "" and inferred.status.startswith("5.")
