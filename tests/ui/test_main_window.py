"""Main window: views, shortcuts, status bar, import off the GUI thread, remembered geometry."""

from __future__ import annotations

import json
import threading

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel

from desktop.ui.shell.launch import build_window
from desktop.ui.widgets.jobs import TaskRunner
from tests.helpers.factories import add_case


def test_status_bar_names_store_protection_and_count(window, services, store_path):
    add_case(services)
    window.refresh_status()
    assert str(store_path) in window.store_label.toolTip()
    assert window.store_label.text().endswith(store_path.name), "a long path keeps its end: the file"
    assert window.protection_label.text() == "Protected by passphrase"
    assert window.count_label.text() == "1 case"


def test_shortcuts_switch_views(qtbot, window):
    window.show_view("cases")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert window.current_view() == "intake"
    assert window.intake_view.name.hasFocus()
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    assert window.current_view() == "cases"
    assert window.cases_view.search.hasFocus()


def test_other_views_can_be_mounted(qtbot, window):
    extra = QLabel("extra view")  # "audit" is taken: the real Audit view is mounted by build_window
    window.add_view("extra", "Extra", extra, "Ctrl+Shift+E")
    qtbot.keyClick(window, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.current_view() == "extra"
    assert window.stack.currentWidget() is extra
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:2] == ["Intake", "Cases"] and titles[-1] == "Extra"


def test_import_runs_through_the_runner_and_reports(qtbot, window, services, notices, tmp_path):
    path = tmp_path / "web.json"
    path.write_text(json.dumps([
        {"name": "Web One", "email": "one@example.org", "category": "bounce", "description": "bounces"},
        {"name": "", "email": "bad", "category": "bounce", "description": "x"},
    ]), encoding="utf-8")
    window.import_file(path)
    assert services.cases.count() == 1
    assert window.case_model.rowCount() == 1
    assert window.count_label.text() == "1 case"
    title, text = notices[-1]
    assert title == "Import finished"
    assert "1 of 2 submissions imported" in text and "line" in text


def test_import_of_a_missing_file_is_one_line(window, notices, tmp_path):
    window.import_file(tmp_path / "nope.csv")
    title, text = notices[-1]
    assert title == "Import failed" and "\n" not in text and "Traceback" not in text


def test_task_runner_works_on_a_thread_and_answers_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    gui = threading.get_ident()
    seen = {}

    def work(report):
        seen["worker"] = threading.get_ident()
        report(1, 2)
        return 42

    done = []
    progress = []
    runner.run_task(work, lambda r: done.append((r, threading.get_ident())), lambda e: done.append(e),
                    progress=lambda a, b: progress.append((a, b, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert done == [(42, gui)]
    assert seen["worker"] != gui
    assert progress == [(1, 2, gui)]
    errors = []
    runner.run_task(lambda: 1 / 0, lambda r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)
    assert not runner.busy


def test_geometry_is_remembered(qtbot, services, tmp_path):
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat)
    first = build_window(services, settings=settings)
    qtbot.addWidget(first)
    first.resize(720, 520)
    first.show()
    qtbot.waitExposed(first)
    first.close()
    second = build_window(services, settings=QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat))
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (720, 520)
    keys = settings.allKeys()
    assert keys and all(k.startswith("main_window/") for k in keys)  # window state only


def test_views_nobody_has_opened_yet_cost_nothing_at_start(qtbot, services, runner, tmp_path):
    """Start reads no case ids for the hidden case list and builds no Requests, Audit or Settings
    page; each appears, filled, the first time it is shown (by click or shortcut). The request
    deadlines show in the status bar from the start."""
    from desktop.ui.audit.view import AuditView
    from desktop.ui.requests.view import RequestsView
    from desktop.ui.settings.view import SettingsView

    services.requests.open("access", "ada@example.org")

    add_case(services)
    add_case(services, email="grace@example.org", name="Grace Hopper")
    window = build_window(services, runner=runner, settings=QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat),
                          notify=lambda *a: None, confirm=lambda *a: True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert window.current_view() == "intake"
    assert not window.case_model.loaded and window.case_model.rowCount() == 0
    assert not isinstance(window.views["settings"], SettingsView)
    assert not isinstance(window.views["requests"], RequestsView)
    assert not isinstance(window.views["audit"], AuditView)
    assert window.count_label.text() == "2 cases", "the status bar counts without loading the list"
    assert window.requests_status.text() == "Requests: 0 due soon · 0 overdue"
    assert window.requests_status.toolTip().startswith("1 open data-subject request")
    assert services.ctx.vault.read("PRAGMA cache_size")[0][0] == -1024, "the window's connection: a 1 MiB page cache"

    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    requests = window.views["requests"]
    assert isinstance(requests, RequestsView) and window.stack.currentWidget() is requests
    assert requests.model.rowCount() == 1
    assert requests.status_counter is window.requests_status, "the view keeps the status bar's counter"

    qtbot.keyClick(window, Qt.Key_A, Qt.ControlModifier | Qt.ShiftModifier)
    audit = window.views["audit"]
    assert isinstance(audit, AuditView) and window.stack.currentWidget() is audit

    qtbot.keyClick(window, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.current_view() == "cases" and window.case_model.rowCount() == 2
    assert window.cases_view.count_label.text() == "2 cases"

    window.nav.setCurrentRow(window.nav.count() - 1)  # Settings, last in the navigation
    view = window.views["settings"]
    assert isinstance(view, SettingsView) and window.stack.currentWidget() is view
    assert view.org["controller_name"].text() == services.settings.organisation()["controller_name"]


def test_start_keeps_no_module_source_in_memory_and_tracebacks_still_show_code(qtbot, services, tmp_path):
    """PySide6 reads the source of every module imported after it into linecache (~7 MiB at start);
    the window drops it once built. A traceback (--debug, a bug report) still shows its code lines."""
    import linecache
    import traceback

    import desktop.ui.shell.main_window as main_window_module

    linecache.getlines(main_window_module.__file__)  # as PySide6's import-time check leaves it
    window = build_window(services, settings=QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    assert main_window_module.__file__ not in linecache.cache
    try:
        window.show_view("no-such-view")
    except KeyError as exc:
        text = "".join(traceback.format_exception(exc))
    else:  # pragma: no cover
        raise AssertionError("an unknown view must not be shown")
    assert "self.views[key]" in text, "the failing line of main_window.py is quoted"
