"""Retention rules: policy validation and the dates each piece of a case is due to go."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pytest

from desktop.domain import retention as r
from desktop.domain.models import (
    Case,
    Category,
    Channel,
    Consent,
    RequestStatus,
    RequestType,
    Status,
    Subject,
    SubjectRequest,
)
from desktop.paths import resource

RECEIVED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CLOSED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def defaults_raw() -> dict:
    return json.loads(resource("defaults", "retention.json").read_text(encoding="utf-8"))


@pytest.fixture
def policies() -> list[r.Policy]:
    return r.parse_policies(defaults_raw())


def make_case(**kw) -> Case:
    base = dict(
        id=1, subject_id=1, name="Ada", email="ada@example.org", phone="+442079460001",
        category=Category.BOUNCE, description="bounces", technical_details="550 5.7.1",
        channel=Channel.EMAIL, status=Status.OPEN, received_at=RECEIVED, created_at=RECEIVED,
        last_activity_at=RECEIVED,
    )
    base.update(kw)
    return Case(**base)


def closed_case(**kw) -> Case:
    base = {"status": Status.CLOSED, "closed_at": CLOSED, "last_activity_at": CLOSED}
    base.update(kw)
    return make_case(**base)


def subject(**kw) -> Subject:
    return Subject(id=1, email="ada@example.org", created_at=RECEIVED, **kw)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


# ---- the shipped defaults ---------------------------------------------------------------------
def test_shipped_defaults_are_valid_and_complete(policies):
    by_id = {p.id: p for p in policies}
    assert (by_id["closed-case"].period, by_id["closed-case"].trigger, by_id["closed-case"].action) == \
        (365, "case_closed", "anonymise")
    assert (by_id["inactive-open-case"].period, by_id["inactive-open-case"].action) == (730, "delete")
    assert (by_id["phone-after-close"].period, by_id["phone-after-close"].field) == (30, "phone")
    assert (by_id["technical-after-close"].period, by_id["technical-after-close"].field) == (90, "technical_details")
    assert (by_id["marketing-consent-proof"].period, by_id["marketing-consent-proof"].unit) == (36, "months")
    assert (by_id["request-records"].period, by_id["request-records"].unit) == (24, "months")
    assert (by_id["child-record"].period, by_id["child-record"].action) == (0, "delete")
    assert all(p.reason and p.label and p.category in r.CATEGORIES for p in policies)


def test_policies_round_trip_through_json(policies):
    assert r.parse_policies(r.policies_to_json(policies)) == policies


# ---- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("mutate, message", [
    (lambda ps: ps[0].pop("reason"), "stated reason"),
    (lambda ps: ps[0].update(action="remove_field"), "field must be one of"),
    (lambda ps: ps[0].update(period=-1), "period must be"),
    (lambda ps: ps[0].update(period=True), "period must be"),
    (lambda ps: ps[0].update(period="365"), "period must be"),
    (lambda ps: ps[0].update(unit="weeks"), "unit must be"),
    (lambda ps: ps[0].update(trigger="whenever"), "trigger must be"),
    (lambda ps: ps[4].update(action="anonymise"), "action for trigger consent_withdrawn"),
    (lambda ps: ps[1].update(id="closed-case"), "id used twice"),
    (lambda ps: ps[1].update(id="Bad Id!"), "id must be"),
    (lambda ps: ps[0].update(category="everything"), "category must be"),
    (lambda ps: ps[0].update(field="phone"), "field is only used with action remove_field"),
    (lambda ps: ps[0].update(colour="red"), "unknown key"),
    (lambda ps: ps.pop(6), "child_flagged is required"),
])
def test_invalid_policies_are_refused_with_a_reason(mutate, message):
    raw = copy.deepcopy(defaults_raw())
    mutate(raw["policies"])
    with pytest.raises(r.PolicyError) as info:
        r.parse_policies(raw)
    assert message in str(info.value)


def test_policy_list_must_be_a_list():
    with pytest.raises(r.PolicyError):
        r.parse_policies({"policies": "all of them"})


def test_add_months_clamps_to_month_end():
    assert r.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert r.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert r.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


# ---- schedules ---------------------------------------------------------------------------------
def test_closed_case_schedule_phone_then_technical_then_anonymise(policies):
    items = r.schedule(closed_case(), subject(), policies)
    assert [(i.what, i.action, i.due, i.policy_id) for i in items] == [
        ("phone", "remove_field", date(2026, 2, 9), "phone-after-close"),
        ("technical_details", "remove_field", date(2026, 4, 10), "technical-after-close"),
        ("case", "anonymise", date(2027, 1, 10), "closed-case"),
    ]
    assert items[0].text == "phone removed on 2026-02-09, policy: Phone number after closing"
    assert items[0].due_at == datetime(2026, 2, 9, tzinfo=UTC)


def test_fields_already_empty_are_not_scheduled(policies):
    items = r.schedule(closed_case(phone=None, technical_details=None), subject(), policies)
    assert [i.what for i in items] == ["case"]


def test_open_case_is_deleted_two_years_after_last_activity(policies):
    case = make_case(last_activity_at=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    items = r.schedule(case, subject(), policies)
    assert [(i.what, i.action, i.due) for i in items] == [("case", "delete", date(2028, 2, 29))]
    assert r.describe(case, subject(), policies) == \
        "case deleted on 2028-02-29, policy: Open case without activity"


def test_resolved_but_not_closed_case_counts_as_open(policies):
    case = make_case(status=Status.RESOLVED)
    assert [i.policy_id for i in r.schedule(case, subject(), policies)] == ["inactive-open-case"]


@pytest.mark.parametrize("case_hold, subject_hold", [(True, False), (False, True), (True, True)])
def test_legal_hold_blocks_everything(policies, case_hold, subject_hold):
    case = closed_case(legal_hold_reason="litigation" if case_hold else None,
                       child_flagged_at=CLOSED)
    subj = subject(legal_hold_reason="regulator inquiry" if subject_hold else None)
    assert r.schedule(case, subj, policies) == []
    assert r.due_removals(case, subj, policies, at("2099-01-01")) == []
    assert r.describe(case, subj, policies).startswith("on legal hold")


def test_restriction_pauses_automatic_removal_but_not_child_deletion(policies):
    restricted = subject(restricted_at=CLOSED, restriction_reason="needed for a legal claim")
    case = closed_case()
    assert r.schedule(case, subject(), policies) != []
    assert r.schedule(case, restricted, policies) == []
    assert r.due_removals(case, restricted, policies, at("2099-01-01")) == []
    assert r.describe(case, restricted, policies).startswith("processing restricted")
    child = closed_case(child_flagged_at=CLOSED)
    assert [i.policy_id for i in r.schedule(child, restricted, policies)] == ["child-record"]


def test_anonymised_case_has_nothing_more_by_default(policies):
    case = closed_case(name=None, email=None, phone=None, description=None, technical_details=None,
                       subject_id=None, anonymised_at=at("2027-01-10"))
    assert r.schedule(case, None, policies) == []
    assert r.describe(case, None, policies) == "anonymised on 2027-01-10; kept for statistics"


def test_a_later_delete_policy_still_removes_an_anonymised_case(policies):
    raw = defaults_raw()
    raw["policies"].append({"id": "closed-case-delete", "label": "Closed case, final", "category": "case",
                            "period": 1825, "unit": "days", "trigger": "case_closed", "action": "delete",
                            "reason": "test"})
    extended = r.parse_policies(raw)
    live = r.schedule(closed_case(), subject(), extended)
    assert [(i.action, i.due) for i in live if i.what == "case"] == [
        ("anonymise", date(2027, 1, 10)), ("delete", date(2031, 1, 9))]
    anonymised = closed_case(phone=None, technical_details=None, anonymised_at=at("2027-01-10"))
    assert [(i.action, i.due) for i in r.schedule(anonymised, None, extended)] == [("delete", date(2031, 1, 9))]


def test_child_flag_means_delete_on_the_flag_day_before_anything_else(policies):
    flagged = datetime(2026, 1, 12, 15, 30, tzinfo=UTC)
    case = closed_case(child_flagged_at=flagged)
    items = r.schedule(case, subject(), policies)
    assert (items[0].what, items[0].action, items[0].due, items[0].policy_id) == \
        ("case", "delete", date(2026, 1, 12), "child-record")
    assert r.due_removals(case, subject(), policies, flagged) == [items[0]]


def test_same_day_delete_beats_anonymise(policies):
    raw = defaults_raw()
    raw["policies"][1].update(trigger="case_closed", period=365)
    items = r.schedule(closed_case(), subject(), r.parse_policies(raw))
    assert [(i.what, i.action) for i in items][-1] == ("case", "delete")
    assert not any(i.action == "anonymise" for i in items)


# ---- the exact day ------------------------------------------------------------------------------
@pytest.mark.parametrize("day_before, day_of, what", [
    ("2026-02-08T23:59:59", "2026-02-09T00:00:00", "phone"),
    ("2026-04-09T23:59:59", "2026-04-10T00:00:00", "technical_details"),
    ("2027-01-09T23:59:59", "2027-01-10T00:00:00", "case"),
])
def test_due_exactly_on_the_policy_day(policies, day_before, day_of, what):
    case = closed_case()
    before = {i.what for i in r.due_removals(case, subject(), policies, at(day_before))}
    on_day = {i.what for i in r.due_removals(case, subject(), policies, at(day_of))}
    assert what not in before
    assert what in on_day


def test_when_the_whole_case_is_due_field_removals_fold_into_it(policies):
    due = r.due_removals(closed_case(), subject(), policies, at("2030-01-01"))
    assert [(i.what, i.action) for i in due] == [("case", "anonymise")]


def test_due_date_uses_the_utc_day_of_the_trigger(policies):
    late = datetime.fromisoformat("2026-01-10T23:30:00-05:00")  # 04:30 UTC on the 11th
    case = closed_case(closed_at=late)
    assert r.schedule(case, subject(), policies)[0].due == date(2026, 2, 10)


# ---- consents and requests ----------------------------------------------------------------------
def test_marketing_consent_proof_kept_three_years_after_withdrawal(policies):
    standing = Consent(1, 1, 1, "marketing", "v1", given_at=RECEIVED)
    assert r.consent_removal(standing, subject(), policies) is None
    withdrawn = Consent(1, 1, 1, "marketing", "v1", given_at=RECEIVED, withdrawn_at=at("2026-02-28T10:00:00"))
    item = r.consent_removal(withdrawn, subject(), policies)
    assert (item.due, item.policy_id, item.what) == (date(2029, 2, 28), "marketing-consent-proof", "consent_proof")
    assert not item.is_due(at("2029-02-27T23:59:59")) and item.is_due(at("2029-02-28T00:00:00"))
    assert r.consent_removal(withdrawn, subject(legal_hold_reason="x"), policies) is None
    notice = Consent(2, 1, 1, "privacy_notice", "v1", given_at=RECEIVED, withdrawn_at=RECEIVED)
    assert r.consent_removal(notice, subject(), policies) is None


def make_request(**kw) -> SubjectRequest:
    base = dict(id=1, ref="R-1", type=RequestType.ACCESS, subject_id=1, subject_email="ada@example.org",
                subject_phone=None, subject_ref="abc", received_at=RECEIVED, channel="email",
                due_at=RECEIVED, status=RequestStatus.COMPLETED, created_by="t",
                completed_at=at("2026-03-15T08:00:00"))
    base.update(kw)
    return SubjectRequest(**base)


def test_request_records_kept_24_months_after_completion(policies):
    item = r.request_removal(make_request(), subject(), policies)
    assert (item.due, item.policy_id) == (date(2028, 3, 15), "request-records")
    refused = r.request_removal(make_request(status=RequestStatus.REFUSED), None, policies)
    assert refused.due == date(2028, 3, 15)
    assert r.request_removal(make_request(status=RequestStatus.IN_PROGRESS, completed_at=None), None, policies) is None
    assert r.request_removal(make_request(), subject(legal_hold_reason="x"), policies) is None
