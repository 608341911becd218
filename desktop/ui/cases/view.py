"""The case list: search-as-you-type (FTS5 in the store), status filter, sortable lazy table."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.models import Status
from desktop.ui.cases.model import CaseTableModel
from desktop.ui.widgets.style import INFO_STYLE

SEARCH_DELAY_MS = 200
EMPTY_STORE = (
    "<h3>No cases yet</h3>"
    "<p>Press <b>Ctrl+N</b> (or choose <b>Intake</b> on the left) to capture a support request.<br>"
    "Web-form submissions can be loaded with <b>File › Import…</b> (.csv or .json).</p>"
)
# ID, Received, (Name, Email stretch), Category, Status, Next removal: fixed widths (no
# size-to-contents, so Qt only asks for the rows on screen); Name and Email share what is left, so
# the table never scrolls sideways and "Next removal" is not cut (issue 14)
COLUMN_WIDTHS = (56, 126, 0, 0, 120, 80, 280)
STRETCH = (2, 3)


class CasesView(QWidget):
    open_case = Signal(int)
    search_applied = Signal()

    def __init__(self, model: CaseTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)

        bar = QHBoxLayout()
        search_label = QLabel("&Search:")
        self.search = QLineEdit()
        self.search.setPlaceholderText("name, email, phone or words from the description  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        search_label.setBuddy(self.search)
        status_label = QLabel("S&tatus:")
        self.status = QComboBox()
        self.status.addItem("All statuses", None)
        for s in Status:
            self.status.addItem(s.label, s.value)
        self.status.setAccessibleName("Status filter")
        status_label.setBuddy(self.status)
        self.count_label = QLabel("")
        self.count_label.setStyleSheet(INFO_STYLE)
        bar.addWidget(search_label)
        bar.addWidget(self.search, 1)
        bar.addWidget(status_label)
        bar.addWidget(self.status)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        # 0 matches: this line under the bar, the table (its headers) stays where it was
        self.no_match = QLabel()
        self.no_match.setTextFormat(Qt.PlainText)
        self.no_match.setWordWrap(True)
        self.no_match.hide()
        layout.addWidget(self.no_match)

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setAccessibleName("Cases")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Fixed row heights and no size-to-contents: Qt then only asks for the rows on screen.
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        vh.hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.Interactive)
        hh.setStretchLastSection(False)
        hh.setHighlightSections(False)
        for column, width in enumerate(COLUMN_WIDTHS):
            if column in STRETCH:
                hh.setSectionResizeMode(column, QHeaderView.Stretch)
            else:
                self.table.setColumnWidth(column, width)
        hh.setSortIndicator(model.column_of(model.query.sort),
                            Qt.DescendingOrder if model.query.descending else Qt.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No cases")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self.timer.start())
        self.search.installEventFilter(self)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.table.activated.connect(self._activated)
        model.queryChanged.connect(self._update_state)
        self._update_state()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """In the search box, Down moves into the results; Enter searches now, then opens the only
        match or moves into the results."""
        if watched is self.search and event.type() == QEvent.KeyPress and not event.modifiers() & ~Qt.KeypadModifier:
            if event.key() == Qt.Key_Down:
                self.apply_filters()
                self._into_results()
                return True
            if event.key() in (Qt.Key_Return, Qt.Key_Enter):
                self.apply_filters()
                if self.model.rowCount() == 1 and self.model.case_id(0) is not None:
                    self.open_case.emit(self.model.case_id(0))
                else:
                    self._into_results()
                return True
        return super().eventFilter(watched, event)

    def _into_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus(Qt.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    def view_shown(self) -> None:  # called by the main window each time this view is shown
        self.model.ensure_loaded()

    # ---- actions --------------------------------------------------------------------------------
    def apply_filters(self) -> None:
        self.timer.stop()
        value = self.status.currentData()
        status = Status(value) if value else None
        query = self.model.query
        text = self.search.text()
        if query.search != text or query.status != status:
            self.model.set_query(replace(query, search=text, status=status))
        self.search_applied.emit()

    def refresh(self) -> None:
        self.model.reload()

    def clear_for_lock(self) -> None:
        """At lock: the search text and every cached row go (the model reloads when next shown)."""
        self.timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.clear()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.ShortcutFocusReason)
        self.search.selectAll()

    def selected_case(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.case_id(index.row()) if index.isValid() else None

    def select_case(self, case_id: int) -> bool:
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _activated(self, index) -> None:
        case_id = self.model.case_id(index.row())
        if case_id is not None:
            self.open_case.emit(case_id)

    def _update_state(self) -> None:
        n = self.model.rowCount()
        q = self.model.query
        filtered = bool(q.search.strip()) or q.status is not None
        more = "+" if self.model.counting else ""  # the first page shows; the exact count follows
        self.count_label.setText(f"{n:,}{more} case{'s' if n != 1 or more else ''}" + (" match" if filtered else ""))
        self.no_match.setVisible(not n and filtered)
        if n or filtered:
            self.stack.setCurrentWidget(self.table)  # headers stay; an empty result says so above them
            if filtered and not n:
                what = f"“{q.search.strip()}”" if q.search.strip() else "this status filter"
                text = (f"No case matches {what}. Search looks at names, email addresses, phone numbers and "
                        "descriptions; clear the search box or the status filter to see every case.")
                self.no_match.setText(text)
                self.no_match.setAccessibleName(text)
            return
        self.empty.setText(EMPTY_STORE)
        self.stack.setCurrentWidget(self.empty)
