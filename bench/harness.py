"""A plain timing harness: warm-up, interleaved A/B pairs, pairwise ratios, load on the machine.

App and baseline runs alternate (app, base, app, base, ...) so that load from other processes on a
shared machine hits both sides alike. A row's ratio is the median of its pairs' ratios (app run i
over baseline run i), not the ratio of two medians: a burst of outside load that slows one pair
moves one ratio, not a whole side. LoadProbe records the load average, the bench's own CPU share
and how much CPU other processes took while a row ran, so a busy machine shows in the table (and
bench/__main__.py re-runs the row, at most twice).
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Stats:
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def max(self) -> float:
        return max(self.times)

    def as_dict(self) -> dict:
        return {"median": self.median, "min": self.min, "max": self.max, "runs": len(self.times),
                "times": self.times}


Setup = Callable[[], object]
Body = Callable[[object], object]
Teardown = Callable[[object], None]


@dataclass
class Side:
    """One measured thing: setup (untimed) -> body (timed) -> teardown (untimed)."""

    body: Body
    setup: Setup | None = None
    teardown: Teardown | None = None
    self_timed: bool = False  # the body returns the seconds it measured itself (a child process)

    def once(self) -> float:
        state = self.setup() if self.setup else None
        gc.collect()
        t0 = time.perf_counter()
        result = self.body(state)
        elapsed = float(result) if self.self_timed else time.perf_counter() - t0
        if self.teardown:
            self.teardown(state)
        return elapsed


MIN_PAIRS = 5  # at least this many interleaved A/B pairs for every row (issue 17)


def measure_pair(app: Side, base: Side, *, runs: int, warmup: int = 1) -> tuple[Stats, Stats]:
    runs = max(runs, MIN_PAIRS)  # bench --smoke lowers MIN_PAIRS: it checks the code, not the figures
    for _ in range(warmup):
        app.once()
        base.once()
    a, b = [], []
    for _ in range(runs):
        a.append(app.once())
        b.append(base.once())
    return Stats(a), Stats(b)


def measure(side: Side, *, runs: int, warmup: int = 1) -> Stats:
    for _ in range(warmup):
        side.once()
    return Stats([side.once() for _ in range(runs)])


@dataclass
class Row:
    key: str
    title: str
    app: Stats | None = None
    base: Stats | None = None
    unit: str = "s"  # "s" or "MiB"
    kind: str = "slower"  # "slower": app/base <= target; "faster": base/app >= target
    target: float | None = None
    extra_ok: bool | None = None  # an absolute target (e.g. < 20 ms), when there is one
    extra_text: str = ""
    note: str = ""
    unavailable: str | None = None
    details: dict = field(default_factory=dict)

    paired: bool = True  # app.times[i] and base.times[i] ran as a pair (False: e.g. growth rows)

    @property
    def pair_ratios(self) -> list[float]:
        if not (self.paired and self.app and self.base and len(self.app.times) == len(self.base.times)):
            return []
        if any(t <= 0 for t in self.app.times + self.base.times):
            return []
        if self.kind == "faster":
            return [b / a for a, b in zip(self.app.times, self.base.times, strict=True)]
        return [a / b for a, b in zip(self.app.times, self.base.times, strict=True)]

    @property
    def ratio(self) -> float | None:
        """The median of the pairwise ratios; the ratio of the medians where runs are not paired."""
        if not self.app or not self.base or not self.base.median or not self.app.median:
            return None
        pairs = self.pair_ratios
        if pairs:
            return statistics.median(pairs)
        if self.kind == "faster":
            return self.base.median / self.app.median
        return self.app.median / self.base.median

    @property
    def met(self) -> bool | None:
        if self.unavailable:
            return None
        if self.target is None:  # an absolute target only (e.g. < 20 ms), or a context row
            return self.extra_ok
        if self.ratio is None:
            return None
        ok = self.ratio >= self.target if self.kind == "faster" else self.ratio <= self.target
        return ok and self.extra_ok is not False

    def target_text(self) -> str:
        if self.target is None:
            return self.extra_text or "-"
        text = f">= {self.target:g}x faster" if self.kind == "faster" else f"<= {self.target:g}x"
        return text + (f"; {self.extra_text}" if self.extra_text else "")

    def as_dict(self) -> dict:
        out = asdict(self)
        out["app"] = self.app.as_dict() if self.app else None
        out["base"] = self.base.as_dict() if self.base else None
        out["ratio"] = self.ratio
        out["pair_ratios"] = self.pair_ratios
        out["met"] = self.met
        out["target_text"] = self.target_text()
        return out


def fmt(stats: Stats | None, unit: str) -> str:
    if stats is None:
        return "-"
    if unit == "MiB":
        return f"{stats.median:.0f} MiB"
    def one(v: float) -> str:
        if v < 1:
            return f"{v * 1000:.1f}ms" if v < 0.1 else f"{v * 1000:.0f}ms"
        return f"{v:.2f}s"
    if len(stats.times) == 1:
        return one(stats.median)
    return f"{one(stats.median)} ({one(stats.min)}-{one(stats.max)})"


def table(rows: list[Row]) -> str:
    head = ("row", "app median (min-max)", "baseline median (min-max)", "ratio (pairwise)", "target", "met",
            "load")
    lines = []
    for r in rows:
        load = load_text(r.details.get("load"))
        if r.unavailable:
            lines.append((r.title, "not available: " + r.unavailable, "", "", r.target_text(), "n/a", load))
            continue
        if r.ratio is None:
            ratio = "-"
        else:
            ratio = f"{r.ratio:.1f}x faster" if r.kind == "faster" else f"{r.ratio:.2f}x"
            pairs = r.pair_ratios
            if len(pairs) > 1:
                ratio += f" ({min(pairs):.2f}-{max(pairs):.2f})" if r.kind != "faster" else ""
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        lines.append((r.title, fmt(r.app, r.unit), fmt(r.base, r.unit), ratio, r.target_text(), met, load))
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(x) for x in lines]
    notes = [f"- {r.title}: {r.note}" for r in rows if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


def load_text(load: dict | None) -> str:
    """'1.9/2.4 share 46% others 0.3' : 1-min load average at start/end, the bench's CPU share of the
    machine while the row ran, and the cores other processes kept busy (+ re-runs when busy)."""
    if not load:
        return "-"
    text = (f"{load['load1_start']:.1f}/{load['load1_end']:.1f} share {load['share']:.0%} "
            f"others {load['others_cores']:.1f}")
    if load.get("attempts", 1) > 1:
        text += f" (try {load['attempts']})"
    return text + (" BUSY" if load.get("busy") else "")


def _proc_stat() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])
    return (total - idle) / hz, total / hz


BUSY_OTHERS_CORES = 0.5  # other processes keeping more than half a core busy: the row ran on a busy machine


class LoadProbe:
    """Load average, the bench's CPU share and other processes' CPU while a block runs.

    own = this process's and its waited-for children's CPU time (os.times); machine = busy CPU time
    of all cores (/proc/stat); others = machine - own, as cores kept busy on average."""

    def __enter__(self) -> LoadProbe:
        self.wall0 = time.perf_counter()
        self.load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        t = os.times()
        self.own0 = t.user + t.system + t.children_user + t.children_system
        self.stat0 = _proc_stat()
        self.result: dict = {}
        return self

    def __exit__(self, *exc: object) -> None:
        wall = max(1e-9, time.perf_counter() - self.wall0)
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system - self.own0
        stat1 = _proc_stat()
        cpus = os.cpu_count() or 1
        if self.stat0 and stat1:
            machine = stat1[0] - self.stat0[0]
            capacity = max(1e-9, stat1[1] - self.stat0[1])
        else:
            machine, capacity = own, wall * cpus
        others = max(0.0, machine - own)
        self.result = {
            "wall_s": wall, "own_cpu_s": own, "load1_start": self.load0,
            "load1_end": os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0,
            "share": min(1.0, own / machine) if machine > 0 else 1.0,
            "own_cores": own / wall, "others_cores": others / wall, "machine_busy": machine / capacity,
        }
        self.result["busy"] = self.result["others_cores"] > BUSY_OTHERS_CORES


def machine() -> dict:
    import sqlite3

    info: dict[str, object] = {
        "platform": platform.platform(), "machine": platform.machine(), "processor": platform.processor(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "sqlite_stdlib": sqlite3.sqlite_version,
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for text in fh:
                if text.startswith("model name"):
                    info["cpu"] = text.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as fh:
            info["memory"] = fh.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        import sqlcipher3

        conn = sqlcipher3.connect(":memory:")
        info["sqlcipher"] = conn.execute("PRAGMA cipher_version").fetchone()[0]
        info["sqlite_in_sqlcipher3"] = sqlcipher3.sqlite_version
        conn.close()
    except Exception as exc:  # pragma: no cover
        info["sqlcipher"] = f"unavailable ({type(exc).__name__})"
    for name in ("PySide6", "reportlab", "faker", "phonenumbers", "email_validator"):
        try:
            module = __import__(name)
            info[name] = getattr(module, "__version__", None) or getattr(module, "Version", None) \
                or getattr(module, "VERSION", None)
        except Exception:
            info[name] = None
    return info
