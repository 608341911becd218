"""Settings › Privacy notice: the text the intake form shows, and its versions. Saving a changed
text makes a new version (dated, with who saved it: SettingsService); each case keeps the version
it acknowledged, shown in the case window, `show --json` and the access report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.request_actions import stamp
from desktop.services.settings import Notice
from desktop.ui.widgets.style import INFO_STYLE


class NoticeTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.current = QLabel()
        self.current.setTextFormat(Qt.PlainText)
        self.current.setWordWrap(True)
        self.current.setAccessibleName("Current privacy notice version")
        layout.addWidget(self.current)
        caption = QLabel("Notice te&xt (shown on the intake form; the organisation's name and privacy contact "
                         "are shown with it):")
        caption.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("Privacy notice text")
        self.text.setMinimumHeight(110)
        caption.setBuddy(self.text)
        layout.addWidget(caption)
        layout.addWidget(self.text, 2)
        hint = QLabel("Saving a changed text makes a new version, dated and with your name. Each case keeps the "
                      "version the person acknowledged.")
        hint.setWordWrap(True)
        hint.setStyleSheet(INFO_STYLE)
        layout.addWidget(hint)
        layout.addWidget(QLabel("Versions:"))
        self.history = QTableWidget(0, 4)
        self.history.setAccessibleName("Privacy notice versions")
        self.history.setHorizontalHeaderLabels(["Version", "Saved", "By", "Organisation"])
        self.history.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.history.verticalHeader().hide()
        header = self.history.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        layout.addWidget(self.history, 1)
        self.old_text = QPlainTextEdit()
        self.old_text.setReadOnly(True)
        self.old_text.setAccessibleName("Text of the selected version")
        self.old_text.setPlaceholderText("Select a version to read its text.")
        self.old_text.setMaximumHeight(90)
        layout.addWidget(self.old_text)
        self.versions: list[Notice] = []
        self.history.currentCellChanged.connect(self._show_version)

    def load(self, current: Notice, versions: list[Notice]) -> None:
        self.text.setPlainText(current.text)
        saved = f", saved {stamp(current.saved_at)} by {current.saved_by}" if current.saved_at else " (the shipped notice)"
        self.current.setText(f"Shown at intake now: version {current.version}{saved}.")
        self.versions = list(versions)
        self.history.setRowCount(0)
        for notice in self.versions:
            row = self.history.rowCount()
            self.history.insertRow(row)
            cells = [notice.version, stamp(notice.saved_at) if notice.saved_at else "not saved yet",
                     notice.saved_by or "—", notice.organisation or "—"]
            for col, text in enumerate(cells):
                self.history.setItem(row, col, QTableWidgetItem(text))
        self.old_text.clear()

    def _show_version(self, row: int, *_args) -> None:
        self.old_text.setPlainText(self.versions[row].text if 0 <= row < len(self.versions) else "")

    def value(self) -> str:
        return self.text.toPlainText()
