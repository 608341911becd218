"""Mail import in the store: unconfirmed until staff confirm, erased people held, the diagnosis
kept with the case (masked), dropped when the case is anonymised or erased."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.mail_import import MailImportService, for_services

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "mail"


@pytest.fixture
def inbox(tmp_path):
    box = tmp_path / "in"
    box.mkdir()
    for name in ("bp-qmail-unknown.eml", "msg-customer-question.eml"):   # dated before the fixed clock
        (box / name).write_bytes((FIX / name).read_bytes().replace(b"17 Nov 2026", b"07 Jan 2026"))
    return box


def test_confirm_records_the_notice(services, inbox):
    mail = for_services(services)
    report = mail.import_path(inbox)
    ids = [x.case_id for x in report.lines if x.case_id]
    assert len(ids) == 2
    case_id = next(x.case_id for x in report.lines if x.label == "bp-qmail-unknown.eml")
    rec = mail.record(case_id)
    assert rec["confirmed_at"] is None and rec["source"] == "bounce"
    assert rec["diagnosis"]["status"] == "5.1.1" and rec["diagnosis"]["recipient"] == "***@example.net"
    assert services.ctx.cases.get(case_id).notice_acknowledged_at is None
    assert mail.confirm(case_id) is True and mail.confirm(case_id) is False
    assert services.ctx.cases.get(case_id).notice_acknowledged_at is not None
    assert mail.record(case_id)["confirmed_by"] == services.ctx.staff


def test_erased_people_are_held(services, inbox):
    mail = MailImportService(services.ctx, services.intake, services.settings,
                             was_erased=lambda email: email == "jane@customer.example")
    report = mail.import_path(inbox)
    held = [x for x in report.lines if x.outcome == "held"]
    assert [x.label for x in held] == ["msg-customer-question.eml"] and "erased" in held[0].message


def test_anonymising_a_case_drops_its_mail_record(services, inbox):
    mail = for_services(services)
    case_id = next(x.case_id for x in mail.import_path(inbox).lines if x.label == "bp-qmail-unknown.eml")
    with services.vault.transaction() as c:
        c.execute("UPDATE cases SET anonymised_at = '2026-01-10T09:00:00+00:00' WHERE id = ?", (case_id,))
    assert mail.record(case_id) is None


def test_the_diagnosis_is_in_the_access_report_with_third_parties_masked(services, inbox, tmp_path):
    from tests.reports.util import pdftotext, request, squash

    mail = for_services(services)
    case_id = next(x.case_id for x in mail.import_path(inbox).lines if x.label == "bp-qmail-unknown.eml")
    mail.confirm(case_id)
    request(services, email="sender@example.com")
    out = tmp_path / "report.pdf"
    services.reports.access_report("sender@example.com", out)
    text = squash(pdftotext(out))
    assert "Diagnosis: User unknown (bounce)" in text and "Status: 5.1.1" in text
    assert "***@example.net" in text and "recipient@example.net" not in text


def test_a_person_in_the_keyed_erasure_record_is_held(services, inbox):
    with services.vault.transaction():
        services.erasures.record("Jane@Customer.example")
    report = for_services(services).import_path(inbox)
    outcome = {x.label: x.outcome for x in report.lines}
    assert outcome == {"bp-qmail-unknown.eml": "created", "msg-customer-question.eml": "held"}


def test_the_stored_diagnosis_goes_on_its_own_timer_while_the_case_stays(services, inbox):
    """The 'Delivery diagnosis after closing' policy (30 days) removes the stored diagnosis; the
    case, its technical details (90 days) and its description stay until their own policies."""
    from tests.services.test_retention import close, day, stored

    mail = for_services(services)
    case_id = next(x.case_id for x in mail.import_path(inbox).lines if x.label == "bp-qmail-unknown.eml")
    mail.confirm(case_id)
    assert services.retention.policy("diagnosis-after-close").period == 30
    close(services, case_id, day("2026-01-10T09:00:00"))
    assert stored(services, case_id) == ("2026-02-09T00:00:00+00:00", "diagnosis-after-close")
    assert "stored delivery diagnosis removed on 2026-02-09" in services.retention.describe_next_removal(case_id)

    services.retention.sweep(day("2026-02-08T23:59:00"))
    assert mail.record(case_id)["diagnosis"]["status"] == "5.1.1"

    report = services.retention.sweep(day("2026-02-09T00:00:00"))
    assert [(a.what, a.policy_id) for a in report.done] == [("diagnosis", "diagnosis-after-close")]
    record = mail.record(case_id)
    assert record is not None and record["diagnosis"] is None and record["source"] == "bounce"
    case = services.ctx.cases.get(case_id)
    assert case.technical_details and "5.1.1" in case.technical_details and case.email
    assert stored(services, case_id) == ("2026-04-10T00:00:00+00:00", "technical-after-close")
    # nothing left for this policy: a later sweep does not touch the case again for it
    later = services.retention.sweep(day("2026-04-09T00:00:00"))
    assert all(a.what != "diagnosis" for a in later.done)
