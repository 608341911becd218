"""Screenshots of the Audit view, the sweep preview, a case under legal hold, the cases list with
hold markers and countdowns, and the unlock screen after a lock. Throw-away store, made-up people.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots/security_take_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent


def main() -> int:
    os.environ.setdefault("HELPDESK_INTAKE_STAFF", "sam")
    tmp = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(tmp / "data")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    import keyring

    from tests.helpers.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from desktop.app import build_services
    from desktop.domain.clock import FixedClock
    from desktop.domain.models import Status
    from desktop.store.keys import Key
    from desktop.store.vault import Vault
    from desktop.ui.cases.detail import CaseDetailDialog
    from desktop.ui.cases.detail_controller import CaseDetailController
    from desktop.ui.cases.hold_dialog import attach_hold_panel
    from desktop.ui.shell.idle_lock import SessionLockWatcher
    from desktop.ui.shell.launch import build_window
    from desktop.ui.shell.lock_controller import LockController
    from desktop.ui.widgets.jobs import SyncRunner
    from docs.screenshots.take_screenshots import seed

    clock = FixedClock(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    vault = Vault.create(tmp / "store.db", Key.passphrase("screenshot passphrase 1"))
    services = build_services(vault, clock=clock, staff="sam")
    ids = seed(services)
    services.retention.refresh_all()  # seed() sets its hold directly; recompute the stored timers
    services.cases.detail(ids[1])
    services.audit.verify()
    runner = SyncRunner()
    settings = QSettings(str(tmp / "w.ini"), QSettings.IniFormat)

    def factory(svc):
        return build_window(svc, runner=runner, settings=settings, notify=lambda t, x: None)

    window = factory(services)
    window.resize(1280, 760)
    window.show()
    from desktop.ui.retention.sweep_scheduler import scheduler_for_window

    controller = LockController(services, window, window_factory=factory, app=app, runner=runner,
                                session_watcher=SessionLockWatcher(connect=lambda *a: False),
                                on_cancel=lambda: None, scheduler_factory=scheduler_for_window)
    old = clock.now() - timedelta(days=800)
    clock.set(old)
    stale = [services.intake.submit({"name": n, "email": e, "category": "bounce", "description": "Old bounce",
                                     "channel": "email", "notice_acknowledged": True, "not_a_child": True,
                                     "marketing_consent": False, "received_at": old}).case_id
             for n, e in (("Old Customer", "old@example.org"), ("Former Client", "former@example.org"))]
    services.cases.set_status(stale[1], Status.RESOLVED)
    clock.set(datetime(2024, 10, 1, 9, 0, tzinfo=UTC))
    services.cases.set_status(stale[1], Status.CLOSED, resolution="done")
    clock.set(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    window.case_model.reload()
    window.refresh_status()

    def shot(widget, name):
        for _ in range(5):
            app.processEvents()
        widget.grab().save(str(OUT / name))
        print("wrote", OUT / name)

    window.show_view("audit")
    view = window.audit_view
    view.verify()
    shot(window, "audit-view.png")
    original = services.vault.conn.execute("SELECT detail FROM audit WHERE id = 5").fetchone()[0]
    services.vault.conn.execute("UPDATE audit SET detail = 'edited' WHERE id = 5")
    view.verify()
    shot(view, "audit-verify-broken.png")
    services.vault.conn.execute("UPDATE audit SET detail = ? WHERE id = 5", (original,))

    dialog = window.open_sweep_preview()
    shot(dialog, "sweep-preview.png")
    dialog.run()
    shot(dialog, "sweep-done.png")
    dialog.close()

    window.show_view("cases")
    from PySide6.QtCore import Qt

    from desktop.ui.cases.model import CaseTableModel

    window.cases_view.table.sortByColumn(CaseTableModel.column_of("next_removal"), Qt.AscendingOrder)
    shot(window, "sweep-cases-countdown.png")

    detail = CaseDetailDialog(CaseDetailController(services, ids[5]), parent=window)
    attach_hold_panel(detail, services)
    detail.show()
    shot(detail, "sweep-case-legal-hold.png")
    detail.close()

    controller.lock_now("manual")
    unlock = controller.unlock_dialog
    unlock.passphrase.setText("wrong")
    unlock.submit()
    shot(unlock, "audit-unlock-after-lock.png")
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
