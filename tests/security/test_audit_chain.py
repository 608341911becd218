"""The audit trail detects edited, deleted, inserted, reordered and truncated entries."""

from __future__ import annotations

import csv

import pytest

from desktop.domain.audit import entry_hash
from tests.helpers.factories import add_case


@pytest.fixture
def trail(services):
    """A store with a trail of 8 entries: create + 3 cases + 3 views + 1 settings change."""
    services.ctx.audit("store.create", "store", "key=passphrase")
    ids = [add_case(services, email=f"p{i}@example.org") for i in range(3)]
    for cid in ids:
        services.cases.detail(cid)
    services.settings.set("app", {"idle_lock_minutes": 7})
    result = services.audit.verify()
    assert result.ok and result.count == 8
    return services


def sql(services, statement, params=()):
    services.vault.conn.execute(statement, params)


def broken(services):
    result = services.audit.verify()
    assert not result.ok, "tampering went unnoticed"
    return result.broken


def test_intact_trail_verifies(trail):
    assert trail.audit.verify().message().startswith("audit trail intact: 8 entries")


def test_edited_entry_is_named(trail):
    sql(trail, "UPDATE audit SET target = 'case:99' WHERE id = 4")
    b = broken(trail)
    assert b.entry_id == 4 and "edited" in b.reason


def test_edited_entry_with_recomputed_own_hash_breaks_next_link(trail):
    row = trail.vault.conn.execute("SELECT prev_hash, at, staff, action, detail FROM audit WHERE id=4").fetchone()
    h = entry_hash(row[0], row[1], row[2], row[3], "case:99", row[4])
    sql(trail, "UPDATE audit SET target='case:99', hash=? WHERE id=4", (h,))
    assert broken(trail).entry_id == 5


def test_deleted_middle_entry_is_named(trail):
    sql(trail, "DELETE FROM audit WHERE id = 3")
    b = broken(trail)
    assert b.entry_id == 4 and "entry 3" in b.reason and "missing" in b.reason


def test_deleted_first_entry_is_detected(trail):
    sql(trail, "DELETE FROM audit WHERE id = 1")
    assert broken(trail).entry_id == 2


def test_inserted_entry_is_named(trail):
    # make room after entry 5 and slip a fabricated entry in as id 6
    sql(trail, "UPDATE audit SET id = id + 100 WHERE id > 5")
    sql(trail, "UPDATE audit SET id = id - 99 WHERE id > 100")
    sql(trail, "INSERT INTO audit(id, at, staff, action, target, detail, prev_hash, hash) "
               "SELECT 6, at, staff, 'case.view', 'case:1', '', prev_hash, hash FROM audit WHERE id = 5")
    b = broken(trail)
    assert b.entry_id == 6


def test_forged_entry_appended_at_the_end_is_detected(trail):
    last_id, last_hash = trail.vault.conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    h = entry_hash(last_hash, "2026-01-10T09:00:00+00:00", "tester", "case.view", "case:1", "")
    sql(trail, "INSERT INTO audit(at, staff, action, target, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
        ("2026-01-10T09:00:00+00:00", "tester", "case.view", "case:1", "", last_hash, h))
    b = broken(trail)
    assert b.entry_id == last_id + 1 and "inserted" in b.reason


def test_reordered_entries_are_named(trail):
    rows = trail.vault.conn.execute(
        "SELECT id, at, staff, action, target, detail, prev_hash, hash FROM audit WHERE id IN (5, 6) ORDER BY id"
    ).fetchall()
    a, b_ = rows
    for target_id, src in ((5, b_), (6, a)):
        sql(trail, "UPDATE audit SET at=?, staff=?, action=?, target=?, detail=?, prev_hash=?, hash=? WHERE id=?",
            (*src[1:], target_id))
    assert broken(trail).entry_id == 5


@pytest.mark.parametrize("cut", [1, 3])
def test_tail_truncation_is_detected(trail, cut):
    count = trail.vault.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    sql(trail, "DELETE FROM audit WHERE id > ?", (count - cut,))
    b = broken(trail)
    assert b.entry_id == count - cut + 1 and "truncated" in b.reason


def test_emptied_trail_is_detected(trail):
    sql(trail, "DELETE FROM audit")
    assert "emptied" in broken(trail).reason


def test_removed_head_record_is_detected(trail):
    sql(trail, "DELETE FROM meta WHERE key = 'audit_head'")
    assert "head" in broken(trail).reason


def test_entries_filter_by_action_case_and_date(trail, clock):
    views = trail.audit.entries(action="case.view")
    assert [e.target for e in views] == ["case:3", "case:2", "case:1"]
    assert {e.action for e in trail.audit.entries(case_id=2)} == {"case.create", "case.view"}
    clock.advance(days=2)
    trail.cases.detail(1)
    since = clock.now()
    recent = trail.audit.entries(since=since)
    assert [(e.action, e.target) for e in recent] == [("case.view", "case:1")]
    assert all(e.at < since for e in trail.audit.entries(until=since))


def test_case_filter_matches_import_ranges(services, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("name,email,description,category\n"
                   + "".join(f"N{i},n{i}@example.org,bounce issue {i},bounce\n" for i in range(4)),
                   encoding="utf-8")
    report = services.importer.import_file(src)
    middle = report.case_ids[2]
    assert [e.action for e in services.audit.entries(case_id=middle)] == ["case.import"]


def test_export_writes_ids_only_and_is_audited(trail, tmp_path):
    out = tmp_path / "audit.csv"
    n = trail.audit.export(out)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][:5] == ["id", "at", "staff", "action", "target"]
    assert len(rows) == n + 1 and n == 8
    text = out.read_text(encoding="utf-8")
    assert "example.org" not in text and "Ada" not in text
    assert trail.audit.entries(action="audit.export")
    with pytest.raises(FileExistsError):
        trail.audit.export(out)


def test_failed_unlocks_are_recorded_at_next_unlock(store_path, clock):
    from desktop.app import open_services
    from desktop.errors import WrongKeyError
    from desktop.services.audit import UnlockAttempts
    from desktop.store.keys import Key
    from desktop.store.vault import Vault
    from tests.conftest import PASSPHRASE

    Vault.create(store_path, Key.passphrase(PASSPHRASE)).close()
    attempts = UnlockAttempts()
    for guess in ("wrong one 1", "wrong one 2"):
        with pytest.raises(WrongKeyError):
            open_services(store_path, Key.passphrase(guess), clock=clock)
        attempts.failed(clock.now())
    svc = open_services(store_path, Key.passphrase(PASSPHRASE), clock=clock,
                        failed_unlocks=attempts.pending())
    attempts.clear()
    try:
        entries = svc.audit.entries()
        assert [(e.action, e.detail) for e in entries[:2]] == [("store.unlock", "key=passphrase"),
                                                              ("store.unlock_failed", "count=2")]
        assert "wrong one" not in repr(entries)
        assert svc.audit.verify().ok
    finally:
        svc.close()


def test_truncation_stays_visible_after_new_entries(trail):
    sql(trail, "DELETE FROM audit WHERE id > 6")
    trail.cases.detail(1)  # the app keeps working and auditing
    b = broken(trail)
    assert b.entry_id == 9 and "entries 7-8" in b.reason
