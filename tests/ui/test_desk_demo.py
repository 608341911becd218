"""Demo data is a desk on a normal day (issue 14): the window over a demo store shows a few requests
due soon and none overdue, and the retention sweep has nothing overdue to remove."""

from __future__ import annotations

from desktop.ui.shell.launch import build_window


def test_window_over_demo_data_shows_a_few_due_soon_and_the_sweep_removes_nothing(qtbot, services, runner,
                                                                                  qsettings):
    report = services.demo.fill(400, seed=5, desk=True)
    assert report.cases == 400 and report.requests == 5
    assert services.retention.plan() == []  # a dry-run sweep: nothing overdue
    window = build_window(services, runner=runner, settings=qsettings, notify=lambda *_: None,
                          confirm=lambda *_: True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    status = window.requests_view.status_counter
    assert status.isVisible()
    assert status.text() == "Requests: 2 due soon · 0 overdue"
    assert "4 open" in status.toolTip()
