"""Run in a fresh subprocess by bench.rows_gui: start a window, report when it first paints.

    python -m bench.gui_child app STORE [--list]      the app's main window (key from the OS keyring)
    python -m bench.gui_child minimal ROWS            a minimal PySide6 window with one table

The raw key arrives on stdin and goes into an in-memory keyring backend, so the app resolves it
exactly as it would from the OS keyring (key_for_existing_store). Prints "painted" when the first
paint of the window has finished, then (with --list) scrolls the case list to the middle and the end
as a person would, prints "rss <KiB>" (peak resident memory, VmHWM) and exits.
"""

from __future__ import annotations

import os
import resource
import sys


def _memory_keyring(store: str, secret: str) -> None:
    """Set an in-memory backend holding the store's key, before the app asks keyring for one (as the
    tests do). The app's own keyring import path is kept (desktop.deferred_imports); choosing the OS
    backend is not part of the figure: this machine has none (see docs/bench.md)."""
    from desktop.deferred_imports import defer_unused_by_keyring

    defer_unused_by_keyring()  # as desktop.store.keys imports keyring
    import keyring
    from keyring.backend import KeyringBackend

    from desktop.store.keys import SERVICE, keyring_account

    class BenchMemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store = {(SERVICE, keyring_account(store)): secret}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    keyring.set_keyring(BenchMemoryKeyring())


def peak_kib() -> int:
    """Peak resident memory of this process in KiB: VmHWM on Linux (reset by exec), else ru_maxrss.

    ru_maxrss is not used on Linux: it survives exec, so a child forked from a large bench process
    reports the parent's size instead of its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _report(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    mode = argv[0]
    secret = sys.stdin.readline().strip() if mode == "app" else ""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(["bench"])
    scroll_list = "--list" in argv
    if mode == "app":
        from pathlib import Path

        from desktop import bootstrap
        from desktop.store.keys import key_for_existing_store
        from desktop.ui.shell.launch import build_window

        store = Path(argv[1])
        _memory_keyring(str(store), secret)
        resolution = key_for_existing_store(store, None)
        assert resolution.source == "keyring", resolution.source
        # as run_gui: pages are checked in the background after the window shows
        services = bootstrap.open_services(store, resolution.key, staff="bench", verify_pages=False)
        window = build_window(services)
        if scroll_list:
            window.show_view("cases")
    else:
        from PySide6.QtWidgets import QMainWindow, QTableWidget, QTableWidgetItem

        rows = int(argv[1])
        services = None
        window = QMainWindow()
        table = QTableWidget(rows, 6)
        for r in range(rows):
            for c in range(6):
                table.setItem(r, c, QTableWidgetItem(f"cell {r}.{c}"))
        window.setCentralWidget(table)
    window.resize(1200, 800)

    def finish() -> None:
        if scroll_list and services is not None:
            view = window.cases_view
            table = getattr(view, "table", None) or view.findChild(__import__(
                "PySide6.QtWidgets", fromlist=["QTableView"]).QTableView)
            model = table.model()
            for fraction in (0.5, 1.0):
                table.scrollTo(model.index(max(0, int(model.rowCount() * fraction) - 1), 0))
                table.viewport().repaint()
                app.processEvents()
        _report(f"rss {peak_kib()}")
        if services is not None:
            services.close()
        app.quit()

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if not self.done and event.type() == QEvent.Type.Paint and hasattr(obj, "window") \
                    and obj.window() is window:
                self.done = True
                QTimer.singleShot(0, lambda: (_report("painted"), QTimer.singleShot(0, finish)))
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    window.show()
    app.exec()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main(sys.argv[1:]))
