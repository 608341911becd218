"""Creating a store (the first-run wizard, the one way to create one in the GUI) and the unlock dialog:
keyring or passphrase, wrong passphrase, Caps Lock, backoff."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWizard

from desktop import app as root
from desktop.errors import StoreDamaged
from desktop.store import keys
from desktop.store.keys import Key
from desktop.store.vault import Vault
from desktop.ui.shell.first_run_controller import FirstRunController
from desktop.ui.shell.first_run_wizard import FirstRunWizard
from desktop.ui.shell.launch import obtain_services
from desktop.ui.shell.unlock_dialog import UnlockDialog, failure_delay_ms
from desktop.ui.widgets.jobs import SyncRunner
from tests.conftest import PASSPHRASE
from tests.ui.test_first_run_wizard import fill_organisation, press

GOOD = "correct horse battery"


def create(path, key, staff):
    return root.create_services(path, key, staff=staff)


def open_(path, key, staff):
    return root.open_services(path, key, staff=staff)


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


# ---- create (the first-run wizard is the one store-creation path) --------------------------------
def wizard_at_protection(qtbot, store_path, create_store):
    wizard = shown(qtbot, FirstRunWizard(FirstRunController(store_path, create_store, staff="tester"),
                                         runner=SyncRunner()))
    press(qtbot, wizard, QWizard.NextButton)
    assert wizard.currentPage() is wizard.pages[1]
    return wizard, wizard.pages[1]


def finish(qtbot, wizard):
    """From the page after Protection: a valid profile, the shipped report texts and notice, the
    default deadlines, then Create store."""
    fill_organisation(qtbot, wizard.currentPage())
    for _page in ("report details", "privacy notice", "deadlines", "retention"):
        press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.FinishButton)


def test_no_keyring_means_passphrase_with_the_reason_shown(qtbot, store_path, fail_keyring):
    wizard, page = wizard_at_protection(qtbot, store_path, create)
    assert wizard.c.mode == "passphrase"
    assert page.reason.isVisible()
    assert "no OS keyring is available" in page.reason.text()
    assert page.pass1.isVisible() and page.pass2.isVisible()

    qtbot.keyClicks(page.pass1, "short")
    qtbot.keyClicks(page.pass2, "short")
    press(qtbot, wizard, QWizard.NextButton)
    assert "at least 8 characters" in page.error.text()
    assert not store_path.exists()

    page.pass1.clear()
    page.pass2.clear()
    qtbot.keyClicks(page.pass1, GOOD)
    qtbot.keyClicks(page.pass2, GOOD + "x")
    press(qtbot, wizard, QWizard.NextButton)
    assert "differ" in page.error.text()
    assert not store_path.exists()

    qtbot.keyClicks(page.pass2, GOOD)
    qtbot.keyClick(page.pass2, Qt.Key_Return)
    assert wizard.currentPage() is wizard.pages[2], "Return accepts the passphrase"
    finish(qtbot, wizard)
    assert wizard.result() == QDialog.Accepted
    assert wizard.services is not None
    assert wizard.services.vault.key_kind == "passphrase"
    wizard.services.close()
    # the store opens with that passphrase
    reopened = root.open_services(store_path, Key.passphrase(GOOD), staff="tester")
    assert reopened.cases.count() == 0
    reopened.close()


def test_keyring_mode_keeps_the_key_in_the_keyring(qtbot, store_path, memory_keyring):
    wizard, page = wizard_at_protection(qtbot, store_path, create)
    assert wizard.c.mode == "keyring"
    assert not page.pass1.isVisible() and not page.reason.isVisible()
    press(qtbot, wizard, QWizard.NextButton)
    finish(qtbot, wizard)
    assert wizard.result() == QDialog.Accepted
    assert wizard.services.vault.key_kind == "raw"
    wizard.services.close()
    key = keys.keyring_get(store_path)
    assert key is not None
    Vault.open(store_path, key).close()


def test_keyring_key_is_removed_when_creation_fails(qtbot, store_path, memory_keyring):
    written = []

    def failing(path, key, staff):
        written.append(keys.keyring_get(path))  # the key is in the keyring before the store is made
        raise OSError(28, "No space left on device", str(path))

    wizard, _page = wizard_at_protection(qtbot, store_path, failing)
    press(qtbot, wizard, QWizard.NextButton)
    finish(qtbot, wizard)
    assert written and written[0] is not None
    assert keys.keyring_get(store_path) is None
    assert "No space left on device" in wizard.pages[-1].error.text()
    assert wizard.result() != QDialog.Accepted and wizard.button(QWizard.FinishButton).isEnabled()


# ---- unlock -------------------------------------------------------------------------------------
def passphrase_store(path):
    Vault.create(path, Key.passphrase(PASSPHRASE)).close()
    return path


def test_wrong_passphrase_shows_error_keeps_focus_and_leaves_the_file_alone(qtbot, store_path, fail_keyring):
    passphrase_store(store_path)
    before = store_path.read_bytes()
    dialog = shown(qtbot, UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner()))
    assert dialog.mode == "passphrase"
    assert "no OS keyring" in dialog.note_label.text()

    qtbot.keyClicks(dialog.passphrase, "wrong passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert dialog.error.isVisible()
    assert "wrong passphrase or not a helpdesk-intake store" in dialog.error.text().lower()
    assert dialog.passphrase.text() == ""
    assert dialog.passphrase.hasFocus()
    assert dialog.unlock_button.isEnabled()  # no delay after one slip
    assert store_path.read_bytes() == before

    qtbot.keyClicks(dialog.passphrase, "wrong again")
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert not dialog.unlock_button.isEnabled()  # second failure: wait before the next try
    assert dialog.retry_timer.isActive() and dialog.retry_timer.interval() == failure_delay_ms(2) == 1000
    assert "Try again in 1 s" in dialog.error.text()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)  # ignored while the button is disabled
    assert dialog.services is None
    assert store_path.read_bytes() == before

    dialog.retry_timer.stop()
    dialog.retry_timer.timeout.emit()  # the delay has passed
    assert dialog.unlock_button.isEnabled()
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert dialog.result() == QDialog.Accepted
    assert dialog.services.vault.is_open
    dialog.services.close()


def test_delay_grows_with_failures():
    assert [failure_delay_ms(n) for n in range(1, 9)] == [0, 1000, 2000, 4000, 8000, 16000, 30000, 30000]


def test_caps_lock_warning(qtbot, store_path, fail_keyring):
    passphrase_store(store_path)
    dialog = shown(qtbot, UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner()))
    qtbot.keyClick(dialog.passphrase, Qt.Key_A)
    assert not dialog.caps.isVisible()
    QApplication.sendEvent(dialog.passphrase, QKeyEvent(QEvent.KeyPress, Qt.Key_B, Qt.NoModifier, "B"))
    assert dialog.caps.isVisible()  # upper case without Shift
    QApplication.sendEvent(dialog.passphrase, QKeyEvent(QEvent.KeyPress, Qt.Key_C, Qt.NoModifier, "c"))
    assert not dialog.caps.isVisible()


def test_keyring_unlocks_without_a_passphrase(qtbot, store_path, memory_keyring):
    key = Key.new_raw()
    keys.keyring_set(store_path, key)
    Vault.create(store_path, key).close()
    dialog = shown(qtbot, UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner()))
    assert dialog.mode == "keyring"
    assert not dialog.passphrase.isVisible()
    assert dialog.unlock_button.text().replace("&", "") == "Unlock with OS keyring"
    click(qtbot, dialog.unlock_button)
    assert dialog.result() == QDialog.Accepted
    assert dialog.services.vault.key_kind == "raw"
    assert dialog.services.ctx.staff == "tester"
    dialog.services.close()


def test_env_passphrase_needs_no_field(qtbot, store_path, fail_keyring, monkeypatch):
    passphrase_store(store_path)
    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASSPHRASE)
    dialog = shown(qtbot, UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner()))
    assert not dialog.passphrase.isVisible()
    click(qtbot, dialog.unlock_button)
    assert dialog.result() == QDialog.Accepted
    dialog.services.close()


def test_damaged_store_is_one_clear_line(qtbot, store_path, fail_keyring):
    passphrase_store(store_path)

    def damaged(path, key, staff):
        raise StoreDamaged("the store is damaged (a page failed its integrity check)")

    dialog = shown(qtbot, UnlockDialog(store_path, damaged, staff="tester", runner=SyncRunner()))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    text = dialog.error.text()
    assert "damaged" in text and "Traceback" not in text and "\n" not in text
    assert dialog.unlock_button.isEnabled()


def test_not_a_store_file(qtbot, store_path, fail_keyring):
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"just some text, not a database" * 100)
    before = store_path.read_bytes()
    dialog = shown(qtbot, UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner()))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert "not a helpdesk-intake store" in dialog.error.text()
    assert store_path.read_bytes() == before


def test_obtain_services_picks_the_dialog_by_whether_the_store_exists(qtbot, store_path, monkeypatch):
    seen = []

    def fake_exec(self):
        seen.append(type(self).__name__)
        return 0

    from desktop.ui.shell.first_run_wizard import FirstRunWizard

    monkeypatch.setattr(FirstRunWizard, "exec", fake_exec)
    monkeypatch.setattr(UnlockDialog, "exec", fake_exec)
    assert obtain_services(store_path, runner=SyncRunner()) is None
    passphrase_store(store_path)
    assert obtain_services(store_path, runner=SyncRunner()) is None
    assert seen == ["FirstRunWizard", "UnlockDialog"]


def test_run_gui_without_a_display_says_so(monkeypatch, capsys):
    import argparse
    import sys

    from desktop.ui.shell import launch

    monkeypatch.setattr(sys, "platform", "linux")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert launch.run_gui(argparse.Namespace(store=None)) == 1
    err = capsys.readouterr().err
    assert "no display" in err and len(err.strip().splitlines()) == 1


def test_a_slow_open_says_why_and_the_dialog_stays_responsive(qtbot, store_path, fail_keyring, monkeypatch):
    """Opening runs off the GUI thread; when it takes a while (a store upgrade after an update),
    the dialog says so, and the message goes once the store is open."""
    import threading

    from desktop.ui.widgets.jobs import TaskRunner

    passphrase_store(store_path)
    release = threading.Event()

    def slow_open(path, key, staff):
        release.wait(10)
        return open_(path, key, staff)

    monkeypatch.setattr(UnlockDialog, "SLOW_MS", 50)
    dialog = shown(qtbot, UnlockDialog(store_path, slow_open, staff="tester", runner=TaskRunner()))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert dialog.progress.isVisible() and dialog.progress.text() == "Opening the store…"
    qtbot.waitUntil(lambda: "upgraded" in dialog.progress.text(), timeout=2000)
    assert not dialog.unlock_button.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.Accepted, timeout=5000)
    assert not dialog.progress.isVisible()
    dialog.services.close()
