"""Search at the desk (issue 14): Down or Enter in the search box moves into and opens the results,
0 results keep the table headers with a "No case matches …" line, a phone read out finds its case
through the window, and one search session is one audit entry (never the search text)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.factories import add_case
from tests.ui.test_cases import names, search, seed


def cases_view(qtbot, window, services):
    seed(services)
    window.case_model.reload()
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    view = window.cases_view
    assert view.search.hasFocus()
    return view


def test_down_moves_from_the_search_box_into_the_results(qtbot, window, services):
    view = cases_view(qtbot, window, services)
    search(qtbot, view, "spamhaus")  # nothing yet: Down stays in the box
    qtbot.keyClick(view.search, Qt.Key_Down)
    assert view.search.hasFocus()
    view.search.clear()
    qtbot.keyClicks(view.search, "example")
    qtbot.keyClick(view.search, Qt.Key_Down)  # searches now, without waiting for the pause
    assert view.model.rowCount() == 3
    assert QApplication.focusWidget() is view.table and view.selected_case() is not None


def test_enter_opens_the_only_match_and_otherwise_moves_into_the_results(qtbot, window, services, monkeypatch):
    opened = []
    view = cases_view(qtbot, window, services)
    view.open_case.disconnect()
    view.open_case.connect(opened.append)
    qtbot.keyClicks(view.search, "Grace")
    qtbot.keyClick(view.search, Qt.Key_Return)
    assert names(view.model) == ["Grace Hopper"] and opened == [view.model.case_id(0)]
    view.search.clear()
    qtbot.keyClicks(view.search, "example")
    qtbot.keyClick(view.search, Qt.Key_Enter, Qt.KeypadModifier)
    assert len(opened) == 1 and QApplication.focusWidget() is view.table
    qtbot.keyClick(view.table, Qt.Key_Return)  # Enter on a row opens it
    assert len(opened) == 2


def test_no_match_keeps_the_headers_and_says_so_in_one_line(qtbot, window, services):
    view = cases_view(qtbot, window, services)
    search(qtbot, view, "nobody here")
    assert view.model.rowCount() == 0
    assert view.table.isVisible() and view.table.horizontalHeader().isVisible()
    assert view.no_match.isVisible()
    assert view.no_match.text().startswith("No case matches “nobody here”.")
    assert view.no_match.accessibleName() == view.no_match.text()
    search(qtbot, view, "Grace")
    assert not view.no_match.isVisible() and names(view.model) == ["Grace Hopper"]


def test_a_number_read_out_finds_the_case_in_the_window(qtbot, window, services):
    view = cases_view(qtbot, window, services)
    caller = add_case(services, name="Lena Landline", email="lena@example.org", phone="+442079460018")
    window.case_model.reload()
    for spoken in ("020 7946 0018", "7946 0018", "0018", "+44 20 7946 0018"):
        search(qtbot, view, spoken)
        assert [view.model.case_id(r) for r in range(view.model.rowCount())] == [caller], spoken


def test_one_search_session_is_one_audit_entry_without_the_text(qtbot, window, services, clock):
    view = cases_view(qtbot, window, services)
    view.timer.setInterval(3_600_000)  # the test says where typing pauses (the debounce's timeout)

    def type_then_pause(text):
        qtbot.keyClicks(view.search, text)
        view.timer.timeout.emit()

    def listed():  # from the first search on (the list's own first fill may come late)
        details = [e.detail for e in reversed(services.audit.entries(action="cases.list"))]  # oldest first
        first = next((i for i, d in enumerate(details) if "search=yes" in d), len(details))
        return details[first:]

    for chunk in ("G", "r", "a", "ce"):  # four pauses while typing "Grace": one session
        type_then_pause(chunk)
    assert names(view.model) == ["Grace Hopper"]
    assert listed() == ["count=2;search=yes;status=any"]  # its first listing ("G")
    view.search.selectAll()
    qtbot.keyClick(view.search, Qt.Key_Backspace)
    view.timer.timeout.emit()  # cleared: the session ends (the full list is audited as a list)
    clock.advance(seconds=30)
    type_then_pause("Alan")  # a new session
    clock.advance(minutes=5)
    type_then_pause(" T")  # after a long pause: a new session too
    assert listed() == [
        "count=2;search=yes;status=any", "count=3;search=no;status=any",
        "count=1;search=yes;status=any", "count=1;search=yes;status=any"]
    trail = " ".join(e.detail + e.target for e in services.audit.entries()).lower()
    assert "grace" not in trail and "alan" not in trail
