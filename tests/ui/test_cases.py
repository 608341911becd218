"""The case list: search-as-you-type through FTS, status filter, sorting, markers, opening a case."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from desktop.domain.models import Status
from desktop.ui.cases.model import COLUMNS, CaseRow, CaseTableModel
from tests.conftest import T0
from tests.helpers.factories import add_case


def names(model: CaseTableModel) -> list[str]:
    col = CaseTableModel.column_of("name")
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def search(qtbot, view, text: str) -> None:
    view.search.clear()
    with qtbot.waitSignal(view.search_applied, timeout=2000):
        qtbot.keyClicks(view.search, text)


def seed(services):
    return [
        add_case(services, T0 - timedelta(days=3), name="Ada Lovelace", email="ada@example.org",
                 description="Bounces from gmail"),
        add_case(services, T0 - timedelta(days=2), name="Grace Hopper", email="grace@navy.example",
                 phone="+1 202 555 0143", description="Mail lands in spam folder"),
        add_case(services, T0 - timedelta(days=1), name="Alan Turing", email="alan@bletchley.example",
                 phone=None, description="DKIM signature fails"),
    ]


def test_empty_store_tells_a_new_user_what_to_do(window):
    view = window.cases_view
    window.show_view("cases")
    assert view.stack.currentWidget() is view.empty
    assert "Ctrl+N" in view.empty.text() and "Import" in view.empty.text()


def test_search_as_you_type_finds_by_name_and_email_fragment(qtbot, window, services):
    seed(services)
    window.case_model.reload()
    view = window.cases_view
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    assert window.current_view() == "cases"
    assert view.search.hasFocus()
    assert view.model.rowCount() == 3

    search(qtbot, view, "Grac")
    assert names(view.model) == ["Grace Hopper"]
    search(qtbot, view, "bletchley")
    assert names(view.model) == ["Alan Turing"]
    search(qtbot, view, "spam")  # description words
    assert names(view.model) == ["Grace Hopper"]
    search(qtbot, view, "nobody-here")
    assert view.model.rowCount() == 0
    assert view.stack.currentWidget() is view.table  # the headers stay (issue 14)
    assert view.no_match.isVisible() and view.no_match.text().startswith("No case matches “nobody-here”")


def test_search_is_debounced_until_typing_pauses(qtbot, window, services):
    seed(services)
    window.case_model.reload()
    view = window.cases_view
    qtbot.keyClicks(view.search, "Ada")
    assert view.timer.isActive()
    assert view.model.rowCount() == 3  # not yet filtered while typing
    with qtbot.waitSignal(view.search_applied, timeout=2000):
        pass
    assert names(view.model) == ["Ada Lovelace"]


def test_status_filter(qtbot, window, services):
    ids = seed(services)
    services.cases.set_status(ids[0], Status.WAITING)
    window.case_model.reload()
    view = window.cases_view
    view.status.setCurrentIndex(view.status.findData(Status.WAITING.value))
    assert names(view.model) == ["Ada Lovelace"]
    view.status.setCurrentIndex(0)
    assert view.model.rowCount() == 3


def test_clicking_headers_sorts(qtbot, window, services):
    seed(services)
    window.case_model.reload()
    view = window.cases_view
    window.show_view("cases")
    assert names(view.model) == ["Alan Turing", "Grace Hopper", "Ada Lovelace"]  # newest first
    header = view.table.horizontalHeader()
    name_col = CaseTableModel.column_of("name")
    x = header.sectionViewportPosition(name_col) + header.sectionSize(name_col) // 2
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    first = names(view.model)
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    second = names(view.model)
    assert {tuple(first), tuple(second)} == {("Ada Lovelace", "Alan Turing", "Grace Hopper"),
                                            ("Grace Hopper", "Alan Turing", "Ada Lovelace")}
    assert view.model.query.sort == "name"


def test_every_column_sorts_through_the_store(services, qtbot):
    seed(services)
    model = CaseTableModel(services)
    for column, (key, _title) in enumerate(COLUMNS):
        model.sort(column, Qt.AscendingOrder)
        assert model.query.sort == key and not model.query.descending
        assert model.rowCount() == 3
    model.sort(CaseTableModel.column_of("id"), Qt.DescendingOrder)
    col = CaseTableModel.column_of("id")
    assert [int(model.data(model.index(r, col))) for r in range(3)] == [3, 2, 1]


def test_hold_and_restricted_rows_are_marked(services, qtbot):
    ids = seed(services)
    with services.vault.transaction():
        services.ctx.cases.update(ids[0], legal_hold_reason="litigation 2026-04", legal_hold_by="dpo",
                                  legal_hold_at=T0)
        subject = services.cases.get(ids[1]).subject_id
        services.ctx.subjects.update(subject, restricted_at=T0, restriction_reason="accuracy contested")
    model = CaseTableModel(services)
    model.set_query(model.query.__class__(sort="id", descending=False))
    plain, hold, restricted = model.index(2, 0), model.index(0, 0), model.index(1, 0)
    assert model.data(plain, Qt.ToolTipRole) is None and model.data(plain, Qt.BackgroundRole) is None
    assert "Legal hold" in model.data(hold, Qt.ToolTipRole)
    assert "Restricted" in model.data(restricted, Qt.ToolTipRole)
    assert model.data(hold, Qt.BackgroundRole) is not None
    assert model.data(restricted, Qt.BackgroundRole).color() != model.data(hold, Qt.BackgroundRole).color()
    assert not model.data(hold, Qt.DecorationRole).isNull()
    assert "Legal hold" in model.data(hold, Qt.AccessibleTextRole)


def test_next_removal_column_shows_date_and_policy_or_dash(services, qtbot):
    ids = seed(services)
    with services.vault.transaction():
        services.ctx.cases.set_next_removal(ids[0], T0 + timedelta(days=30), "closed-cases-2y")
    model = CaseTableModel(services)
    model.set_query(model.query.__class__(sort="next_removal", descending=False))
    col = CaseTableModel.column_of("next_removal")
    assert model.data(model.index(0, col)) == "2026-02-09 (closed-cases-2y)"  # nearest first
    row = model.row(0)
    assert CaseRow(row.case, row.subject, None, None).cell("next_removal") == "—"


def test_enter_opens_the_selected_case(qtbot, window, services):
    seed(services)
    window.case_model.reload()
    view = window.cases_view
    window.show_view("cases")
    opened = []
    view.open_case.disconnect()
    view.open_case.connect(opened.append)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(1, 0))
    qtbot.keyClick(view.table, Qt.Key_Return)
    assert opened == [view.model.case_id(1)]


def test_saving_an_intake_refreshes_the_list(qtbot, window, services):
    add_case(services, name="Existing Person", email="e@example.org")
    window.case_model.reload()
    view = window.intake_view
    qtbot.keyClicks(view.name, "New Person")
    qtbot.keyClicks(view.email, "new@example.org")
    view.category.setCurrentIndex(0)
    qtbot.keyClicks(view.description, "Rate limited by outlook")
    view.notice.setChecked(True)
    view.age.setChecked(True)
    qtbot.keyClick(view.name, Qt.Key_Return, Qt.ControlModifier)
    assert window.case_model.rowCount() == 2
    assert "New Person" in names(window.case_model)


def test_showing_and_searching_the_list_is_audited_without_the_search_text(qtbot, window, services):
    seed(services)
    window.show_view("cases")
    view = window.cases_view
    search(qtbot, view, "Grace")
    listed = services.audit.entries(action="cases.list")
    details = [e.detail for e in listed]
    assert "count=3;search=no;status=any" in details, "the first fill of the list"
    assert "count=1;search=yes;status=any" in details, "the search result"
    assert not any("grace" in (e.detail + e.target).lower() for e in services.audit.entries()), \
        "the search text (personal data) never reaches the trail"
    assert all(e.staff == "tester" for e in listed)


def test_typing_on_while_the_matches_stay_keeps_the_selected_row_and_still_shows_changes(qtbot, window, services):
    """A keystroke whose first page holds the same cases does not reset the table (the selection
    and scroll stay); what changed in those cases still shows."""
    _ada, grace, _alan = seed(services)
    window.case_model.reload()
    view = window.cases_view
    window.show_view("cases")
    search(qtbot, view, "Gra")
    assert names(view.model) == ["Grace Hopper"]
    rect = view.table.visualRect(view.model.index(0, 2))
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert view.selected_case() == grace
    resets: list[int] = []
    view.model.modelReset.connect(lambda: resets.append(1))

    services.cases.set_status(grace, Status.WAITING)
    with qtbot.waitSignal(view.search_applied, timeout=2000):
        qtbot.keyClicks(view.search, "ce")  # "Grace": the same single match
    assert names(view.model) == ["Grace Hopper"] and not resets
    assert view.selected_case() == grace
    status = view.model.data(view.model.index(0, CaseTableModel.column_of("status")))
    assert status == Status.WAITING.label

    search(qtbot, view, "Alan")  # another case: the table starts over
    assert names(view.model) == ["Alan Turing"] and resets
