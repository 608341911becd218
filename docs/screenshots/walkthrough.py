"""Walk through the real app as a new user and screenshot every screen.

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python docs/screenshots/walkthrough.py
    # dark palette / 200% scaling variants (same run, other file names):
    WALK_DARK=1 xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python docs/screenshots/walkthrough.py
    QT_SCALE_FACTOR=2 xvfb-run -a -s "-screen 0 2880x1800x24" .venv/bin/python docs/screenshots/walkthrough.py

It starts the real `desktop.ui.shell.launch.run_gui` flow with a fresh HOME and XDG folders and the
keyring's "fail" backend (as on a headless Linux box: the store gets a passphrase), then drives the
windows with key presses and clicks from a timer: first-run wizard (each page), lock and unlock,
empty views, the first intakes, case search, case detail, a new access request, identity
verification, the access report preview and saving it (through Qt's own file dialog), Settings and
Audit. Every step grabs the whole virtual screen to walkthrough-NN-<name>.png (prefixed dark- or
scale200- for the variants; the repository keeps ten main screens of each variant). Nothing
touches your real store or keyring.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
PASS = "correct horse battery"
STEP_MS = 120

HOME = Path(tempfile.mkdtemp(prefix="walkthrough-home-"))
for var, sub in (("HOME", ""), ("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                 ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
    (HOME / sub).mkdir(parents=True, exist_ok=True)
    os.environ[var] = str(HOME / sub)
for var in ("HELPDESK_INTAKE_PASSPHRASE", "HELPDESK_INTAKE_STORE", "HELPDESK_INTAKE_STAFF"):
    os.environ.pop(var, None)

DARK = os.environ.get("WALK_DARK") == "1"
SCALED = os.environ.get("QT_SCALE_FACTOR", "1") not in ("", "1")
PREFIX = "dark-" if DARK else "scale200-" if SCALED else "walkthrough-"


def main() -> int:
    import keyring
    import keyring.backends.fail
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWizard

    keyring.set_keyring(keyring.backends.fail.Keyring())  # headless: no OS keyring, so a passphrase
    app = QApplication([sys.argv[0]])
    if DARK:
        from desktop.ui.widgets.style import apply_dark_palette

        apply_dark_palette(app)
    from desktop.ui.shell.first_run_wizard import FirstRunWizard
    from desktop.ui.shell.launch import run_gui
    from desktop.ui.shell.main_window import MainWindow
    from desktop.ui.shell.unlock_dialog import UnlockDialog

    shots: list[str] = []
    count = [0]

    def shot(name: str) -> None:
        count[0] += 1
        for _ in range(3):
            app.processEvents()
        path = OUT / f"{PREFIX}{count[0]:02d}-{name}.png"
        app.primaryScreen().grabWindow(0).save(str(path))
        shots.append(path.name)
        print(path.name, flush=True)

    def visible(cls):
        return next((w for w in app.topLevelWidgets() if isinstance(w, cls) and w.isVisible()), None)

    def wait_for(predicate, what: str, tries: int = 150):
        for _ in range(tries):
            value = predicate()
            if value:
                return value
            yield
        raise RuntimeError(f"timed out waiting for {what}")

    def type_into(widget, text: str) -> None:
        """Key presses, one per character (QTest.keyClicks only knows ASCII)."""
        from PySide6.QtGui import QKeyEvent

        widget.setFocus(Qt.OtherFocusReason)
        for ch in text:
            if ch == "\n":
                QTest.keyClick(widget, Qt.Key_Return)
            elif ch.isascii():
                QTest.keyClicks(widget, ch)
            else:
                for kind in (QKeyEvent.KeyPress, QKeyEvent.KeyRelease):
                    app.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))

    def key(widget, k, mod=Qt.NoModifier) -> None:
        QTest.keyClick(widget, k, mod)

    def shortcut(win, k, mod):
        """A key sequence to the main window, made active first (shortcuts need an active window)."""
        win.activateWindow()
        win.raise_()
        yield
        QTest.keyClick(win, k, mod)
        yield

    def main_window():
        return visible(MainWindow)

    def script():
        # ---- first-run wizard ---------------------------------------------------------------
        wiz = yield from wait_for(lambda: visible(FirstRunWizard), "the first-run wizard")
        wiz.move(0, 0)
        page = wiz.currentPage()
        page.staff.selectAll()
        type_into(page.staff, "Sam Rivera")
        shot("wizard-location")
        wiz.next()
        yield
        page = wiz.currentPage()
        shot("wizard-protection")
        type_into(page.pass1, "short")
        type_into(page.pass2, "short")
        wiz.next()
        yield
        shot("wizard-protection-error")
        page.pass1.clear()
        type_into(page.pass1, PASS)
        type_into(page.pass2, PASS)
        wiz.next()
        yield
        page = wiz.currentPage()
        shot("wizard-organisation")
        for field, text in (("controller_name", "Parcel Post Mail Ltd"),
                            ("controller_address", "12 Harbour Street\nBristol BS1 4RN\nUnited Kingdom"),
                            ("privacy_contact_email", "privacy@parcelpost.example"),
                            ("supervisory_authority", "Information Commissioner's Office (ico.org.uk)")):
            widget = page.fields[field]
            widget.selectAll() if hasattr(widget, "selectAll") else None
            type_into(widget, text)
        shot("wizard-organisation-filled")
        wiz.next()
        yield
        shot("wizard-deadlines")
        wiz.next()
        yield
        page = wiz.currentPage()
        page.table.setCurrentCell(0, 0)
        shot("wizard-retention")
        wiz.button(QWizard.FinishButton).click()
        win = yield from wait_for(main_window, "the main window")
        win.activateWindow()
        yield
        shot("first-window")

        # ---- lock and unlock ------------------------------------------------------------------
        yield from shortcut(win, Qt.Key_L, Qt.ControlModifier)
        unlock = yield from wait_for(lambda: visible(UnlockDialog), "the unlock dialog")
        unlock.move(0, 0)
        shot("locked")
        type_into(unlock.passphrase, "wrong passphrase")
        key(unlock.passphrase, Qt.Key_Return)
        yield from wait_for(lambda: unlock.error.isVisible(), "the wrong-passphrase message")
        shot("unlock-wrong-passphrase")
        type_into(unlock.passphrase, PASS)
        key(unlock.passphrase, Qt.Key_Return)
        win = yield from wait_for(main_window, "the main window after unlocking")
        win.activateWindow()
        yield from wait_for(lambda: not visible(UnlockDialog), "the unlock dialog to close")

        # ---- empty views --------------------------------------------------------------------
        yield from shortcut(win, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
        assert win.current_view() == "cases", "Ctrl+Shift+C shows the cases"
        shot("cases-empty")
        yield from shortcut(win, Qt.Key_R, Qt.ControlModifier)
        assert win.current_view() == "requests", "Ctrl+R shows the requests"
        shot("requests-empty")

        # ---- intake -------------------------------------------------------------------------
        people = [
            ("Ada Lovelace", "ada@example.org", "020 7946 0001", "bounce",
             "Since Monday every message to gmail.com bounces with 550 5.7.1.",
             "Diagnostic-Code: smtp; 550-5.7.1 unauthenticated email is not accepted"),
            ("Łukasz Żółw", "lukasz@example.pl", "", "spam_folder",
             "Invoices reach Outlook recipients only in the junk folder.", ""),
            ("Zoë Ärnström", "zoe@example.se", "+46 8 123 456 78", "smtp_auth",
             "SMTP AUTH rejected since the password was reset.", ""),
        ]
        for i, (name, email, phone, category, description, technical) in enumerate(people):
            yield from shortcut(win, Qt.Key_N, Qt.ControlModifier)
            yield
            view = win.intake_view
            if i == 0:
                shot("intake-empty")
            type_into(view.name, name)
            type_into(view.email, email if i else "ada@example")
            if i == 0:
                key(view.email, Qt.Key_Tab)  # leaving the field checks it
                shot("intake-inline-error")
                view.email.setFocus()
                key(view.email, Qt.Key_End)
                type_into(view.email, ".org")
            type_into(view.phone, phone)
            view.category.setFocus()
            view.category.setCurrentIndex(view.category.findData(category))
            type_into(view.description, description)
            if technical:
                type_into(view.technical, technical)
            view.notice.setChecked(True)
            view.age.setChecked(True)
            if i == 0:
                shot("intake-filled")
            key(view.description, Qt.Key_Return, Qt.ControlModifier)
            yield from wait_for(lambda v=view: v.result_label.text(), "the saved message")
            if i == 0:
                shot("intake-saved")

        # ---- cases and search ---------------------------------------------------------------
        yield from shortcut(win, Qt.Key_F, Qt.ControlModifier)
        assert win.current_view() == "cases", "Ctrl+F shows the cases"
        yield
        cases = win.cases_view
        shot("cases-list")
        type_into(cases.search, "ada")
        yield from wait_for(lambda: cases.model.rowCount() == 1, "the search result")
        shot("cases-search")
        cases.search.clear()
        type_into(cases.search, "nobody-like-this")
        yield from wait_for(lambda: cases.model.rowCount() == 0, "an empty search result")
        shot("cases-search-nothing")
        cases.search.clear()
        yield from wait_for(lambda: cases.model.rowCount() == 3, "all cases back")
        cases.table.setFocus()
        cases.select_case(1)

        def open_detail():
            key(cases.table, Qt.Key_Return)

        QTimer.singleShot(0, open_detail)
        yield
        detail = yield from wait_for(lambda: app.activeModalWidget(), "the case detail")
        detail.move(0, 0)
        yield
        shot("case-detail")
        detail.tabs.setCurrentIndex(1)
        type_into(detail.note_edit, "Asked for the full bounce message.")
        detail.add_note_button.click()
        shot("case-detail-notes")
        detail.tabs.setCurrentIndex(2)
        shot("case-detail-history")
        detail.reject()
        yield

        # ---- a new access request -----------------------------------------------------------
        yield from shortcut(win, Qt.Key_R, Qt.ControlModifier)
        assert win.current_view() == "requests", "Ctrl+R shows the requests"
        yield
        requests = win.views["requests"]
        QTimer.singleShot(0, requests.new_button.click)
        yield
        new = yield from wait_for(lambda: app.activeModalWidget(), "the new-request dialog")
        yield
        new.type.setCurrentIndex(new.type.findData("access"))
        type_into(new.email, "ada@example.org")
        shot("request-new")
        new.open_button.click()
        yield
        shot("request-new-matches")
        new.confirm_button.click()
        yield from wait_for(lambda: requests.model.rowCount() == 1 and requests.selected_id(), "the new request")
        shot("requests-one")

        # ---- identity verification ------------------------------------------------------------
        detail_panel = requests.detail

        def press(text_start: str):
            from PySide6.QtWidgets import QPushButton

            button = next(b for b in detail_panel.findChildren(QPushButton)
                          if b.text().replace("&", "").startswith(text_start) and b.isVisible())
            QTimer.singleShot(0, button.click)

        press("Record identity")
        yield
        verify = yield from wait_for(lambda: app.activeModalWidget(), "the verification dialog")
        yield
        shot("request-verify")
        verify.method.setCurrentIndex(0)
        verify.ok_button.click()
        yield from wait_for(lambda: requests.detail.buttons["report"].isEnabled(), "the verified request")
        shot("requests-verified")

        # ---- access report: password (none), progress, preview, save --------------------------
        press("Generate access report")
        yield
        password = yield from wait_for(lambda: app.activeModalWidget(), "the report password dialog")
        yield
        shot("report-password")
        password.submit()
        preview = yield from wait_for(
            lambda: (w := app.activeModalWidget()) is not None and "preview" in w.windowTitle().lower() and w,
            "the report preview", tries=400)
        preview.move(0, 0)
        preview.resize(900, 880)
        yield
        yield
        shot("report-preview")

        def save_through_dialog():
            preview.save_button.click()

        QTimer.singleShot(0, save_through_dialog)
        yield
        chooser = yield from wait_for(lambda: isinstance(app.activeModalWidget(), QFileDialog)
                                      and app.activeModalWidget(), "the save dialog")
        yield
        shot("report-save-dialog")
        chooser.accept()  # the suggested name, in the home folder
        yield from wait_for(lambda: list(HOME.glob("access-report-*.pdf")), "the saved report", tries=200)
        yield
        yield
        shot("report-saved")
        box = app.activeModalWidget()
        if isinstance(box, QDialog):
            box.accept()
            yield

        # ---- settings and audit -------------------------------------------------------------
        win.show_view("settings")
        yield
        shot("settings")
        win.show_view("audit")
        yield
        shot("audit")
        win.close()
        app.quit()

    steps = script()
    failure: list[str] = []

    def advance():
        try:
            next(steps)
        except StopIteration:
            return
        except Exception:  # noqa: BLE001 - report and stop
            failure.append(traceback.format_exc())
            shot("failure")
            app.exit(3)
            for w in app.topLevelWidgets():
                if isinstance(w, QDialog) and w.isVisible():
                    w.reject()
            return
        QTimer.singleShot(STEP_MS, advance)

    QTimer.singleShot(300, advance)

    class Args:
        store = None

    code = run_gui(Args())
    if failure:
        print(failure[0], file=sys.stderr)
        return 1
    print(f"{len(shots)} screenshots, exit {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
