"""Issue 14: at the default 1280x800 the Cases table scrolled sideways and "Next removal" (the last
column) was cut with "…". Name and Email share the room left; nothing scrolls sideways."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.factories import add_case


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_cases_table_fits_and_next_removal_is_readable(qtbot, window, services, size):
    add_case(services, email="ada@example.org")
    add_case(services, name="Bob Quartermaine-Smythe", email="bob.quartermaine@example-company.org")
    window.resize(*size)
    window.show_view("cases")
    qtbot.wait(50)
    table = window.views["cases"].table
    model = table.model()
    assert table.horizontalScrollBar().maximum() == 0, "the cases table scrolls sideways"
    last = model.columnCount() - 1
    assert model.headerData(last, Qt.Horizontal, Qt.DisplayRole) == "Next removal"
    for row in range(model.rowCount()):
        text = model.index(row, last).data()
        assert table.fontMetrics().horizontalAdvance(text) <= table.columnWidth(last) - 6, text
