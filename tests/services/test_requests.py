"""The request register: matching, identity checks, status workflow, deadlines, extensions, lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from desktop.domain.models import RequestStatus, RequestType
from desktop.domain.validation import ValidationError
from desktop.errors import NotFound, RefusedError
from tests.helpers.factories import add_case

T_REQ = datetime(2026, 1, 9, 15, 0, tzinfo=UTC)


def audit_text(services) -> str:
    return "\n".join(f"{e.action} {e.target} {e.detail}" for e in services.ctx.audit_repo.entries())


def test_open_matches_the_person_by_email_and_phone_and_proposes_their_cases(services):
    a1 = add_case(services, email="Ada@Example.org", phone="+44 20 7946 0001")
    a2 = add_case(services, email="ada@example.org", phone=None)
    other_address_same_phone = add_case(services, name="A. L.", email="ada.work@example.com",
                                        phone="020 7946 0001")
    stranger = add_case(services, name="Bob", email="bob@example.net", phone="+44 20 7946 0999")

    result = services.requests.open("access", " ADA@example.ORG ", phone="+442079460001", received_at=T_REQ)
    req = result.request
    assert req.ref == "DSR-2026-0001"
    assert req.type is RequestType.ACCESS
    assert req.status is RequestStatus.RECEIVED
    assert req.subject_email == "ada@example.org"
    assert req.subject_phone == "+442079460001"
    assert req.subject_id == services.ctx.cases.get(a1).subject_id
    proposed = {m.case_id: m.matched_on for m in result.proposed}
    assert proposed == {a1: ("email", "phone"), a2: ("email",), other_address_same_phone: ("phone",)}
    assert stranger not in proposed
    # the reference carries no personal data, and neither does the audit trail
    # (subject_ref is random hex, which may spell "ADA" by chance: it must be that shape and nothing
    # more, and it is taken out of the audit text before looking for the person there)
    assert "ada" not in req.ref.lower()
    assert re.fullmatch(r"P-[0-9A-F]{10}", req.subject_ref), req.subject_ref
    assert "ada" not in audit_text(services).replace(req.subject_ref, "P-REF").lower()


def test_staff_confirm_which_cases_are_the_persons(services):
    a1 = add_case(services)
    other = add_case(services, email="ada.work@example.com")
    req = services.requests.open("access", "ada@example.org").request
    assert services.requests.cases_for(req) == [a1]  # by default: every case under the address
    services.requests.confirm_cases(req.id, [a1, other])
    assert services.requests.cases_for(req) == sorted([a1, other])
    assert services.requests.repo.linked_cases(req.id) == sorted([a1, other])
    services.requests.confirm_cases(req.id, [a1])  # a new confirmation replaces the old one
    assert services.requests.cases_for(req) == [a1]  # the address's own cases always stay covered
    with pytest.raises(NotFound):
        services.requests.confirm_cases(req.id, [99999])


def test_refs_are_sequential_per_year_and_never_reused(services, clock):
    refs = [services.requests.open("erasure", f"p{i}@example.org").request.ref for i in range(3)]
    assert refs == ["DSR-2026-0001", "DSR-2026-0002", "DSR-2026-0003"]
    clock.set(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    assert services.requests.open("access", "p9@example.org").request.ref == "DSR-2027-0001"


def test_the_same_person_keeps_one_subject_reference(services):
    add_case(services)
    r1 = services.requests.open("access", "ada@example.org").request
    r2 = services.requests.open("erasure", "ada@example.org").request
    r3 = services.requests.open("access", "bob@example.org").request
    assert r1.subject_ref == r2.subject_ref != r3.subject_ref


def test_bad_input_names_every_field_and_writes_nothing(services):
    with pytest.raises(ValidationError) as err:
        services.requests.open("delete-me", "not an email", phone="12", received_at=datetime(2030, 1, 1, tzinfo=UTC),
                               channel="pigeon")
    assert set(err.value.errors) == {"type", "email", "phone", "received_at", "channel"}
    assert services.requests.list() == []


def test_a_person_we_hold_nothing_about_can_still_make_a_request(services):
    res = services.requests.open("access", "nobody@example.org")
    assert res.request.subject_id is None and res.proposed == []
    assert services.requests.cases_for(res.request) == []


def test_due_date_follows_the_configured_rule(services):
    # default: the policy's 30 days
    r = services.requests.open("access", "ada@example.org", received_at=T_REQ).request
    assert r.due_at == datetime(2026, 2, 8, 23, 59, 59, tzinfo=UTC)
    assert r.details["rule"] == "policy30"
    services.settings.set("app", {"deadline_rule": "gdpr", "holiday_country": "GB"})
    # 9 Jan -> 9 Feb 2026 (Monday)
    r = services.requests.open("access", "ada@example.org", received_at=T_REQ).request
    assert r.due_at.date().isoformat() == "2026-02-09"
    services.settings.set("app", {"deadline_rule": "ccpa", "holiday_country": "US"})
    r = services.requests.open("access", "ada@example.org", received_at=T_REQ).request
    assert r.due_at.date().isoformat() == "2026-02-23"
    row = services.requests.row(r)
    assert row.confirm_receipt_by is not None and row.confirm_receipt_by.date().isoformat() == "2026-01-26"


def test_status_workflow_with_verification(services, clock):
    add_case(services)
    req = services.requests.open("access", "ada@example.org").request
    with pytest.raises(RefusedError, match="not been verified"):
        services.requests.require_verified(req.id)
    with pytest.raises(RefusedError, match="not been verified"):
        services.requests.complete(req.id, "sent the report")
    services.requests.start_verification(req.id)
    assert services.requests.get(req.id).status is RequestStatus.VERIFYING
    with pytest.raises(ValidationError):
        services.requests.record_verification(req.id, "telepathy")
    with pytest.raises(ValidationError):
        services.requests.record_verification(req.id, "other")  # needs a description
    clock.advance(hours=2)
    verified = services.requests.record_verification(req.id, "callback_number", verified_by="Sam")
    assert verified.status is RequestStatus.IN_PROGRESS
    assert verified.verification_method == "callback_number"
    assert verified.verified_by == "Sam"
    assert verified.verified_at == clock.now()
    assert services.requests.require_verified(req.id).id == req.id
    clock.advance(days=3)
    done = services.requests.complete(req.id, "Access report sent by email")
    assert done.status is RequestStatus.COMPLETED
    assert done.completed_at == clock.now() and done.outcome == "Access report sent by email"
    with pytest.raises(RefusedError, match="already completed"):
        services.requests.refuse(req.id, "too late")
    actions = [e.action for e in services.ctx.audit_repo.entries()]
    for action in ("request.open", "request.status", "request.verify", "request.complete"):
        assert action in actions


def test_verification_by_other_method_records_the_description(services):
    req = services.requests.open("portability", "ada@example.org").request
    done = services.requests.record_verification(req.id, "other", note="Signed letter matched the file")
    assert done.verification_method == "other: Signed letter matched the file"
    assert done.verified_by == "tester"  # defaults to the staff member signed in


def test_refusal_requires_a_reason(services):
    req = services.requests.open("erasure", "ada@example.org").request
    with pytest.raises(ValidationError):
        services.requests.refuse(req.id, "  ")
    refused = services.requests.refuse(req.id, "Manifestly unfounded: the third identical request this month")
    assert refused.status is RequestStatus.REFUSED and refused.refusal_reason.startswith("Manifestly")
    assert refused.completed_at is not None
    with pytest.raises(RefusedError, match="refused"):
        services.requests.require_verified(req.id)


def test_one_extension_with_a_reason_before_the_first_deadline(services, clock):
    services.settings.set("app", {"deadline_rule": "gdpr", "holiday_country": "GB"})
    req = services.requests.open("access", "ada@example.org", received_at=T_REQ).request
    with pytest.raises(ValidationError):
        services.requests.extend(req.id, "")
    ext = services.requests.extend(req.id, "Complex: 14 cases over three years")
    assert ext.extended_due_at.date().isoformat() == "2026-04-09"  # 9 Jan + 3 months (Thursday)
    assert ext.effective_due == ext.extended_due_at
    assert ext.extension_reason == "Complex: 14 cases over three years"
    with pytest.raises(RefusedError, match="only one extension"):
        services.requests.extend(req.id, "again")

    late = services.requests.open("access", "bob@example.org", received_at=T_REQ).request
    clock.set(datetime(2026, 2, 10, 9, 0, tzinfo=UTC))  # after 9 Feb: too late to extend
    with pytest.raises(RefusedError, match="original deadline"):
        services.requests.extend(late.id, "busy")


def test_list_shows_days_left_overdue_and_no_countdown_when_closed(services, clock):
    a = services.requests.open("access", "a@example.org", received_at=datetime(2025, 12, 1, tzinfo=UTC)).request
    b = services.requests.open("erasure", "b@example.org", received_at=datetime(2026, 1, 5, tzinfo=UTC)).request
    c = services.requests.open("objection", "c@example.org").request
    d = services.requests.open("access", "d@example.org", received_at=datetime(2025, 11, 1, tzinfo=UTC)).request
    services.requests.refuse(d.id, "Could not verify identity")
    rows = {r.request.ref: r for r in services.requests.list()}
    # today 10 Jan 2026: a due 31 Dec 2025 (10 days overdue); b due 4 Feb (25 left); c due 9 Feb (30 left)
    assert (rows[a.ref].days_left, rows[a.ref].overdue) == (-10, True)
    assert (rows[b.ref].days_left, rows[b.ref].overdue, rows[b.ref].due_soon) == (25, False, False)
    assert rows[c.ref].days_left == 30
    assert rows[d.ref].days_left is None and not rows[d.ref].overdue
    assert [r.request.ref for r in services.requests.list(overdue_only=True)] == [a.ref]
    assert {r.request.ref for r in services.requests.list(open_only=True)} == {a.ref, b.ref, c.ref}
    counts = services.requests.counts()
    assert (counts.open, counts.due_soon, counts.overdue) == (3, 0, 1)
    clock.set(datetime(2026, 1, 29, 12, 0, tzinfo=UTC))  # b is 6 days away now
    counts = services.requests.counts()
    assert (counts.due_soon, counts.overdue) == (1, 1)


def test_verified_request_for_picks_the_verified_one(services):
    add_case(services)
    with pytest.raises(NotFound):
        services.requests.verified_request_for("ada@example.org", ["access"])
    first = services.requests.open("access", "ada@example.org").request
    with pytest.raises(RefusedError, match=first.ref):
        services.requests.verified_request_for("ada@example.org", ["access", "portability"])
    services.requests.record_verification(first.id, "reply_from_address")
    services.requests.open("access", "ada@example.org")  # a newer, unverified one
    assert services.requests.verified_request_for("Ada@example.org", ["access"]).id == first.id


def test_an_erasure_request_is_completed_by_the_erasure_not_by_complete(services):
    """Issue 14: completing an erasure request without erasing anything is refused (Erase… completes it)."""
    add_case(services)
    req = services.requests.open("erasure", "ada@example.org").request
    services.requests.record_verification(req.id, "reply_from_address")
    assert services.requests.get(req.id).status is RequestStatus.IN_PROGRESS
    with pytest.raises(RefusedError, match="Erase"):
        services.requests.complete(req.id, "done")
    assert services.requests.get(req.id).status is not RequestStatus.COMPLETED
    assert not services.requests.allowed(services.requests.get(req.id))["complete"]
