"""A WPForms entries export imported as `helpdesk-intake import` runs it (issue 15), against bench v2's
import baseline. Registered in bench/__main__.py as the row "form"; also runs on its own:

    python -m bench.rows_form [--count 20000] [--runs 3]     this row only, without the main store
    python -m bench.rows_form child app|base STORE CSV N     one side in a fresh process (raw key on stdin)

The export is written as WPForms writes it (src/Pro/Admin/Entries/Export/File.php: fputcsv, ','
separator, no BOM, '\\n' line ends; Ajax.php: 'Name: First' / 'Name: Last', 'Entry ID', 'Entry Date'
in the site's 'F j, Y g:i a'; src/Pro/Helpers/CSV.php: one ' before a value that starts with
= - + @ tab or CR), with the demo generator's invented people. The app side plans and runs the import
(services.form_import, what commands/form_import.py calls: read, detect the profile, map, validate,
check erasures and refusals, store with provenance). The baseline is bench/baselines.py full_import
on the same submissions parsed untimed, plus the provenance rows the import keeps, in the same
transaction: every case column and index entry, no parsing, mapping or validation.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SITE_TZ = "Europe/London"
LABELS = {"bounce": "Emails are bouncing", "spam_folder": "Mail lands in spam",
          "spf_dkim_dmarc": "SPF / DKIM / DMARC fails", "smtp_auth": "Cannot log in to send",
          "connection_tls": "Connection or TLS error", "rate_limit_blocklist": "Blocked or rate limited",
          "other": "Something else"}
HEADER = ["Name: First", "Name: Last", "Email", "Phone", "What is the problem?", "Message",
          "Technical details", "Newsletter", "I am 13 or older", "Entry ID", "Entry Date"]
FORMULA_START = ("=", "-", "+", "@", "\t", "\r")


def _defused(value: str) -> str:
    """What WPForms Pro's CSV::escape_value writes for a cell."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _site_time(when: datetime) -> str:
    local = when.astimezone(ZoneInfo(SITE_TZ))
    return f"{local:%B} {local.day}, {local.year} {local.hour % 12 or 12}:{local:%M} {local:%p}".replace(
        "AM", "am").replace("PM", "pm")


def submissions(n: int):
    from bench.stores import NOW, SEED
    from desktop.services.demo import DemoGenerator

    return [c.data for c in DemoGenerator(SEED + 4, NOW).cases(n)]


def write_wpforms_export(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER)
        for i, d in enumerate(submissions(n), start=1):
            first, _, last = d.name.rpartition(" ") if " " in d.name else (d.name, "", "")
            out.writerow([_defused(v) for v in (
                first, last, d.email, d.phone or "", LABELS[d.category.value], d.description,
                d.technical_details or "", "Newsletter" if d.marketing_consent else "", "I am 13 or older", str(i), _site_time(d.received_at))])
    return path


def import_request(csv_path: Path):
    from desktop.services.form_import import ImportRequest

    return ImportRequest(csv_path, timezone=SITE_TZ, phone_region="GB",
                         category_maps=[f"{label}={cat}" for cat, label in LABELS.items()])


# ---- one side, in a fresh process -------------------------------------------------------------
def child(mode: str, store: Path, csv_path: Path, n: int, secret: str) -> dict:
    from bench.stores import NOW
    from desktop.store.keys import Key

    key = Key("raw", secret)
    if mode == "app":
        from desktop.app import build_services
        from desktop.domain.clock import FixedClock
        from desktop.store.vault import Vault

        services = build_services(Vault.open(store, key), clock=FixedClock(NOW), staff="bench")
        t0, c0 = time.perf_counter(), time.process_time()
        svc = services.form_import
        report = svc.run(svc.plan(import_request(csv_path)))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        got = {"rows": report.imported, "errors": len(report.refused) + len(report.held),
               "first_error": (report.refused or report.held or [None])[0].__repr__(),
               "profile": report.profile, "phone_unchecked": len(report.phone_unchecked)}
        services.close()
        return {"seconds": elapsed, "cpu_seconds": cpu, **got}
    import sqlcipher3

    from bench.baselines import full_import, iso, prepare
    from bench.stores import RAW_PRAGMAS
    from desktop.store.search import phone_tokens

    prepared = prepare(submissions(n), phone_tokens=phone_tokens)  # the export's rows, parsed untimed
    keys = [f"wpforms:entry:{i}" for i in range(1, n + 1)]
    conn = sqlcipher3.connect(str(store), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    for pragma in RAW_PRAGMAS:
        conn.execute(pragma).fetchall()
    t0, c0 = time.perf_counter(), time.process_time()
    full_import(_WithProvenance(conn, keys, iso(NOW)), prepared, now=NOW)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    conn.close()
    return {"seconds": elapsed, "cpu_seconds": cpu, "rows": len(prepared.rows), "errors": 0}


class _WithProvenance:
    """The connection full_import writes through; before its COMMIT, the import's provenance rows
    (desktop/store/import_repo.py: key, case id, profile, time) go into the same transaction."""

    def __init__(self, conn, keys: list[str], at: str) -> None:
        self.conn, self.keys, self.at = conn, keys, at

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            last = self.conn.execute("SELECT max(id) FROM cases").fetchone()[0]
            first = last - len(self.keys) + 1
            self.conn.executemany("INSERT INTO import_provenance(key, case_id, profile, imported_at) VALUES (?,?,?,?)",
                                  [(k, first + i, "wpforms", self.at) for i, k in enumerate(self.keys)])
        return self.conn.execute(sql, *args)

    def executemany(self, sql: str, rows):
        return self.conn.executemany(sql, rows)


# ---- the row ------------------------------------------------------------------------------------
def form_row(ws, n: int, *, runs: int):
    from bench.harness import Row, Side, measure_pair
    from bench.rows_data import _child, _unlink

    csv_path = write_wpforms_export(ws.root / f"wpforms-{n}.csv", n)
    empty = ws.empty_store()
    results: list[dict] = []

    def side(mode: str) -> Side:
        def body(path) -> float:
            got = _child(["-m", "bench.rows_form", "child", mode, str(path), str(csv_path), str(n)], ws.key.secret)
            results.append({"mode": mode, **got})
            return got["seconds"]
        return Side(body, lambda: ws.copy(empty, f"form-{mode}"), _unlink, self_timed=True)

    a, b = measure_pair(side("app"), side("base"), runs=runs, warmup=0)
    row = Row("form_import", f"import a WPForms export of {n:,} entries (CSV)", a, b, target=2.0,
              details={"csv_mib": csv_path.stat().st_size / 2**20, "rows_per_s": n / a.median,
                       "app_results": [r for r in results if r["mode"] == "app"][:1]})
    row.note = (f"{n / a.median:,.0f} rows/s; both sides in fresh processes; app = services.form_import plan + run "
                "as `helpdesk-intake import FILE --timezone ... --category-map ...` (profile detected, mapping, "
                "formula prefixes taken off, site times, validation, erasure and refusal checks, provenance); "
                "baseline = bench/baselines.py full_import + the provenance rows, one transaction, rows parsed untimed")
    cpu = {m: sorted(r["cpu_seconds"] for r in results if r["mode"] == m) for m in ("app", "base")}
    if all(cpu.values()):  # CPU time of the timed parts: a ratio that load moves less than wall time
        app_cpu, base_cpu = (v[len(v) // 2] for v in cpu.values())
        row.details["cpu_seconds"] = {"app": app_cpu, "base": base_cpu}
        row.note += f"; CPU time of the timed parts (medians): app {app_cpu:.2f}s, baseline {base_cpu:.2f}s, {app_cpu / base_cpu:.2f}x"
    bad = [r for r in results if r["errors"] or r["rows"] != n]
    if bad:
        row.extra_ok = False
        row.note += f"; IMPORT REFUSED ROWS: {bad[0]}"
    return row


def main(argv: list[str]) -> int:
    if argv[:1] == ["child"]:
        mode, store, csv_path, n = argv[1], Path(argv[2]), Path(argv[3]), int(argv[4])
        print(json.dumps(child(mode, store, csv_path, n, sys.stdin.readline().strip())), flush=True)
        return 0
    import argparse
    import logging

    from bench.harness import LoadProbe, load_text, table
    from bench.stores import Workspace

    p = argparse.ArgumentParser(prog="python -m bench.rows_form", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=100_000, help="entries in the export (default 100,000)")
    p.add_argument("--runs", type=int, default=5, help="app/baseline pairs (default 5)")
    p.add_argument("--workdir", type=Path)
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.basicConfig(level=logging.ERROR)
    ws = Workspace(args.workdir)
    try:
        with LoadProbe() as probe:
            row = form_row(ws, args.count, runs=args.runs)
        row.details["load"] = probe.result
    finally:
        ws.close()
    print(table([row]))
    print(f"load: {load_text(probe.result)}")
    print(row.note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
