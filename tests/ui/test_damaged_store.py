"""A store whose pages fail their check: the unlock dialog says so, names the latest backup and the
restore command, and restores it (verified, the damaged store kept aside) when asked."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop import app as root
from desktop.domain.models import CaseQuery
from desktop.services.backup_service import BackupService
from desktop.store.keys import Key
from desktop.ui.shell.unlock_dialog import UnlockDialog
from desktop.ui.widgets.jobs import SyncRunner
from tests.helpers.factories import add_case

GOOD = "correct horse battery"


def open_(path, key, staff):
    return root.open_services(path, key, staff=staff)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def damaged_store_with_backup(path):
    services = root.create_services(path, Key.passphrase(GOOD), staff="tester")
    for i in range(12):
        add_case(services, email=f"user{i}@example.org", description="y" * 2500)
    backup = path.with_name(path.name + ".2026-01-09.bak")
    BackupService(services.ctx).backup(backup)
    add_case(services, email="after-the-backup@example.org")  # not in the backup
    services.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 + 100] ^= 0xFF  # one byte inside page 4
    path.write_bytes(bytes(data))
    return backup


def unlock_dialog(qtbot, path, asked, notes):
    dialog = UnlockDialog(path, open_, staff="tester", runner=SyncRunner(),
                          confirm=lambda title, text: asked.append(text) or True,
                          notify=lambda title, text: notes.append(text))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.passphrase, GOOD)
    click(qtbot, dialog.unlock_button)
    return dialog


def test_damaged_store_offers_the_latest_backup_and_restores_it(qtbot, store_path, fail_keyring):
    backup = damaged_store_with_backup(store_path)
    damaged_bytes = store_path.read_bytes()
    asked, notes = [], []
    dialog = unlock_dialog(qtbot, store_path, asked, notes)

    text = dialog.error.text()
    assert dialog.services is None and dialog.error.isVisible()
    assert "damaged" in text and str(backup) in text and f"helpdesk-intake restore {backup}" in text
    assert "\n" not in text and "Traceback" not in text
    assert dialog.restore_button.isVisible() and backup.name in dialog.restore_button.text()
    assert store_path.read_bytes() == damaged_bytes, "reporting the damage changes nothing"

    click(qtbot, dialog.restore_button)

    assert asked and str(backup) in asked[0], "asks before replacing the store"
    assert dialog.services is not None and dialog.result() == dialog.DialogCode.Accepted
    try:
        cases = dialog.services.cases
        emails = {c.email for c in cases.rows(list(cases.ids(CaseQuery()))).values()}
        assert "user0@example.org" in emails and "after-the-backup@example.org" not in emails
    finally:
        dialog.services.close()
    kept = list(store_path.parent.glob(store_path.name + ".replaced-*"))
    assert len(kept) == 1 and kept[0].stat().st_size == len(damaged_bytes), "the damaged store is kept aside"
    assert notes and str(kept[0]) in notes[0]


def test_cancelled_restore_changes_nothing(qtbot, store_path, fail_keyring):
    damaged_store_with_backup(store_path)
    damaged_bytes = store_path.read_bytes()
    dialog = UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner(),
                          confirm=lambda title, text: False, notify=lambda *a: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, GOOD)
    click(qtbot, dialog.unlock_button)
    click(qtbot, dialog.restore_button)
    assert dialog.services is None and dialog.isVisible()
    assert store_path.read_bytes() == damaged_bytes
    assert not list(store_path.parent.glob(store_path.name + ".replaced-*"))


def test_a_healthy_store_offers_no_restore(qtbot, store_path, fail_keyring):
    root.create_services(store_path, Key.passphrase(GOOD), staff="tester").close()
    dialog = UnlockDialog(store_path, open_, staff="tester", runner=SyncRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.restore_button.isVisible()
    qtbot.keyClicks(dialog.passphrase, "wrong passphrase")
    click(qtbot, dialog.unlock_button)
    assert dialog.error.isVisible() and not dialog.restore_button.isVisible()


def test_damaged_store_without_backup_says_so(qtbot, store_path, fail_keyring):
    backup = damaged_store_with_backup(store_path)
    backup.unlink()
    dialog = unlock_dialog(qtbot, store_path, [], [])
    assert "No backup was found" in dialog.error.text() and "helpdesk-intake restore" in dialog.error.text()
    assert not dialog.restore_button.isVisible()


def test_damage_found_by_the_background_check_locks_and_the_unlock_offers_the_backup(
        qtbot, qapp, store_path, fail_keyring, qsettings):
    """The GUI opens without checking pages (a big store unlocks at once) and checks them on a second
    connection once the window shows: a damaged page locks the app, and the unlock that follows
    checks first, so it reports the damage and offers the latest backup instead of opening."""
    from desktop.ui.shell.launch import build_window
    from desktop.ui.shell.lock_controller import LockController

    backup = damaged_store_with_backup(store_path)
    damaged_bytes = store_path.read_bytes()
    services = root.open_services(store_path, Key.passphrase(GOOD), staff="tester", verify_pages=False)
    runner = SyncRunner()
    window = build_window(services, runner=runner, settings=qsettings, notify=lambda *a: None,
                          confirm=lambda *a: True)
    qtbot.addWidget(window)
    controller = LockController(services, window, window_factory=lambda s: None, app=qapp, runner=runner,
                                idle_ms=60_000, page_check_delay_ms=10)
    try:
        window.show()
        assert not controller.is_locked, "the window opens before the check"
        qtbot.waitUntil(lambda: controller.is_locked, timeout=5000)
        assert controller.pages_damaged and not window.isVisible()
        dialog = controller.unlock_dialog
        assert dialog is not None and "integrity check" in dialog.how.text()
        qtbot.keyClicks(dialog.passphrase, GOOD)
        click(qtbot, dialog.unlock_button)
        assert dialog.services is None and "damaged" in dialog.error.text()
        assert dialog.restore_button.isVisible() and backup.name in dialog.restore_button.text()
        page4 = slice(4096 * 3, 4096 * 4)
        assert store_path.read_bytes()[page4] == damaged_bytes[page4], "the damaged page is left as it was"
        assert not list(store_path.parent.glob(store_path.name + ".replaced-*")), "nothing replaced"
    finally:
        controller.shutdown()
        if controller.unlock_dialog is not None:
            controller.unlock_dialog.close()
        qapp.setQuitOnLastWindowClosed(True)


def test_a_healthy_store_passes_the_background_check_and_stays_open(qtbot, qapp, store_path, fail_keyring,
                                                                    qsettings):
    root.create_services(store_path, Key.passphrase(GOOD), staff="tester").close()
    services = root.open_services(store_path, Key.passphrase(GOOD), staff="tester", verify_pages=False)
    runner = SyncRunner()
    window = build_window_for(services, runner, qsettings)
    qtbot.addWidget(window)
    from desktop.ui.shell.lock_controller import LockController

    controller = LockController(services, window, window_factory=lambda s: None, app=qapp, runner=runner,
                                idle_ms=60_000, page_check_delay_ms=0)
    try:
        window.show()
        qtbot.wait(200)
        assert not controller.is_locked and not controller.pages_damaged
        assert services.vault.page_problems_detached() == []
    finally:
        controller.shutdown()


def build_window_for(services, runner, qsettings):
    from desktop.ui.shell.launch import build_window

    return build_window(services, runner=runner, settings=qsettings, notify=lambda *a: None,
                        confirm=lambda *a: True)
