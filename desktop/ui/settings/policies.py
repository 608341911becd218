"""Settings › Retention: the policy table. Period is typed, the unit is a drop-down of the units the
policy format allows (days, months); problems name a policy by its label, never its id."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from desktop.domain.retention.policies import UNITS


def named_by_label(problem: str, policies: list[dict]) -> str:
    """A PolicyError line says "policy 'open-case': ..."; the agent knows it as its label."""
    for p in policies:
        problem = problem.replace(f"policy {p['id']!r}", f"“{p.get('label') or p['id']}”")
    return problem


class PolicyTable(QTableWidget):
    edited = Signal()  # a period typed or a unit chosen: the view re-checks a shown problem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.itemChanged.connect(lambda _item: self.edited.emit())
        self.setAccessibleName("Retention policies")
        self.setHorizontalHeaderLabels(["Policy", "Period", "Unit", "Then"])
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.verticalHeader().hide()

    def show_policies(self, policies: list[dict]) -> None:
        self.setRowCount(0)
        for p in policies:
            row = self.rowCount()
            self.insertRow(row)
            label = p.get("label", p["id"])
            cells = [label, str(p.get("period", "")), "", str(p.get("action", "")).replace("_", " ")]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, p["id"])
                if col != 1:
                    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                item.setToolTip(str(p.get("reason", "")))
                self.setItem(row, col, item)
            unit = QComboBox()
            for value in UNITS:
                unit.addItem(value, value)
            unit.setCurrentIndex(max(0, unit.findData(p.get("unit", "days"))))
            unit.setAccessibleName(f"Unit of {label}")
            unit.currentIndexChanged.connect(lambda _i: self.edited.emit())
            self.setCellWidget(row, 2, unit)

    def unit_box(self, row: int) -> QComboBox:
        return self.cellWidget(row, 2)  # type: ignore[return-value]

    def edits(self) -> dict[str, tuple[int, str]] | str:
        """{policy id: (period, unit)}, or the first problem, naming the policy by its label."""
        out = {}
        for r in range(self.rowCount()):
            pid = self.item(r, 0).data(Qt.UserRole)
            period = self.item(r, 1).text().strip()
            if not period.isdigit():
                return f"“{self.item(r, 0).text()}”: the period must be a whole number."
            out[pid] = (int(period), str(self.unit_box(r).currentData()))
        return out
