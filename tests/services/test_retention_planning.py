"""Planning by index (schema 14): a sweep's plan reads only what changed since the last sweep
(store/retention_people.py) and the consents and requests old enough to be due, and still finds
every due item; holds, restrictions, objections and open requests still keep a person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desktop.domain.retention import Policy, last_start_due_by
from desktop.store.keys import Key
from desktop.store.retention_repo import UNUSED_IDS_SQL
from desktop.store.schema import LATEST
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case

EMAIL = "ada@example.org"


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def people_planned(services, as_of: datetime) -> list[int]:
    return [a.target_id for a in services.retention.plan(as_of) if a.kind == "subject"]


def assert_every_unused_person_is_checked(services) -> None:
    """The table's answer equals a read of every person (the query planning used before)."""
    every = sorted(r[0] for r in services.vault.read(UNUSED_IDS_SQL))
    assert services.ctx.repos.retention.unused_subject_ids() == every


def person_with_only_a_consent(services) -> int:
    """Ada: her old case swept away, kept only by her standing marketing consent."""
    cid = add_case(services, email=EMAIL, received_at=day("2020-01-01T00:00:00"), marketing_consent=True)
    sid = services.cases.get(cid).subject_id
    services.retention.sweep(day("2026-01-10T09:00:00"))
    assert not services.ctx.cases.exists(cid) and services.ctx.subjects.get(sid) is not None
    return sid


def block(services, how: str, sid: int):
    """Something that keeps a person with no data left; returns how to end it."""
    if how == "restriction":
        services.rights.restrict(EMAIL, "contests accuracy")
        return lambda: services.rights.lift_restriction(EMAIL)
    req = services.requests.open("access", EMAIL).request
    services.requests.record_verification(req.id, "reply_from_address")
    return lambda: services.requests.complete(req.id, "report sent")


@pytest.mark.parametrize("how", ["restriction", "open request"])
def test_a_person_freed_after_a_sweep_is_planned_and_a_block_still_keeps_them(services, clock, how):
    sid = person_with_only_a_consent(services)
    end = block(services, how, sid)
    services.ctx.subjects.withdraw_consents(sid, "marketing", day("2026-01-10T09:00:00"))
    services.retention.sweep(day("2029-01-10T00:00:00"))  # the consent's proof goes; the block keeps her
    assert services.ctx.subjects.get(sid) is not None
    assert services.ctx.repos.retention.people_to_check() == 0  # the sweep forgot her: something needs her
    assert people_planned(services, day("2099-01-01T00:00:00")) == []
    assert_every_unused_person_is_checked(services)

    clock.set(day("2029-02-01T10:00:00"))
    end()
    assert_every_unused_person_is_checked(services)
    assert people_planned(services, day("2029-02-01T10:00:00")) == [sid]
    services.retention.sweep(day("2029-02-01T10:00:00"))
    assert services.ctx.subjects.by_email(EMAIL) is None
    assert services.ctx.repos.retention.people_to_check() == 0


def test_a_hold_keeps_a_person_after_their_restriction_ends_until_it_is_lifted(services, clock):
    sid = person_with_only_a_consent(services)
    services.rights.restrict(EMAIL, "contests accuracy")
    services.ctx.subjects.withdraw_consents(sid, "marketing", day("2026-01-10T09:00:00"))
    services.retention.sweep(day("2029-01-10T00:00:00"))  # the proof goes; the restriction keeps her
    services.retention.set_hold(subject_id=sid, reason="regulator inquiry")
    services.rights.lift_restriction(EMAIL)
    assert people_planned(services, day("2099-01-01T00:00:00")) == []  # the hold keeps her
    services.retention.sweep(day("2099-01-01T00:00:00"))
    assert services.ctx.subjects.get(sid) is not None
    assert services.ctx.repos.retention.people_to_check() == 0
    services.retention.lift_hold(subject_id=sid)
    assert people_planned(services, day("2029-02-01T10:00:00")) == [sid]
    assert_every_unused_person_is_checked(services)


def test_an_objection_keeps_the_person_after_their_last_case_and_consent_go(services):
    sid = person_with_only_a_consent(services)
    services.rights.object(EMAIL, "marketing")
    services.retention.sweep(day("2099-01-01T00:00:00"))
    assert services.ctx.subjects.get(sid).marketing_objected_at is not None  # the suppression record stays
    assert services.ctx.subjects.consents(sid) == []
    assert people_planned(services, day("2099-01-01T00:00:00")) == []
    assert_every_unused_person_is_checked(services)


def test_a_sweep_leaves_no_one_to_check_while_people_keep_their_cases(services):
    for i in range(12):
        add_case(services, email=f"p{i}@example.org")
    assert services.ctx.repos.retention.people_to_check() == 12  # new people, noted by the store
    assert services.retention.plan() == []
    assert services.ctx.repos.retention.people_to_check() == 12  # a dry run changes nothing
    services.retention.sweep()
    assert services.ctx.repos.retention.people_to_check() == 0
    assert_every_unused_person_is_checked(services)


def test_every_write_that_can_free_a_person_notes_them(services, clock):
    """Cases moved to another person, deleted, anonymised; consents and requests gone: after each,
    the people planning checks are exactly those a read of every person finds."""
    a = add_case(services, email="a@example.org", marketing_consent=True)
    b = add_case(services, email="b@example.org")
    c = add_case(services, email="c@example.org", received_at=day("2020-01-01T00:00:00"))
    services.retention.sweep(day("2019-01-01T00:00:00"))  # nothing due: forgets everyone needed
    assert services.ctx.repos.retention.people_to_check() == 0
    sid_a, sid_b = services.cases.get(a).subject_id, services.cases.get(b).subject_id
    with services.vault.transaction():
        services.ctx.cases.update(b, subject_id=sid_a)  # b's case moves to a: b has nothing left
    assert_every_unused_person_is_checked(services)
    assert people_planned(services, day("2019-06-01T00:00:00")) == [sid_b]  # before c's case is due
    services.ctx.subjects.withdraw_consents(sid_a, "marketing", day("2020-01-01T00:00:00"))
    plan = services.retention.plan(day("2026-01-10T09:00:00"))
    assert ("consent", "marketing-consent-proof") in {(x.kind, x.policy_id) for x in plan}
    report = services.retention.sweep(day("2026-01-10T09:00:00"))
    assert {x.target for x in report.done if x.kind == "case"} == {f"case:{c}"}
    assert services.ctx.subjects.by_email("b@example.org") is None
    assert services.ctx.subjects.by_email("c@example.org") is None
    assert_every_unused_person_is_checked(services)
    with services.vault.transaction():
        services.ctx.cases.update(a, subject_id=None)
        services.ctx.cases.update(b, subject_id=None)
    assert people_planned(services, day("2026-01-10T09:00:00")) == [sid_a]
    assert_every_unused_person_is_checked(services)


def test_a_store_from_before_schema_14_plans_the_people_already_unused(store_path, clock):
    from desktop.app import build_services
    from desktop.store.retention_people import TRIGGERS

    key = Key.passphrase(PASSPHRASE)
    vault = Vault.create(store_path, key)
    services = build_services(vault, clock=clock, staff="tester")
    add_case(services, email="kept@example.org")
    with vault.transaction() as c:  # as schema 13 left it, with one person nothing needs
        for name in TRIGGERS:
            c.execute(f"DROP TRIGGER {name}")
        c.execute("DROP TABLE retention_people")
        c.execute("DROP INDEX consents_withdrawn")
        c.execute("DROP INDEX requests_completed")
        c.execute("INSERT INTO subjects(email, created_at) VALUES ('orphan@example.org', '2025-01-01T00:00:00+00:00')")
        c.execute("PRAGMA user_version = 13")
    vault.close()

    vault = Vault.open(store_path, key)
    try:
        assert vault.user_version() == LATEST >= 14
        services = build_services(vault, clock=clock, staff="tester")
        orphan = services.ctx.subjects.by_email("orphan@example.org")
        assert services.ctx.repos.retention.people_to_check() == 1
        assert people_planned(services, clock.now()) == [orphan.id]
        services.retention.sweep()
        assert services.ctx.subjects.by_email("orphan@example.org") is None
        assert services.ctx.subjects.by_email("kept@example.org") is not None
    finally:
        vault.close()


@pytest.mark.parametrize(("period", "unit"), [(1, "months"), (3, "months"), (24, "months"), (36, "months"),
                                              (30, "days"), (0, "days")])
def test_last_start_due_by_is_the_last_day_whose_due_day_has_come(period, unit):
    policy = Policy("p", "P", "request_records", period, unit, "request_completed", "delete", "r")
    d = date(2027, 1, 1)
    while d < date(2029, 3, 5):  # month ends, a leap February, 31-day months
        last = last_start_due_by([policy], "request_completed", d)
        assert policy.due_on(last) <= d < policy.due_on(last + timedelta(days=1))
        d += timedelta(days=1)
    assert last_start_due_by([policy], "consent_withdrawn", d) is None
