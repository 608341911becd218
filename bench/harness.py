"""A plain timing harness: warm-up, repeated runs interleaved with the baseline, median/min/max.

App and baseline runs alternate (app, base, app, base, ...) so that load from other processes on a
shared machine hits both sides alike; every row reports the ratio of the two medians.
"""

from __future__ import annotations

import gc
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


def measure_pair(app: Side, base: Side, *, runs: int, warmup: int = 1) -> tuple[Stats, Stats]:
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

    @property
    def ratio(self) -> float | None:
        if not self.app or not self.base or not self.base.median or not self.app.median:
            return None
        if self.kind == "faster":
            return self.base.median / self.app.median
        return self.app.median / self.base.median

    @property
    def met(self) -> bool | None:
        if self.unavailable or self.ratio is None or self.target is None:
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
    head = ("row", "app median (min-max)", "baseline median (min-max)", "ratio", "target", "met")
    lines = []
    for r in rows:
        if r.unavailable:
            lines.append((r.title, "not available: " + r.unavailable, "", "", r.target_text(), "n/a"))
            continue
        ratio = "-" if r.ratio is None else (f"{r.ratio:.1f}x faster" if r.kind == "faster" else f"{r.ratio:.2f}x")
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        lines.append((r.title, fmt(r.app, r.unit), fmt(r.base, r.unit), ratio, r.target_text(), met))
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(x) for x in lines]
    notes = [f"- {r.title}: {r.note}" for r in rows if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


def machine() -> dict:
    import os
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
