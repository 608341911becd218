"""Start the window: QApplication, create or unlock the store, build services (desktop/app.py), show the window.

This is the GUI half of the composition root: services are built by desktop.app (the store session) and passed into
controllers and views here; nothing below reaches for QApplication.instance().
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop import APP_NAME
from desktop.paths import store_path

SMOKE_ENV = "HELPDESK_INTAKE_SMOKE_EXIT_AFTER_SHOWN"  # undocumented, for .ci/bundle-smoke.sh

NO_DISPLAY = (f"{APP_NAME}: no display found; run it under Xvfb (xvfb-run -a {APP_NAME}) "
              "or set QT_QPA_PLATFORM (e.g. offscreen)")


def _no_display() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def obtain_services(path: Path, *, runner=None, parent=None, notes_seen: set[str] | None = None):
    """First-run wizard when no store exists, else the unlock dialog. None when the person cancels.
    notes_seen: gets the keyring note the unlock dialog showed (the lock screen does not repeat it)."""
    from desktop import app
    from desktop.ui.shell.first_run_controller import FirstRunController
    from desktop.ui.shell.first_run_wizard import FirstRunWizard
    from desktop.ui.shell.unlock_dialog import UnlockDialog

    door = app.session()
    staff = door.default_staff()
    if not path.exists():
        create = FirstRunController(path, door.creator(), staff=staff)
        dialog = FirstRunWizard(create, runner=runner, parent=parent)
    else:
        # pages are checked in the background once the window shows (lock_controller.check_pages)
        dialog = UnlockDialog(path, door.opener(failed_unlocks=lambda: dialog.failures, verify_pages=False),
                              staff=staff, runner=runner, parent=parent)
    if os.environ.get(SMOKE_ENV) == "1" and os.environ.get("HELPDESK_INTAKE_PASSPHRASE"):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, dialog.submit)  # smoke test: submit with the env passphrase
    dialog.exec()
    if notes_seen is not None and getattr(dialog, "note", None):
        notes_seen.add(dialog.note)
    return dialog.services


def forget_source_lines() -> None:
    """Drop Python's cache of source lines (linecache).

    PySide6 reads the whole source of every module imported after it (its check for
    `from __feature__ import ...`, through inspect.getsource) and linecache keeps those lines for
    the life of the process: about 7 MiB once the window is up, when the app runs from an installed
    wheel (a PyInstaller bundle ships no sources). Nothing in the window reads them; a traceback
    reads its files again. Dropped before the window is built, so the widgets reuse that memory,
    and again after, for the window's own modules."""
    import linecache

    linecache.clearcache()


# the window reads blocks of 50 rows and pages of 200 ids: 1 MiB (256 pages) holds what a keystroke
# or a scroll step reads again; 4 MiB cost 3 MiB more peak memory at 100k cases (docs/bench.md). CLI: 32,000
WINDOW_PAGE_CACHE_KIB = 1024


def build_window(services, *, runner=None, settings=None, notify=None, confirm=None):
    """Wire controllers and views to the services and mount them in the main window."""
    forget_source_lines()
    services.limit_page_cache(WINDOW_PAGE_CACHE_KIB)
    from desktop.ui.widgets.style import register_fallback_fonts

    register_fallback_fonts()
    from PySide6.QtCore import Qt

    from desktop.ui.cases.model import CaseTableModel
    from desktop.ui.cases.view import CasesView
    from desktop.ui.intake.controller import IntakeController
    from desktop.ui.intake.view import IntakeView
    from desktop.ui.shell.main_window import MainWindow

    window = MainWindow(services, runner=runner, settings=settings, notify=notify)
    intake = IntakeView(IntakeController(services), confirm=confirm)
    # read when the Cases view first shows; a long list's count follows off the GUI thread
    model = CaseTableModel(services, parent=window, lazy=True, runner=window.runner)
    cases = CasesView(model)
    window.add_view("intake", "Intake", intake, "Ctrl+N")
    window.add_view("cases", "Cases", cases, "Ctrl+Shift+C")  # Ctrl+L locks (lock_controller)
    from desktop.ui.cases.hold_dialog import attach_hold_panel
    from desktop.ui.retention.sweep_dialog import mount_retention_menu

    mount_retention_menu(window, services, runner)
    find = window.addAction("Find case")
    find.setShortcut("Ctrl+F")
    find.triggered.connect(lambda: (window.show_view("cases"), cases.focus_search()))

    def case_saved(case_id: int) -> None:
        window.cases_changed()

    def open_case(case_id: int) -> None:
        from desktop.ui.cases.detail import CaseDetailDialog
        from desktop.ui.cases.detail_controller import CaseDetailController

        dialog = CaseDetailDialog(CaseDetailController(services, case_id), parent=window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.changed.connect(case_saved)
        attach_hold_panel(dialog, services)
        attach_case_diagnosis(dialog, services)
        dialog.finished.connect(lambda _r: cases.select_case(case_id) if services.is_open else None)
        dialog.open()  # window-modal, without a nested event loop: the lock can reopen it after unlock
        return dialog

    window.case_opener = open_case
    intake.saved.connect(case_saved)
    window.imported.connect(lambda _r: model.reload())
    cases.open_case.connect(open_case)
    from desktop.ui.intake.mail_panel import attach_case_diagnosis, install_mail_intake

    install_mail_intake(window, services)
    from desktop.ui.requests.status import mount_requests

    # Requests, Audit and Settings are built when first shown (their modules imported then too);
    # the request-deadline counter shows in the status bar from the start
    mount_requests(window, services, shortcut="Ctrl+R", on_cases_changed=lambda: case_saved(0))

    def audit_view():
        from desktop.ui.audit.view import AuditController, AuditView

        return AuditView(AuditController(services), runner or window.runner)

    window.add_view("audit", "Audit", audit_view, "Ctrl+Shift+A")  # order: daily work first, settings last
    # built when first opened: its holiday-country and phone-region lists load libraries start does not need
    def settings_view():
        from desktop.ui.settings.view import SettingsController, SettingsView

        return SettingsView(SettingsController(services), runner=runner)

    window.add_view("settings", "Settings", settings_view)
    window.show_view("intake")
    forget_source_lines()
    return window


def run_gui(args) -> int:
    if _no_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName("helpdesk-intake")
    from desktop.ui.widgets.style import register_fallback_fonts

    register_fallback_fonts()  # before the first dialog: a name typed there may need it
    path = store_path(getattr(args, "store", None))
    notes_seen: set[str] = set()
    services = obtain_services(path, notes_seen=notes_seen)
    if services is None:
        return 0
    session = None
    try:
        from desktop.ui.shell.lock_controller import start_session

        window = build_window(services)
        session = start_session(app, services, window, build_window, notes_seen=notes_seen)
        window.show()
        if os.environ.get(SMOKE_ENV) == "1":  # smoke test: quit once the window has shown
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, lambda: (print(f"{APP_NAME}: main window shown", file=sys.stderr),
                                          app.exit(0 if window.isVisible() else 1)))
        return int(app.exec())
    finally:
        if session is not None:
            session.shutdown()  # closes the store open now (services are rebuilt at each unlock)
        services.close()


__all__ = ["run_gui", "build_window", "obtain_services"]
