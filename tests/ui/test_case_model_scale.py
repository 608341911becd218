"""The case model with ~20,000 cases: row count from the id array, rows fetched lazily in small blocks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from desktop.domain.models import CaseQuery
from desktop.ui.case_model import CaseTableModel
from desktop.ui.cases_view import CasesView
from tests.helpers.factories import form

N = 20_000


@pytest.fixture
def many(services):
    base = services.intake.validate(form())
    items = [replace(base, name=f"Person {i:05d}", email=f"p{i % 5000}@example.org",
                     description=f"Issue number {i} bounce") for i in range(N)]
    services.intake.store_many(items)
    return services


def test_model_counts_all_rows_but_fetches_few(qtbot, many):
    model = CaseTableModel(many)
    view = CasesView(model)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
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
