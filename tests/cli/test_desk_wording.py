"""Small things an agent notices (issue 14): `make run` without a display says so before installing
anything; the README describes the H and R markers as the badges they are."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_without_a_display_says_so_at_once_and_installs_nothing(tmp_path):
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    started = time.monotonic()
    done = subprocess.run(["make", "-s", "run", f"VENV={venv}"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "No display found" in done.stdout + done.stderr
    assert not venv.exists(), "make created the virtualenv before checking for a display"
    assert time.monotonic() - started < 30


def test_readme_describes_the_markers_as_badges():
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "An amber **H** badge" in text and "a lilac **R** badge" in text
