"""The window child's memory by stage (issue 17): where the peak of the `peak memory` row comes from.

    python -m bench.memory_stages STORE [--modules] [--files N] < key     (raw key on stdin)

Starts the window as bench/gui_child.py's `app STORE --list` does (keyring key from an in-memory
backend, open_services, build_window, start_session, the case list shown, first paint, scrolled to
its middle and end) and prints VmRSS (anonymous and file-backed) after each step, with how many
modules the step imported (--modules: their names). --files N: the N mappings holding the most
resident memory at the end (/proc/self/smaps), to compare with the bare window's. Linux only; not
a bench row (no baseline, no pairs): a tool for finding what to cut.
"""

from __future__ import annotations

import collections
import os
import sys


def status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
                out[key] = int(value.split()[0]) // 1024
    return out


def resident_by_file(top: int) -> list[tuple[int, str]]:
    agg: collections.Counter[str] = collections.Counter()
    name = "[anon]"
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if parts and "-" in parts[0] and not parts[0].endswith(":"):
                name = parts[5] if len(parts) > 5 else "[anon]"
            elif parts and parts[0] == "Rss:":
                agg[name] += int(parts[1])
    return [(kib, path) for path, kib in agg.most_common(top)]


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    secret = sys.stdin.readline().strip()
    show_modules = "--modules" in argv
    seen = set(sys.modules)

    def mark(step: str) -> None:
        nonlocal seen
        new = sorted(set(sys.modules) - seen)
        seen = set(sys.modules)
        s = status()
        print(f"{step:24s} RSS {s['VmRSS']:4d} MiB (anon {s['RssAnon']:3d}, file {s['RssFile']:3d})  "
              f"+{len(new)} modules", flush=True)
        if show_modules and new:
            print("    " + " ".join(new), flush=True)

    mark("python")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(["bench"])
    mark("QApplication")
    from pathlib import Path

    from bench.gui_child import _memory_keyring, peak_kib
    from desktop import app as root
    from desktop.store.keys import key_for_existing_store
    from desktop.ui.shell.launch import build_window
    from desktop.ui.shell.lock_controller import start_session

    mark("imports")
    store = Path(argv[0])
    _memory_keyring(str(store), secret)
    resolution = key_for_existing_store(store, None)
    mark("key (keyring)")
    services = root.open_services(store, resolution.key, staff="bench", verify_pages=False)
    mark("open_services")
    window = build_window(services)
    mark("build_window")
    session = start_session(app, services, window, build_window)
    mark("start_session")
    window.show_view("cases")
    window.resize(1200, 800)
    mark("case list chosen")

    def finish() -> None:
        mark("first paint")
        table = window.cases_view.table
        model = table.model()
        for fraction in (0.5, 1.0):
            table.scrollTo(model.index(max(0, int(model.rowCount() * fraction) - 1), 0))
            table.viewport().repaint()
            app.processEvents()
            mark(f"scrolled to {fraction:.0%}")
        print(f"peak (VmHWM) {peak_kib() // 1024} MiB; _hashlib loaded: {'_hashlib' in sys.modules}", flush=True)
        if "--files" in argv:
            for kib, path in resident_by_file(int(argv[argv.index("--files") + 1])):
                print(f"    {kib:6d} KiB {path}")
        session.shutdown()
        services.close()
        app.quit()

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if not self.done and event.type() == QEvent.Type.Paint and hasattr(obj, "window") \
                    and obj.window() is window:
                self.done = True
                QTimer.singleShot(0, lambda: QTimer.singleShot(0, finish))
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    window.show()
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
