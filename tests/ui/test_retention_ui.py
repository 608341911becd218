"""Retention in the GUI: sweep preview = the service's plan, running it removes exactly that, held
cases are never removed and are marked, the countdown column, legal-hold controls, the scheduler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.domain.models import CaseQuery, Status
from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from desktop.ui.cases.hold_dialog import attach_hold_panel
from desktop.ui.cases.model import CaseTableModel
from desktop.ui.retention.sweep_dialog import plan_rows
from desktop.ui.retention.sweep_scheduler import SweepScheduler, local_hhmm, scheduler_for_window
from desktop.ui.shell.idle_lock import SessionLockWatcher
from desktop.ui.shell.launch import build_window
from desktop.ui.shell.lock_controller import LockController
from tests.conftest import PASSPHRASE, T0
from tests.helpers.factories import add_case

TWO_YEARS = 731  # the inactive-open-case policy deletes after 730 days without activity


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


@pytest.fixture
def three(services):
    """Case a (due for deletion in two years), b (held on the case), c (held through its person)."""
    a = add_case(services, name="Anna Due", email="anna@example.org")
    b = add_case(services, name="Bert Held", email="bert@example.org")
    c = add_case(services, name="Cleo Person", email="cleo@example.org")
    services.retention.set_hold(reason="Litigation 2026-17", case_id=b)
    services.retention.set_hold(reason="Regulator inquiry", subject_id=services.cases.get(c).subject_id)
    return a, b, c


def table_rows(table):
    return [tuple(table.item(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())]


def test_sweep_preview_lists_the_plan_and_running_it_removes_exactly_that(qtbot, window, services, clock, three):
    a, b, c = three
    person_a = services.cases.get(a).subject_id
    clock.advance(days=TWO_YEARS)
    planned = services.retention.plan(clock.now())
    assert {x.target_id for x in planned if x.kind == "case"} == {a}
    dialog = window.open_sweep_preview()
    qtbot.addWidget(dialog)
    assert table_rows(dialog.table) == plan_rows(planned)
    assert table_rows(dialog.table)[0][:4] == (f"Case {a}", "case deleted", "Open case without activity",
                                               (T0 + timedelta(days=730)).date().isoformat())
    assert services.cases.count() == 3  # previewing changes nothing
    click(qtbot, dialog.run_button)
    assert dialog.result.text().startswith(f"Done, as of {clock.now():%Y-%m-%d}: 1 case(s) deleted or anonymised")
    assert services.ctx.cases.ids_for_subject(services.cases.get(b).subject_id) == [b]
    assert sorted(services.cases.ids(window.case_model.query)) == [b, c]
    assert window.case_model.rowCount() == 2  # the list was refreshed
    col = CaseTableModel.column_of("next_removal")
    for row in range(2):
        index = window.case_model.index(row, col)
        assert window.case_model.data(index) == "held"
        assert not window.case_model.data(window.case_model.index(row, 0), Qt.DecorationRole).isNull()
    assert {e.target for e in services.audit.entries(action="retention.delete")} == {f"case:{a}", f"subject:{person_a}"}


def test_nothing_due_says_so_and_cannot_run(qtbot, window, services, three):
    dialog = window.open_sweep_preview()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0 and not dialog.run_button.isEnabled()
    assert "nothing is due" in dialog.intro.text()


def test_countdown_column_shows_what_goes_when_nearest_first(qtbot, services, clock, three):
    a, b, c = three
    closed = add_case(services, email="dora@example.org")
    services.cases.set_status(closed, Status.RESOLVED)
    services.cases.set_status(closed, Status.CLOSED, resolution="fixed")
    model = CaseTableModel(services)
    model.set_query(model.query.__class__(sort="next_removal", descending=False))
    col = CaseTableModel.column_of("next_removal")
    cells = [(model.case_id(r), model.data(model.index(r, col))) for r in range(model.rowCount())]
    assert cells[0] == (closed, f"{(T0 + timedelta(days=30)).date()} · phone (phone-after-close)")
    assert cells[1] == (a, f"{(T0 + timedelta(days=730)).date()} · delete (inactive-open-case)")
    assert sorted(cells[2:]) == [(b, "held"), (c, "held")]


def open_detail(qtbot, services, case_id, **kwargs):
    dialog = CaseDetailDialog(CaseDetailController(services, case_id))
    qtbot.addWidget(dialog)
    panel = attach_hold_panel(dialog, services, **kwargs)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, panel


def answer_hold(qtbot, reason, scope="case"):
    def run(dialog):
        dialog.show()
        if scope == "subject":
            dialog.on_subject.setChecked(True)
        if reason:
            qtbot.keyClicks(dialog.reason, reason)
        click(qtbot, dialog.ok_button)
        return dialog.result()
    return run


def test_legal_hold_needs_a_reason_then_shows_who_and_when(qtbot, services):
    case_id = add_case(services)
    dialog, panel = open_detail(qtbot, services, case_id, open_dialog=answer_hold(qtbot, ""))
    assert not panel.lift_case_button.isVisible()
    click(qtbot, panel.set_button)
    assert "needs a reason" in panel.dialog.error.text() and panel.dialog.error.isVisible()
    assert not services.retention.is_held(case_id)

    panel.open_dialog = answer_hold(qtbot, "Litigation 2026-17")
    click(qtbot, panel.set_button)
    assert services.retention.is_held(case_id)
    assert "Legal hold on this case, set by tester on 2026-01-10 09:00 UTC: Litigation 2026-17" in panel.text.text()
    assert "Legal hold: Litigation 2026-17" in dialog.banners.itemAt(0).widget().text()
    assert panel.lift_case_button.isVisible()
    assert [e.target for e in services.audit.entries(action="hold.set")] == [f"case:{case_id}"]
    assert "Litigation" not in " ".join(e.detail for e in services.audit.entries())


def test_lifting_a_hold_asks_first_and_is_audited(qtbot, services):
    case_id = add_case(services)
    services.retention.set_hold(reason="Litigation 2026-17", case_id=case_id)
    answers = [False]
    dialog, panel = open_detail(qtbot, services, case_id, confirm=lambda title, text: answers[0])
    click(qtbot, panel.lift_case_button)
    assert services.retention.is_held(case_id)
    answers[0] = True
    click(qtbot, panel.lift_case_button)
    assert not services.retention.is_held(case_id)
    assert "No legal hold" in panel.text.text() and not panel.lift_case_button.isVisible()
    assert [e.target for e in services.audit.entries(action="hold.lift")] == [f"case:{case_id}"]


def test_hold_on_the_person_marks_all_their_cases(qtbot, services):
    first = add_case(services)
    second = add_case(services, description="Another bounce")
    dialog, panel = open_detail(qtbot, services, first,
                                open_dialog=answer_hold(qtbot, "Subject access dispute", scope="subject"))
    click(qtbot, panel.set_button)
    assert services.retention.is_held(second)
    assert "Legal hold on this person (all their cases), set by tester" in panel.text.text()
    model = CaseTableModel(services)
    row = model.row(model.row_of(second))
    assert row.on_hold and row.cell("next_removal") == "held"


def test_scheduler_sweeps_at_start_and_on_each_tick_from_stored_timestamps(qtbot, services, clock, runner):
    case_id = add_case(services)
    scheduler = SweepScheduler(services.retention, runner, services.ctx.now)
    swept = []
    scheduler.swept.connect(swept.append)
    scheduler.start()
    assert scheduler.runs == 1 and scheduler.timer.isActive() and scheduler.timer.interval() == 15 * 60_000
    next_at = local_hhmm(T0 + timedelta(minutes=15))
    assert scheduler.label.text() == f"Next sweep {next_at} · last sweep {local_hhmm(T0)}: nothing due"
    clock.advance(days=TWO_YEARS)  # a laptop asleep for two years, or a clock jump: the tick catches up
    scheduler.timer.timeout.emit()
    assert scheduler.runs == 2 and [len(r.done) for r in swept] == [2]  # the case and its person's record
    assert case_id not in list(services.cases.ids(CaseQuery()))
    assert "2 removed" in scheduler.label.text()
    clock.set(T0)  # the clock jumps back: nothing is wrongly due
    scheduler.check()
    assert scheduler.runs == 3 and len(swept) == 1
    scheduler.stop()
    scheduler.check()
    assert scheduler.runs == 3 and not scheduler.timer.isActive()


def test_scheduler_catches_up_when_the_app_wakes(qtbot, services, clock, runner):
    scheduler = SweepScheduler(services.retention, runner, services.ctx.now)
    scheduler.start()
    scheduler.poke()
    assert scheduler.runs == 1  # checked a moment ago
    clock.advance(minutes=40)  # slept; the monotonic QTimer did not fire
    scheduler.app_state_changed(Qt.ApplicationActive)
    assert scheduler.runs == 2


def test_sweeps_stop_at_lock_and_run_again_at_unlock(qtbot, qapp, window, services, runner, qsettings, monkeypatch):
    monkeypatch.setattr("desktop.ui.retention.sweep_scheduler.FIRST_SWEEP_DELAY_MS", 0)  # at once, not after paint
    controller = LockController(
        services, window, app=qapp, runner=runner, on_cancel=lambda: None,
        window_factory=lambda s: build_window(s, runner=runner, settings=qsettings, notify=lambda t, x: None),
        session_watcher=SessionLockWatcher(connect=lambda *a: False), scheduler_factory=scheduler_for_window)
    controller.window_replaced.connect(qtbot.addWidget)
    try:
        first = window.sweep_scheduler
        assert first.runs == 1 and first.label.text().startswith("Next sweep")
        controller.lock_now("manual")
        assert not first.active and not first.timer.isActive()
        dialog = controller.unlock_dialog
        qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
        click(qtbot, dialog.unlock_button)
        second = controller.window.sweep_scheduler
        assert second is not first and second.runs == 1 and second.active
    finally:
        controller.shutdown()
        qapp.setQuitOnLastWindowClosed(True)


def test_the_sweep_at_unlock_runs_in_a_child_process_and_the_window_shows_the_new_count(
        qtbot, window, services, clock, monkeypatch):
    """The window's sweeps run in a child process (desktop/store/sweep_process.py): a case due for
    deletion is gone, with its audit entry, and the window's count and list follow; the window's own
    process never sweeps (its sweep() would fail here)."""
    due = add_case(services, name="Anna Due", email="anna@example.org")
    clock.advance(days=TWO_YEARS)
    kept = add_case(services, name="Karl Kept", email="karl@example.org")
    window.show_view("cases")
    window.refresh_status()
    assert window.count_label.text() == "2 cases" and window.case_model.rowCount() == 2

    def not_here(*_args, **_kwargs):
        raise AssertionError("the window's process swept")

    monkeypatch.setattr(services.retention, "sweep", not_here)
    scheduler = scheduler_for_window(window, services)
    scheduler.start()  # the sweep at unlock, a moment after the window shows
    try:
        assert scheduler.runs == 0 and window.count_label.text() == "2 cases"  # not before the first paint
        qtbot.waitUntil(lambda: scheduler.runs == 1, timeout=15_000)  # the test's runner waits for the child
        assert scheduler.runs == 1 and "2 removed" in scheduler.label.text()  # the case and its person
        assert window.count_label.text() == "1 case"
        model = window.case_model
        assert model.rowCount() == 1 and model.case_id(0) == kept
        assert [c for c in services.cases.ids(CaseQuery())] == [kept]
        deleted = services.audit.entries(action="retention.delete")
        assert {e.target for e in deleted} >= {f"case:{due}"} and all(e.staff == "tester" for e in deleted)
        assert all(e.at >= clock.now() for e in deleted)  # the child keeps the window's clock
    finally:
        scheduler.stop()
