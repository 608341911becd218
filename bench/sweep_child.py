"""Run by bench.rows_data.sweep_row in a fresh process: one retention sweep, timed from inside.

    python -m bench.sweep_child STORE      (the raw key on stdin)

A scheduled `helpdesk-intake sweep` runs in a fresh process too. In the bench's own process the
stores closed earlier have turned SQLCipher's cipher_memory_security on (Vault.close does, as
locking requires), and that setting is process-wide and cannot be turned off: every later
SQLCipher allocation is locked and wiped, about 3x slower, while the stdlib sqlite3 baseline is
untouched. Prints one JSON line: seconds, cases removed, actions, compacted.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    secret = sys.stdin.readline().strip()
    from bench.rows_data import retention_for
    from bench.stores import NOW
    from desktop.app import build_services
    from desktop.domain.clock import FixedClock
    from desktop.store.keys import Key
    from desktop.store.vault import Vault

    vault = Vault.open(Path(argv[0]), Key("raw", secret))
    services = build_services(vault, clock=FixedClock(NOW), staff="bench")
    retention = retention_for(services)
    t0 = time.perf_counter()
    report = retention.sweep(NOW)
    elapsed = time.perf_counter() - t0
    services.close()
    print(json.dumps({"seconds": elapsed, "cases_removed": report.count("case", "case"),
                      "actions": len(report.done), "compacted": bool(report.compacted)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
