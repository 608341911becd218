"""The Audit view: the trail's entries with filters (action, case, date range), "Verify chain" and
"Export…" to CSV. Entries hold ids, actions and policy names only, never personal data.

Verify and export run off the GUI thread (they read the whole trail). Listing shows the newest
MAX_ROWS entries that match the filters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import ERROR_STYLE, INFO_STYLE, OK_STYLE

MAX_ROWS = 5_000
COLUMNS = ("Time (UTC)", "Staff", "Action", "Target", "Detail")
NO_DATE = QDate(2000, 1, 1)  # the minimum of the date boxes: shown as "any"
ChooseFile = Callable[[QWidget], "str | None"]


def choose_export_file(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export the audit trail", "audit-trail.csv", "CSV files (*.csv)")
    return path or None


def verify_text(result) -> tuple[bool, str]:
    """Plain words for a VerifyResult."""
    if result.ok:
        return True, f"Chain intact: {result.count} entries, none edited, removed, inserted or reordered."
    b = result.broken
    return False, (f"Chain broken at entry {b.entry_id}: {b.reason}. Entries from there on cannot be "
                   "trusted; keep a copy of the store and tell whoever looks after it.")


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list = []

    def set_entries(self, entries: list) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        e = self.entries[index.row()]
        col = index.column()
        if col == 0:
            return e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if role == Qt.ToolTipRole and col != 4:
            return f"entry {e.id} · hash {e.hash[:16]}…"
        return (e.staff, e.action, e.target, e.detail)[col - 1]


class AuditController:
    """Filters and calls into AuditService; no Qt."""

    def __init__(self, services) -> None:
        self.services = services

    def actions(self) -> list[str]:
        return self.services.audit.actions()

    def filters(self, action: str | None, case_text: str, since: QDate | None, until: QDate | None) -> dict:
        out: dict = {}
        if action:
            out["action"] = action
        if case_text.strip().isdigit():
            out["case_id"] = int(case_text.strip())
        if since is not None:
            out["since"] = datetime.combine(since.toPython(), time(0, 0), tzinfo=UTC)
        if until is not None:  # inclusive day in the box, exclusive bound for the service
            out["until"] = datetime.combine(until.toPython() + timedelta(days=1), time(0, 0), tzinfo=UTC)
        return out

    def entries(self, filters: dict) -> list:
        return self.services.audit.entries(limit=MAX_ROWS, **filters)


class AuditView(QWidget):
    def __init__(self, controller: AuditController, runner, *, choose_file: ChooseFile = choose_export_file,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.choose_file = choose_file
        self.model = AuditTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        heading = QLabel("<h2>Audit trail</h2>")
        note = QLabel("Who did what, when: ids, actions and policy names only; no personal data. "
                      "Each entry is chained to the one before it by a SHA-256 hash.")
        note.setWordWrap(True)
        note.setStyleSheet(INFO_STYLE)
        layout.addWidget(heading)
        layout.addWidget(note)

        bar = QHBoxLayout()
        self.action = QComboBox()
        self.action.setAccessibleName("Action filter")
        self.action.setMinimumContentsLength(12)
        self.action.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.case = QLineEdit()
        self.case.setPlaceholderText("any")
        self.case.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.case.setAccessibleName("Case id filter")
        self.case.setMaximumWidth(90)
        self.since = self._date_box("From date")
        self.until = self._date_box("To date")
        for text, widget in (("&Action:", self.action), ("&Case:", self.case), ("Fr&om:", self.since),
                             ("&To:", self.until)):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)

        checks = QHBoxLayout()
        self.verify_button = QPushButton("Verif&y chain")
        self.export_button = QPushButton("E&xport…")
        self.verify_label = SpokenLabel("Chain check result")
        self.verify_label.setTextFormat(Qt.PlainText)
        self.verify_label.setWordWrap(True)
        checks.addWidget(self.verify_button, 0, Qt.AlignTop)
        checks.addWidget(self.verify_label, 1)
        checks.addWidget(self.export_button, 0, Qt.AlignTop)
        layout.addLayout(checks)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)
        for col, width in enumerate((150, 110, 170, 150)):
            self.table.setColumnWidth(col, width)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setStyleSheet(INFO_STYLE)
        self.count_label.setTextFormat(Qt.PlainText)
        layout.addWidget(self.count_label)

        self.case_timer = QTimer(self)
        self.case_timer.setSingleShot(True)
        self.case_timer.setInterval(250)
        self.case_timer.timeout.connect(self.refresh)
        self.action.currentIndexChanged.connect(lambda _i: self.refresh())
        self.case.textChanged.connect(lambda _t: self.case_timer.start())
        self.case.returnPressed.connect(self.refresh)
        self.since.dateChanged.connect(lambda _d: self.refresh())
        self.until.dateChanged.connect(lambda _d: self.refresh())
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self.export)

    def _date_box(self, name: str) -> QDateEdit:
        box = QDateEdit()
        box.setCalendarPopup(True)
        box.setDisplayFormat("yyyy-MM-dd")
        box.setMinimumDate(NO_DATE)
        box.setSpecialValueText("any")
        box.setDate(NO_DATE)
        box.setAccessibleName(name)
        return box

    # ---- filters and listing --------------------------------------------------------------------
    def current_filters(self) -> dict:
        since = None if self.since.date() == NO_DATE else self.since.date()
        until = None if self.until.date() == NO_DATE else self.until.date()
        return self.controller.filters(self.action.currentData(), self.case.text(), since, until)

    def _load_actions(self) -> None:
        current = self.action.currentData()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItem("All actions", None)
        for name in self.controller.actions():
            self.action.addItem(name, name)
        index = self.action.findData(current) if current else 0
        self.action.setCurrentIndex(max(0, index))
        self.action.blockSignals(False)

    def refresh(self) -> None:
        self.case_timer.stop()
        try:
            entries = self.controller.entries(self.current_filters())
        except Exception as exc:  # noqa: BLE001
            self.model.set_entries([])
            self.count_label.setText("Cannot read the audit trail: " + user_message(exc))
            return
        self.model.set_entries(entries)
        n = len(entries)
        more = f" (the newest {MAX_ROWS:,}; narrow the filters to see older ones)" if n >= MAX_ROWS else ""
        self.count_label.setText(f"{n:,} entr{'y' if n == 1 else 'ies'} shown{more}")

    def view_shown(self) -> None:
        """Called by MainWindow whenever the view is shown: fresh actions and entries."""
        self._load_actions()
        self.refresh()

    def clear_for_lock(self) -> None:
        self.case_timer.stop()
        self.model.set_entries([])
        self.verify_label.setText("")
        self.count_label.setText("")
        self.case.blockSignals(True)
        self.case.clear()
        self.case.blockSignals(False)

    # ---- verify and export ----------------------------------------------------------------------
    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_label.setStyleSheet(INFO_STYLE)
        self.verify_label.setText("Checking every link of the chain…")
        audit = self.controller.services.audit
        self.runner.run_task(audit.verify, self._verified, self._verify_failed)

    def _verified(self, result) -> None:
        self.verify_button.setEnabled(True)
        ok, text = verify_text(result)
        self.verify_label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.verify_label.setText(text)

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_label.setStyleSheet(ERROR_STYLE)
        self.verify_label.setText("The chain could not be checked: " + user_message(exc))

    def export(self, path: str | Path | None = None) -> None:
        chosen = str(path) if path else self.choose_file(self)
        if not chosen:
            return
        filters = self.current_filters()
        audit = self.controller.services.audit
        self.export_button.setEnabled(False)
        self.count_label.setText("Exporting…")
        self.runner.run_task(lambda: audit.export(Path(chosen), **filters), lambda n: self._exported(n, chosen),
                             self._export_failed)

    def _exported(self, count: int, path: str) -> None:
        self.export_button.setEnabled(True)
        self.refresh()  # the export itself is audited
        self.count_label.setText(f"Exported {count:,} entries to {path}.")

    def _export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, FileExistsError):
            text = f"Not exported: {exc.filename} already exists; choose another name."
        else:
            text = "Not exported: " + user_message(exc)
        self.count_label.setText(text)


def mount_audit_view(window, services, runner=None, **kwargs) -> AuditView:
    view = AuditView(AuditController(services), runner or window.runner, **kwargs)
    window.add_view("audit", "Audit", view, "Ctrl+Shift+A")
    return view
