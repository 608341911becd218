"""Output to a closed pipe (`helpdesk-intake sweep --dry-run | head`) ends quietly (issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.cli import main

PASSPHRASE = "closed pipe passphrase"
ROOT = Path(__file__).resolve().parents[2]


def test_dry_run_into_a_closed_pipe_exits_quietly(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    store = tmp_path / "pipe.db"
    assert main(["--store", str(store), "init"]) == 0
    rows = [{"name": f"Piped Person {i}", "email": f"piped{i}@example.org", "category": "bounce",
             "description": "bounces", "received_at": "2019-01-02T10:00:00+00:00"} for i in range(1500)]
    submissions = tmp_path / "many.json"
    submissions.write_text(json.dumps(rows), encoding="utf-8")
    assert main(["--store", str(store), "import", str(submissions)]) == 0
    env = dict(os.environ, HELPDESK_INTAKE_PASSPHRASE=PASSPHRASE, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "--store", str(store), "sweep", "--dry-run",
                             "--as-of", "2030-01-01"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # as `head -n 1`: read one line, then close the pipe
    proc.stdout.close()
    err = proc.stderr.read().decode()
    status = proc.wait(timeout=120)
    assert first.strip(), "the listing began"
    assert status == 0, err
    assert err == "", err  # no "internal error", no traceback, no "Exception ignored"
