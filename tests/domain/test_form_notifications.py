"""WordPress form plugins' notification emails, one fixture per layout, each written the way the
plugin's own notification code writes it (tests/fixtures/mail/forms/, sources in SOURCES.md and
resources/mail/form_notifications.json): the intake form gets the person's name, email and message
from the fields, not from the site's own From address."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.paths import resource
from desktop.services.mail import prefill_bytes

FORMS = Path(__file__).resolve().parent.parent / "fixtures" / "mail" / "forms"

CASES = [
    ("cf7-default.eml", "Contact Form 7", "Amara Okafor", "amara.okafor@mail.example",
     "Since Friday none of our order confirmation mails reach customers at Gmail.\nThe shop says \"sent\", but nobody gets them."),
    ("wpforms-plain.eml", "WPForms", "Omar Haddad", "omar.haddad@post.example",
     "Our newsletter goes to spam at Outlook.com since we moved hosts.\nSPF was updated last week."),
    ("wpforms-html.eml", "WPForms", "Omar Haddad", "omar.haddad@post.example",
     "Our newsletter goes to spam at Outlook.com since we moved hosts.\nSPF was updated last week."),
    ("gravityforms-html.eml", "Gravity Forms", "Li Wei", "li.wei@inbox.example",
     "Appointment reminders bounce with 550 5.7.1.\nPatients at one provider never get them."),
    ("gravityforms-text.eml", "Gravity Forms", "Li Wei", "li.wei@inbox.example",
     "Appointment reminders bounce with 550 5.7.1.\nPatients at one provider never get them."),
    ("ninjaforms-html.eml", "Ninja Forms", "Sofia Marquez", "sofia.marquez@webmail.example",
     "Class booking mails are deferred for hours at Yahoo.\nIs our server greylisted?"),
    ("fluentforms-html.eml", "Fluent Forms", "Kenji Sato", "kenji.sato@mailbox.example",
     "Password reset mails from our shop fail DKIM at Gmail."),
    ("formidable-text.eml", "Formidable Forms", "Priya Nair", "priya.nair@home.example",
     "Overdue notices are rejected as too large since we attach the PDF."),
    ("formidable-html.eml", "Formidable Forms", "Priya Nair", "priya.nair@home.example",
     "Overdue notices are rejected as too large since we attach the PDF."),
]


@pytest.mark.parametrize(("name", "plugin", "person", "email", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_plugin_layout_fills_name_email_and_description(name, plugin, person, email, message):
    p = prefill_bytes((FORMS / name).read_bytes())
    assert (p.source, p.form_plugin, p.channel) == ("form_notification", plugin, "web_form")
    assert (p.name, p.email) == (person, email)
    assert p.description == message
    # the site's own sender is never taken for the person
    assert "wordpress@" not in p.email and "noreply@" not in p.email


def test_every_layout_names_its_source_and_has_a_fixture():
    table = json.loads(resource("mail", "form_notifications.json").read_text(encoding="utf-8"))
    covered = {c[1] for c in CASES}
    for plugin in table["plugins"]:
        if plugin["plugin"] in covered:
            assert plugin.get("source") and plugin.get("layout"), plugin["plugin"]
    assert covered == {"Contact Form 7", "WPForms", "Gravity Forms", "Ninja Forms", "Fluent Forms", "Formidable Forms"}
    assert sorted(p.name for p in FORMS.glob("*.eml")) == sorted(c[0] for c in CASES)


def test_a_field_the_table_does_not_map_ends_the_field_before_it():
    """Gravity Forms' Phone row sits between Email and Message: it must not run into either."""
    p = prefill_bytes((FORMS / "gravityforms-text.eml").read_bytes())
    assert "555" not in p.description and "555" not in p.name


def test_an_ordinary_mail_with_a_name_line_is_not_taken_for_a_form():
    raw = (b"From: Tom Reed <tom@reed.example>\nSubject: Question\n\nHi, my name: Tom.\n"
           b"Our mails bounce since Monday.\n")
    p = prefill_bytes(raw)
    assert p.source == "message" and p.email == "tom@reed.example"
