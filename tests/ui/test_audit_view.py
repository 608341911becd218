"""The Audit view lists the trail, filters it, verifies the chain and exports CSV."""

from __future__ import annotations

import csv
from datetime import timedelta

from PySide6.QtCore import QDate, QPoint, Qt

from tests.conftest import T0
from tests.helpers.factories import add_case


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def rows(view):
    m = view.model
    return [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]


def open_audit(window):
    window.show_view("audit")
    return window.audit_view


def test_audit_view_lists_entries_newest_first_without_personal_data(qtbot, window, services):
    first = add_case(services)
    services.cases.detail(first)
    view = open_audit(window)
    listed = rows(view)
    trail = services.audit.entries()  # everything on the trail, newest first (other views audit too)
    assert [r[2] for r in listed] == [e.action for e in trail]
    assert [r[2] for r in listed if r[2].startswith("case.")] == ["case.view", "case.create"]
    view_row = next(r for r in listed if r[2] == "case.view")
    assert view_row[1] == "tester" and view_row[3] == f"case:{first}"
    assert view_row[0] == "2026-01-10 09:00:00"
    text = " ".join(" ".join(r) for r in listed)
    assert "Ada" not in text and "ada@example.org" not in text
    assert view.count_label.text() == f"{len(trail)} entries shown"


def test_filters_by_action_case_and_dates(qtbot, window, services, clock):
    a = add_case(services, email="a@example.org")
    clock.advance(days=3)
    b = add_case(services, email="b@example.org")
    services.cases.detail(b)
    view = open_audit(window)
    actions = [view.action.itemText(i) for i in range(view.action.count())]
    assert actions[0] == "All actions" and {"case.create", "case.view"} <= set(actions[1:])

    view.action.setCurrentIndex(view.action.findData("case.create"))
    assert [r[3].split(",")[0] for r in rows(view)] == [f"case:{b}", f"case:{a}"]

    view.action.setCurrentIndex(0)
    qtbot.keyClicks(view.case, str(b))
    view.refresh()
    assert [(r[2], r[3].split(",")[0]) for r in rows(view)] == [("case.view", f"case:{b}"), ("case.create", f"case:{b}")]

    view.case.clear()
    day_a = (T0).date()
    view.until.setDate(QDate(day_a.year, day_a.month, day_a.day))  # inclusive: only the first day
    assert {r[3].split(",")[0] for r in rows(view) if r[2].startswith("case.")} == {f"case:{a}"}
    view.until.setDate(view.until.minimumDate())
    day_b = (T0 + timedelta(days=3)).date()
    view.since.setDate(QDate(day_b.year, day_b.month, day_b.day))
    assert {r[3].split(",")[0] for r in rows(view) if r[2].startswith("case.")} == {f"case:{b}"}
    assert all(r[0] >= "2026-01-13" for r in rows(view))


def test_verify_reports_intact_then_the_first_broken_link(qtbot, window, services):
    for i in range(3):
        add_case(services, email=f"p{i}@example.org")
    view = open_audit(window)
    click(qtbot, view.verify_button)
    count = len(services.audit.entries())
    assert view.verify_label.text().startswith(f"Chain intact: {count} entries")
    services.vault.conn.execute("UPDATE audit SET detail = 'tampered' WHERE id = 2")
    click(qtbot, view.verify_button)
    text = view.verify_label.text()
    assert text.startswith("Chain broken at entry 2:") and "edited" in text


def test_export_writes_the_filtered_entries_through_the_service(qtbot, window, services, tmp_path):
    case_id = add_case(services)
    services.cases.detail(case_id)
    view = open_audit(window)
    view.action.setCurrentIndex(view.action.findData("case.view"))
    out = tmp_path / "trail.csv"
    view.export(out)
    with out.open(encoding="utf-8") as fh:
        data = list(csv.DictReader(fh))
    assert [(r["action"], r["target"]) for r in data] == [("case.view", f"case:{case_id}")]
    assert "Exported 1 entries" in view.count_label.text()
    assert services.audit.entries(action="audit.export")  # the export itself is on the trail
    view.export(out)  # never overwrites
    assert "already exists" in view.count_label.text()


def test_export_file_is_chosen_in_a_dialog_and_cancel_does_nothing(qtbot, window, services, tmp_path):
    view = open_audit(window)
    view.choose_file = lambda _parent: None
    click(qtbot, view.export_button)
    assert not services.audit.entries(action="audit.export")
