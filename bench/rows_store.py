"""Store-work rows (issue 17): an erasure's store work and planning with nothing due, in one process,
on the 100k store as the app keeps it (after its own sweep at unlock, here with nothing due).

- erase: `RightsService.erase` of one person with 2-3 cases (their erasure request opened and
  verified untimed), against bare sqlcipher3 erasing another such person of the same store as
  bench/cli_bare.py does: the same child rows, the search entries with FTS5's secure-delete, the
  person, in one transaction, then the WAL checkpoint. Target: at most 100 ms median (issue 17), and
  the file does not grow.
- plan: `RetentionService.plan` with nothing due against one look-up on the removal-time index
  (cli_bare.sweep_plan). Target: a few ms (< 5 ms median).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from bench import harness
from bench.harness import Row, Side, measure_pair
from bench.stores import Workspace
from desktop.store.order_keys import key_sql
from desktop.store.search import phone_tokens

QUIET = datetime(2000, 1, 1, tzinfo=UTC)  # an as-of time with nothing due in the demo data


def _people(conn, count: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT s.email FROM subjects s WHERE (SELECT count(*) FROM cases c WHERE c.subject_id = s.id) BETWEEN 2 AND 3"
        " AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.subject_id = s.id) ORDER BY s.id LIMIT ?", (count,))]


def raw_erase(conn, email: str, indexed: list[tuple]) -> None:
    """bench/cli_bare.py erase, on an open connection."""
    conn.execute("BEGIN IMMEDIATE")
    sid = conn.execute("SELECT id FROM subjects WHERE email = ?", (email,)).fetchone()[0]
    ids = [r[0] for r in conn.execute("SELECT id FROM cases WHERE subject_id = ?", (sid,))]
    marks = ",".join("?" * len(ids))
    for table in ("case_notes", "case_changes", "consents", "request_cases"):
        conn.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids)
    conn.executemany("INSERT INTO cases_fts(cases_fts, rowid, name, email, phone, description)"
                     " VALUES ('delete', ?, ?, ?, ?, ?)", indexed)
    conn.execute(f"DELETE FROM cases WHERE id IN ({marks})", ids)
    conn.execute("DELETE FROM consents WHERE subject_id = ?", (sid,))
    conn.execute("UPDATE requests SET subject_id = NULL WHERE subject_id = ?", (sid,))
    conn.execute("DELETE FROM subjects WHERE id = ?", (sid,))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _indexed(conn, email: str) -> list[tuple]:
    rows = conn.execute(
        f"SELECT {key_sql()}, coalesce(name, ''), coalesce(email, ''), phone, coalesce(description, '')"
        " FROM cases WHERE subject_id = (SELECT id FROM subjects WHERE email = ?) ORDER BY 1", (email,)).fetchall()
    return [(k, n, e, phone_tokens(p), d) for k, n, e, p, d in rows]


def store_rows(ws: Workspace, store, n: int, *, runs: int) -> list[Row]:
    path = ws.copy(store, "storework")
    services = ws.open(path)
    try:
        services.retention.sweep(QUIET)  # the app's own upkeep at unlock; nothing is due
        conn = ws.raw(path)
        try:
            return [_erase_row(services, conn, path, n, runs), _plan_row(services, conn, n, runs)]
        finally:
            conn.close()
    finally:
        services.close()


def _erase_row(services, conn, path, n: int, runs: int) -> Row:
    people = iter(_people(conn, 2 * (max(runs, harness.MIN_PAIRS) + 1)))
    segments = conn.execute("SELECT count(DISTINCT segid) FROM cases_fts_idx").fetchone()[0]
    grew = [0]

    def app_setup():
        req = services.requests.open("erasure", next(people)).request
        services.requests.record_verification(req.id, "reply_from_address", verified_by="bench")
        return req.id

    def base_setup():
        email = next(people)
        return email, _indexed(conn, email)

    def app_erase(request_id: int) -> None:
        size = os.path.getsize(path)
        services.rights.erase(request_id)
        grew[0] += max(0, os.path.getsize(path) - size)

    a, b = measure_pair(Side(app_erase, app_setup), Side(lambda s: raw_erase(conn, *s), base_setup), runs=runs, warmup=1)
    grew = grew[0]
    row = Row("store_erase", f"erasure's store work, one person with 2-3 cases ({n:,} cases)", a, b,
              extra_ok=a.median <= 0.100 and grew <= 0, extra_text="<= 100 ms median, file not grown",
              details={"index_segments": segments, "file_growth_bytes": grew})
    row.note = (f"RightsService.erase in process (request opened untimed); baseline = bare sqlcipher3, the same "
                f"deletes with FTS5 secure-delete in one transaction + checkpoint; search index in {segments} "
                f"segment(s); the erasures grew the file by {grew} bytes (stat before/after each, within the timing)")
    return row


def _plan_row(services, conn, n: int, runs: int) -> Row:
    as_of = QUIET.isoformat()
    a, b = measure_pair(Side(lambda _: services.retention.plan(QUIET)),
                        Side(lambda _: conn.execute("SELECT id FROM cases WHERE next_removal_at < ?"
                                                    " ORDER BY next_removal_at LIMIT 1", (as_of,)).fetchall()),
                        runs=runs, warmup=2)
    row = Row("store_plan", f"planning a sweep with nothing due ({n:,} cases)", a, b,
              extra_ok=a.median < 0.005, extra_text="< 5 ms median (a few ms)")
    row.note = "RetentionService.plan in process; baseline = one look-up on the removal-time index"
    return row
