"""Screenshots of the Requests view, its dialogs and the report preview, from a throw-away store.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots/requests_take_screenshots.py
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
    from desktop.app import build_services
    from desktop.domain.clock import FixedClock
    from desktop.store.keys import Key
    from desktop.store.vault import Vault
    from desktop.ui.requests.dialogs import NewRequestDialog
    from desktop.ui.requests.report_preview import PrivateTempDir, ReportPreviewDialog
    from desktop.ui.requests.rights_dialogs import ErasureDialog
    from desktop.ui.shell.launch import build_window
    from desktop.ui.widgets.jobs import SyncRunner
    from tests.helpers.factories import add_case

    work = Path(tempfile.mkdtemp())
    svc = build_services(Vault.create(work / "s.db", Key.passphrase("screenshots only")),
                         clock=FixedClock(NOW), staff="m.jansen")
    ago = lambda days: NOW - timedelta(days=days)  # noqa: E731
    add_case(svc, ago(60), name="Zoë Łukasiewicz", email="zoe@example.org", phone="+44 20 7946 0101")
    add_case(svc, ago(45), name="Zoë Łukasiewicz", email="zoe@example.org", phone="+44 20 7946 0101",
             category="spam_folder", description="Newsletters land in spam at outlook.com")
    add_case(svc, ago(50), name="Z. Lukasiewicz", email="z.l@work.example", phone="+44 20 7946 0101")
    add_case(svc, ago(30), name="Bob Example", email="bob@example.org", phone=None)
    held = add_case(svc, ago(20), name="Bob Example", email="bob@example.org", phone=None,
                    description="Bounce dispute, invoice 2291")
    svc.retention.set_hold(reason="Invoice dispute, keep until settled", case_id=held)
    add_case(svc, ago(5), name="Chen Wei", email="chen@example.net", phone=None)

    r = svc.requests
    overdue = r.open("access", "zoe@example.org", received_at=ago(41), channel="email").request
    r.record_verification(overdue.id, "reply_from_address")
    soon = r.open("erasure", "bob@example.org", received_at=ago(26), channel="web_form").request
    r.record_verification(soon.id, "callback_number")
    ext = r.open("portability", "chen@example.net", received_at=ago(12), channel="email").request
    r.extend(ext.id, "Several years of cases to collect")
    r.open("restriction", "zoe@example.org", received_at=ago(3), channel="phone")
    done = r.open("objection", "chen@example.net", received_at=ago(20)).request
    svc.rights.object("chen@example.net", "marketing", "No newsletters", request_ref=done.ref)
    r.record_verification(done.id, "reply_from_address")
    r.complete(done.id, "Marketing consent withdrawn and blocked.")

    win = build_window(svc, runner=SyncRunner(), settings=QSettings(str(work / "w.ini"), QSettings.IniFormat),
                       notify=lambda *_a: None, confirm=lambda *_a: True)
    win.resize(1400, 860)
    win.show()
    view = win.show_view("requests")
    view.filter.setCurrentIndex(view.filter.findData("all"))
    view.select_request(overdue.id)
    app.processEvents()
    win.grab().save(str(OUT / "requests-view.png"))

    view.select_request(soon.id)
    app.processEvents()
    win.grab().save(str(OUT / "requests-view-erasure.png"))

    dialog = NewRequestDialog(view.controller, parent=view)
    dialog.show()
    dialog.type.setCurrentIndex(dialog.type.findData("access"))
    dialog.email.setText("zoe@example.org")
    dialog.phone.setText("+44 20 7946 0101")
    dialog.submit()
    app.processEvents()
    dialog.grab().save(str(OUT / "requests-new-matches.png"))
    dialog.accept()

    erase = ErasureDialog(soon.ref, view.controller.erasure_plan(soon.id), lambda: None, parent=view)
    erase.show()
    app.processEvents()
    erase.grab().save(str(OUT / "requests-erasure-confirm.png"))
    erase.reject()

    tmp = PrivateTempDir()
    out = tmp.file(f"access-report-{overdue.ref}.pdf")
    result, _req = svc.reports.access_report("zoe@example.org", out, password="preview password")
    preview = ReportPreviewDialog(result.path, tmp, suggested_name=out.name,
                                  title=f"Access report {overdue.ref}: preview", password="preview password",
                                  parent=view)
    preview.resize(860, 860)
    preview.show()
    app.processEvents()
    preview.grab().save(str(OUT / "requests-report-preview.png"))
    preview.discard()
    svc.close()
    print("written:", ", ".join(sorted(p.name for p in OUT.glob("requests-*.png"))))


if __name__ == "__main__":
    main()
