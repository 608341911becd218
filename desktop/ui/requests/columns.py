"""The register's columns fit the table's width (issue 14: at 1280x800 it scrolled sideways and the
last column was cut): each column as wide as its text when there is room; when there is not, the
columns whose text can be cut sensibly give way first, down to a floor, with "…" at the end and
the full text in the tooltip. The last column (Status) stretches into what is left."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView

PADDING = 8
# column -> the narrowest it may get; the order is who gives way first (Status, then Type, ...)
SHRINK = ((5, 96), (1, 64), (4, 112), (2, 84), (3, 96))
OPTIONAL = 2  # Received: hidden when even the narrowest columns do not fit


def fit(table: QTableView, empty_widths: tuple[int, ...]) -> list[int]:
    """Set the widths; returns them (for tests and the PNG check)."""
    model = table.model()
    n = model.columnCount()
    if model.rowCount() == 0:
        widths = list(empty_widths[:n])
    else:
        widths = []
        for column in range(n):
            header = table.horizontalHeader().sectionSizeHint(column)
            widths.append(max(table.sizeHintForColumn(column), header) + PADDING)
    room = table.viewport().width() or table.width()
    widths = _shrunk(widths, room)
    # still too wide (a narrow window): the received date goes (the detail panel shows it)
    hide = sum(widths) > room and model.rowCount() > 0
    table.setColumnHidden(OPTIONAL, hide)
    if hide:
        widths = _shrunk(widths[:OPTIONAL] + [0] + widths[OPTIONAL + 1:], room)
    for column, width in enumerate(widths):  # the last one also stretches into what is left (Qt
        if column != OPTIONAL or not hide:   # keeps it at least as wide as it was last set)
            table.setColumnWidth(column, width)
    return widths


def _shrunk(widths: list[int], room: int) -> list[int]:
    widths = list(widths)
    over = sum(widths) - room
    for column, floor in SHRINK:
        if over <= 0:
            break
        cut = min(over, max(0, widths[column] - floor))
        widths[column] -= cut
        over -= cut
    return widths
