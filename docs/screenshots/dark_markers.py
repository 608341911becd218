"""Dark-palette screenshots of the legal-hold, overdue and due-soon markers (a throw-away store):

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/dark_markers.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def main() -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from desktop.ui.widgets.style import apply_dark_palette

    apply_dark_palette(app)  # before any view is built: views take their colours from the palette
    from desktop.app import build_services
    from desktop.domain.clock import FixedClock
    from desktop.store.keys import Key
    from desktop.store.vault import Vault
    from desktop.ui.shell.launch import build_window
    from desktop.ui.widgets.jobs import SyncRunner
    from tests.helpers.factories import add_case

    work = Path(tempfile.mkdtemp())
    svc = build_services(Vault.create(work / "s.db", Key.passphrase("screenshots only")),
                         clock=FixedClock(NOW), staff="sam")

    def ago(days: int) -> datetime:
        return NOW - timedelta(days=days)

    add_case(svc, ago(60), name="Zoë Łukasiewicz", email="zoe@example.org")
    held = add_case(svc, ago(20), name="Bob Example", email="bob@example.org", description="Bounce dispute")
    svc.retention.set_hold(reason="Invoice dispute", case_id=held)
    add_case(svc, ago(5), name="Chen Wei", email="chen@example.net")
    svc.requests.open("access", "zoe@example.org", received_at=ago(41), channel="email")
    svc.requests.open("erasure", "bob@example.org", received_at=ago(26), channel="web_form")
    svc.requests.open("portability", "chen@example.net", received_at=ago(3), channel="email")
    win = build_window(svc, runner=SyncRunner(), settings=QSettings(str(work / "w.ini"), QSettings.IniFormat),
                       notify=lambda *_a: None)
    win.resize(1360, 640)
    win.show()
    for key in ("cases", "requests"):
        win.show_view(key)
        app.processEvents()
        win.grab().save(str(OUT / f"dark-markers-{key}.png"))
    svc.close()


if __name__ == "__main__":
    main()
