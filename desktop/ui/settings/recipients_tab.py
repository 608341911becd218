"""Settings › Recipients: the processors and recipients named in access reports (Art. 15(1)(c)),
each with what it receives from the desk, from which the Art. 19 list of a request is derived."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.recipients import RECEIVES, receives

TEXT_COLUMNS = ("name", "purpose", "country", "safeguard")
RECIPIENT_COLUMNS = (*TEXT_COLUMNS, "receives")
RECEIVES_COLUMN = len(TEXT_COLUMNS)


class RecipientsTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        intro = QLabel("Processors and recipients named in access reports (Art. 15(1)(c)). “Receives” says "
                       "whose data each one gets from the desk: after an erasure, rectification or restriction "
                       "only those that received the person's data are listed to be told (Art. 19).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(RECIPIENT_COLUMNS))
        self.table.setAccessibleName("Processors and recipients")
        self.table.setHorizontalHeaderLabels([c.title() for c in RECIPIENT_COLUMNS])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Stretch)
        header.setSectionResizeMode(RECEIVES_COLUMN, QHeaderView.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add recipient")
        self.add_button.clicked.connect(lambda: self.add())
        self.remove_button = QPushButton("Re&move selected")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def load(self, recipients: list) -> None:
        self.table.setRowCount(0)
        for r in recipients or []:
            if isinstance(r, dict):
                self.add([str(r.get(k, "")) for k in TEXT_COLUMNS] + [receives(r)])

    def add(self, values: list[str] | None = None) -> None:
        """A row: name, purpose, country, safeguard and (optionally) what it receives."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = list(values or [""] * len(TEXT_COLUMNS))
        for col, text in enumerate(cells[:len(TEXT_COLUMNS)]):
            self.table.setItem(row, col, QTableWidgetItem(text))
        combo = QComboBox()
        for key, label in RECEIVES.items():
            combo.addItem(label, key)
        wanted = cells[RECEIVES_COLUMN] if len(cells) > RECEIVES_COLUMN else receives(
            {"purpose": cells[1] if len(cells) > 1 else ""})
        combo.setCurrentIndex(max(0, combo.findData(wanted)))
        combo.setAccessibleName("Receives")
        self.table.setCellWidget(row, RECEIVES_COLUMN, combo)
        if values is None:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(self.table.item(row, 0))

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def receives_combo(self, row: int) -> QComboBox:
        return self.table.cellWidget(row, RECEIVES_COLUMN)  # type: ignore[return-value]

    def rows(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(len(TEXT_COLUMNS))]
            row = {k: (cell.text() if cell else "") for k, cell in zip(TEXT_COLUMNS, cells, strict=True)}
            row["receives"] = str(self.receives_combo(r).currentData())
            out.append(row)
        return out
