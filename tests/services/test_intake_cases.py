from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.models import CaseQuery, Status
from desktop.domain.validation import ValidationError
from desktop.errors import RefusedError
from tests.helpers.factories import add_case, form


def test_submit_stores_case_subject_consents_and_audit(services):
    result = services.intake.submit(form(marketing_consent=True))
    case = services.cases.get(result.case_id)
    assert (case.name, case.email, case.phone) == ("Ada Lovelace", "ada@example.org", "+442079460001")
    assert case.status is Status.OPEN and case.created_by == "tester"
    consents = services.ctx.subjects.consents(result.subject_id)
    kinds = {c.kind: c for c in consents}
    assert kinds["privacy_notice"].version == services.settings.notice_version
    assert kinds["marketing"].given_at == services.ctx.now()
    actions = [e.action for e in services.ctx.audit_repo.entries()]
    assert "case.create" in actions


def test_no_marketing_consent_row_without_consent(services):
    result = services.intake.submit(form())
    assert [c.kind for c in services.ctx.subjects.consents(result.subject_id)] == ["privacy_notice"]


def test_bad_input_writes_nothing(services):
    with pytest.raises(ValidationError):
        services.intake.submit(form(email="broken", description=""))
    with pytest.raises(ValidationError):
        services.intake.submit(form(not_a_child=False))
    assert services.cases.count() == 0
    assert services.ctx.subjects.by_email("ada@example.org") is None


def test_repeat_contacts_link_to_one_subject(services):
    first = services.intake.submit(form())
    second = services.intake.submit(form(email="ADA@example.org", name="Ada L."))
    other = services.intake.submit(form(email="bob@example.org", name="Bob"))
    assert second.repeat_contact and not first.repeat_contact
    assert first.subject_id == second.subject_id != other.subject_id
    ids = list(services.cases.ids(CaseQuery(subject_id=first.subject_id)))
    assert sorted(ids) == [first.case_id, second.case_id]


def test_search_by_name_email_phone_and_description(services):
    a = add_case(services, name="Grace Hopper", email="grace@navy.example", phone="+1 202 555 0147",
                 description="DKIM signature fails for newsletters")
    b = add_case(services, name="Alan Turing", email="alan@bletchley.example", phone="",
                 description="Connection timed out on port 587")

    def find(text):
        return set(services.cases.ids(CaseQuery(search=text)))

    assert find("grace") == {a}
    assert find("Hop") == {a}
    assert find("bletch") == {b}
    assert find("newsletters") == {a}
    assert find("2025550147") == {a}
    assert find("timed port") == {b}
    assert find("timed dkim") == set()
    assert find("\"; DROP") == set()
    assert find("***") == set()


def test_sorting_and_status_filter(services, clock):
    first = add_case(services, name="Zed", received_at=clock.now() - timedelta(days=3))
    second = add_case(services, name="amy", email="amy@example.org", received_at=clock.now() - timedelta(days=1))
    services.cases.set_status(first, Status.RESOLVED)
    assert list(services.cases.ids(CaseQuery(sort="received_at", descending=True))) == [second, first]
    assert list(services.cases.ids(CaseQuery(sort="name", descending=False))) == [second, first]
    assert list(services.cases.ids(CaseQuery(status=Status.RESOLVED))) == [first]


def test_rectify_records_history_and_reindexes(services, clock):
    case_id = add_case(services)
    clock.advance(hours=1)
    changed = services.cases.rectify(case_id, {"name": "Augusta Ada King", "phone": "+44 20 7946 0002"},
                                     request_ref="DSR-2026-0001")
    assert sorted(changed) == ["name", "phone"]
    history = services.ctx.cases.changes(case_id)
    by_field = {c.field: c for c in history}
    assert by_field["name"].old_value == "Ada Lovelace" and by_field["name"].new_value == "Augusta Ada King"
    assert by_field["phone"].new_value == "+442079460002"
    assert by_field["name"].staff == "tester" and by_field["name"].at == clock.now()
    assert by_field["name"].request_ref == "DSR-2026-0001"
    assert list(services.cases.ids(CaseQuery(search="Augusta"))) == [case_id]
    assert list(services.cases.ids(CaseQuery(search="Lovelace"))) == []


def test_rectify_bad_value_changes_nothing(services):
    case_id = add_case(services)
    with pytest.raises(ValidationError):
        services.cases.rectify(case_id, {"name": "New", "email": "nope"})
    assert services.cases.get(case_id).name == "Ada Lovelace"
    assert services.ctx.cases.changes(case_id) == []


def test_rectify_email_moves_case_to_other_subject(services):
    case_id = add_case(services)
    old_subject = services.cases.get(case_id).subject_id
    services.cases.rectify(case_id, {"email": "ada.king@example.org"})
    case = services.cases.get(case_id)
    assert case.subject_id != old_subject
    assert services.ctx.subjects.get(case.subject_id).email == "ada.king@example.org"


def test_status_workflow_and_closing_time(services, clock):
    case_id = add_case(services)
    with pytest.raises(RefusedError):
        services.cases.set_status(case_id, Status.CLOSED)  # must be resolved first
    services.cases.set_status(case_id, Status.WAITING)
    services.cases.set_status(case_id, Status.RESOLVED, resolution="SPF record fixed")
    clock.advance(days=2)
    services.cases.set_status(case_id, Status.CLOSED)
    case = services.cases.get(case_id)
    assert case.status is Status.CLOSED and case.closed_at == clock.now()
    assert case.resolution == "SPF record fixed"
    services.cases.set_status(case_id, Status.OPEN)
    assert services.cases.get(case_id).closed_at is None


def test_notes(services):
    case_id = add_case(services)
    services.cases.add_note(case_id, "Customer sent new headers")
    with pytest.raises(ValidationError):
        services.cases.add_note(case_id, "   ")
    notes = services.ctx.cases.notes(case_id)
    assert [n.body for n in notes] == ["Customer sent new headers"] and notes[0].staff == "tester"


def test_restricted_subject_is_read_only_and_blocks_new_cases(services, clock):
    case_id = add_case(services)
    subject_id = services.cases.get(case_id).subject_id
    with services.vault.transaction():
        services.ctx.subjects.update(subject_id, restricted_at=clock.now(), restriction_reason="Art. 18")
    with pytest.raises(RefusedError):
        services.cases.rectify(case_id, {"name": "Changed"})
    with pytest.raises(RefusedError):
        services.cases.add_note(case_id, "note")
    with pytest.raises(RefusedError):
        services.intake.submit(form())
    assert services.cases.count() == 1


def test_audit_entries_hold_no_personal_data(services):
    case_id = add_case(services, name="Distinctive Person", email="distinct@example.org")
    services.cases.rectify(case_id, {"name": "Another Distinctive"})
    services.cases.detail(case_id)
    for entry in services.ctx.audit_repo.entries():
        text = " ".join([entry.action, entry.target, entry.detail, entry.staff])
        assert "Distinctive" not in text and "distinct@" not in text and "7946" not in text
