"""One request to a child process of the app (the page check, the window's sweeps): the request goes
to the child's standard input as one JSON line (so a key never appears on a command line or in an
environment), its answer is the last JSON line it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def command(child_arg: str, path: Path) -> list[str]:
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: its executable runs desktop/__main__.py
        return [sys.executable, child_arg, str(path)]
    return [sys.executable, "-m", "desktop", child_arg, str(path)]


def ask_child(child_arg: str, path: Path, request: dict, *, what: str, timeout: float,
              unavailable: type[Exception]) -> object:
    """The child's answer (decoded JSON). Raises `unavailable` with a one-line reason naming `what`
    when the child could not start, stopped, or printed no JSON answer."""
    try:
        done = subprocess.run(command(child_arg, path), input=json.dumps(request) + "\n",
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise unavailable(f"{what} could not run ({type(exc).__name__})") from exc
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise unavailable(f"{what} stopped (exit {done.returncode})")
    try:
        return json.loads(lines[-1])
    except ValueError as exc:
        raise unavailable(f"{what} gave no answer") from exc
