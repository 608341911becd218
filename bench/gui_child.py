"""Run in a fresh subprocess by bench.rows_gui: start a window, report when it first paints.

    python -m bench.gui_child app STORE [--list] [--passphrase] [--search TERM]
        the app's main window, started as `helpdesk-intake` starts it (bench v2): key from the OS
        keyring (or with --passphrase from HELPDESK_INTAKE_PASSPHRASE: SQLCipher derives it),
        app.open_services(verify_pages=False), build_window, start_session (the sweep at
        unlock and every 15 minutes, the background page check 1.5 s after), show.
        --search: after the first paint, the first search after unlock and then search-as-you-type
        of TERM (1, 2, 3... characters), each timed from the query to the list's repaint.
    python -m bench.gui_child minimal ROWS [--open STORE]   a minimal PySide6 window with one table
        (--open: first opens STORE with bare sqlcipher3 and the passphrase, one key derivation)
    python -m bench.gui_child fts STORE TERM RUNS     bare sqlcipher3 (raw key): the FTS5 prefix query
        for each prefix of TERM, RUNS times (the keystroke rows' baseline)

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


def _fts(argv: list[str], secret: str) -> int:
    import json
    import statistics
    import time

    import sqlcipher3

    from bench.rows_search import raw_listing
    from bench.stores import RAW_PRAGMAS

    store, term, runs = argv[1], argv[2], int(argv[3])
    conn = sqlcipher3.connect(store, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{secret}'\"")
    for pragma in RAW_PRAGMAS:
        conn.execute(pragma).fetchall()
    t0 = time.perf_counter()
    raw_listing(conn, term[:1])
    out = {"first": time.perf_counter() - t0, "keys": {}}
    for k in range(1, len(term) + 1):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            raw_listing(conn, term[:k])
            times.append(time.perf_counter() - t0)
        out["keys"][k] = statistics.median(times)
    _report("search " + json.dumps(out))
    return 0


def _search_as_you_type(app, window, term: str, runs: int) -> dict:
    """Time, for the first search after unlock and then each prefix of `term`, from the query
    (the search box's debounce has fired: cases_view.apply_filters) to the list's repaint."""
    import statistics
    import time

    view = window.cases_view
    window.show_view("cases")
    app.processEvents()

    def once(text: str) -> float:
        t0 = time.perf_counter()
        view.search.blockSignals(True)  # no debounce timer: apply_filters is what it fires
        view.search.setText(text)
        view.search.blockSignals(False)
        view.apply_filters()
        view.table.viewport().repaint()
        elapsed = time.perf_counter() - t0
        app.processEvents()
        return elapsed

    out = {"first": once(term[:1]), "keys": {}}
    for k in range(1, len(term) + 1):
        times = []
        for _ in range(runs):
            once("")
            times.append(once(term[:k]))
        out["keys"][k] = statistics.median(times)
    return out


def main(argv: list[str]) -> int:
    mode = argv[0]
    secret = sys.stdin.readline().strip() if mode in ("app", "fts") else ""
    if mode == "fts":
        return _fts(argv, secret)
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(["bench"])
    scroll_list = "--list" in argv
    search_term = argv[argv.index("--search") + 1] if "--search" in argv else None
    if mode == "app":
        from pathlib import Path

        from desktop import app as root
        from desktop.store.keys import key_for_existing_store
        from desktop.ui.shell.launch import build_window

        store = Path(argv[1])
        if "--passphrase" in argv:
            os.environ["HELPDESK_INTAKE_PASSPHRASE"] = secret
        else:
            _memory_keyring(str(store), secret)
        resolution = key_for_existing_store(store, None)
        assert resolution.source in ("keyring", "env"), resolution.source
        # as run_gui: pages are checked in the background after the window shows
        services = root.open_services(store, resolution.key, staff="bench", verify_pages=False)
        window = build_window(services)
        from desktop.ui.shell.lock_controller import start_session

        session = None if "--no-session" in argv else \
            start_session(app, services, window, build_window)  # sweep at unlock, page check
        if scroll_list:
            window.show_view("cases")
    else:
        from PySide6.QtWidgets import QMainWindow, QTableWidget, QTableWidgetItem

        rows = int(argv[1])
        services = session = None
        if "--open" in argv:  # the passphrase store opened with bare sqlcipher3: one key derivation
            import sqlcipher3

            conn = sqlcipher3.connect(argv[argv.index("--open") + 1])
            conn.execute("PRAGMA key = '" + os.environ["HELPDESK_INTAKE_PASSPHRASE"].replace("'", "''") + "'")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
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
        if search_term and services is not None:
            import json

            _report("search " + json.dumps(_search_as_you_type(app, window, search_term, 5)))
        _report(f"rss {peak_kib()}")
        if session is not None:
            session.shutdown()
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
