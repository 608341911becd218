"""Rows that work on the store: import, save one intake, search, retention sweep."""

from __future__ import annotations

import os
import sqlite3
from itertools import count

from bench.harness import Row, Side, measure_pair
from bench.stores import NOW, SEED, Workspace
from desktop.domain.clock import to_iso
from desktop.domain.models import CaseQuery
from desktop.services.demo import DemoGenerator, write_web_form_file
from desktop.store.rows import CASE_COLUMNS
from desktop.store.search import phone_tokens

CASE_INSERT = (
    "INSERT INTO cases(name, email, phone, category, description, technical_details, channel, status,"
    " received_at, created_at, created_by, last_activity_at, notice_version, notice_acknowledged_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
FTS_INSERT = "INSERT INTO cases_fts(rowid, name, email, phone, description) VALUES (?,?,?,?,?)"


def _case_tuple(d) -> tuple:
    return (d.name, d.email, d.phone, d.category.value, d.description, d.technical_details, "web_form", "open",
            to_iso(d.received_at), to_iso(NOW), "bench", to_iso(NOW), d.notice_version, to_iso(NOW))


def _unlink(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass


# ---- import ------------------------------------------------------------------------------------
def raw_import(conn, cases: list[tuple], data: list) -> None:
    """The import baseline: the same rows into cases and the FTS index with executemany, one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    first = (conn.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0]) + 1
    conn.executemany(CASE_INSERT, cases)
    conn.executemany(FTS_INSERT, ((first + i, d.name, d.email, phone_tokens(d.phone), d.description)
                                  for i, d in enumerate(data)))
    conn.execute("COMMIT")


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


def import_row(ws: Workspace, n: int, *, runs: int) -> list[Row]:
    """Two rows: the import as `helpdesk-intake import` runs it, in a fresh process (bench/import_child.py),
    and the same import in the bench's own process, where SQLCipher's memory security is on, as in the
    window once it has been locked and unlocked (File > Import)."""
    csv_path = write_web_form_file(ws.root / f"forms-{n}.csv", n, seed=SEED + 1, now=NOW)
    data = [c.data for c in DemoGenerator(SEED + 1, NOW).cases(n)]
    cases = [_case_tuple(d) for d in data]
    empty = ws.empty_store()
    warm_csv = write_web_form_file(ws.root / "forms-warm.csv", min(n, 300), seed=SEED + 2, now=NOW)
    details = {"csv_mib": csv_path.stat().st_size / 2**20}
    baseline_text = ("baseline = executemany of the same rows into cases + FTS index in one transaction (no "
                     "parsing, validation, subjects, consents or audit)")

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
        raw_import(state[1], cases, data)

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

    row_tuple = _case_tuple(template)

    def base_body(_) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(CASE_INSERT, row_tuple)
        conn.execute("COMMIT")

    try:
        a, b = measure_pair(Side(lambda _: services.intake.submit(form())), Side(base_body), runs=runs, warmup=3)
    finally:
        services.close()
        conn.close()
    row = Row("save_one", f"save one intake ({n:,} cases in store)", a, b, target=3.0)
    row.note = ("app = validate + subject + case + FTS + consent + audit chain + commit (WAL, synchronous=FULL); "
                "baseline = one INSERT + commit, same pragmas")
    return row


# ---- search ------------------------------------------------------------------------------------
def search_terms(services) -> dict[str, str]:
    ids = list(services.cases.ids(CaseQuery(sort="id", descending=False))[:2000])
    cases = services.cases.rows(ids)
    name = email = None
    for i in ids[500:]:
        last = (cases[i].name or "").split()[-1]
        if name is None and last.isascii() and last.isalpha() and len(last) >= 7:
            name = last[:5].lower()
        local = (cases[i].email or "").split("@")[0]
        if email is None and local.isalpha() and len(local) >= 8:
            email = local[:6]
        if name and email:
            break
    return {"name fragment": name or "smith", "email fragment": email or "info", "description word": "spamhaus"}


LIST_PAGE = 200  # ids the window's case list reads first (CaseTableModel.BLOCK)


def search_rows(ws: Workspace, store, n: int, *, runs: int, page: int = 50) -> list[Row]:
    services = ws.open(store)
    conn = ws.raw(store)
    rows = []
    try:
        terms = search_terms(services)
        for label, term in terms.items():
            found = []

            def app_body(_, term=term, found=found) -> None:
                # as the window's list: first page of ids + the count (audited), then the rows on screen
                listing = services.cases.list_page(CaseQuery(search=term), LIST_PAGE)
                services.cases.rows(list(listing.ids[:page]))
                found.append(listing.total)

            def base_body(_, term=term) -> None:
                like = f"%{term}%"
                ids = [r[0] for r in conn.execute(
                    "SELECT id FROM cases WHERE name LIKE ?1 OR email LIKE ?1 OR phone LIKE ?1 OR description LIKE ?1"
                    " ORDER BY received_at DESC, id DESC", (like,))]
                marks = ",".join("?" * len(ids[:page]))
                conn.execute(f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({marks})", ids[:page]).fetchall()

            a, b = measure_pair(Side(app_body), Side(base_body), runs=runs, warmup=2)
            row = Row(f"search_{label.split()[0]}", f"search {label} ({n:,} cases)", a, b, kind="faster",
                      target=10.0, extra_ok=a.median < 0.020, extra_text="< 20 ms median",
                      details={"matches": found[-1] if found else None})
            row.note = f"{found[-1] if found else '?'} matches for a {len(term)}-character term; first page of {page} rows fetched"
            rows.append(row)
    finally:
        services.close()
        conn.close()
    return rows


def search_median(ws: Workspace, store, term: str, runs: int) -> float:
    """Median seconds for one search + first page (for the scaling rows)."""
    from bench.harness import measure

    services = ws.open(store)
    try:
        def body(_) -> None:
            listing = services.cases.list_page(CaseQuery(search=term), LIST_PAGE)  # as the window's list
            services.cases.rows(list(listing.ids[:50]))
        return measure(Side(body), runs=runs, warmup=2).median
    finally:
        services.close()


# ---- retention sweep ---------------------------------------------------------------------------
def stdlib_delete(path, ids: list[int]) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany("DELETE FROM cases WHERE id = ?", ((i,) for i in ids))
    conn.execute("COMMIT")
    conn.close()


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


def sweep_template(ws: Workspace, store, key=None):
    """A copy of `store` with the bench policies set and every timer computed (untimed set-up)."""
    path = ws.copy(store, "sweep-template")
    services = ws.open(path, key)
    try:
        bench_policies(services)
        due = retention_for(services).plan(NOW)
    finally:
        services.close()
    return path, sorted({a.target_id for a in due if a.kind == "case" and a.what == "case"})


def sweep_row(ws: Workspace, store, n: int, *, runs: int) -> Row:
    try:
        import desktop.services.retention  # noqa: F401
    except ImportError as exc:
        return Row("sweep", f"retention sweep ({n:,} cases)", target=3.0,
                   unavailable=f"retention sweeps are not in the app yet ({exc})")
    template, removed = sweep_template(ws, store)
    plain = ws.stdlib_copy(template)
    reports = []

    def app_setup():
        return ws.copy(template, "sweep-app")

    def app_body(path) -> float:
        """A fresh process, as a scheduled `helpdesk-intake sweep` (see bench/sweep_child.py)."""
        import json
        import subprocess
        import sys

        from bench.rows_gui import ROOT, _env

        done = subprocess.run([sys.executable, "-m", "bench.sweep_child", str(path)], input=ws.key.secret + "\n",
                              capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"sweep child failed: {done.stderr.strip()[-300:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        reports.append(result)
        return result["seconds"]

    def base_setup():
        return ws.copy(plain, "sweep-plain")

    a, b = measure_pair(Side(app_body, app_setup, _unlink, self_timed=True),
                        Side(lambda p: stdlib_delete(p, removed), base_setup, _unlink), runs=runs, warmup=0)
    rep = reports[-1]
    deleted = rep["cases_removed"]
    row = Row("sweep", f"retention sweep removing {deleted:,} of {n:,} cases", a, b, target=3.0,
              details={"cases_removed": deleted, "actions": rep["actions"], "compacted": rep["compacted"]})
    row.note = (f"{rep['actions']:,} actions in all (cases, phone/technical-detail fields, people); FTS optimize, "
                f"WAL truncate{', VACUUM' if rep['compacted'] else ''}; app timed inside a fresh process as a "
                "scheduled `sweep` runs (bench/sweep_child.py); baseline = stdlib sqlite3 DELETE of the same "
                "case rows on an unencrypted copy")
    return row
