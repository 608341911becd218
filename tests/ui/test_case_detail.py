"""Case detail: rectification with change history, status workflow, notes, read-only banners."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop.domain.models import Status
from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from tests.conftest import T0
from tests.helpers.factories import add_case


def open_detail(qtbot, services, case_id, answer="Fixed by adding the SPF include"):
    # the test's clean-up closes the window with whatever was typed: discard it (leaving with unsaved
    # work is tested in test_desk_case_leave.py)
    dialog = CaseDetailDialog(CaseDetailController(services, case_id), resolution_prompt=lambda _p: answer,
                              ask_unsaved=lambda _parent, _what: "discard")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def test_opening_shows_the_case_and_audits_the_view(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id)
    assert dialog.inputs["name"].text() == "Ada Lovelace"
    assert dialog.inputs["phone"].text() == "020 7946 0001"  # the default region (GB) in national format
    assert "Case 1" in dialog.windowTitle()
    assert dialog.consent_table.rowCount() == 1  # the privacy notice acknowledgement
    views = services.ctx.audit_repo.entries(action="case.view")
    assert [e.target for e in views] == [f"case:{case_id}"]


def test_edit_creates_a_change_history_row(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id)
    name = dialog.inputs["name"]
    name.selectAll()
    qtbot.keyClicks(name, "Augusta Ada King")
    click(qtbot, dialog.save_button)
    assert services.cases.get(case_id).name == "Augusta Ada King"
    changes = services.ctx.cases.changes(case_id)
    assert [(c.field, c.old_value, c.new_value, c.staff) for c in changes] == [
        ("name", "Ada Lovelace", "Augusta Ada King", "tester")]
    assert dialog.history.rowCount() == 1
    row = [dialog.history.item(0, c).text() for c in range(5)]
    assert row[1:] == ["tester", "name", "Ada Lovelace", "Augusta Ada King"]
    assert row[0].startswith("2026-01-10 09:00")
    assert "Saved" in dialog.message.text()


def test_invalid_edit_shows_inline_error_and_changes_nothing(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id)
    email = dialog.inputs["email"]
    email.selectAll()
    qtbot.keyClicks(email, "not-an-email")
    click(qtbot, dialog.save_button)
    assert dialog.errors["email"].isVisible()
    assert "Not a valid email" in dialog.errors["email"].text()
    assert services.cases.get(case_id).email == "ada@example.org"
    assert services.ctx.cases.changes(case_id) == []
    assert email.text() == "not-an-email"  # what was typed is kept


def test_status_workflow_buttons_follow_transitions(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id)
    assert set(dialog.status_buttons) == {Status.WAITING, Status.RESOLVED}
    click(qtbot, dialog.status_buttons[Status.WAITING])
    assert services.cases.get(case_id).status == Status.WAITING
    assert set(dialog.status_buttons) == {Status.OPEN, Status.RESOLVED}
    click(qtbot, dialog.status_buttons[Status.RESOLVED])
    assert set(dialog.status_buttons) == {Status.OPEN, Status.CLOSED}
    click(qtbot, dialog.status_buttons[Status.CLOSED])
    case = services.cases.get(case_id)
    assert case.status == Status.CLOSED
    assert case.closed_at == T0
    assert case.resolution == "Fixed by adding the SPF include"
    assert set(dialog.status_buttons) == {Status.OPEN}
    assert "Closed" in dialog.status_label.text()


def test_cancelling_the_close_prompt_keeps_the_status(qtbot, services):
    case_id = add_case(services)
    services.cases.set_status(case_id, Status.RESOLVED)
    dialog = open_detail(qtbot, services, case_id, answer=None)
    click(qtbot, dialog.status_buttons[Status.CLOSED])
    assert services.cases.get(case_id).status == Status.RESOLVED


def test_add_note(qtbot, services):
    case_id = add_case(services)
    dialog = open_detail(qtbot, services, case_id)
    click(qtbot, dialog.add_note_button)
    assert "empty" in dialog.note_error.text()
    qtbot.keyClicks(dialog.note_edit, "Called back, asked for headers")
    click(qtbot, dialog.add_note_button)
    notes = services.ctx.cases.notes(case_id)
    assert [n.body for n in notes] == ["Called back, asked for headers"]
    assert dialog.notes.count() == 1
    assert dialog.note_edit.toPlainText() == ""


def test_restricted_person_makes_the_case_read_only(qtbot, services):
    case_id = add_case(services)
    subject_id = services.cases.get(case_id).subject_id
    with services.vault.transaction():
        services.ctx.subjects.update(subject_id, restricted_at=T0, restriction_reason="accuracy contested")
    dialog = open_detail(qtbot, services, case_id)
    assert dialog.inputs["name"].isReadOnly()
    assert not dialog.save_button.isEnabled()
    assert not dialog.add_note_button.isEnabled()
    assert all(not b.isEnabled() for b in dialog.status_buttons.values())
    texts = [dialog.banners.itemAt(i).widget().text() for i in range(dialog.banners.count())]
    assert any("Restricted (accuracy contested)" in t for t in texts)


def test_legal_hold_banner_and_next_removal(qtbot, services):
    case_id = add_case(services)
    with services.vault.transaction():
        services.ctx.cases.update(case_id, legal_hold_reason="litigation", legal_hold_by="dpo", legal_hold_at=T0)
        services.ctx.cases.set_next_removal(case_id, T0.replace(year=2028), "closed-cases-2y")
    dialog = open_detail(qtbot, services, case_id)
    texts = [dialog.banners.itemAt(i).widget().text() for i in range(dialog.banners.count())]
    assert any(t.startswith("Legal hold: litigation") for t in texts)
    assert "2028-01-10" in dialog.facts.text() and "closed-cases-2y" in dialog.facts.text()
    assert not dialog.inputs["name"].isReadOnly()  # a hold does not stop rectification


def test_double_click_in_list_opens_detail_and_list_refreshes(qtbot, window, services, monkeypatch):
    case_id = add_case(services)
    window.case_model.reload()
    opened = []

    def fake_open(self):  # the case window opens window-modal without a nested loop (issue 14: the lock reopens it)
        opened.append(self.controller.case_id)
        self.inputs["name"].setText("Renamed Person")
        self.save()
        self.accept()

    monkeypatch.setattr(CaseDetailDialog, "open", fake_open)
    window.show_view("cases")
    table = window.cases_view.table
    rect = table.visualRect(window.case_model.index(0, 2))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())  # QTest needs the press first
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    assert opened == [case_id]
    name_col = window.case_model.column_of("name")
    assert window.case_model.data(window.case_model.index(0, name_col)) == "Renamed Person"
