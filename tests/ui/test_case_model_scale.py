"""The case model with ~20,000 cases: row count from the id array, rows fetched lazily in small blocks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from desktop.domain.models import CaseQuery
from desktop.ui.cases.model import CaseTableModel
from desktop.ui.cases.view import CasesView
from tests.helpers.factories import form

N = 20_000


@pytest.fixture
def many(services):
    base = services.intake.validate(form())
    items = [replace(base, name=f"Person {i:05d}", email=f"p{i % 5000}@example.org",
                     description=f"Issue number {i} bounce") for i in range(N)]
    services.intake.store_many(items)
    return services


def shown_list(qtbot, services) -> tuple[CaseTableModel, CasesView]:
    model = CaseTableModel(services)
    view = CasesView(model)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    return model, view


def test_model_counts_all_rows_but_fetches_few(qtbot, many):
    model, view = shown_list(qtbot, many)
    assert model.rowCount() == N
    assert model.rows_fetched <= 2 * CaseTableModel.BLOCK  # only what is on screen
    # jump around like a person scrolling: the block cache stays small
    for row in (N - 1, N // 2, 17, N - 5000, 3, N // 3, 12_345, 999, 19_000, 5):
        view.table.scrollTo(model.index(row, 0))
        assert model.data(model.index(row, CaseTableModel.column_of("name"))).startswith("Person ")
    assert model.rows_fetched < N // 10
    assert model.cached_rows <= CaseTableModel.MAX_BLOCKS * CaseTableModel.BLOCK

    # sorting by name re-reads only the ids; the first rows are the alphabetically first people
    model.sort(CaseTableModel.column_of("name"), Qt.AscendingOrder)
    assert model.rowCount() == N
    assert model.data(model.index(0, CaseTableModel.column_of("name"))) == "Person 00000"
    assert model.rows_fetched < N // 5

    # search narrows through the FTS index, again without pulling rows
    before = model.rows_fetched
    model.set_query(CaseQuery(search="Person 12345"))
    assert model.rowCount() == 1
    assert model.rows_fetched - before <= CaseTableModel.BLOCK


def click_first_row(qtbot, view) -> None:
    rect = view.table.visualRect(view.model.index(0, 0))
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert view.table.currentIndex().row() == 0


def test_the_list_reads_a_page_of_ids_and_the_rest_as_the_user_scrolls(qtbot, many):
    """In received order (the default) the list starts from its first page of ids and its count:
    the scroll bar covers every case at once, and Ctrl+End reaches the oldest case."""
    model, view = shown_list(qtbot, many)
    name = CaseTableModel.column_of("name")
    assert model.rowCount() == N and view.count_label.text() == f"{N:,} cases"
    assert model.ids_read <= CaseTableModel.BLOCK
    assert view.table.verticalScrollBar().maximum() > N // 2  # the whole list, not a page
    assert model.data(model.index(0, name)) == f"Person {N - 1:05d}"  # same received time: newest id first

    click_first_row(qtbot, view)
    qtbot.keyClick(view.table, Qt.Key_End, Qt.ControlModifier)
    assert view.table.currentIndex().row() == N - 1
    assert model.data(model.index(N - 1, name)) == "Person 00000"
    assert model.ids_read == N
    row = N // 2
    assert model.data(model.index(row, name)) == f"Person {N - 1 - row:05d}"


def test_a_search_with_many_matches_shows_its_count_and_pages_its_ids(qtbot, many):
    model, view = shown_list(qtbot, many)
    with qtbot.waitSignal(view.search_applied, timeout=2000):
        qtbot.keyClicks(view.search, "bounce")
    assert model.rowCount() == N and view.count_label.text() == f"{N:,} cases match"
    assert model.ids_read <= CaseTableModel.BLOCK
    click_first_row(qtbot, view)
    qtbot.keyClick(view.table, Qt.Key_End, Qt.ControlModifier)
    assert view.table.currentIndex().row() == N - 1
    assert model.data(model.index(N - 1, CaseTableModel.column_of("name"))) == "Person 00000"


def test_a_list_that_lost_cases_since_its_count_reloads(qtbot, many):
    """Cases were erased (by another window, say) after the list was counted: the rows past the
    end show as removed, and the list reloads with the right count."""
    model = CaseTableModel(many)
    assert model.rowCount() == N and model.ids_read < N
    request = many.requests.open("erasure", "p0@example.org").request
    many.requests.record_verification(request.id, "reply_from_address", verified_by="Sam")
    many.rights.erase(request.id)  # Person 00000, 05000, 10000 and 15000
    name = CaseTableModel.column_of("name")
    assert model.data(model.index(N - 1, name)) == "(removed)"
    qtbot.waitUntil(lambda: model.rowCount() == N - 4, timeout=2000)
    assert model.data(model.index(N - 5, name)) == "Person 00001"


class QueuedRunner:
    """A runner that holds tasks until run_all(): what the window's TaskRunner does off the GUI
    thread has visibly not happened yet."""

    busy = False

    def __init__(self) -> None:
        self.tasks: list = []

    def run_task(self, func, on_done, on_error, progress=None) -> None:
        self.tasks.append((func, on_done, on_error))

    def run_all(self) -> None:
        while self.tasks:
            func, on_done, on_error = self.tasks.pop(0)
            try:
                result = func()
            except Exception as exc:  # noqa: BLE001
                on_error(exc)
            else:
                on_done(result)


def test_a_long_search_shows_its_first_page_at_once_and_its_exact_count_after(qtbot, many):
    """Search-as-you-type: the first page of matches shows without waiting for the count of every
    match or for the listing's audit entry (a durable commit); both follow off the GUI thread."""
    runner = QueuedRunner()
    model = CaseTableModel(many, runner=runner)
    view = CasesView(model)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    runner.run_all()
    assert view.count_label.text() == f"{N:,} cases"
    listed = len(many.audit.entries(action="cases.list"))
    with qtbot.waitSignal(view.search_applied, timeout=2000):
        qtbot.keyClicks(view.search, "bounce")
    name = CaseTableModel.column_of("name")
    assert model.rowCount() == CaseTableModel.BLOCK and view.count_label.text() == "200+ cases match"
    assert model.data(model.index(0, name)) == f"Person {N - 1:05d}"
    assert len(many.audit.entries(action="cases.list")) == listed  # not written while typing
    runner.run_all()
    assert model.rowCount() == N and view.count_label.text() == f"{N:,} cases match"
    entries = many.audit.entries(action="cases.list")
    assert len(entries) == listed + 1 and entries[0].detail == f"count={N};search=yes;status=any"
    click_first_row(qtbot, view)
    qtbot.keyClick(view.table, Qt.Key_End, Qt.ControlModifier)
    assert model.data(model.index(N - 1, name)) == "Person 00000"
