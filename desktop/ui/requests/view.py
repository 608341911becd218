"""The Requests view: the register with countdowns, a filter, New request…, and the detail panel whose
actions answer each right. Plus the status-bar counter of due-soon and overdue requests.

Dialogs run through `exec_dialog` (tests swap it to drive the real dialog widgets); long work (access
report, export) goes through the task runner with a progress dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.requests import RequestCounts
from desktop.ui.requests import columns
from desktop.ui.requests.actions import RequestActions
from desktop.ui.requests.controller import FILTERS, RequestsController
from desktop.ui.requests.detail import RequestDetailPanel
from desktop.ui.requests.model import RequestTableModel
from desktop.ui.requests.status import RequestsStatus, mount_requests  # noqa: F401 - re-exported
from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.style import ERROR_STYLE, INFO_STYLE, OK_STYLE

REFRESH_MS = 60_000
COLUMN_WIDTHS = (128, 92, 90, 100, 158, 118)  # an empty register's header


def ask_export_path(parent: QWidget, suggested: str) -> str | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save portable export", str(Path.home() / suggested),
                                            "Zip archive (*.zip)")
    return chosen or None


class RequestsView(QWidget):
    changed = Signal()  # after any change to a request or to what is held about a person
    counts_changed = Signal(object)  # RequestCounts

    def __init__(self, controller: RequestsController, *, runner: Runner | None = None,
                 parent: QWidget | None = None, status_counter: RequestsStatus | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner or TaskRunner()
        self.exec_dialog: Callable[[QDialog], int] = lambda dialog: dialog.exec()
        self.ask_export_path: Callable[[QWidget, str], str | None] = ask_export_path
        self.ask_report_path: Callable[[QWidget, str], str | None] | None = None  # None: the preview's dialog
        self.actions = RequestActions(controller, self, self)  # self as its ActionHost and dialog parent
        # for the window's status bar: mount_requests makes it before the view is built
        self.status_counter = status_counter if status_counter is not None else RequestsStatus()
        self.counts_changed.connect(self.status_counter.show_counts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)

        bar = QHBoxLayout()
        show = QLabel("Sho&w:")
        self.filter = QComboBox()
        for key, label in FILTERS.items():
            self.filter.addItem(label, key)
        self.filter.setAccessibleName("Request filter")
        show.setBuddy(self.filter)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(INFO_STYLE)
        self.new_button = QPushButton("&New request…")
        self.new_button.setToolTip("Register a data-subject request (Ctrl+Shift+N)")
        self.new_button.setShortcut("Ctrl+Shift+N")
        for w in (show, self.filter, self.count_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)

        self.message = QLabel("")
        self.message.setTextFormat(Qt.PlainText)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.hide()
        layout.addWidget(self.message)

        self.model = RequestTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Requests")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)  # a column that gave way ends in "…"; the tooltip has it all
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.Interactive)
        hh.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.detail = RequestDetailPanel()
        self.table.setMinimumWidth(200)  # with the detail panel (340) the window still fits 720 wide
        self.empty = QLabel()  # shown instead of an empty table: what to do, not a blank grid
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No requests")
        self.empty.setMargin(24)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty)
        split = QSplitter()
        split.addWidget(self.table_stack)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([720, 420])  # the detail panel wraps its reasons next to greyed buttons
        split.splitterMoved.connect(lambda _pos, _i: self.fit_columns())
        layout.addWidget(split, 1)
        self.legend = QLabel("⚠ OVERDUE rows are red and bold · due within 7 days: amber, “(due soon)” · "
                             "closed requests show no countdown")
        self.legend.setStyleSheet(INFO_STYLE)
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)

        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.new_button.clicked.connect(self.actions.new_request)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self.show_selected())
        self.detail.action.connect(self.actions.run)
        self.detail.recipients.told.connect(self.mark_told)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.reload()

    # ---- data -----------------------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else self.selected_id()
        self.model.set_rows(self.controller.load(str(self.filter.currentData())))
        self.fit_columns()
        n = self.model.rowCount()
        self.count_label.setText(f"{n} request{'s' if n != 1 else ''}" if n else "No requests here")
        self.empty.setText(EMPTY.get(str(self.filter.currentData()), EMPTY["open"]))
        self.table_stack.setCurrentWidget(self.table if n else self.empty)
        if keep is not None and self.select_request(keep):
            return
        self.show_selected()
        self.refresh_counts()

    def fit_columns(self) -> None:
        """Columns as wide as their text when the table has the room; otherwise the ones that can be
        cut sensibly give way (ui/requests/columns.py), so nothing scrolls sideways."""
        columns.fit(self.table, COLUMN_WIDTHS)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        QTimer.singleShot(0, self.fit_columns)  # after the splitter has laid the table out

    def tick(self) -> None:
        """Every minute: countdowns from the clock (no store read) and the status-bar counts."""
        if not getattr(self.controller.services, "is_open", True):
            return  # locked: the store is closed until the next unlock rebuilds the window
        self.model.update_rows(self.controller.recount())
        self.show_selected()
        self.refresh_counts()

    def refresh_counts(self) -> RequestCounts | None:
        try:
            counts = self.controller.counts()
        except Exception:  # noqa: BLE001 - a closed/locked store: keep the last counts
            return None
        self.counts_changed.emit(counts)
        return counts

    def view_shown(self) -> None:
        self.reload()

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.request_id(index.row()) if index.isValid() else None

    def select_request(self, request_id: int) -> bool:
        row = self.model.row_of(request_id)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        self.table.scrollTo(self.model.index(row, 0))
        self.show_selected()
        self.refresh_counts()
        return True

    def show_selected(self) -> None:
        request_id = self.selected_id()
        if request_id is None:
            self.detail.show_row(None, {})
            return
        row = self.model.rows[self.model.row_of(request_id)]
        subject = self.controller.subject(row.request)
        note = ""
        if subject is not None and subject.restricted:
            note = "processing RESTRICTED"
        if subject is not None and subject.on_hold:
            note = (note + " · " if note else "") + "LEGAL HOLD"
        cases = [f"Case {m.case_id} · {m.name} · {m.category} · received {m.received}"
                 + (" · LEGAL HOLD" if m.on_hold else "")
                 for m in self.controller.covered_cases(request_id)] if not row.request.status.closed else []
        self.detail.phone_region = self.controller.services.settings.phone_region  # phones as the agent writes them
        self.detail.show_row(row, self.controller.allowed(row), note, cases)

    def mark_told(self, name: str, told: bool) -> None:
        request_id = self.selected_id()
        if request_id is None:
            return
        outcome = self.controller.mark_told(request_id, name, told)
        if outcome.ok:
            self.after_change(request_id, outcome.message)
            if self.model.row_of(request_id) is None:  # the last one told: it leaves Open requests
                self.say(True, outcome.message + " Every recipient is told: the request is now under "
                                                 "Show › All requests.")
        else:
            self.show_selected()  # the tick goes back to what the store holds
            self.say(False, outcome.message)

    # ---- messages -------------------------------------------------------------------------------
    def say(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet((OK_STYLE if ok else ERROR_STYLE) + " padding: 4px;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def after_change(self, request_id: int | None, text: str) -> None:
        self.reload(select=request_id)
        self.say(True, text)
        self.changed.emit()

    def disable_action(self, key: str) -> None:
        self.detail.buttons[key].setEnabled(False)

    def notify_changed(self) -> None:
        self.changed.emit()

    def progress_dialog(self, text: str) -> QProgressDialog:
        progress = QProgressDialog(text, "", 0, 100, self)
        progress.setCancelButton(None)
        progress.setWindowTitle("Please wait")
        progress.setWindowModality(Qt.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        return progress


EMPTY = {
    "open": "<h3>No open data-subject requests</h3><p>When someone asks to see, correct, export, restrict "
            "or erase their data, or objects to its use, press <b>New request…</b> (Ctrl+Shift+N): the "
            "deadline starts on the day it was received.</p><p>Closed requests: choose <b>Show › All "
            "requests</b>.</p>",
    "overdue": "<h3>Nothing overdue</h3><p>Every open request is within its deadline.</p>",
    "all": "<h3>No data-subject requests yet</h3><p>Press <b>New request…</b> (Ctrl+Shift+N) when someone "
           "asks about their data.</p>",
}
