"""Run by bench.rows_sweep in a fresh process: one retention sweep, or its raw baseline, timed inside.

    python -m bench.sweep_child app STORE PLAN      the app's RetentionService.sweep (raw key on stdin)
    python -m bench.sweep_child base STORE PLAN     the same removals with bare sqlcipher3 (rows_sweep.raw_sweep)

A scheduled `helpdesk-intake sweep` runs in a fresh process too. In the bench's own process the
stores closed earlier have turned SQLCipher's cipher_memory_security on (Vault.close does, as
locking requires), and that setting is process-wide and cannot be turned off: every later
SQLCipher allocation is locked and wiped, about 3x slower. Prints one JSON line: seconds, cases
removed, actions, compacted, the file's size afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    mode, store, plan_file = argv[0], Path(argv[1]), Path(argv[2])
    secret = sys.stdin.readline().strip()
    from bench.stores import NOW
    from desktop.store.keys import Key

    key = Key("raw", secret)
    if mode == "app":
        from bench.rows_data import retention_for
        from desktop.app import build_services
        from desktop.domain.clock import FixedClock
        from desktop.store.vault import Vault

        services = build_services(Vault.open(store, key), clock=FixedClock(NOW), staff="bench")
        retention = retention_for(services)
        t0 = time.perf_counter()
        report = retention.sweep(NOW)
        elapsed = time.perf_counter() - t0
        services.close()
        out = {"cases_removed": report.count("case", "case"), "actions": len(report.done),
               "compacted": bool(report.compacted)}
    else:
        import sqlcipher3

        from bench.rows_sweep import raw_sweep
        from bench.stores import RAW_PRAGMAS

        plan = json.loads(plan_file.read_text(encoding="utf-8"))
        conn = sqlcipher3.connect(str(store), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA key = {key.pragma_value()}")
        for pragma in RAW_PRAGMAS:
            conn.execute(pragma).fetchall()
        t0 = time.perf_counter()
        raw_sweep(conn, plan, NOW.isoformat(timespec="seconds"))
        elapsed = time.perf_counter() - t0
        conn.close()
        out = {"cases_removed": len(plan["delete"]), "actions": sum(len(v) for k, v in plan.items() if k != "indexed"),
               "compacted": False}
    out.update(mode=mode, seconds=elapsed, mib_after=os.path.getsize(store) / 2**20)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
