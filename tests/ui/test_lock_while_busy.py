"""Locking the window while another helpdesk-intake process writes (issue 13): the store's last
audit entry waits for that process's write lock, which used to happen on the GUI thread, so the
window froze for up to HELPDESK_INTAKE_WRITE_WAIT seconds. The close now runs on a worker: the
window locks at once, and the entry is written when the other process has finished."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.store.keys import Key
from desktop.store.vault import Vault
from desktop.ui.shell.clipboard_guard import ClipboardGuard
from desktop.ui.shell.idle_lock import SessionLockWatcher
from desktop.ui.shell.lock_controller import LockController
from desktop.ui.widgets.jobs import TaskRunner
from tests.conftest import PASSPHRASE
from tests.reliability.util import finish, hold


class Bus:
    def __call__(self, *args) -> bool:
        return True


def lock_entries(store) -> list[str]:
    with Vault.open(store, Key.passphrase(PASSPHRASE)) as v:
        return [r[0] for r in v.read("SELECT detail FROM audit WHERE action = 'store.lock'")]


def test_ctrl_l_while_another_process_writes_locks_at_once_and_audits_later(
        qtbot, qapp, window, services, store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_WRITE_WAIT", "20")
    controller = LockController(
        services, window, window_factory=lambda s: None, app=qapp, runner=TaskRunner(), idle_ms=60_000,
        on_cancel=lambda: None, session_watcher=SessionLockWatcher(connect=Bus()), page_check_delay_ms=None,
        clipboard=ClipboardGuard(QApplication.clipboard(), is_ours=lambda: True))
    writer = hold(tmp_path, store_path, mode="write-hold")  # an import in another process, writing
    try:
        qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
        # back on the GUI thread while the other process still holds its write lock: nothing waited here
        assert writer.poll() is None
        assert controller.is_locked
        dialog = controller.unlock_dialog
        assert dialog is not None and dialog.isVisible()
        qtbot.keyClicks(dialog.passphrase, "typing works")  # the window answers meanwhile
        assert dialog.passphrase.text() == "typing works"
        assert lock_entries(store_path) == []
    finally:
        finish(writer)  # the other process commits and ends
    qtbot.waitUntil(lambda: lock_entries(store_path) == ["reason=manual;deferred=busy"], timeout=20_000)
    controller.shutdown()
    assert not services.is_open
    dialog.close()
    qapp.setQuitOnLastWindowClosed(True)
