"""Run by bench.rows_data.import_row in a fresh process: one import, or its baseline, timed inside.

    python -m bench.import_child app STORE CSV N      the app's import (ImportService.import_file)
    python -m bench.import_child base STORE CSV N     the same rows, columns and index entries with raw
                                                     sqlcipher3 (bench/baselines.py full_import)

The raw key arrives on stdin. `helpdesk-intake import` runs in a fresh process too, where SQLCipher's
process-wide cipher_memory_security is still off; in the bench's own process, stores closed during
set-up have turned it on for good (see bench/sweep_child.py), which slows every later SQLCipher
allocation, and the app, which runs more statements, more than the baseline. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    mode, store, csv_path, n = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3])
    secret = sys.stdin.readline().strip()
    from desktop.store.keys import Key

    key = Key("raw", secret)
    if mode == "app":
        from bench.stores import NOW
        from desktop.app import build_services
        from desktop.domain.clock import FixedClock
        from desktop.store.vault import Vault

        services = build_services(Vault.open(store, key), clock=FixedClock(NOW), staff="bench")
        t0 = time.perf_counter()
        report = services.importer.import_file(csv_path)
        elapsed = time.perf_counter() - t0
        rows, errors = len(report.case_ids), len(report.errors)
        services.close()
    else:
        import sqlcipher3

        from bench.baselines import full_import, prepare
        from bench.stores import NOW, RAW_PRAGMAS, SEED
        from desktop.services.demo import DemoGenerator
        from desktop.store.search import phone_tokens

        data = [c.data for c in DemoGenerator(SEED + 1, NOW).cases(n)]  # the CSV's rows, parsed untimed
        prepared = prepare(data, phone_tokens=phone_tokens)
        conn = sqlcipher3.connect(str(store), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA key = {key.pragma_value()}")
        for pragma in RAW_PRAGMAS:
            conn.execute(pragma).fetchall()
        t0 = time.perf_counter()
        full_import(conn, prepared, now=NOW)
        elapsed = time.perf_counter() - t0
        rows, errors = len(prepared.rows), 0
        conn.close()
    print(json.dumps({"seconds": elapsed, "rows": rows, "errors": errors}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
