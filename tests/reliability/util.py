"""Shared bits of the reliability tests: running the CLI and a second process for real."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("child.py")


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_INTAKE_")}
    env.update(PYTHONPATH=str(ROOT), HELPDESK_INTAKE_PASSPHRASE=PASSPHRASE, HELPDESK_INTAKE_STAFF="tester",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HOME=str(tmp_path / "home"),
               XDG_DATA_HOME=str(tmp_path / "xdg-data"), QT_QPA_PLATFORM="offscreen", **extra)
    return env


def cli(tmp_path: Path, *argv: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
    """The CLI in its own process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "desktop", *argv], capture_output=True, text=True,
                          env=child_env(tmp_path, **extra), timeout=timeout, cwd=ROOT)


def hold(tmp_path: Path, store: Path, *more: str) -> subprocess.Popen:
    """A second process with the store open (child.py hold), once it said so."""
    proc = subprocess.Popen([sys.executable, str(CHILD), "hold", str(store), *more], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(tmp_path))
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        raise AssertionError(f"the second process did not open the store: {proc.stderr.read()[-800:]}")
    return proc


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    out, err = proc.communicate("go\n", timeout=timeout)
    assert proc.returncode == 0, err[-800:]
    return out


def submissions_csv(path: Path, rows: int, prefix: str = "imp") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "email", "category", "description"])
        for i in range(rows):
            w.writerow([f"Person {i}", f"{prefix}{i}@example.org", "bounce", f"bounce 550 number {i}"])
    return path
