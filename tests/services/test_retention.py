"""RetentionService: stored timers, sweeps on the exact day, holds, child flags, plan == sweep, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.domain import retention as r
from desktop.domain.audit import verify_trail
from desktop.domain.models import Status
from desktop.domain.retention import PolicyError
from desktop.errors import NotFound, RefusedError
from desktop.services import retention as retention_module
from desktop.store.audit_repo import AuditRepo
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.helpers.factories import add_case

PERSONAL = ("Ada Lovelace", "ada@example.org", "+442079460001", "2079460001", "gmail.com bounce",
            "mx.example.org", "Quillon", "quillon@example.net")


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def close(services, case_id: int, when: datetime, resolution: str | None = None) -> None:
    """Work a case to closed at `when` by moving the injected clock."""
    clock = services.ctx.clock
    keep = clock.now()
    clock.set(when)
    services.cases.set_status(case_id, Status.RESOLVED, resolution=resolution)
    services.cases.set_status(case_id, Status.CLOSED)
    clock.set(keep)


def stored(services, case_id: int) -> tuple[str | None, str | None]:
    return services.ctx.cases.next_removal([case_id])[case_id]


# ---- stored timers ---------------------------------------------------------------------------------
def test_timer_is_stored_at_intake_and_follows_status_changes(services, clock):
    cid = add_case(services, received_at=day("2025-12-01T10:00:00"))
    assert stored(services, cid) == ("2027-12-01T00:00:00+00:00", "inactive-open-case")
    close(services, cid, day("2026-01-10T09:00:00"))
    assert stored(services, cid) == ("2026-02-09T00:00:00+00:00", "phone-after-close")
    assert services.retention.describe_next_removal(cid) == \
        "phone removed on 2026-02-09, policy: Phone number after closing"
    clock.set(day("2026-01-20T08:00:00"))
    services.cases.set_status(cid, Status.OPEN)  # reopened: back to the inactivity timer from today
    assert stored(services, cid) == ("2028-01-20T00:00:00+00:00", "inactive-open-case")


def test_a_note_is_activity_and_restarts_the_open_case_timer(services, clock):
    cid = add_case(services, received_at=day("2025-01-01T00:00:00"))
    assert stored(services, cid)[0] == "2027-01-01T00:00:00+00:00"
    clock.set(day("2026-02-01T12:00:00"))
    services.cases.add_note(cid, "asked for the bounce headers")
    assert stored(services, cid)[0] == "2028-02-01T00:00:00+00:00"


def test_imported_old_records_are_due_from_their_received_date(services, tmp_path):
    path = tmp_path / "old.json"
    path.write_text('[{"name": "Old Timer", "email": "old@example.org", "category": "bounce",'
                    ' "description": "old bounce", "received_at": "2024-03-01T10:00:00Z"}]', encoding="utf-8")
    report = services.importer.import_file(path)
    cid = report.case_ids[0]
    assert stored(services, cid) == ("2026-03-01T00:00:00+00:00", "inactive-open-case")
    assert services.retention.plan(day("2026-02-28T23:59:59")) == []
    assert services.retention.sweep(day("2026-02-28T23:59:59")).done == []
    assert services.ctx.cases.exists(cid)
    done = services.retention.sweep(day("2026-03-01T00:00:00")).done
    assert [(a.target, a.action, a.policy_id) for a in done if a.kind == "case"] == \
        [(f"case:{cid}", "delete", "inactive-open-case")]
    assert not services.ctx.cases.exists(cid)
    assert services.ctx.subjects.by_email("old@example.org") is None


# ---- closed cases, day by day ------------------------------------------------------------------------
def test_closed_case_loses_phone_then_technical_details_then_is_anonymised_on_the_exact_days(services):
    cid = add_case(services, received_at=day("2025-12-20T10:00:00"))
    services.cases.add_note(cid, "Customer Quillon rang from quillon@example.net")
    services.cases.rectify(cid, {"name": "Ada K. Lovelace"})
    close(services, cid, day("2026-01-10T09:00:00"), resolution="Told Ada to fix SPF")
    ret = services.retention
    assert list(services.cases.ids(_search("02079460001"))) == [cid]

    ret.sweep(day("2026-02-08T23:59:00"))
    assert services.cases.get(cid).phone == "+442079460001"
    ret.sweep(day("2026-02-09T00:00:00"))
    case = services.cases.get(cid)
    assert case.phone is None and case.technical_details is not None
    assert list(services.cases.ids(_search("02079460001"))) == []  # gone from the search index too
    assert list(services.cases.ids(_search("Lovelace"))) == [cid]

    ret.sweep(day("2026-04-09T12:00:00"))
    assert services.cases.get(cid).technical_details is not None
    ret.sweep(day("2026-04-10T00:00:01"))
    assert services.cases.get(cid).technical_details is None
    assert stored(services, cid) == ("2027-01-10T00:00:00+00:00", "closed-case")

    ret.sweep(day("2027-01-09T23:59:59"))
    assert not services.cases.get(cid).anonymised
    report = ret.sweep(day("2027-01-10T00:00:00"))
    assert [(a.target, a.action) for a in report.done] == [(f"case:{cid}", "anonymise"), ("subject:1", "delete")]
    case = services.cases.get(cid)
    assert case.anonymised
    assert (case.name, case.email, case.phone, case.description, case.technical_details, case.resolution,
            case.subject_id) == (None,) * 7
    assert (case.category.value, case.channel.value, case.status) == ("bounce", "email", Status.CLOSED)
    assert case.received_at == day("2025-12-20T10:00:00") and case.closed_at == day("2026-01-10T09:00:00")
    assert services.ctx.cases.notes(cid) == [] and services.ctx.cases.changes(cid) == []
    assert services.ctx.subjects.by_email("ada@example.org") is None
    assert list(services.cases.ids(_search("Lovelace"))) == []
    assert stored(services, cid) == (None, None)
    assert ret.describe_next_removal(cid).startswith("anonymised on")
    assert ret.plan(day("2099-01-01")) == []  # nothing more is ever removed from it


def _search(text: str):
    from desktop.domain.models import CaseQuery

    return CaseQuery(search=text)


# ---- legal holds -------------------------------------------------------------------------------------
def test_case_hold_blocks_every_removal_until_lifted(services):
    held = add_case(services, received_at=day("2020-01-01T00:00:00"))
    free = add_case(services, email="free@example.org", received_at=day("2020-01-01T00:00:00"))
    services.retention.set_hold(case_id=held, reason="Litigation hold for Ada Lovelace, ticket 4711")
    assert stored(services, held) == (None, None)
    assert services.retention.describe_next_removal(held).startswith("on legal hold")
    report = services.retention.sweep(day("2099-01-01"))
    assert [a.target for a in report.done if a.kind == "case"] == [f"case:{free}"]
    case = services.cases.get(held)
    assert case.name == "Ada Lovelace" and case.legal_hold_by == "tester"
    assert services.ctx.subjects.by_email("ada@example.org") is not None

    assert services.retention.lift_hold(case_id=held) is True
    assert services.retention.lift_hold(case_id=held) is False
    assert stored(services, held) == ("2021-12-31T00:00:00+00:00", "inactive-open-case")
    services.retention.sweep(day("2026-01-10T09:00:00"))
    assert not services.ctx.cases.exists(held)
    holds = [(e.action, e.target, e.detail) for e in services.ctx.audit_repo.entries() if e.action.startswith("hold")]
    assert holds == [("hold.lift", f"case:{held}", ""), ("hold.set", f"case:{held}", "")]


def test_subject_hold_covers_all_their_cases_consents_and_person_record(services):
    a = add_case(services, received_at=day("2020-01-01T00:00:00"), marketing_consent=True)
    b = add_case(services, received_at=day("2021-01-01T00:00:00"))
    sid = services.cases.get(a).subject_id
    services.ctx.subjects.withdraw_consents(sid, "marketing", day("2021-01-01T00:00:00"))
    assert services.retention.subject_id_for_email("  ADA@example.org ") == sid
    services.retention.set_hold(subject_id=sid, reason="regulator inquiry")
    assert stored(services, a) == (None, None) and stored(services, b) == (None, None)
    assert services.retention.plan(day("2099-01-01")) == []
    assert services.retention.sweep(day("2099-01-01")).done == []
    assert services.ctx.cases.exists(a) and services.ctx.cases.exists(b)
    services.retention.lift_hold(subject_id=sid)
    plan = services.retention.plan(day("2099-01-01"))
    assert {a.target for a in plan} >= {f"case:{a}", f"case:{b}", f"subject:{sid}"}


def test_hold_needs_a_reason_and_an_existing_target(services):
    cid = add_case(services)
    with pytest.raises(ValueError):
        services.retention.set_hold(case_id=cid, reason="   ")
    with pytest.raises(NotFound):
        services.retention.set_hold(case_id=999, reason="x")
    with pytest.raises(NotFound):
        services.retention.subject_id_for_email("nobody@example.org")
    assert services.cases.get(cid).legal_hold_reason is None


def test_a_hold_set_between_plan_and_sweep_is_respected(services, monkeypatch):
    cid = add_case(services, received_at=day("2020-01-01T00:00:00"))
    stale = services.retention.plan()
    services.retention.set_hold(case_id=cid, reason="late hold")
    monkeypatch.setattr(services.retention, "plan", lambda as_of=None: stale)
    report = services.retention.sweep()
    assert report.done == [] and {a.target for a in report.skipped} == {f"case:{cid}", "subject:1"}
    assert services.cases.get(cid).name == "Ada Lovelace"


def test_a_failing_case_is_rolled_back_alone_and_the_rest_are_swept(services, monkeypatch):
    first = add_case(services, received_at=day("2020-01-01T00:00:00"))
    bad = add_case(services, email="bad@example.org", received_at=day("2020-01-01T00:00:00"))
    last = add_case(services, email="last@example.org", received_at=day("2020-01-01T00:00:00"))
    real = services.retention.repo.purge
    batches = []

    def purge(**kw) -> None:
        real(**kw)  # the rows are gone inside the transaction ...
        batches.append(sorted(kw["delete"]))
        if bad in kw["delete"]:
            raise RuntimeError("simulated failure")  # ... and come back when it rolls back

    monkeypatch.setattr(services.retention.repo, "purge", purge)
    report = services.retention.sweep()
    # the batch of three failed as a whole, then was redone one case at a time
    assert batches == [sorted([first, bad, last]), [first], [bad], [last]]
    assert report.failed == [bad]
    assert not services.ctx.cases.exists(first) and not services.ctx.cases.exists(last)
    assert services.cases.get(bad).name == "Ada Lovelace"
    assert list(services.cases.ids(_search("bad@example.org"))) == [bad]  # still in the search index
    targets = [e.target for e in services.ctx.audit_repo.entries(action="retention.delete")]
    assert f"case:{bad}" not in targets and f"case:{first}" in targets and f"case:{last}" in targets
    assert verify_trail(*services.ctx.audit_repo.snapshot()) is None


def test_a_statement_failing_in_the_store_rolls_back_only_its_case(services):
    ids = [add_case(services, email=f"p{n}@example.org", received_at=day("2020-01-01T00:00:00")) for n in range(5)]
    bad = ids[2]
    services.vault.conn.execute(  # the store itself refuses to delete this one case
        f"CREATE TEMP TRIGGER refuse AFTER DELETE ON cases WHEN old.id = {bad}"
        " BEGIN SELECT RAISE(ABORT, 'simulated'); END")
    notes_before = services.ctx.cases.notes(bad), services.ctx.subjects.consents(services.cases.get(bad).subject_id)
    report = services.retention.sweep()
    assert report.failed == [bad]
    assert [a.target_id for a in report.done if a.kind == "case"] == [i for i in ids if i != bad]
    assert [i for i in ids if services.ctx.cases.exists(i)] == [bad]
    case = services.cases.get(bad)
    assert case.name == "Ada Lovelace" and case.email == "p2@example.org"
    assert (services.ctx.cases.notes(bad), services.ctx.subjects.consents(case.subject_id)) == notes_before
    assert list(services.cases.ids(_search("p2@example.org"))) == [bad]
    assert f"case:{bad}" not in {e.target for e in services.ctx.audit_repo.entries()
                                 if e.action.startswith("retention.")}


def test_sweeps_leave_the_search_index_merge_settings_as_they_were(services, monkeypatch):
    """A sweep turns FTS5's automatic merges off inside each batch (the final optimize merges
    anyway); no commit may keep them off, or the index would stop merging for good."""
    def settings() -> dict[str, int]:
        stored = dict(services.vault.read("SELECT k, v FROM cases_fts_config"))
        return {k: int(stored.get(k, default)) for k, default in (("automerge", 4), ("deletemerge", 10))}

    assert settings() == {"automerge": 4, "deletemerge": 10}
    first = add_case(services, received_at=day("2020-01-01T00:00:00"))
    bad = add_case(services, email="bad@example.org", received_at=day("2020-01-01T00:00:00"))
    kept = add_case(services, email="kept@example.org")
    real = services.retention.repo.purge

    def purge(**kw) -> None:
        real(**kw)  # merges are off and the index changed ...
        if bad in kw["delete"]:
            raise RuntimeError("simulated failure")  # ... then the batch (or the bad case) rolls back

    monkeypatch.setattr(services.retention.repo, "purge", purge)
    report = services.retention.sweep()
    assert report.failed == [bad] and not services.ctx.cases.exists(first)
    assert settings() == {"automerge": 4, "deletemerge": 10}
    monkeypatch.setattr(services.retention.repo, "purge", real)
    assert [a.target_id for a in services.retention.sweep().done if a.kind == "case"] == [bad]
    assert settings() == {"automerge": 4, "deletemerge": 10}
    assert list(services.cases.ids(_search("kept@example.org"))) == [kept]
    assert list(services.cases.ids(_search("bad@example.org"))) == []


# ---- children -------------------------------------------------------------------------------------------
def test_child_flag_deletes_at_the_next_sweep(services, clock):
    cid = add_case(services)
    keep = add_case(services, email="adult@example.org")
    services.retention.flag_child(cid)
    assert stored(services, cid) == ("2026-01-10T00:00:00+00:00", "child-record")
    report = services.retention.sweep()
    assert [(a.target, a.policy_id) for a in report.done if a.kind == "case"] == [(f"case:{cid}", "child-record")]
    assert not services.ctx.cases.exists(cid) and services.ctx.cases.exists(keep)
    entries = services.ctx.audit_repo.entries()
    assert any(e.action == "case.child_flag" and e.target == f"case:{cid}" for e in entries)


def test_child_flag_on_a_held_case_waits_for_the_hold(services):
    cid = add_case(services)
    services.retention.set_hold(case_id=cid, reason="court order")
    services.retention.flag_child(cid)
    assert services.retention.sweep().done == []
    services.retention.lift_hold(case_id=cid)
    assert [a.policy_id for a in services.retention.sweep().done if a.kind == "case"] == ["child-record"]


def test_child_flag_refused_on_an_anonymised_case(services):
    cid = add_case(services)
    close(services, cid, day("2024-01-01T00:00:00"))
    services.retention.sweep()
    with pytest.raises(RefusedError):
        services.retention.flag_child(cid)


# ---- consents, requests, people --------------------------------------------------------------------------
def test_standing_marketing_consent_keeps_the_person_and_withdrawn_proof_goes_after_three_years(services):
    cid = add_case(services, received_at=day("2020-01-01T00:00:00"), marketing_consent=True)
    sid = services.cases.get(cid).subject_id
    report = services.retention.sweep()
    assert [a.target for a in report.done] == [f"case:{cid}"]
    consents = services.ctx.subjects.consents(sid)
    assert [(c.kind, c.case_id) for c in consents] == [("marketing", None)]  # notice proof went with the case
    services.ctx.subjects.withdraw_consents(sid, "marketing", day("2026-02-15T10:00:00"))
    assert services.retention.plan(day("2029-02-14T23:59:59")) == []
    plan = services.retention.plan(day("2029-02-15T00:00:00"))
    assert [(a.kind, a.policy_id) for a in plan] == [("consent", "marketing-consent-proof"),
                                                     ("subject", "unused-subject")]
    services.retention.sweep(day("2029-02-15T00:00:00"))
    assert services.ctx.subjects.by_email("ada@example.org") is None


def test_request_records_leave_the_register_24_months_after_completion(services, clock):
    opened = services.requests.open("access", "someone@example.org").request
    clock.set(day("2026-01-20T10:00:00"))
    services.requests.refuse(opened.id, "could not verify identity")
    assert services.retention.plan(day("2028-01-19T23:59:59")) == []
    report = services.retention.sweep(day("2028-01-20T00:00:00"))
    assert [(a.target, a.policy_id) for a in report.done] == [(f"request:{opened.id}", "request-records")]
    with pytest.raises(NotFound):
        services.requests.get(opened.id)


# ---- plan == sweep, audit, compaction ---------------------------------------------------------------
def _mixed_store(services) -> dict[str, int]:
    ids = {
        "old_open": add_case(services, email="o1@example.org", received_at=day("2022-05-01T00:00:00")),
        "recent_open": add_case(services, email="o2@example.org", received_at=day("2025-09-01T00:00:00")),
        "closed_long_ago": add_case(services, email="c1@example.org", received_at=day("2023-01-01T00:00:00")),
        "closed_recently": add_case(services, email="c2@example.org", received_at=day("2025-11-01T00:00:00")),
        "held": add_case(services, email="h@example.org", received_at=day("2020-01-01T00:00:00")),
        "child": add_case(services, email="k@example.org"),
    }
    close(services, ids["closed_long_ago"], day("2023-02-01T00:00:00"))
    close(services, ids["closed_recently"], day("2025-12-01T00:00:00"))
    services.retention.set_hold(case_id=ids["held"], reason="dispute")
    services.retention.flag_child(ids["child"])
    return ids


@pytest.mark.parametrize("as_of", ["2026-01-10T09:00:00", "2026-06-01T00:00:00", "2030-01-01T00:00:00"])
def test_dry_run_lists_exactly_what_the_sweep_then_removes(services, as_of):
    ids = _mixed_store(services)
    before_cases = {cid: services.cases.get(cid) for cid in ids.values()}
    audit_before = len(services.ctx.audit_repo.raw_rows())
    plan = services.retention.plan(day(as_of))
    assert plan  # every scenario removes something
    assert len(services.ctx.audit_repo.raw_rows()) == audit_before  # a dry run writes nothing
    assert {cid: services.cases.get(cid) for cid in ids.values()} == before_cases
    report = services.retention.sweep(day(as_of))
    assert [a.key for a in report.done] == [a.key for a in plan]
    assert report.skipped == []
    assert services.retention.plan(day(as_of)) == []  # nothing left due
    assert services.cases.get(ids["held"]).name == "Ada Lovelace"
    for a in plan:
        if a.kind == "case" and a.action == "delete":
            assert not services.ctx.cases.exists(a.target_id)
        elif a.kind == "case" and a.action == "anonymise":
            assert services.cases.get(a.target_id).anonymised
        elif a.kind == "case":
            assert getattr(services.cases.get(a.target_id), a.what) is None


def test_sweep_in_many_small_batches_matches_the_plan_timers_audit_and_links(services, monkeypatch):
    for name in ("SWEEP_BATCH", "SWEEP_BATCH_MIN", "SWEEP_BATCH_MAX"):
        monkeypatch.setattr(retention_module, name, 2)
    batches = []
    real = services.retention._sweep_cases
    monkeypatch.setattr(services.retention, "_sweep_cases", lambda batch, *a: batches.append(len(batch)) or real(batch, *a))
    ids = _mixed_store(services)
    more = [add_case(services, email=f"m{n}@example.org", received_at=day("2025-10-01T00:00:00")) for n in range(3)]
    for cid in more:
        services.cases.add_note(cid, "a note")
        close(services, cid, day("2025-12-01T00:00:00"))
    old = add_case(services, email="o1@example.org", received_at=day("2022-06-01T00:00:00"))  # same person as old_open
    as_of = day("2026-06-01T00:00:00")
    head_before = services.ctx.audit_repo.head()
    plan = services.retention.plan(as_of)
    fields = [a for a in plan if a.kind == "case" and a.action == "remove_field"]
    assert {a.target_id for a in fields} >= set(more) and len({a.target_id for a in plan if a.kind == "case"}) > 4
    report = services.retention.sweep(as_of)
    assert [a.key for a in report.done] == [a.key for a in plan] and report.skipped == report.failed == []
    assert len(batches) > 2 and set(batches) <= {1, 2}
    assert not services.ctx.cases.exists(old) and not services.ctx.cases.exists(ids["old_open"])
    for cid in more:  # phone and technical details went in one sweep; the note stays
        case = services.cases.get(cid)
        assert (case.phone, case.technical_details, case.name) == (None, None, "Ada Lovelace")
        assert [n.body for n in services.ctx.cases.notes(cid)] == ["a note"]
    # the timers written with the removals are the ones a full recomputation gives
    kept = [cid for cid in [*ids.values(), *more] if services.ctx.cases.exists(cid)]
    written = services.ctx.cases.next_removal(kept)
    services.retention.refresh_all()
    assert services.ctx.cases.next_removal(kept) == written
    assert written[more[0]] == ("2026-12-01T00:00:00+00:00", "closed-case")
    # one audit entry per removal, in plan order, on an unbroken chain
    rows, head = services.ctx.audit_repo.snapshot()
    assert verify_trail(rows, head) is None
    removals = [(r[4], r[5]) for r in rows if r[0] > head_before.last_id and r[3] != "retention.sweep"]
    assert removals == [(a.target, f"policy={a.policy_id}" + (f";field={a.what}" if a.action == "remove_field" else ""))
                        for a in plan]
    assert head.count == head_before.count + len(plan) + 1
    assert services.vault.conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize(("seconds_per_batch", "sizes"), [(1.0, [4, 8, 8]), (8.0, [4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])])
def test_sweep_batches_are_sized_by_how_long_the_last_one_took(services, monkeypatch, seconds_per_batch, sizes):
    for name, value in (("SWEEP_BATCH", 4), ("SWEEP_BATCH_MIN", 1), ("SWEEP_BATCH_MAX", 8), ("SWEEP_BATCH_SECONDS", 2.0)):
        monkeypatch.setattr(retention_module, name, value)
    ticks = iter(range(0, 1000))
    services.retention.timer = lambda: next(ticks) * seconds_per_batch
    ids = [add_case(services, email=f"b{n}@example.org", received_at=day("2020-01-01T00:00:00")) for n in range(20)]
    batches = []
    real = services.retention._sweep_cases
    monkeypatch.setattr(services.retention, "_sweep_cases", lambda batch, *a: batches.append(len(batch)) or real(batch, *a))
    report = services.retention.sweep()
    assert batches == sizes
    assert [a.target_id for a in report.done if a.kind == "case"] == ids


def test_batched_audit_append_leaves_the_chain_single_appends_would(services, tmp_path):
    from desktop.domain.audit import entry_hash
    from desktop.store.audit_repo import _entry_hash

    tricky = ["", '"quoted" \\ back\\slash', "ünïcödé Ωμέγα 日本 😀", "\x00\x01\x1f\x7f\u2028\u2029", "tab\tnl\ncr\r"]
    for text in tricky:
        assert _entry_hash(*[text] * 6) == entry_hash(*[text] * 6)
    assert _entry_hash("0" * 64, "", "tester", "x", "y", None) == entry_hash("0" * 64, "", "tester", "x", "y", None)
    trail = services.ctx.audit_repo
    services.ctx.audit("test.start", "store")
    head = trail.head()
    entries = [("retention.delete", f"case:{n}", text) for n, text in enumerate(tricky)]
    ids = trail.append_many(day("2026-01-10T09:00:00"), "tester", entries)
    assert ids == list(range(head.last_id + 1, head.last_id + 1 + len(entries)))
    assert trail.append_many(day("2026-01-10T09:00:00"), "tester", []) == []
    rows, new_head = trail.snapshot()
    assert verify_trail(rows, new_head) is None  # every hash recomputed with domain entry_hash
    assert (new_head.count, new_head.last_id, new_head.hash) == (head.count + len(entries), ids[-1], rows[-1][7])
    # on two fresh stores, one append_many and as many append() calls leave identical trails
    at = day("2026-01-10T09:00:00")
    twins = [Vault.create(tmp_path / f"twin{n}.db", Key.passphrase(f"twin passphrase {n}")) for n in (1, 2)]
    try:
        one, many = (AuditRepo(v) for v in twins)
        one.append(at, "tester", "store.created", "store")
        many.append(at, "tester", "store.created", "store")
        one.append_many(at, "tester", entries)
        for action, target, detail in entries:
            many.append(at, "tester", action, target, detail)
        assert one.raw_rows() == many.raw_rows() and one.head() == many.head()
        assert len(one.raw_rows()) == len(entries) + 1
    finally:
        for v in twins:
            v.close()


def test_case_facts_read_from_the_store_match_the_domain_rules(services):
    ids = [
        add_case(services, email="a@example.org"),
        add_case(services, email="b@example.org", phone=""),
        add_case(services, email="c@example.org", technical_details=""),
        add_case(services, email="d@example.org", received_at=day("2025-03-04T23:30:00")),
        add_case(services, email="e@example.org"),
        add_case(services, email="f@example.org"),
        add_case(services, email="g@example.org"),
        add_case(services, email="h@example.org"),
    ]
    close(services, ids[1], day("2025-12-31T23:59:59"))
    services.cases.set_status(ids[2], Status.RESOLVED)
    services.retention.flag_child(ids[3])
    services.retention.set_hold(case_id=ids[4], reason="case hold")
    services.retention.set_hold(subject_id=services.cases.get(ids[5]).subject_id, reason="person hold")
    services.rights.restrict("g@example.org")
    close(services, ids[7], day("2024-01-01T00:00:00"))
    services.retention.sweep(day("2025-02-01T00:00:00"))  # anonymises ids[7]
    assert services.cases.get(ids[7]).anonymised
    got = services.retention.repo.case_facts(ids)
    for cid in ids:
        case = services.cases.get(cid)
        subject = services.ctx.subjects.get(case.subject_id) if case.subject_id else None
        assert got[cid] == (case.subject_id, r.facts_of(case, subject)), cid
    assert len({f for _, f in got.values()}) == len(ids)  # every case differs in what the rules read
    due = {cid: f for cid, _, f in services.retention.repo.due_case_facts(day("2099-01-01"))}
    assert all(due[cid] == got[cid][1] for cid in due)


def test_audit_entries_of_a_sweep_carry_ids_and_policies_only(services):
    cid = add_case(services, name="Quillon Marchetti", email="quillon@example.net",
                   received_at=day("2020-01-01T00:00:00"))
    services.retention.set_hold(case_id=cid, reason="Quillon Marchetti lawsuit")
    services.retention.lift_hold(case_id=cid)
    services.retention.sweep()
    rows = services.ctx.audit_repo.raw_rows()
    retention_rows = [r for r in rows if r[3].startswith(("retention.", "hold."))]
    assert {r[3] for r in retention_rows} >= {"retention.delete", "retention.sweep", "hold.set", "hold.lift"}
    for row in rows:
        text = " ".join(str(v) for v in row[1:6])
        for secret in PERSONAL + ("Marchetti", "lawsuit"):
            assert secret.lower() not in text.lower(), (row[3], secret)
    delete = next(r for r in retention_rows if r[3] == "retention.delete" and r[4] == f"case:{cid}")
    assert delete[5] == "policy=inactive-open-case"


def test_large_sweep_compacts_the_store(services):
    for n in range(60):
        add_case(services, email=f"p{n}@example.org", received_at=day("2020-01-01T00:00:00"),
                 technical_details="Received: hop\n" * 300)
    add_case(services, email="stay@example.org")
    pages = services.vault.pragma("page_count")
    calls = []
    report = services.retention.sweep(progress=lambda done, total: calls.append((done, total)))
    assert report.compacted
    assert services.vault.pragma("freelist_count") == 0
    assert services.vault.pragma("page_count") < pages / 2
    assert calls[-1][0] == calls[-1][1] and len(calls) >= 60


# ---- policies ------------------------------------------------------------------------------------------
def test_changing_a_policy_is_validated_audited_and_recomputes_timers(services):
    cid = add_case(services, received_at=day("2025-12-01T10:00:00"))
    close(services, cid, day("2026-01-10T09:00:00"))
    policies = [p.to_dict() for p in services.retention.policies()]
    next(p for p in policies if p["id"] == "phone-after-close")["period"] = 7
    services.retention.set_policies({"policies": policies})
    assert stored(services, cid) == ("2026-01-17T00:00:00+00:00", "phone-after-close")
    assert services.retention.policy("phone-after-close").period == 7
    assert services.settings.get("retention")["policies"][2]["period"] == 7
    entry = services.ctx.audit_repo.entries(action="retention.policies")[0]
    assert entry.detail == "changed=phone-after-close"

    bad = [dict(p) for p in policies]
    bad[0]["action"] = "shred"
    with pytest.raises(PolicyError):
        services.retention.set_policies(bad)
    assert services.retention.policy("closed-case").action == "anonymise"
    assert stored(services, cid) == ("2026-01-17T00:00:00+00:00", "phone-after-close")
