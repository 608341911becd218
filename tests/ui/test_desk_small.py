"""Issue 14, part B: small defects an agent met during a day at the desk (sweep dialog, retention
settings, a completed request), each driven as the agent did."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt

from desktop.ui.retention.sweep_dialog import SweepPreviewDialog
from desktop.ui.settings.view import SettingsController, SettingsView
from tests.helpers.factories import add_case

TWO_YEARS = 2 * 366


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


class Later:
    """A runner that finishes the job when told: the preview arrives after the dialog is shown."""

    def __init__(self) -> None:
        self.jobs: list = []

    def run_task(self, fn, done, failed, progress=None):
        self.jobs.append((fn, done, progress))

    def finish(self) -> None:
        fn, done, progress = self.jobs.pop(0)
        done(fn() if progress is None else fn(lambda a, b: None))


def test_the_sweep_preview_shows_each_reason_whole_and_the_result_says_as_of_when(qtbot, window, services, clock):
    for i in range(3):
        add_case(services, email=f"p{i}@example.org")
    clock.advance(days=TWO_YEARS)
    runner = Later()
    dialog = SweepPreviewDialog(services.retention, runner, services.now, parent=window)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    runner.finish()  # the plan arrives after the first paint
    qtbot.wait(20)
    day = f"{clock.now():%Y-%m-%d}"
    assert dialog.intro.text().startswith(f"As of {day}")
    table = dialog.table
    why = table.columnCount() - 1
    metrics = table.fontMetrics()
    assert table.wordWrap() and table.textElideMode() == Qt.ElideNone  # wrapped, never cut with "…"
    for row in range(table.rowCount()):
        item = table.item(row, why)
        cell = table.visualItemRect(item)
        needed = metrics.boundingRect(QRect(0, 0, cell.width() - 8, 10_000), Qt.TextWordWrap, item.text())
        assert cell.height() >= needed.height(), f"row {row}: the reason is cut off"
    click(qtbot, dialog.run_button)
    runner.finish()
    assert dialog.result.text().startswith(f"Done, as of {day}: 3 case(s) deleted or anonymised")


def test_retention_unit_is_a_drop_down_and_errors_name_the_policy_by_its_label(qtbot, services, runner):
    view = SettingsView(SettingsController(services), runner=runner)
    qtbot.addWidget(view)
    view.show()
    view.load()
    table = view.policies
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).data(Qt.UserRole) == "phone-after-close")
    label = table.item(row, 0).text()
    unit = table.unit_box(row)
    assert unit.accessibleName() == f"Unit of {label}"
    unit.setFocus()
    qtbot.keyClick(unit, Qt.Key_Down)  # days -> months, from the keyboard
    assert unit.currentData() == "months"
    table.item(row, 1).setText("3")
    click(qtbot, view.save_button)
    qtbot.waitUntil(lambda: "retention" in view.status.text(), timeout=3000)
    policy = services.retention.policy("phone-after-close")
    assert (policy.period, policy.unit) == (3, "months")

    table = view.policies  # reloaded after the save
    table.item(row, 1).setText("5000")
    click(qtbot, view.save_button)
    assert view.error.isVisible()
    assert label in view.error.text() and "phone-after-close" not in view.error.text()
    table.item(row, 1).setText("soon")
    click(qtbot, view.save_button)
    assert label in view.error.text() and "whole number" in view.error.text()


def test_a_completed_request_shows_no_empty_per_action_labels(qtbot, window, services):
    from PySide6.QtWidgets import QLabel

    from desktop.ui.requests.dialogs import TextDialog
    from tests.ui.test_requests_view import Script, open_request, verify_through_gui

    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    view = window.requests_view
    req = open_request(services, days_ago=3)
    view.reload()
    panel = view.detail
    verify_through_gui(qtbot, view, req)
    view.select_request(req.id)
    shown_why = [w for w in panel.why.values() if w.isVisibleTo(panel)]
    assert shown_why and all(w.text() for w in shown_why)  # an open request says why an action waits

    def complete(d):
        assert isinstance(d, TextDialog)
        qtbot.keyClicks(d.text, "Report sent by email.")
        click(qtbot, d.ok_button)

    Script(qtbot, view, complete)
    click(qtbot, panel.buttons["complete"])
    view.filter.setCurrentIndex(view.filter.findData("all"))
    view.select_request(req.id)
    assert [w for w in panel.why.values() if w.isVisibleTo(panel)] == []
    empty = [w for w in panel.findChildren(QLabel) if w.isVisibleTo(panel) and not w.text().strip()]
    assert empty == []
