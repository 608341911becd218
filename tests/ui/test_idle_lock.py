"""Idle lock and unlock: the store closes, every view and form empties, the app's clipboard text goes,
unsaved work is asked about first, and unlocking rebuilds services and views."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog

from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from desktop.ui.shell.clipboard_guard import ClipboardGuard
from desktop.ui.shell.idle_lock import IdleWatcher, SessionLockWatcher, idle_minutes
from desktop.ui.shell.launch import build_window
from desktop.ui.shell.lock_controller import LockController
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


class Bus:
    """A fake D-Bus: records subscriptions; tests then call the slot like the bus would."""

    def __init__(self) -> None:
        self.subscribed: list[str] = []

    def __call__(self, bus, service, path, interface, name, receiver, slot) -> bool:
        self.subscribed.append(f"{interface}.{name}")
        return True


@pytest.fixture
def ownership():
    return {"ours": True}


@pytest.fixture
def lock(qtbot, qapp, window, services, runner, qsettings, notices, ownership):
    cancelled = []

    def factory(svc):
        return build_window(svc, runner=runner, settings=qsettings, notify=lambda t, x: notices.append((t, x)),
                            confirm=lambda t, x: True)

    controller = LockController(
        services, window, window_factory=factory, app=qapp, runner=runner, idle_ms=60_000,
        on_cancel=lambda: cancelled.append(True), session_watcher=SessionLockWatcher(connect=Bus()),
        clipboard=ClipboardGuard(QApplication.clipboard(), is_ours=lambda: ownership["ours"]))
    controller.window_replaced.connect(qtbot.addWidget)
    controller.cancelled = cancelled
    yield controller
    controller.shutdown()
    if controller.unlock_dialog is not None:
        controller.unlock_dialog.close()
    qapp.setQuitOnLastWindowClosed(True)
    QApplication.clipboard().clear()


def unlock(qtbot, lock, passphrase=PASSPHRASE):
    dialog = lock.unlock_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, passphrase)
    click(qtbot, dialog.unlock_button)
    return dialog


def test_idle_timeout_closes_the_store_and_empties_every_view(qtbot, lock, window, services):
    add_case(services)
    window.show_view("audit")
    assert window.audit_view.model.rowCount() > 0
    window.case_model.reload()
    window.show_view("cases")
    qtbot.keyClicks(window.cases_view.search, "Ada")
    window.cases_view.apply_filters()
    assert window.case_model.rowCount() == 1 and window.case_model.row(0) is not None
    lock.idle.set_timeout_ms(20)  # the real timer, a few ms
    lock.idle.start()
    qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)
    assert not services.vault.is_open
    assert window.case_model.rowCount() == 0 and window.case_model.cached_rows == 0
    assert window.cases_view.search.text() == ""
    assert not any(window.intake_view.values()[k] for k in ("name", "email", "phone", "description"))
    assert window.audit_view.model.rowCount() == 0
    assert not window.isVisible()
    assert lock.unlock_dialog.isVisible()
    qtbot.waitUntil(lambda: lock.unlock_dialog.passphrase.hasFocus(), timeout=2000)


def test_input_restarts_the_one_timer_and_a_long_sleep_locks_at_the_next_key(qtbot, qapp):
    now = [100.0]
    watcher = IdleWatcher(60_000, ticks=lambda: now[0])
    watcher.install(qapp)
    fired = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.start()
    target = QObject()
    try:
        now[0] = 130.0
        qapp.sendEvent(target, _key_event())
        assert watcher.last_input == 130.0 and watcher.running and not fired  # restarted
        now[0] = 130.0 + 61  # the machine slept past the timeout; QTimer did not notice
        qapp.sendEvent(target, _key_event())
        assert fired == [True] and not watcher.running
    finally:
        watcher.uninstall()


def _key_event():
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.KeyPress, Qt.Key_A, Qt.NoModifier, "a")


def test_ctrl_l_locks_and_the_lock_is_audited_at_the_next_unlock(qtbot, lock, window):
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    assert lock.is_locked
    unlock(qtbot, lock)
    assert not lock.is_locked
    entries = lock.services.audit.entries(action="store.lock")
    assert [(e.target, e.detail) for e in entries] == [("store", "reason=manual")]


def test_clipboard_is_cleared_only_when_the_app_put_the_text_there(qtbot, lock, window, ownership):
    clipboard = QApplication.clipboard()
    window.show_view("cases")
    search = window.cases_view.search
    qtbot.keyClicks(search, "ada@example.org")
    search.selectAll()
    qtbot.keyClick(search, Qt.Key_C, Qt.ControlModifier)
    assert clipboard.text() == "ada@example.org"
    lock.lock_now("manual")
    assert clipboard.text() == ""

    unlock(qtbot, lock)
    ownership["ours"] = False  # another program copies something
    clipboard.setText("text from another program")
    lock.lock_now("manual")
    assert clipboard.text() == "text from another program"


def test_app_copy_then_another_programs_copy_is_left_alone(qtbot, lock, ownership):
    clipboard = QApplication.clipboard()
    lock.clipboard.copy("case 12")
    ownership["ours"] = False
    clipboard.setText("someone else's text")
    lock.lock_now("idle")
    assert clipboard.text() == "someone else's text"


def test_unsaved_intake_form_is_asked_about_first(qtbot, lock, window, services):
    window.show_view("intake")
    qtbot.keyClicks(window.intake_view.name, "Grace Hopper")
    lock.request_lock("manual")
    assert lock.question is not None and lock.question.isVisible()
    assert services.vault.is_open and not lock.question_timer.isActive()  # someone is there: no timeout
    click(qtbot, lock.cancel_button)
    assert not lock.is_locked and services.vault.is_open
    assert window.intake_view.name.text() == "Grace Hopper"

    lock.request_lock("manual")
    click(qtbot, lock.discard_button)
    assert lock.is_locked and not services.vault.is_open
    assert window.intake_view.name.text() == ""


def test_idle_with_unsaved_work_keeps_a_draft_when_nobody_answers_in_30_seconds(qtbot, lock, window, services):
    qtbot.keyClicks(window.intake_view.email, "grace@example.org")
    lock.idle.idle.emit()  # the idle timer's timeout
    assert lock.question is not None and not lock.is_locked
    assert lock.question_timer.isActive() and lock.question_timer.interval() == 30_000
    lock.question_timer.timeout.emit()  # 30 s without an answer
    assert lock.is_locked and not services.vault.is_open
    assert window.intake_view.email.text() == ""  # off the screen, kept in the store (test_desk_drafts.py)
    unlock(qtbot, lock)
    [draft] = lock.services.drafts.pending()
    assert draft.kind == "intake" and draft.body["fields"]["email"] == "grace@example.org"


def test_open_dialogs_close_and_an_edited_case_counts_as_unsaved(qtbot, lock, window, services):
    case_id = add_case(services)
    dialog = CaseDetailDialog(CaseDetailController(services, case_id), parent=window)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert lock.dirty_work() == []
    dialog.inputs["name"].setText("Changed Name")
    assert lock.dirty_work() == [f"Case {case_id}"]
    lock.request_lock("manual")
    click(qtbot, lock.discard_button)
    assert lock.is_locked
    assert not dialog.isVisible() and dialog.result() == QDialog.Rejected


def test_unlock_rebuilds_services_and_views_and_records_failed_attempts(qtbot, lock, window, services):
    add_case(services)
    window.case_model.reload()
    lock.lock_now("manual")
    dialog = unlock(qtbot, lock, "wrong passphrase 1")
    assert lock.is_locked and dialog.isVisible()
    assert dialog.error.isVisible() and "wrong passphrase" in dialog.error.text().lower()
    assert dialog.focusWidget() is dialog.passphrase and dialog.passphrase.text() == ""
    unlock(qtbot, lock)
    assert not lock.is_locked and lock.unlock_dialog is None
    new = lock.window
    assert new is not window and new.isVisible()
    assert lock.services is not services and lock.services.vault.is_open
    new.show_view("cases")  # the case list is read when its view first shows
    assert new.case_model.rowCount() == 1 and new.case_model.row(0).case.name == "Ada Lovelace"
    failed = lock.services.audit.entries(action="store.unlock_failed")
    assert [e.detail for e in failed] == ["count=1"]
    assert lock.services.audit.verify().ok
    qtbot.keyClick(new, Qt.Key_L, Qt.ControlModifier)  # the new window has the lock action too
    assert lock.is_locked and not lock.services


def test_cancelling_the_unlock_dialog_quits(qtbot, lock):
    lock.lock_now("manual")
    lock.unlock_dialog.reject()
    assert lock.cancelled == [True]


def test_os_session_lock_locks_and_no_bus_is_ignored(qtbot, lock, services):
    assert "org.freedesktop.ScreenSaver.ActiveChanged" in lock.session.sources
    assert "org.freedesktop.login1.Session.Lock" in lock.session.sources
    lock.session._screensaver_active(False)  # screen saver went off: nothing
    assert not lock.is_locked
    lock.session._session_lock()  # logind: Lock
    assert lock.is_locked and not services.vault.is_open

    def no_bus(*_args):
        raise OSError("no D-Bus session bus")

    quiet = SessionLockWatcher(connect=no_bus)
    assert not quiet.available


def test_idle_minutes_setting_is_read_and_clamped(services):
    assert idle_minutes(services.settings.app()) == 5
    services.settings.set("app", {**services.settings.app(), "idle_lock_minutes": 7})
    assert idle_minutes(services.settings.app()) == 7
    assert idle_minutes({"idle_lock_minutes": "x"}) == 5 and idle_minutes({"idle_lock_minutes": 0}) == 1


def test_idle_timeout_follows_the_setting(qtbot, qapp, window, services, runner):
    services.settings.set("app", {**services.settings.app(), "idle_lock_minutes": 2})
    controller = LockController(services, window, window_factory=lambda s: None, app=qapp, runner=runner,
                                session_watcher=SessionLockWatcher(connect=Bus()), on_cancel=lambda: None)
    try:
        assert controller.idle.timeout_ms == 120_000 and controller.idle.running
    finally:
        controller.shutdown()
