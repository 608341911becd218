"""Kill a saving process with SIGKILL at random moments: the store stays sound and keeps every
case the child reported as committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.domain.audit import verify_trail
from desktop.store.audit_repo import AuditRepo
from desktop.store.keys import Key
from desktop.store.vault import Vault

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]
KILLS = 100


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_saves_loses_nothing_committed(tmp_path):
    key = Key.new_raw()
    store = tmp_path / "crash.db"
    Vault.create(store, key).close()
    env = {**os.environ, "HELPDESK_CRASH_KEY": key.secret, "PYTHONPATH": str(ROOT)}
    rng = random.Random(20260110)
    reported: set[int] = set()
    killed_mid_run = 0
    for i in range(KILLS):
        proc = subprocess.Popen([sys.executable, str(CHILD), str(store)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True)
        try:
            first = proc.stdout.readline().strip()
            assert first == "ready", f"kill {i}: child failed to start: {proc.stderr.read()[-500:]}"
            time.sleep(rng.uniform(0.05, 0.4))  # a random moment to crash at, not a timing assertion
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            lines = proc.stdout.read().split()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL, f"kill {i}: the child ended on its own"
        killed_mid_run += 1
        reported.update(int(x) for x in lines)

        with Vault.open(store, key) as vault:
            assert vault.integrity_problems() == [], f"kill {i}: store damaged"
            present = {r[0] for r in vault.read("SELECT id FROM cases")}
            missing = reported - present
            assert not missing, f"kill {i}: committed cases lost: {sorted(missing)[:10]}"
            rows, head = AuditRepo(vault).snapshot()
            assert verify_trail(rows, head) is None, f"kill {i}: audit trail broken by the crash"
    assert killed_mid_run == KILLS
    assert len(reported) > KILLS  # the child really was saving when it died
