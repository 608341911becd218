"""The request register as a table: ref, type, received, due, days left, status (whether identity is
verified shows in the status: received / verifying identity / in progress, and in the detail panel).

Overdue rows are red AND say "⚠ OVERDUE by N days" (never colour alone); due-soon rows are amber and
say "(due soon)"; a closed request shows no countdown ("—").
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services.request_actions import recipients_to_tell
from desktop.services.requests import RequestRow
from desktop.ui.requests.controller import STATUS_LABELS, countdown, day
from desktop.ui.widgets.style import scheme

COLUMNS = ("Reference", "Type", "Received", "Due", "Days left", "Status")
DAYS_LEFT = COLUMNS.index("Days left")
ROW_ROLE = Qt.UserRole + 1


class RequestTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[RequestRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[RequestRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def update_rows(self, rows: list[RequestRow]) -> None:
        """Same requests, new countdowns (the minute timer): repaint without losing the selection."""
        if [r.request.id for r in rows] != [r.request.id for r in self.rows]:
            self.set_rows(rows)
            return
        self.rows = list(rows)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def row_of(self, request_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.request.id == request_id), None)

    def request_id(self, row: int) -> int | None:
        return self.rows[row].request.id if 0 <= row < len(self.rows) else None

    # ---- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return self.text(row, col)
        if role == Qt.ToolTipRole:  # the cell's full text first: a narrow column ends in "…"
            return f"{self.text(row, col)}\n{self.tooltip(row)}"
        if role == Qt.ForegroundRole:  # colours of the palette's scheme: readable in light and dark themes
            c = scheme()
            if row.overdue:
                return QBrush(QColor(c["overdue_fg"]))
            if row.due_soon:
                return QBrush(QColor(c["hold_fg"]))
            if row.request.status.closed:
                return QBrush(QColor(c["closed_fg"]))
        if role == Qt.BackgroundRole:
            c = scheme()
            if row.overdue:
                return QBrush(QColor(c["overdue_bg"]))
            if row.due_soon:
                return QBrush(QColor(c["hold_bg"]))
        if role == Qt.FontRole and row.overdue:
            return self._bold
        if role == ROW_ROLE:
            return row
        return None

    @staticmethod
    def text(row: RequestRow, col: int) -> str:
        req = row.request
        if col == 0:
            return ("⚠ " if row.overdue else "") + req.ref
        if col == 1:
            return req.type.value.capitalize()
        if col == 2:
            return day(req.received_at)
        if col == 3:
            if req.status.closed:
                return "closed " + day(req.completed_at) if req.completed_at else "closed"
            return day(row.due) + (" (ext.)" if req.extended_due_at else "")
        if col == DAYS_LEFT:
            return countdown(row)
        if col == 5:
            pending = len(recipients_to_tell(req)) if req.status.closed else 0
            return STATUS_LABELS[req.status] + (f" · {pending} to tell" if pending else "")
        return ""

    @staticmethod
    def tooltip(row: RequestRow) -> str:
        if row.request.status.closed:
            pending = recipients_to_tell(row.request)
            if pending:
                return ("Closed, but recipients are still to tell (Art. 19): " + ", ".join(pending)
                        + ". It stays in Open requests until every one is ticked.")
            return "Closed: no countdown." + ("" if row.request.verified else " Identity was never verified.")
        if row.overdue:
            return f"Overdue: it was due {day(row.due)}."
        if row.due_soon:
            return f"Due soon: due {day(row.due)}."
        verified = "identity verified" if row.request.verified else "identity not verified yet"
        return f"Due {day(row.due)} ({row.rule}); {verified}."
