"""Rows that write to the store: import and save one intake (search: rows_search.py; sweep: rows_sweep.py)."""

from __future__ import annotations

import os
from itertools import count

from bench.baselines import full_import, prepare, save_one
from bench.harness import Row, Side, measure_pair
from bench.stores import NOW, SEED, Workspace
from desktop.services.demo import DemoGenerator, write_web_form_file
from desktop.store.search import phone_tokens


def _unlink(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass


# ---- import ------------------------------------------------------------------------------------
def _child(args: list[str], secret: str) -> dict:
    import json
    import subprocess
    import sys

    from bench.rows_gui import ROOT, _env

    done = subprocess.run([sys.executable, *args], input=secret + "\n", capture_output=True, text=True,
                          env=_env(), cwd=ROOT, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{args[1]} failed: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def import_row(ws: Workspace, n: int, *, runs: int, inproc_n: int | None = None) -> list[Row]:
    """Two rows: the import as `helpdesk-intake import` runs it, in a fresh process (bench/import_child.py),
    and the same import in the bench's own process, where SQLCipher's memory security is on, as in the
    window once it has been locked and unlocked (File > Import), of inproc_n rows (5 pairs of a 100k
    import with memory security on would take most of the bench's time budget)."""
    csv_path = write_web_form_file(ws.root / f"forms-{n}.csv", n, seed=SEED + 1, now=NOW)
    empty = ws.empty_store()
    warm_csv = write_web_form_file(ws.root / "forms-warm.csv", min(n, 300), seed=SEED + 2, now=NOW)
    details = {"csv_mib": csv_path.stat().st_size / 2**20}
    baseline_text = ("baseline = raw sqlcipher3 writing the same people, every case column (timers too), consents, "
                     "search entries and audit entry set-based in one transaction (bench/baselines.py; no parsing, "
                     "validation, refusal checks or retention rules)")

    # fresh processes, both sides
    results: list[dict] = []

    def child_side(mode: str) -> Side:
        def body(path) -> float:
            got = _child(["-m", "bench.import_child", mode, str(path), str(csv_path), str(n)], ws.key.secret)
            results.append(got)
            return got["seconds"]
        return Side(body, lambda: ws.copy(empty, f"import-{mode}"), _unlink, self_timed=True)

    a, b = measure_pair(child_side("app"), child_side("base"), runs=runs, warmup=0)
    fresh = Row("import", f"import {n:,} web-form submissions (CSV)", a, b, target=2.0,
                details={**details, "rows_per_s": n / a.median})
    fresh.note = (f"{n / a.median:,.0f} rows/s; both sides in fresh processes, as `helpdesk-intake import` runs "
                  f"(bench/import_child.py); {baseline_text}")
    bad = [r for r in results if r["errors"] or r["rows"] != n]
    if bad:
        fresh.extra_ok = False
        fresh.note += f"; IMPORT REJECTED ROWS: {bad[0]}"

    # in the bench process (memory security on)
    n = inproc_n or n
    csv_path = write_web_form_file(ws.root / f"forms-{n}.csv", n, seed=SEED + 1, now=NOW)
    data = [c.data for c in DemoGenerator(SEED + 1, NOW).cases(n)]
    prepared = prepare(data, phone_tokens=phone_tokens)
    def app_setup():
        return ws.open(ws.copy(empty, "import-app"))

    def app_teardown(services) -> None:
        path = services.vault.path
        services.close()
        _unlink(path)

    def base_setup():
        path = ws.copy(empty, "import-raw")
        return path, ws.raw(path)

    def base_body(state) -> None:
        full_import(state[1], prepared, now=NOW)

    def base_teardown(state) -> None:
        path, conn = state
        conn.close()
        _unlink(path)

    reports = []
    warm = app_setup()
    warm.importer.import_file(warm_csv)
    app_teardown(warm)
    app = Side(lambda s: reports.append(s.importer.import_file(csv_path)), app_setup, app_teardown)
    base = Side(base_body, base_setup, base_teardown)
    a, b = measure_pair(app, base, runs=runs, warmup=0)
    inproc = Row("import_inproc", f"import {n:,} (CSV), memory security on", a, b, target=2.0,
                 details={**details, "rows_per_s": n / a.median})
    inproc.note = (f"{n / a.median:,.0f} rows/s; the same import in the bench process, where SQLCipher's "
                   "process-wide memory security is on, as in the window once it has been locked and unlocked "
                   f"(File > Import); {baseline_text}, same process")
    bad = [r for r in reports if r.errors or len(r.case_ids) != n]
    if bad:
        inproc.extra_ok = False
        inproc.note += f"; IMPORT REJECTED ROWS: {bad[0].errors[:1]}"
    return [fresh, inproc]


# ---- save one intake ---------------------------------------------------------------------------
def save_row(ws: Workspace, store, n: int, *, runs: int) -> Row:
    services = ws.open(ws.copy(store, "save-app"))
    raw_path = ws.copy(store, "save-raw")
    conn = ws.raw(raw_path)
    seq = count()
    template = next(iter(DemoGenerator(SEED + 3, NOW).cases(1))).data

    def form() -> dict:
        i = next(seq)
        return {"name": template.name, "email": f"bench.save{i}@example.org", "phone": "+44 20 7946 0018",
                "category": template.category.value, "description": template.description,
                "technical_details": template.technical_details, "channel": "phone",
                "notice_acknowledged": True, "not_a_child": True}

    one = prepare([template], phone_tokens=phone_tokens).rows[0]

    def base_body(_) -> None:
        save_one(conn, one, f"bench.raw{next(seq)}@example.org", now=NOW)

    try:
        a, b = measure_pair(Side(lambda _: services.intake.submit(form())), Side(base_body), runs=runs, warmup=3)
    finally:
        services.close()
        conn.close()
    row = Row("save_one", f"save one intake ({n:,} cases in store)", a, b, target=3.0)
    row.note = ("app = validate + subject + case + FTS + consent + audit chain + commit (WAL, synchronous=FULL); "
                "baseline = raw sqlcipher3: new person, case with every column, consent, search entry, audit entry, "
                "one commit, same pragmas")
    return row


# ---- retention set-up (rows_sweep.py, rows_cycle.py) ---------------------------------------
def retention_for(services):
    from desktop.services.retention import RetentionService

    return getattr(services, "retention", None) or RetentionService(services.ctx, services.settings)


def bench_policies(services) -> None:
    """The shipped policies, with closed cases deleted (not anonymised) a year after closing, so a
    sweep of the demo data removes about half of the cases."""
    retention = retention_for(services)
    policies = [p.to_dict() for p in retention.policies()]
    for p in policies:
        if p["id"] == "closed-case":
            p["action"] = "delete"
    retention.set_policies({"policies": policies})
