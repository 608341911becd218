"""Issue 14, part B: nothing typed is lost over a lock. Unsaved work is kept as an encrypted draft
inside the store and offered back after the unlock; Ctrl+L locks from the case window and dialogs;
the window returns to where the agent was; the keyring note is shown once a session."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.shell.clipboard_guard import ClipboardGuard
from desktop.ui.shell.idle_lock import SessionLockWatcher
from desktop.ui.shell.launch import build_window
from desktop.ui.shell.lock_controller import LockController
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def make_lock(qtbot, qapp, window, services, runner, qsettings, notes_seen=None):
    def factory(svc):
        return build_window(svc, runner=runner, settings=qsettings, notify=lambda t, x: None,
                            confirm=lambda t, x: True)

    controller = LockController(
        services, window, window_factory=factory, app=qapp, runner=runner, idle_ms=60_000,
        on_cancel=lambda: None, session_watcher=SessionLockWatcher(connect=lambda *a: False),
        clipboard=ClipboardGuard(QApplication.clipboard(), is_ours=lambda: False), notes_seen=notes_seen,
        page_check_delay_ms=None)
    controller.window_replaced.connect(qtbot.addWidget)
    return controller


@pytest.fixture
def lock(qtbot, qapp, window, services, runner, qsettings):
    controller = make_lock(qtbot, qapp, window, services, runner, qsettings)
    yield controller
    close(controller, qapp)


def close(controller, qapp):
    controller.shutdown()
    for w in QApplication.topLevelWidgets():
        if w.isVisible() and w.isWindow() and hasattr(w, "reject"):
            w.reject()
    qapp.setQuitOnLastWindowClosed(True)


def unlock(qtbot, lock):
    dialog = lock.unlock_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    qtbot.waitUntil(lambda: not lock.is_locked, timeout=5000)
    return lock.window


def stored_bytes(services) -> bytes:
    path = services.path
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_idle_lock_keeps_the_intake_form_as_an_encrypted_draft_and_restore_brings_it_back(
        qtbot, lock, window, services):
    window.show_view("intake")
    qtbot.keyClicks(window.intake_view.name, "Grace Hopper")
    qtbot.keyClicks(window.intake_view.email, "grace.hopper@example.org")
    lock.idle.idle.emit()  # idle timeout over unsaved work
    assert lock.question is not None and lock.question_timer.isActive()
    lock.question_timer.timeout.emit()  # nobody answers in 30 s: kept, not discarded
    assert lock.is_locked and window.intake_view.name.text() == ""
    assert b"grace.hopper@example.org" not in stored_bytes(services)  # only inside the encrypted store

    new = unlock(qtbot, lock)
    offer = lock.draft_offer
    assert offer is not None and offer.isVisible() and "the intake form" in offer.text()
    click(qtbot, offer.restore_button)
    assert new.intake_view.name.text() == "Grace Hopper"
    assert new.intake_view.email.text() == "grace.hopper@example.org"
    assert lock.services.drafts.pending() == []  # used: deleted
    assert new.intake_view.is_dirty()  # still unsaved: the agent saves it as before
    click(qtbot, new.intake_view.save_button)


def test_a_discarded_draft_is_gone_and_the_form_stays_empty(qtbot, lock, window, services):
    qtbot.keyClicks(window.intake_view.name, "Grace Hopper")
    lock.request_lock("manual")
    click(qtbot, lock.keep_button)
    assert lock.is_locked
    new = unlock(qtbot, lock)
    click(qtbot, lock.draft_offer.discard_button)
    assert new.intake_view.name.text() == ""
    assert lock.services.drafts.pending() == []
    assert lock.services.vault.read("SELECT count(*) FROM drafts")[0][0] == 0


def test_discard_and_lock_keeps_no_draft(qtbot, lock, window, services):
    qtbot.keyClicks(window.intake_view.name, "Grace Hopper")
    lock.request_lock("manual")
    click(qtbot, lock.discard_button)
    unlock(qtbot, lock)
    assert lock.draft_offer is None and lock.services.drafts.pending() == []


def test_ctrl_l_in_the_case_window_asks_keeps_the_correction_and_note_and_reopens_the_window(
        qtbot, lock, window, services):
    case_id = add_case(services)
    window.show_view("cases")
    window.case_model.reload()
    dialog = window.open_case_window(case_id)
    qtbot.waitExposed(dialog)
    dialog.inputs["name"].clear()
    qtbot.keyClicks(dialog.inputs["name"], "Ada King")
    qtbot.keyClicks(dialog.note_edit, "Customer will send the bounce tomorrow")
    qtbot.keyClick(dialog, Qt.Key_L, Qt.ControlModifier)  # the case window is modal: Ctrl+L still locks
    assert lock.question is not None and lock.question.isVisible()
    assert f"Case {case_id}" in lock.question.text()
    click(qtbot, lock.keep_button)
    assert lock.is_locked and not dialog.isVisible()
    assert services.vault.is_open is False

    new = unlock(qtbot, lock)
    assert f"case {case_id}" in lock.draft_offer.text()
    click(qtbot, lock.draft_offer.restore_button)
    [reopened] = [w for w in QApplication.topLevelWidgets() if isinstance(w, CaseDetailDialog) and w.isVisible()]
    assert reopened.controller.case_id == case_id and reopened.parent() is new
    assert reopened.inputs["name"].text() == "Ada King"
    assert reopened.note_edit.toPlainText() == "Customer will send the bounce tomorrow"
    assert lock.services.cases.get(case_id).name == "Ada Lovelace"  # still only a draft until saved
    assert new.current_view() == "cases"


def test_ctrl_l_locks_from_a_dialog_without_unsaved_work(qtbot, lock, window):
    wizard = window.open_import_wizard()
    qtbot.waitExposed(wizard)
    qtbot.keyClick(wizard, Qt.Key_L, Qt.ControlModifier)
    assert lock.is_locked and not wizard.isVisible()


def test_ctrl_l_locks_from_a_message_box(qtbot, lock, window):
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Information, "Import finished", "3 of 3 submissions imported.",
                      QMessageBox.Ok, window)
    box.open()
    qtbot.waitExposed(box)
    qtbot.keyClick(box, Qt.Key_L, Qt.ControlModifier)
    assert lock.is_locked and not box.isVisible()


def test_after_unlock_the_window_returns_to_the_view_and_the_selected_case(qtbot, lock, window, services):
    add_case(services)
    second = add_case(services, name="Grace Hopper", email="grace@example.org")
    window.show_view("cases")
    window.case_model.reload()
    assert window.cases_view.select_case(second)
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    assert lock.is_locked and lock.draft_offer is None
    new = unlock(qtbot, lock)
    assert lock.draft_offer is None  # nothing unsaved: nothing to offer
    assert new.current_view() == "cases"
    assert new.cases_view.selected_case() == second


def test_the_open_case_window_is_open_again_after_unlock(qtbot, lock, window, services):
    case_id = add_case(services)
    window.show_view("cases")
    dialog = window.open_case_window(case_id)
    qtbot.waitExposed(dialog)
    bar = dialog.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(2).center())  # the Change history tab
    history = dialog.tabs.currentIndex()
    assert history == 2
    qtbot.keyClick(dialog, Qt.Key_L, Qt.ControlModifier)  # nothing unsaved: locks at once
    assert lock.is_locked
    unlock(qtbot, lock)
    reopened = [w for w in QApplication.topLevelWidgets() if isinstance(w, CaseDetailDialog) and w.isVisible()]
    assert [w.controller.case_id for w in reopened] == [case_id]
    assert reopened[0].tabs.currentIndex() == history  # on the tab it was on


def test_the_keyring_note_is_shown_at_the_first_unlock_only(qtbot, qapp, window, services, runner, qsettings,
                                                            fail_keyring):
    lock = make_lock(qtbot, qapp, window, services, runner, qsettings, notes_seen=set())
    try:
        lock.lock_now("manual")
        first = lock.unlock_dialog
        assert first.note and first.note_label.isVisibleTo(first)  # the first unlock of this session
        unlock(qtbot, lock)
        lock.lock_now("manual")
        assert not lock.unlock_dialog.note_label.isVisibleTo(lock.unlock_dialog)  # not at every unlock
        assert lock.unlock_dialog.note == first.note
    finally:
        close(lock, qapp)


def test_the_note_seen_at_start_is_not_repeated_on_the_lock_screen(qtbot, qapp, window, services, runner,
                                                                    qsettings, fail_keyring):
    from desktop.services import session

    note = session.unlock_plan(services.path).note
    assert note
    lock = make_lock(qtbot, qapp, window, services, runner, qsettings, notes_seen={note})
    try:
        lock.lock_now("idle")
        assert not lock.unlock_dialog.note_label.isVisibleTo(lock.unlock_dialog)
    finally:
        close(lock, qapp)


def test_a_case_removed_while_locked_is_said_once_and_the_rest_comes_back(qtbot, lock, window, services):
    from PySide6.QtWidgets import QMessageBox

    case_id = add_case(services)
    dialog = window.open_case_window(case_id)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.note_edit, "call back")
    qtbot.keyClicks(window.intake_view.name, "Grace Hopper")
    lock.request_lock("manual")
    click(qtbot, lock.keep_button)
    assert lock.is_locked and lock.services is None
    from desktop.app import build_services
    from desktop.store.keys import Key
    from desktop.store.vault import Vault

    cli = build_services(Vault.open(services.path, Key.passphrase(PASSPHRASE)), clock=services.clock, staff="cli")
    try:  # meanwhile the case goes (another process)
        with cli.vault.transaction() as conn:
            conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
    finally:
        cli.close()
    new = unlock(qtbot, lock)
    click(qtbot, lock.draft_offer.restore_button)
    assert new.intake_view.name.text() == "Grace Hopper"
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any(f"Case {case_id} could not be opened again" in b.text() for b in boxes)
    for b in boxes:
        b.close()


def test_a_new_request_typed_in_its_dialog_is_kept_over_ctrl_l_and_reopened(qtbot, lock, window, services):
    from desktop.ui.requests.dialogs import NewRequestDialog
    from tests.ui.test_requests_view import Script

    window.show_view("requests")

    def type_then_lock(d):
        assert isinstance(d, NewRequestDialog)
        d.type.setCurrentIndex(d.type.findData("erasure"))
        qtbot.keyClicks(d.email, "grace@example.org")
        qtbot.keyClick(d.email, Qt.Key_L, Qt.ControlModifier)  # inside the dialog
        assert lock.question is not None and "New data-subject request" in lock.question.text()
        click(qtbot, lock.keep_button)
        assert lock.is_locked

    script = Script(qtbot, window.requests_view, type_then_lock)
    click(qtbot, window.requests_view.new_button)
    assert script.done

    new = unlock(qtbot, lock)
    seen = {}

    def reopened(d):
        seen["email"], seen["type"] = d.email.text(), d.type.currentData()
        d.reject()

    assert lock.services.vault.read("SELECT count(*) FROM requests")[0][0] == 0  # only a draft, not opened
    again = Script(qtbot, new.requests_view, reopened)
    assert "a new data-subject request" in lock.draft_offer.text()
    click(qtbot, lock.draft_offer.restore_button)
    QApplication.processEvents()  # the dialog reopens once the unlock has finished (a zero timer)
    assert again.done
    assert seen == {"email": "grace@example.org", "type": "erasure"}
    assert lock.services.drafts.pending() == []
