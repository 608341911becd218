"""Flat as cases grow: search, start-to-paint and peak memory at (e.g.) 10k, 100k and 1M cases.

The ratio is the largest size over the smallest (target <= 2.0x for a 100-fold growth). The
largest store is made by copying the main store's rows inside SQL (Workspace.scale_up), because
generating 1M cases through the app does not fit the bench's time budget.
"""

from __future__ import annotations

from bench import rows_data, rows_gui, rows_search
from bench.harness import Row, Stats
from bench.stores import Workspace

TERM = "spamhaus"
FLAT = 2.0


def _store(ws: Workspace, main_store, main_n: int, size: int):
    if size == main_n:
        return main_store
    if size < main_n:
        return ws.demo_store(size)
    return ws.scale_up(main_store, size // main_n)


def scale_rows(ws: Workspace, main_store, main_n: int, sizes: tuple[int, ...], *, runs: int,
               gui_runs: int, warm: bool = True) -> list[Row]:
    search: dict[int, float] = {}
    start: dict[int, Stats] = {}
    memory: dict[int, Stats] = {}
    made = {}
    for size in sizes:
        store = _store(ws, main_store, main_n, size)
        made[size] = store
        search[size] = rows_search.search_median(ws, store, TERM, runs)
        got = rows_gui.start_and_memory(ws, store, size, runs=gui_runs, warm=warm, baseline=False, session=False)
        start[size], memory[size] = got["start"][0], got["memory"][0]
        if size > main_n:
            rows_data._unlink(store)
    lo, hi = min(sizes), max(sizes)

    def label(s: int) -> str:
        return f"{s // 1_000_000}M" if s >= 1_000_000 and s % 1_000_000 == 0 else f"{s // 1000}k" if s >= 1000 else str(s)

    span = f"{label(lo)} -> {label(hi)}"
    out = []
    r = Row("scale_search", f"search '{TERM}' as cases grow ({span})", Stats([search[hi]]), Stats([search[lo]]),
            target=FLAT, details={str(k): v for k, v in search.items()})
    r.note = "medians " + ", ".join(f"{label(k)}: {v * 1000:.1f}ms" for k, v in search.items()) + \
        " (matches grow with the store; the list reads its first 200 ids off the search index in list order, and counts the matches)"
    out.append(r)
    r = Row("scale_start", f"start to first paint as cases grow ({span})", start[hi], start[lo], target=FLAT,
            details={str(k): v.median for k, v in start.items()})
    r.note = "medians " + ", ".join(f"{label(k)}: {v.median:.2f}s" for k, v in start.items())
    out.append(r)
    r = Row("scale_memory", f"peak memory as cases grow ({span})", memory[hi], memory[lo], unit="MiB",
            target=1.5, details={str(k): v.median for k, v in memory.items()})
    r.note = "medians " + ", ".join(f"{label(k)}: {v.median:.0f} MiB" for k, v in memory.items())
    out.append(r)
    return out
