"""Child for test_crash.py: open the store, then save cases in a loop, printing each committed id.

Run as a script: crash_child.py STORE_PATH (raw key hex in HELPDESK_CRASH_KEY). Imports only the
intake path so that start-up stays short.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop.app import build_context
from desktop.domain.clock import SystemClock
from desktop.services.intake import IntakeService
from desktop.services.settings import SettingsService
from desktop.store.keys import Key
from desktop.store.vault import Vault


def main() -> None:
    vault = Vault.open(Path(sys.argv[1]), Key("raw", os.environ["HELPDESK_CRASH_KEY"]))
    ctx = build_context(vault, clock=SystemClock(), staff="crash")
    intake = IntakeService(ctx, SettingsService(ctx))
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        result = intake.submit({
            "name": f"Crash Person {n}", "email": f"crash{n % 50}@example.org",
            "category": "bounce", "description": "bounce 550 " + "x" * (n % 700),
            "channel": "email", "notice_acknowledged": True, "not_a_child": True,
        })
        # submit returned: the transaction is committed (synchronous=FULL)
        print(result.case_id, flush=True)


if __name__ == "__main__":
    main()
