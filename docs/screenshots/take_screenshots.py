"""Render the real windows to PNGs in docs/screenshots/ (run under Xvfb or any display).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots/take_screenshots.py

Uses a throw-away store with made-up people; nothing touches your real store or keyring.
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

PEOPLE = [
    ("Ada Lovelace", "ada@example.org", "+44 20 7946 0001", "bounce", "Messages to gmail.com bounce with 550 5.7.1"),
    ("Grace Hopper", "grace@navy.example", "+1 202 555 0143", "spam_folder", "Newsletters land in the spam folder"),
    ("Alan Turing", "alan@bletchley.example", "", "spf_dkim_dmarc", "DKIM signature fails at Outlook"),
    ("Zoë Ärnström", "zoe@example.se", "+46 8 123 456 78", "smtp_auth", "SMTP AUTH rejected since password reset"),
    ("Łukasz Żółw", "lukasz@example.pl", "", "connection_tls", "TLS handshake fails on port 465"),
    ("Margaret Hamilton", "margaret@apollo.example", "", "rate_limit_blocklist", "Listed on a blocklist after campaign"),
    ("Katherine Johnson", "kj@example.org", "", "bounce", "Soft bounces to yahoo.com"),
    ("Ada Lovelace", "ada@example.org", "", "other", "Wants to change the sender name"),
    ("Tim Berners-Lee", "tim@cern.example", "", "spam_folder", "Password-reset emails go to junk"),
    ("Hedy Lamarr", "hedy@example.at", "", "smtp_auth", "App password not accepted"),
]


def seed(services) -> list[int]:
    from desktop.domain.models import Status

    now = services.ctx.now()
    ids = []
    for i, (name, email, phone, cat, desc) in enumerate(PEOPLE):
        ids.append(services.intake.submit({
            "name": name, "email": email, "phone": phone, "category": cat, "description": desc,
            "channel": ["email", "phone", "web_form", "chat"][i % 4], "notice_acknowledged": True,
            "not_a_child": True, "marketing_consent": i % 3 == 0,
            "received_at": now - timedelta(days=40 - 3 * i, hours=i),
        }).case_id)
    services.cases.set_status(ids[0], Status.WAITING)
    services.cases.set_status(ids[2], Status.RESOLVED)
    services.cases.set_status(ids[2], Status.CLOSED, resolution="DKIM selector published")
    services.cases.add_note(ids[0], "Asked for the full bounce message and headers.")
    services.cases.rectify(ids[0], {"phone": "+44 20 7946 0002"})
    with services.vault.transaction():
        services.ctx.cases.update(ids[5], legal_hold_reason="complaint to the regulator, ref 2026-17",
                                  legal_hold_by="dpo", legal_hold_at=now)
        subject = services.cases.get(ids[3]).subject_id
        services.ctx.subjects.update(subject, restricted_at=now, restriction_reason="accuracy contested")
    return ids


def main() -> int:
    os.environ.setdefault("HELPDESK_INTAKE_STAFF", "sam")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from desktop.app import create_services
    from desktop.store.keys import Key
    from desktop.ui.cases.detail import CaseDetailDialog
    from desktop.ui.cases.detail_controller import CaseDetailController
    from desktop.ui.shell.first_run_controller import FirstRunController
    from desktop.ui.shell.first_run_wizard import FirstRunWizard
    from desktop.ui.shell.launch import build_window
    from desktop.ui.shell.unlock_dialog import UnlockDialog
    from desktop.ui.widgets.jobs import SyncRunner

    app = QApplication([sys.argv[0]])
    tmp = Path(tempfile.mkdtemp())
    services = create_services(tmp / "store.db", Key.passphrase("screenshot passphrase"), staff="sam")
    ids = seed(services)
    settings = QSettings(str(tmp / "window.ini"), QSettings.IniFormat)
    window = build_window(services, runner=SyncRunner(), settings=settings, notify=lambda *a: None)
    window.resize(1360, 820)
    window.show()

    def settle():
        for _ in range(5):
            app.processEvents()

    def save(widget, name):
        settle()
        widget.grab().save(str(OUT / name))
        print(OUT / name)

    window.show_view("cases")
    window.cases_view.select_case(ids[-1])
    save(window, "main-cases.png")

    window.show_view("intake")
    view = window.intake_view
    view.name.setText("Rosalind Franklin")
    view.email.setText("rosalind@@example")
    view.category.setCurrentIndex(view.category.findData("bounce"))
    view.description.setPlainText("Every message to kcl.ac.uk bounces with 554 5.7.1 since the DNS move.")
    view.technical.setPlainText("Final-Recipient: rfc822; r.franklin@kcl.example\nStatus: 5.7.1\n"
                                "Diagnostic-Code: smtp; 554 5.7.1 Service unavailable")
    view.notice.setChecked(True)
    view.save()
    save(window, "intake-inline-error.png")

    dialog = CaseDetailDialog(CaseDetailController(services, ids[0]), parent=window)
    dialog.show()
    save(dialog, "case-detail.png")
    dialog.tabs.setCurrentIndex(2)
    save(dialog, "case-detail-history.png")
    dialog.close()
    restricted = CaseDetailDialog(CaseDetailController(services, ids[3]), parent=window)
    restricted.show()
    save(restricted, "case-detail-restricted.png")
    restricted.close()

    import keyring
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())
    create = FirstRunWizard(FirstRunController(tmp / "new.db", lambda *a: None, staff="sam"), runner=SyncRunner())
    create.show()
    create.next()  # the protection page: no keyring here, so a passphrase and why
    save(create, "create-store-passphrase.png")
    unlock = UnlockDialog(tmp / "store.db", lambda *a: (_ for _ in ()).throw(
        __import__("desktop.store.errors", fromlist=["WrongKeyError"]).WrongKeyError()),
        staff="sam", runner=SyncRunner())
    unlock.show()
    unlock.passphrase.setText("not it")
    unlock.submit()
    save(unlock, "unlock-wrong-passphrase.png")
    window.close()
    services.close()
    _ = (Qt, datetime, UTC)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
