"""Issue 14, part B: a screen-reader user hears what is on screen. Checked through the accessibility
interface (QAccessible), as AT-SPI reads it: every control has a name, every text field a label, no
empty label is exposed, required fields say so, and ten status/result labels whose accessible name
used to be fixed now carry the text shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from desktop.ui.cases.hold_dialog import HoldPanel
from desktop.ui.retention.sweep_scheduler import SweepScheduler
from desktop.ui.widgets import spoken
from desktop.ui.widgets.spoken import plain_text
from tests.helpers.factories import add_case

TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit)
CONTROLS = (*TEXT_FIELDS, QComboBox, QAbstractSpinBox, QAbstractButton, QAbstractItemView)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def name(widget: QWidget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Name)


def heard(widget: QWidget) -> str:
    """What a screen reader reads for it: the name, then the description."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return f"{iface.text(QAccessible.Name)} {iface.text(QAccessible.Description)}"


def _internal(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return isinstance(widget, QHeaderView) or isinstance(widget.parentWidget(), QTabBar)


def problems(root: QWidget) -> list[str]:
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or _internal(w):
            continue
        what = f"{type(w).__name__} in {type(root).__name__}"
        if isinstance(w, CONTROLS) and not name(w).strip():
            out.append(f"{what}: no accessible name")
        if isinstance(w, QLabel) and w.pixmap().isNull() and not name(w).strip():
            out.append(f"{what}: an empty label is exposed ({w.objectName() or w.parentWidget().__class__.__name__})")
    return out


@pytest.fixture
def said(monkeypatch):
    heard_now: list[str] = []
    monkeypatch.setattr(spoken, "announce", lambda widget, text, assertive=False: heard_now.append(text))
    return heard_now


def test_every_view_and_dialog_names_its_controls_and_exposes_no_empty_label(qtbot, window, services):
    case_id = add_case(services)
    for key in ("intake", "cases", "requests", "audit", "settings"):
        view = window.show_view(key)
        assert problems(view) == [], key
    assert problems(window.statusBar()) == []
    dialog = window.open_case_window(case_id)
    qtbot.waitExposed(dialog)
    assert problems(dialog) == []
    dialog.reject()
    wizard = window.open_import_wizard()
    assert problems(wizard) == []
    wizard.reject()
    sweep = window.open_sweep_preview()
    assert problems(sweep) == []
    sweep.reject()


def test_required_fields_say_they_are_required_not_only_with_a_star(qtbot, window):
    view = window.show_view("intake")
    for key in ("name", "email", "category", "description", "notice", "age"):
        assert "required" in heard(view.inputs[key]), key
    for key in ("phone", "technical_details", "channel", "marketing"):
        assert "required" not in heard(view.inputs[key]), key


def test_intake_result_length_and_notice_reach_the_accessibility_tree(qtbot, window, said):
    view = window.show_view("intake")
    assert not view.result_label.isVisible()  # nothing to say yet: not exposed as an empty label
    click(qtbot, view.save_button)
    shown = view.result_label.text()
    assert shown.startswith("Not saved") and view.result_label.isVisible()
    assert shown in heard(view.result_label) and shown in said
    qtbot.keyClicks(view.description, "Mail to gmail bounces")
    assert view.counter.text() in heard(view.counter)
    assert view.counter.text().startswith("21 / ")
    assert plain_text(view.notice_text) in heard(view.notice_text)


def test_case_window_facts_result_and_legal_hold_line_are_heard(qtbot, window, services, said):
    case_id = add_case(services)
    dialog = window.open_case_window(case_id)
    qtbot.waitExposed(dialog)
    assert plain_text(dialog.facts).startswith("Received") and plain_text(dialog.facts) in heard(dialog.facts)
    dialog.inputs["name"].clear()
    qtbot.keyClicks(dialog.inputs["name"], "Ada King")
    assert dialog.save()
    assert dialog.message.text() and dialog.message.text() in heard(dialog.message)
    assert dialog.message.text() in said
    [hold] = dialog.findChildren(HoldPanel)
    assert hold.text.text().startswith("No legal hold") and hold.text.text() in heard(hold.text)
    services.retention.set_hold(reason="Litigation ref 2026-7", case_id=case_id)
    hold.refresh()
    assert "Litigation ref 2026-7" in heard(hold.text)
    dialog.reject()


def test_request_facts_chain_check_and_status_bar_lines_are_heard(qtbot, window, services, runner):
    services.requests.open("access", "ada@example.org")
    view = window.show_view("requests")
    view.reload()
    view.select_request(view.model.rows[0].request.id)
    facts = plain_text(view.detail.facts)
    assert "Status:" in facts and facts in heard(view.detail.facts)

    audit = window.show_view("audit")
    click(qtbot, audit.verify_button)
    assert audit.verify_label.text() and audit.verify_label.text() in heard(audit.verify_label)

    status = window.requests_status
    assert status.text() and status.text() in heard(status)
    scheduler = SweepScheduler(services.retention, runner, services.now, status_bar=window.statusBar(),
                               parent=window)
    scheduler.start()
    assert "sweep" in scheduler.label.text().lower() and scheduler.label.text() in heard(scheduler.label)
    scheduler.stop()


def test_every_dialog_through_qaccessible(qtbot, window, services, store_path, tmp_path, memory_keyring):
    from pathlib import Path

    from desktop.ui.cases.detail import CaseDetailDialog
    from desktop.ui.cases.detail_controller import CaseDetailController
    from desktop.ui.cases.hold_dialog import HoldController, HoldDialog
    from desktop.ui.requests.dialogs import (
        NewRequestDialog,
        ObjectionDialog,
        PasswordDialog,
        TextDialog,
        VerifyDialog,
    )
    from desktop.ui.requests.rights_dialogs import ConfirmDialog
    from desktop.ui.retention.sweep_dialog import SweepPreviewDialog
    from desktop.ui.shell.first_run_controller import FirstRunController
    from desktop.ui.shell.first_run_wizard import FirstRunWizard
    from desktop.ui.shell.lock_screen import DraftOffer, LockQuestion
    from desktop.ui.shell.unlock_dialog import UnlockDialog

    case_id = add_case(services)
    c = window.requests_view.controller
    noop = lambda *a: None  # noqa: E731
    dialogs = [
        CaseDetailDialog(CaseDetailController(services, case_id), parent=window),
        HoldDialog(HoldController(services, case_id), parent=window),
        SweepPreviewDialog(services.retention, window.runner, services.ctx.now, parent=window),
        NewRequestDialog(c, parent=window),
        VerifyDialog("DSR-1", "tester", noop, parent=window),
        PasswordDialog("DSR-1", parent=window),
        TextDialog("Refuse", "Why", "&Reason", "&Refuse", noop, required=True, parent=window),
        ObjectionDialog("DSR-1", noop, parent=window),
        ConfirmDialog("Lift", "Lift it?", "The person was told", "&Lift", noop, parent=window),
        UnlockDialog(Path(store_path), noop, staff="tester"),
        FirstRunWizard(FirstRunController(tmp_path / "wizard.db", noop, staff="tester")),
        LockQuestion("the intake form", 30, window),
        DraftOffer(["the intake form", "case 3"], window),
    ]
    found = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        found += problems(dialog)
        dialog.hide()
    assert found == [], found
