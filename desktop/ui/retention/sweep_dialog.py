"""Retention › Sweep now…: preview what a sweep would remove and why, then run it off the GUI thread.

The preview is RetentionService.plan(as_of); Run calls sweep(as_of) with the same as_of, which
does exactly that plan (anything no longer due, say a hold set meanwhile, is skipped and reported).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.retention import WHAT_TEXT
from desktop.ui.retention.text import target_text
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.style import ERROR_STYLE, INFO_STYLE, OK_STYLE

HEADERS = ("Record", "What happens", "Policy", "Due", "Why")


def plan_rows(actions) -> list[tuple[str, str, str, str, str]]:
    return [(target_text(a.kind, a.target_id), WHAT_TEXT.get((a.what, a.action), f"{a.what} {a.action}"),
             a.policy_label, a.due.isoformat(), a.reason) for a in actions]


class SweepPreviewDialog(QDialog):
    swept = Signal(object)  # SweepReport

    def __init__(self, retention, runner, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.retention = retention
        self.runner = runner
        self.as_of = now()
        self.planned: list = []
        self.report = None
        self.setWindowTitle("Retention sweep")
        self.resize(980, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>Retention sweep: what is due now</h3>"))
        self.intro = QLabel(f"Working out what is due as of {self.as_of:%Y-%m-%d %H:%M} UTC…")
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet(INFO_STYLE)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setAccessibleName("Planned removals")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        # the reason (the last column) wraps: cut at the column's edge, half of it was never shown
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.ElideNone)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        header = self.table.horizontalHeader()
        for col in range(len(HEADERS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Sweep progress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.result = QLabel("")
        self.result.setTextFormat(Qt.PlainText)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Sweep result")
        layout.addWidget(self.result)
        self.buttons = QDialogButtonBox()
        self.run_button = self.buttons.addButton("&Run sweep", QDialogButtonBox.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.run)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.load()

    # ---- preview --------------------------------------------------------------------------------
    def load(self) -> None:
        as_of = self.as_of
        self.runner.run_task(lambda: self.retention.plan(as_of), self._planned, self._failed)

    def _planned(self, actions) -> None:
        self.planned = list(actions)
        rows = plan_rows(self.planned)
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value if c == len(values) - 1 else f"{values[1]}: {values[4]}")
                self.table.setItem(r, c, item)
        when = f"{self.as_of:%Y-%m-%d %H:%M} UTC"
        if rows:
            cases = len({a.target_id for a in self.planned if a.kind == "case"})
            self.intro.setText(f"As of {when}, {len(rows)} removal(s) are due, touching {cases} case(s). "
                               "Cases on legal hold are never listed. Nothing changes until you press Run sweep.")
            self.run_button.setEnabled(True)
            self.run_button.setFocus(Qt.OtherFocusReason)
        else:
            self.intro.setText(f"As of {when}, nothing is due for removal.")
            self.close_button.setText("Close")

    # ---- run ------------------------------------------------------------------------------------
    def run(self) -> None:
        if not self.planned or self.report is not None:
            return
        self.run_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.result.setStyleSheet(INFO_STYLE)
        self.result.setText("Sweeping… (one transaction per case; the store is then scrubbed)")
        as_of = self.as_of
        self.runner.run_task(lambda report: self.retention.sweep(as_of, report), self._done, self._failed,
                             progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report) -> None:
        self.report = report
        self.progress.hide()
        text = f"Done, as of {self.as_of:%Y-%m-%d}: {report.summary}."
        if report.skipped:
            text += f" {len(report.skipped)} item(s) were skipped because they were no longer due (a hold or a change)."
        if report.compacted:
            text += " The store file was compacted."
        self.result.setStyleSheet(OK_STYLE)
        self.result.setText(text)
        self.run_button.hide()
        self.close_button.setEnabled(True)
        self.close_button.setText("Close")
        self.close_button.setFocus(Qt.OtherFocusReason)
        self.swept.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        self.close_button.setEnabled(True)
        self.result.setStyleSheet(ERROR_STYLE)
        self.result.setText("The sweep did not finish: " + user_message(exc)
                            + " Cases already done stay done; the rest go at the next sweep.")


class RetentionMenu(QObject):
    """Retention › Sweep now… in a main window's menu bar; swept after a sweep run from its preview."""

    swept = Signal(object)  # SweepReport

    def __init__(self, window: QMainWindow, retention, runner, now: Callable[[], datetime]) -> None:
        super().__init__(window)
        self.window, self.retention, self.runner, self.now = window, retention, runner, now
        self.menu = window.menuBar().addMenu("&Retention")
        self.action = QAction("&Sweep now…", window)
        self.action.setStatusTip("Preview what the retention policies remove now, then run the sweep")
        self.menu.addAction(self.action)
        self.action.triggered.connect(lambda: self.open_preview())
        self.dialog: SweepPreviewDialog | None = None

    def open_preview(self) -> SweepPreviewDialog:
        dialog = SweepPreviewDialog(self.retention, self.runner, self.now, parent=self.window)
        dialog.swept.connect(self.swept)
        self.dialog = dialog
        dialog.open()
        return dialog


def mount_retention_menu(window, services, runner, *, now: Callable[[], datetime] | None = None) -> QAction:
    """Add Retention › Sweep now… to the main window; afterwards the case list and status refresh."""
    menu = RetentionMenu(window, services.retention, runner or window.runner, now or services.now)
    window.mount_retention(menu)
    return menu.action
