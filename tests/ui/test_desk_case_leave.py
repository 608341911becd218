"""Never lose what was typed (issue 14): the case window asks Save / Discard / Stay on Done, Esc or
closing when corrections or a typed note are not saved; the lock closes it without a second question."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from desktop.ui.cases.unsaved import DISCARD, SAVE, STAY
from tests.helpers.factories import add_case


class Asker:
    def __init__(self, *answers):
        self.answers, self.asked = list(answers), []

    def __call__(self, parent, what):
        self.asked.append(what)
        return self.answers.pop(0) if self.answers else DISCARD  # (the test's own clean-up closes it)


def open_detail(qtbot, services, case_id, asker=None):
    dialog = CaseDetailDialog(CaseDetailController(services, case_id), ask_unsaved=asker)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def correct_name(qtbot, dialog, text="Ada King"):
    name = dialog.inputs["name"]
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, text)


def done_button(dialog):
    return next(b for b in dialog.findChildren(type(dialog.save_button)) if b.text() == "&Done")


def test_done_with_nothing_typed_closes_without_asking(qtbot, services):
    asker = Asker()
    dialog = open_detail(qtbot, services, add_case(services), asker)
    click(qtbot, done_button(dialog))
    assert not dialog.isVisible() and asker.asked == []


@pytest.mark.parametrize("leave", ["done", "esc", "close"])
def test_stay_keeps_the_window_and_every_typed_character(qtbot, services, leave):
    case_id = add_case(services)
    asker = Asker(STAY)
    dialog = open_detail(qtbot, services, case_id, asker)
    correct_name(qtbot, dialog)
    if leave == "done":
        click(qtbot, done_button(dialog))
    elif leave == "esc":
        qtbot.keyClick(dialog.inputs["name"], Qt.Key_Escape)
    else:
        dialog.close()
    assert dialog.isVisible()
    assert asker.asked == [f"Case {case_id} has unsaved corrections"]
    assert dialog.inputs["name"].text() == "Ada King"
    assert services.cases.get(case_id).name == "Ada Lovelace"


def test_save_saves_the_corrections_and_the_typed_note_then_closes(qtbot, services):
    case_id = add_case(services)
    asker = Asker(SAVE)
    dialog = open_detail(qtbot, services, case_id, asker)
    correct_name(qtbot, dialog)
    dialog.tabs.setCurrentIndex(1)
    dialog.note_edit.setFocus()
    qtbot.keyClicks(dialog.note_edit, "Called back, SPF fixed")
    qtbot.keyClick(dialog.note_edit, Qt.Key_Escape)
    assert asker.asked == [f"Case {case_id} has unsaved corrections and a note that was not added"]
    assert not dialog.isVisible()
    assert services.cases.get(case_id).name == "Ada King"
    assert [n.body for n in services.ctx.cases.notes(case_id)] == ["Called back, SPF fixed"]


def test_a_save_that_fails_keeps_the_window_open_with_the_error(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id, Asker(SAVE))
    email = dialog.inputs["email"]
    email.setFocus()
    email.selectAll()
    qtbot.keyClicks(email, "not-an-address")
    click(qtbot, done_button(dialog))
    assert dialog.isVisible() and dialog.errors["email"].text()
    assert services.cases.get(case_id).email == "ada@example.org"


def test_discard_closes_and_stores_nothing(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id, Asker(DISCARD))
    correct_name(qtbot, dialog)
    click(qtbot, done_button(dialog))
    assert not dialog.isVisible()
    assert services.cases.get(case_id).name == "Ada Lovelace" and services.ctx.cases.changes(case_id) == []


def test_the_real_question_offers_save_discard_stay_and_esc_stays(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id)  # the app's own QMessageBox
    correct_name(qtbot, dialog)
    seen = []

    def answer(button_text):
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(sorted(b.text() for b in box.buttons()))
        if button_text is None:
            qtbot.keyClick(box, Qt.Key_Escape)
        else:
            next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, lambda: answer(None))
    click(qtbot, done_button(dialog))
    assert dialog.isVisible() and seen == [["&Discard", "&Save", "S&tay"]]
    QTimer.singleShot(0, lambda: answer("&Save"))
    click(qtbot, done_button(dialog))
    assert not dialog.isVisible() and services.cases.get(case_id).name == "Ada King"


def test_the_lock_closes_a_dirty_case_window_without_asking_again(qtbot, services):
    from desktop.ui.shell.lock_controller import LockController

    case_id = add_case(services)
    asker = Asker()
    dialog = open_detail(qtbot, services, case_id, asker)
    correct_name(qtbot, dialog)
    LockController.close_dialogs(type("Lock", (), {"unlock_dialog": None})())
    assert not dialog.isVisible() and asker.asked == []
