"""GUI rows, each run in a fresh subprocess (python -m bench.gui_child): start to first paint with a
keyring key and with a passphrase, peak memory, the first search after unlock and every keystroke
of search-as-you-type (bench v2).

Every child starts the window as `helpdesk-intake` does, with the session (the sweep at unlock,
the background page check). The store the children open is a copy of the main store on which a
sweep as of today has already run (untimed), so the sweep at unlock finds what a daily user's
finds: nothing or little due.
"""

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


def launch(args: list[str], secret: str = "", timeout: float = 120, env: dict | None = None,
           found: dict | None = None) -> tuple[float, float]:
    """(seconds from spawn to first paint, peak RSS in MiB) of one child run; a "search" line goes
    into `found`."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.gui_child", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or _env(), cwd=ROOT)
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
        elif line.startswith("search ") and found is not None:
            import json

            found.update(json.loads(line[len("search "):]))
        if time.perf_counter() > deadline:
            break
    try:
        proc.wait(timeout=max(1.0, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    if args[0] == "fts" and found:
        return 0.0, 0.0
    if painted is None or rss is None:
        raise RuntimeError(f"the window did not paint (exit {proc.returncode}): {err.strip()[-300:]}")
    return painted, rss


def start_and_memory(ws: Workspace, store: Path, n: int, *, runs: int, warm: bool = True,
                     baseline: bool = True, session: bool = True) -> dict[str, tuple[Stats | None, Stats | None]]:
    """Alternating app/minimal runs; returns {'start': (app, base), 'memory': (app, base)}. session=False
    (the growth rows): no sweep at unlock or page check, whose work grows with the store."""
    secret = ws.key.secret
    extra = [] if session else ["--no-session"]
    precompile()
    if warm:
        if baseline:
            launch(["minimal", str(MINIMAL_ROWS)])  # warm the OS file cache for Qt
        launch(["app", str(store), *extra], secret)
    starts_a, starts_b, mem_a, mem_b = [], [], [], []
    for _ in range(runs):
        t, _ = launch(["app", str(store), *extra], secret)
        starts_a.append(t)
        if baseline:
            t, _ = launch(["minimal", str(MINIMAL_ROWS)])
            starts_b.append(t)
        _, m = launch(["app", str(store), "--list", *extra], secret)
        mem_a.append(m)
        if baseline:
            _, m = launch(["minimal", str(MINIMAL_ROWS), "--list"])
            mem_b.append(m)
    if not baseline:
        return {"start": (Stats(starts_a), None), "memory": (Stats(mem_a), None)}
    return {"start": (Stats(starts_a), Stats(starts_b)), "memory": (Stats(mem_a), Stats(mem_b))}


PASSPHRASE = "bench passphrase for the GUI rows only"
TYPED = "spamhaus"  # typed into the case list's search box, one character at a time


def gui_store(ws: Workspace, store: Path) -> Path:
    """A copy of the store swept as of today (untimed), so the sweep at unlock has little to do."""
    cached = getattr(ws, "_gui_store", None)
    if cached is None:
        from desktop.app import build_services
        from desktop.domain.clock import SystemClock
        from desktop.store.vault import Vault

        cached = ws.copy(store, "gui")
        services = build_services(Vault.open(cached, ws.key), clock=SystemClock(), staff="bench")
        try:
            services.retention.sweep()
        finally:
            services.close()
        ws._gui_store = cached  # type: ignore[attr-defined]
    return cached


def gui_rows(ws: Workspace, store: Path, n: int, *, runs: int, warm: bool = True) -> tuple[list[Row], dict]:
    try:
        gstore = gui_store(ws, store)
        got = start_and_memory(ws, gstore, n, runs=runs, warm=warm)
        pstore = ws.passphrase_copy(gstore, PASSPHRASE, "gui-pass")
        env = {**_env(), "HELPDESK_INTAKE_PASSPHRASE": PASSPHRASE}
        pa, pb = [], []
        for _ in range(runs):
            pa.append(launch(["app", str(pstore), "--passphrase"], PASSPHRASE, env=env)[0])
            pb.append(launch(["minimal", str(MINIMAL_ROWS), "--open", str(pstore)], env=env)[0])
        apps, bares = [], []
        for _ in range(runs):
            found: dict = {}
            launch(["app", str(gstore), "--search", TYPED], ws.key.secret, found=found)
            apps.append(found)
            found = {}
            launch(["fts", str(gstore), TYPED, "5"], ws.key.secret, found=found)
            bares.append(found)
    except Exception as exc:
        why = f"GUI could not be started ({type(exc).__name__}: {str(exc)[:160]})"
        return [Row("start", f"start to first paint ({n:,} cases)", unavailable=why, target=2.0),
                Row("memory", f"peak memory, case list open ({n:,} cases)", unavailable=why, target=1.5,
                    unit="MiB")], {}
    a, b = got["start"]
    start = Row("start", f"start to first paint ({n:,} cases, keyring key)", a, b, target=2.0)
    start.note = (f"fresh process each run, as `helpdesk-intake` starts: key from the keyring (an in-memory backend), "
                  "open_services, window, session (sweep at unlock, page check child); baseline = minimal PySide6 "
                  f"window with one {MINIMAL_ROWS}-row table")
    ps = Row("start_pass", f"start to first paint ({n:,} cases, passphrase)", Stats(pa), Stats(pb), target=2.0)
    ps.note = ("the same with a passphrase store: SQLCipher derives the key (PBKDF2-HMAC-SHA512, 256,000 rounds) "
               "once; baseline = the minimal window after opening the store with bare sqlcipher3 and the passphrase")
    a, b = got["memory"]
    memory = Row("memory", f"peak memory, case list open ({n:,} cases)", a, b, unit="MiB", target=1.5)
    memory.note = "peak RSS (VmHWM) of the subprocess after showing the case list and scrolling to its middle and end"
    rows = [start, ps, memory]
    first = Row("search_first", f"first search after unlock, '{TYPED[0]}' ({n:,} cases)",
                Stats([x["first"] for x in apps]), Stats([x["first"] for x in bares]),
                extra_text="< 20 ms", details={"later_k1": [x["keys"]["1"] for x in apps]})
    first.extra_ok = first.app.median < 0.020
    first.note = ("the window's first search once shown (the sweep at unlock and page check running), query to "
                  f"repaint; later searches of the same letter: {Stats(first.details['later_k1']).median * 1000:.1f} ms; "
                  "baseline = the first raw FTS5 prefix query of a fresh bare connection")
    rows.append(first)
    for k in range(1, len(TYPED) + 1):
        a = Stats([x["keys"][str(k)] for x in apps])
        b = Stats([x["keys"][str(k)] for x in bares])
        row = Row(f"keystroke_{k}", f"search-as-you-type '{TYPED[:k]}' ({k} char{'s' if k > 1 else ''}, {n:,} cases)",
                  a, b, extra_text="< 20 ms")
        row.extra_ok = a.median < 0.020
        row.note = ("query (the box's 200 ms debounce has fired) to the list's repaint, in the window, median of 5 per "
                    "run; baseline = raw FTS5 prefix query + count + first page, bare sqlcipher3 process")
        rows.append(row)
    return rows, {"start": start.app.median, "memory": memory.app.median}
