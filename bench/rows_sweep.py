"""Retention sweep: the app's sweep in a fresh process against a like-for-like raw sqlcipher3 sweep.

v2 baseline (issue 17): a fresh process with bare sqlcipher3 and the store's pragmas (secure_delete,
foreign keys, WAL, synchronous=FULL) makes the same removals the app's plan names, in one
transaction: the child rows (notice consents, notes, change history, request links) and the
search-index entries of removed cases, the cases, the cleared fields (phone, technical details; a
cleared phone's index entry rewritten), anonymised cases, withdrawn consents, closed requests and
the people nothing needs; then it checkpoints and truncates the WAL. Its search index deletes with
FTS5 'delete' command, recorded rather than secure for a bulk removal, as the app's sweep
does; the app then merges the index once, the baseline does not). Not in the baseline: the app's plan,
its re-check inside each batch, its audit entry per removal, batching, and VACUUM (which only
reclaims space). The plan is computed untimed and handed to both sides as the same store copy.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.harness import Row, Side, measure_pair
from bench.stores import NOW, Workspace

ID_BITS = 30
KEY_SQL = f"(-((CAST(strftime('%s', received_at) AS INTEGER) << {ID_BITS}) + id))"


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def plan_of(actions, conn=None) -> dict:
    """The app's plan (PlannedAction list) as plain id lists for the raw sweep, with the search
    entries it removes as they were indexed (read untimed from `conn`: the phone tokens are the
    app's own computation)."""
    out: dict[str, list[int]] = {"delete": [], "anonymise": [], "phone": [], "technical_details": [],
                                 "consent": [], "request": [], "subject": []}
    for a in actions:
        if a.kind == "case":
            key = a.action if a.what == "case" else a.what
            out.setdefault(key, []).append(a.target_id)
        else:
            out[a.kind].append(a.target_id)
    plan = {k: sorted(set(v)) for k, v in out.items()}
    plan["indexed"] = []
    if conn is not None:
        from desktop.store.search import phone_tokens

        for chunk in _chunks(sorted(set(plan["delete"]) | set(plan["anonymise"]) | set(plan["phone"]))):
            plan["indexed"] += [(k, n, e, phone_tokens(p), d) for k, n, e, p, d in conn.execute(
                f"SELECT {KEY_SQL}, coalesce(name, ''), coalesce(email, ''), phone, coalesce(description, '')"
                f" FROM cases WHERE anonymised_at IS NULL AND id IN ({','.join('?' * len(chunk))})", chunk)]
        plan["indexed"].sort()
    return plan


def raw_sweep(conn, plan: dict, at_iso: str) -> None:
    """The same removals as the app's sweep, set-based, one transaction (see the module text)."""
    c = conn
    c.execute("BEGIN IMMEDIATE")
    whole = sorted(set(plan["delete"]) | set(plan["anonymise"]))
    deleted = set(plan["delete"])
    for chunk in _chunks(whole):
        marks = ",".join("?" * len(chunk))
        c.execute(f"DELETE FROM consents WHERE case_id IN ({marks}) AND kind <> 'marketing'", chunk)
        c.execute(f"UPDATE consents SET case_id = NULL WHERE case_id IN ({marks})", chunk)
        c.execute(f"DELETE FROM case_notes WHERE case_id IN ({marks})", chunk)
        c.execute(f"DELETE FROM case_changes WHERE case_id IN ({marks})", chunk)
        c.execute(f"DELETE FROM request_cases WHERE case_id IN ({marks})", chunk)
    for chunk in _chunks(sorted(deleted)):
        c.execute(f"DELETE FROM cases WHERE id IN ({','.join('?' * len(chunk))})", chunk)
    c.executemany("UPDATE cases SET name = NULL, email = NULL, phone = NULL, description = NULL,"
                  " technical_details = NULL, resolution = NULL, subject_id = NULL, anonymised_at = ?,"
                  " next_removal_at = NULL, next_removal_policy = NULL WHERE id = ?",
                  [(at_iso, cid) for cid in plan["anonymise"]])
    for field in ("phone", "technical_details"):
        ids = [cid for cid in plan[field] if cid not in deleted and cid not in plan["anonymise"]]
        c.executemany(f"UPDATE cases SET {field} = NULL, next_removal_at = NULL, next_removal_policy = NULL"
                      " WHERE id = ?", [(cid,) for cid in ids])
        for chunk in _chunks(ids):
            c.execute(f"DELETE FROM case_changes WHERE case_id IN ({','.join('?' * len(chunk))}) AND field = ?",
                      (*chunk, field))
    reindex: list[tuple] = []
    for chunk in _chunks([cid for cid in plan["phone"] if cid not in deleted]):
        reindex += c.execute(f"SELECT {KEY_SQL}, coalesce(name, ''), coalesce(email, ''), '',"
                             f" coalesce(description, '') FROM cases WHERE id IN ({','.join('?' * len(chunk))})",
                             chunk).fetchall()
    for chunk in _chunks(plan["consent"]):
        c.execute(f"DELETE FROM consents WHERE id IN ({','.join('?' * len(chunk))})", chunk)
    for chunk in _chunks(plan["request"]):
        c.execute(f"DELETE FROM requests WHERE id IN ({','.join('?' * len(chunk))})", chunk)
    for chunk in _chunks(plan["subject"]):
        c.execute(f"DELETE FROM subjects WHERE id IN ({','.join('?' * len(chunk))})", chunk)
    c.execute("INSERT INTO cases_fts(cases_fts, rank) VALUES ('secure-delete', 0)")  # bulk: as the app's sweep
    c.executemany("INSERT INTO cases_fts(cases_fts, rowid, name, email, phone, description)"
                  " VALUES ('delete', ?, ?, ?, ?, ?)", plan["indexed"])
    c.execute("INSERT INTO cases_fts(cases_fts, rank) VALUES ('secure-delete', 1)")
    c.executemany("INSERT INTO cases_fts(rowid, name, email, phone, description) VALUES (?,?,?,?,?)", sorted(reindex))
    c.execute("COMMIT")
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _child(ws: Workspace, args: list[str]) -> dict:
    import subprocess
    import sys

    from bench.rows_gui import ROOT, _env

    done = subprocess.run([sys.executable, "-m", "bench.sweep_child", *args], input=ws.key.secret + "\n",
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"sweep child failed: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweep_template(ws: Workspace, store, key=None):
    """A copy of `store` with the bench policies set and every timer computed (untimed set-up), and
    the plan a sweep at NOW makes on it."""
    from bench.rows_data import bench_policies, retention_for

    path = ws.copy(store, "sweep-template")
    services = ws.open(path, key)
    try:
        bench_policies(services)
        due = retention_for(services).plan(NOW)
    finally:
        services.close()
    return path, due


def sweep_row(ws: Workspace, store, n: int, *, runs: int) -> Row:
    template, due = sweep_template(ws, store)
    plan_file = ws.root / "sweep-plan.json"
    conn = ws.raw(template)
    plan_file.write_text(json.dumps(plan_of(due, conn)), encoding="utf-8")
    conn.close()
    base_template = template
    reports: list[dict] = []

    def body(mode: str):
        def run(path: Path) -> float:
            got = _child(ws, [mode, str(path), str(plan_file)])
            reports.append(got)
            return got["seconds"]
        return run

    from bench.rows_data import _unlink

    a, b = measure_pair(Side(body("app"), lambda: ws.copy(template, "sweep-app"), _unlink, self_timed=True),
                        Side(body("base"), lambda: ws.copy(base_template, "sweep-base"), _unlink, self_timed=True),
                        runs=runs, warmup=0)
    rep = next(r for r in reversed(reports) if r["mode"] == "app")
    base = next(r for r in reversed(reports) if r["mode"] == "base")
    row = Row("sweep", f"retention sweep removing {rep['cases_removed']:,} of {n:,} cases", a, b, target=2.0,
              details={"app": rep, "base": base})
    row.note = (f"{rep['actions']:,} actions (cases, fields, people); app: plan, re-check, purge, audit per removal, "
                f"search-index clean-up, WAL truncate{', VACUUM' if rep['compacted'] else ''}, fresh process as a "
                "scheduled `sweep`; baseline: raw sqlcipher3, same pragmas, the same rows, child rows, index entries "
                f"(FTS5 'delete', bulk) and people removed in one transaction + WAL truncate; file after: app "
                f"{rep['mib_after']:.0f} MiB, base {base['mib_after']:.0f} MiB")
    return row
