"""Start-to-first-paint and peak memory, each in a fresh subprocess (python -m bench.gui_child)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Row, Stats
from bench.stores import Workspace

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_ROWS = 100


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_INTAKE_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def precompile() -> None:
    """Byte-compile the app once, as an installed app (wheel or PyInstaller bundle) ships it: the child
    runs with PYTHONDONTWRITEBYTECODE, and without this every start would compile desktop/ from
    source (about 140 ms at 2 cores), a cost no installed copy pays and the baseline has no part of."""
    import compileall

    for package in ("desktop", "bench"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def launch(args: list[str], secret: str = "", timeout: float = 120) -> tuple[float, float]:
    """(seconds from spawn to first paint, peak RSS in MiB) of one child run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.gui_child", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(secret + "\n")
    proc.stdin.close()
    painted = None
    rss = None
    deadline = t0 + timeout
    for line in proc.stdout:
        if line.startswith("painted") and painted is None:
            painted = time.perf_counter() - t0
        elif line.startswith("rss "):
            rss = int(line.split()[1]) / 1024  # ru_maxrss is KiB on Linux
        if time.perf_counter() > deadline:
            break
    try:
        proc.wait(timeout=max(1.0, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    if painted is None or rss is None:
        raise RuntimeError(f"the window did not paint (exit {proc.returncode}): {err.strip()[-300:]}")
    return painted, rss


def start_and_memory(ws: Workspace, store: Path, n: int, *, runs: int,
                     warm: bool = True, baseline: bool = True) -> dict[str, tuple[Stats | None, Stats | None]]:
    """Alternating app/minimal runs; returns {'start': (app, base), 'memory': (app, base)}."""
    secret = ws.key.secret
    precompile()
    if warm:
        if baseline:
            launch(["minimal", str(MINIMAL_ROWS)])  # warm the OS file cache for Qt
        launch(["app", str(store)], secret)
    starts_a, starts_b, mem_a, mem_b = [], [], [], []
    for _ in range(runs):
        t, _ = launch(["app", str(store)], secret)
        starts_a.append(t)
        if baseline:
            t, _ = launch(["minimal", str(MINIMAL_ROWS)])
            starts_b.append(t)
        _, m = launch(["app", str(store), "--list"], secret)
        mem_a.append(m)
        if baseline:
            _, m = launch(["minimal", str(MINIMAL_ROWS), "--list"])
            mem_b.append(m)
    if not baseline:
        return {"start": (Stats(starts_a), None), "memory": (Stats(mem_a), None)}
    return {"start": (Stats(starts_a), Stats(starts_b)), "memory": (Stats(mem_a), Stats(mem_b))}


def gui_rows(ws: Workspace, store: Path, n: int, *, runs: int, warm: bool = True) -> tuple[list[Row], dict]:
    try:
        got = start_and_memory(ws, store, n, runs=runs, warm=warm)
    except Exception as exc:
        why = f"GUI could not be started ({type(exc).__name__}: {str(exc)[:160]})"
        return [Row("start", f"start to first paint ({n:,} cases)", unavailable=why, target=2.0),
                Row("memory", f"peak memory, case list open ({n:,} cases)", unavailable=why, target=1.5,
                    unit="MiB")], {}
    a, b = got["start"]
    start = Row("start", f"start to first paint ({n:,} cases, keyring key)", a, b, target=2.0)
    start.note = (f"fresh subprocess each run; baseline = minimal PySide6 window with one {MINIMAL_ROWS}-row "
                  "table; the app is unlocked from an in-memory keyring backend without the unlock dialog")
    a, b = got["memory"]
    memory = Row("memory", f"peak memory, case list open ({n:,} cases)", a, b, unit="MiB", target=1.5)
    memory.note = "peak RSS (VmHWM) of the subprocess after showing the case list and scrolling to its middle and end"
    return [start, memory], {"start": start.app.median, "memory": memory.app.median}
