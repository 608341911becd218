"""`python -m bench` (make bench): every hot path against its baseline, measured in the same run.

    python -m bench                 full run (100,000 cases; scaling 10k / 100k / 1M)
    python -m bench --smoke         every row at tiny sizes, in seconds (run by the test suite)
    python -m bench --only search   only some rows (import, save, search, sweep, report, gui, scale, cycle)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROWS = ("import", "save", "search", "sweep", "report", "gui", "scale", "cycle", "diagnose")


@dataclass
class Plan:
    n: int
    import_n: int
    report_cases: int
    scale: tuple[int, ...]
    runs: int  # repetitions for fast rows
    slow_runs: int  # repetitions for rows that take seconds
    gui_runs: int
    cycle_n: int


FULL = Plan(n=100_000, import_n=100_000, report_cases=1000, scale=(10_000, 100_000, 1_000_000),
            runs=10, slow_runs=1, gui_runs=3, cycle_n=10_000)
SMOKE = Plan(n=200, import_n=200, report_cases=20, scale=(50, 400), runs=2, slow_runs=1, gui_runs=1,
             cycle_n=200)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny sizes; checks the bench code works")
    p.add_argument("--only", nargs="+", choices=ROWS, help="run only these rows")
    p.add_argument("--out", type=Path, help="results file (default bench/results.json; smoke: none)")
    p.add_argument("--workdir", type=Path, help="where the stores go (default: a temporary folder)")
    p.add_argument("--count", type=int, help="cases for the main store (default 100,000)")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[list, dict]:
    from bench import harness, rows_data, rows_gui, rows_report
    from bench.harness import Row
    from bench.stores import Workspace

    plan = SMOKE if args.smoke else FULL
    if args.count:
        plan.n = plan.import_n = args.count
        plan.cycle_n = min(plan.cycle_n, args.count)
    wanted = set(args.only or ROWS)
    ws = Workspace(args.workdir)
    rows: list[Row] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str, fn, *fallback: tuple[str, str, float]):
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            got = fn()
            rows.extend(got if isinstance(got, list) else [got])
        except Exception as exc:
            if args.smoke:
                raise
            traceback.print_exc(file=sys.stderr)
            for key, title, target in fallback:
                rows.append(Row(key, title, target=target,
                                unavailable=f"failed: {type(exc).__name__}: {str(exc)[:120]}"))
        timings[name] = time.perf_counter() - t0
        print(f"[bench] {name}: {timings[name]:.1f}s", file=sys.stderr, flush=True)

    try:
        t0 = time.perf_counter()
        store = ws.demo_store(plan.n)
        timings["build store"] = time.perf_counter() - t0
        n = plan.n
        if "import" in wanted:
            step("import", lambda: rows_data.import_row(ws, plan.import_n, runs=plan.slow_runs),
                 ("import", "import", 2.0), ("import_inproc", "import, memory security on", 2.0))
        if "save" in wanted:
            step("save", lambda: rows_data.save_row(ws, store, n, runs=plan.runs * 2), ("save_one", "save one", 3.0))
        if "search" in wanted:
            step("search", lambda: rows_data.search_rows(ws, store, n, runs=plan.runs), ("search", "search", 10.0))
        if "sweep" in wanted:
            step("sweep", lambda: rows_data.sweep_row(ws, store, n, runs=plan.slow_runs), ("sweep", "sweep", 3.0))
        if "report" in wanted:
            step("report", lambda: rows_report.report_row(ws, plan.report_cases, runs=plan.slow_runs),
                 ("report", "access report", 1.5))
        if "gui" in wanted:
            step("gui", lambda: rows_gui.gui_rows(ws, store, n, runs=plan.gui_runs, warm=not args.smoke)[0],
                 ("start", "start to first paint", 2.0), ("memory", "peak memory", 1.5))
        if "scale" in wanted:
            from bench import rows_scale

            step("scale", lambda: rows_scale.scale_rows(ws, store, plan.n, plan.scale, runs=plan.runs,
                                                        gui_runs=max(1, plan.gui_runs - 1), warm=not args.smoke),
                 ("scale", "flat as cases grow", 2.0))
        if "cycle" in wanted:
            from bench import rows_cycle

            cycle_store = store if plan.cycle_n == plan.n else ws.demo_store(plan.cycle_n)
            step("cycle", lambda: rows_cycle.cycle_row(ws, cycle_store, plan.cycle_n, runs=plan.slow_runs),
                 ("cycle", "encrypted vs plaintext cycle", 1.5))
        if "diagnose" in wanted:
            from bench import rows_mail

            step("diagnose", lambda: rows_mail.mail_row(1000 if not args.smoke else 50, runs=plan.runs),
                 ("diagnose", "diagnose 1,000 bounces", 3.0))
    finally:
        timings.update(ws.timings)
        timings["total"] = time.perf_counter() - started
        ws.close()
    meta = {"machine": harness.machine(), "smoke": args.smoke, "plan": plan.__dict__, "timings_s": timings,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    return rows, meta


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.basicConfig(level=logging.ERROR)
    args = parse(argv)
    from bench.harness import table

    rows, meta = run(args)
    print(table(rows))
    total = meta["timings_s"]["total"]
    print(f"\nmachine: {meta['machine'].get('cpu', '?')}, {meta['machine'].get('cpus')} CPUs; "
          f"Python {meta['machine']['python']}, SQLCipher {meta['machine'].get('sqlcipher')}, "
          f"PySide6 {meta['machine'].get('PySide6')}, reportlab {meta['machine'].get('reportlab')}; "
          f"total {total:.0f}s")
    out = args.out or (None if args.smoke else Path(__file__).resolve().parent / "results.json")
    if out:
        out.write_text(json.dumps({"meta": meta, "rows": [r.as_dict() for r in rows]}, indent=1,
                                  ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
