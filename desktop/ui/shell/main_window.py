"""The main window: left navigation, a stack of views, File > Import, a status bar about the store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.messages import user_message

if TYPE_CHECKING:
    from desktop.ui.audit.view import AuditView
    from desktop.ui.cases.model import CaseTableModel
    from desktop.ui.cases.view import CasesView
    from desktop.ui.intake.view import IntakeView
    from desktop.ui.requests.view import RequestsStatus, RequestsView
    from desktop.ui.retention.sweep_dialog import RetentionMenu
    from desktop.ui.retention.sweep_scheduler import SweepScheduler

Notify = Callable[[str, str], None]
MAX_LISTED_ERRORS = 15
STORE_PATH_CHARS = 48
CHANGE_POLL_MS = 5_000


class MainWindow(QMainWindow):
    """The views are mounted by key (add_view; launch.build_window mounts intake, cases, requests,
    audit and settings) and read back through the typed properties below. The retention menu and
    the sweep scheduler are declared here and handed over through mount_retention and
    mount_sweep_scheduler. What the lock controller needs is shell/lock_controller.py's
    LockableWindow: file_menu, view_changed, unsaved_work, clear_for_lock, save_geometry."""

    view_changed = Signal(str)
    imported = Signal(object)  # ImportReport
    changed_elsewhere = Signal()  # another process (the CLI, a scheduled sweep) committed to the store

    def __init__(self, services, *, runner: Runner | None = None, settings: QSettings | None = None,
                 notify: Notify | None = None) -> None:
        super().__init__()
        self.services = services
        self.runner = runner or TaskRunner()
        self.qsettings = settings or QSettings()
        self.notify = notify or (lambda title, text: QMessageBox.information(self, title, text))
        self.views: dict[str, QWidget] = {}
        self._builders: dict[str, Callable[[], QWidget]] = {}  # views built when first shown
        self.retention_menu: RetentionMenu | None = None  # Retention › Sweep now… (mount_retention)
        self.sweep_scheduler: SweepScheduler | None = None  # this session's sweeps (mount_sweep_scheduler)
        self.case_opener: Callable[[int], QWidget] | None = None  # the case window (launch.build_window)
        self.requests_counter: RequestsStatus | None = None  # the status bar's request deadlines (mount_requests)
        self.setWindowTitle("helpdesk-intake")

        self.nav = QListWidget()
        self.nav.setAccessibleName("Views")
        self.nav.setMaximumWidth(200)
        self.nav.setMinimumWidth(130)
        self.nav.setSpacing(2)
        self.stack = QStackedWidget()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([160, 1100])
        self.setCentralWidget(splitter)
        self.nav.currentRowChanged.connect(self._nav_changed)

        menu = self.menuBar()
        self.file_menu = menu.addMenu("&File")
        self.import_action = QAction("&Import…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.setStatusTip("Import a web-form export (.csv or .json): check the mapping, then import")
        self.import_action.triggered.connect(lambda: self.open_import_wizard())
        self.file_menu.addAction(self.import_action)
        self.file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.Quit) or [QKeySequence("Ctrl+Q")])
        quit_action.triggered.connect(self.close)
        self.file_menu.addAction(quit_action)
        self.view_menu = menu.addMenu("&View")

        status = self.statusBar()
        self.store_label = QLabel()
        self.protection_label = QLabel()
        self.count_label = QLabel()
        for label in (self.store_label, self.protection_label, self.count_label):
            label.setTextFormat(Qt.PlainText)
            label.setContentsMargins(10, 0, 10, 0)
            status.addPermanentWidget(label)
        # the first case count after the first paint, off the GUI thread: count(*) reads a whole
        # index, which at start comes from disk (about 0.3 s for 100,000 cases from a cold cache)
        self.refresh_status(count=False)
        QTimer.singleShot(0, self._count_in_background)
        # what another process writes (the CLI, a sweep run by cron) reaches the status bar: a
        # PRAGMA data_version read off the GUI thread every few seconds, the counts read when it moved
        self._data_version: int | None = None
        self._polling = False
        self.change_poll = QTimer(self)
        self.change_poll.setInterval(CHANGE_POLL_MS)
        self.change_poll.timeout.connect(self.poll_changes)
        self.change_poll.start()
        self._restore_geometry()

    # ---- views ----------------------------------------------------------------------------------
    def add_view(self, key: str, title: str, widget: QWidget | Callable[[], QWidget],
                 shortcut: str | None = None) -> QAction:
        """Mount a view: an entry in the left navigation and the View menu, with an optional shortcut.

        If the widget has a view_shown() method it is called whenever the view is shown. A factory
        instead of a widget builds the view the first time it is shown (a view nobody opens at
        start, such as Settings, then costs nothing before the window first paints).
        """
        if key in self.views:
            raise ValueError(f"view {key!r} already added")
        if not isinstance(widget, QWidget):
            self._builders[key] = widget
            widget = QWidget()  # placeholder until first shown
        self.views[key] = widget
        item = QListWidgetItem(title)
        item.setData(Qt.UserRole, key)
        item.setSizeHint(QSize(120, 34))
        if shortcut:
            item.setToolTip(f"{title} ({shortcut})")
        self.nav.addItem(item)
        self.stack.addWidget(widget)
        action = QAction(title, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: self.show_view(key))
        self.view_menu.addAction(action)
        self.addAction(action)
        if self.nav.count() == 1:
            self.nav.setCurrentRow(0)
        return action

    def built_view(self, key: str) -> QWidget:
        """The view's widget, built now if it was mounted with a factory and not shown yet."""
        build = self._builders.pop(key, None)
        if build is not None:
            placeholder = self.views[key]
            widget = build()
            self.stack.insertWidget(self.stack.indexOf(placeholder), widget)
            self.views[key] = widget
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        return self.views[key]

    def show_view(self, key: str) -> QWidget:
        self.built_view(key)
        widget = self.views[key]
        row = next(i for i in range(self.nav.count()) if self.nav.item(i).data(Qt.UserRole) == key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # -> _nav_changed
        else:
            self._shown(key)
        return widget

    def current_view(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(Qt.UserRole) if item else None

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.UserRole)
        self.stack.setCurrentWidget(self.built_view(key))
        self._shown(key)

    def _shown(self, key: str) -> None:
        hook = getattr(self.views[key], "view_shown", None)
        if callable(hook):
            hook()
        self.view_changed.emit(key)

    # ---- the views build_window mounts, by key -------------------------------------------------
    @property
    def intake_view(self) -> IntakeView:
        return self.views["intake"]  # type: ignore[return-value]

    @property
    def cases_view(self) -> CasesView:
        return self.views["cases"]  # type: ignore[return-value]

    @property
    def case_model(self) -> CaseTableModel:
        return self.cases_view.model

    @property
    def requests_view(self) -> RequestsView:
        return self.built_view("requests")  # type: ignore[return-value]

    @property
    def requests_status(self) -> RequestsStatus:
        if self.requests_counter is not None:
            return self.requests_counter
        return self.requests_view.status_counter

    @property
    def audit_view(self) -> AuditView:
        return self.built_view("audit")  # type: ignore[return-value]

    def mount_retention(self, menu: RetentionMenu) -> None:
        self.retention_menu = menu
        menu.swept.connect(lambda _report: self.cases_changed())

    def open_sweep_preview(self):
        """Retention › Sweep now…: the preview dialog, opened."""
        assert self.retention_menu is not None, "no retention menu mounted"
        return self.retention_menu.open_preview()

    def mount_sweep_scheduler(self, scheduler: SweepScheduler) -> None:
        """This session's sweeps (the lock controller starts and stops them); what a sweep removed
        leaves the case list."""
        self.sweep_scheduler = scheduler
        if self.retention_menu is not None:
            scheduler.swept.connect(lambda _report: self.cases_changed())

    def open_case_window(self, case_id: int) -> QWidget | None:
        """Open a case's window (not waiting for it to close); the window, or None without an opener."""
        return self.case_opener(case_id) if self.case_opener is not None else None

    def cases_changed(self) -> None:
        """After a save, an edit or a sweep: the case list reads again and the count follows."""
        if "cases" in self.views:
            self.case_model.reload()
        self.refresh_status()

    # ---- locking (shell/lock_controller.py's LockableWindow) ----------------------------------
    def unsaved_work(self) -> list[str]:
        """The views that say they hold unsaved work (is_dirty), named for the lock's question."""
        out = []
        for key, view in self.views.items():
            check = getattr(view, "is_dirty", None)
            try:
                if callable(check) and check():
                    out.append("the intake form" if key == "intake" else f"the {key} view")
            except Exception:  # noqa: BLE001 - never let a check block locking
                continue
        return out

    def clear_for_lock(self) -> None:
        """Every view that holds data empties (its clear_for_lock); the case count goes."""
        self.change_poll.stop()
        for view in self.views.values():
            hook = getattr(view, "clear_for_lock", None)
            if callable(hook):
                hook()
        self.count_label.setText("")

    # ---- status bar -----------------------------------------------------------------------------
    def refresh_status(self, *, count: bool = True) -> None:
        path = str(self.services.path)
        shown = path if len(path) <= STORE_PATH_CHARS else "…" + path[-(STORE_PATH_CHARS - 1):]
        self.store_label.setText(f"Store: {shown}")  # the end of a long path: the file and its folder
        self.store_label.setToolTip(f"Store: {path}")
        self.store_label.setAccessibleName(f"Store: {path}")
        kind = "OS keyring" if self.services.key_kind == "raw" else "passphrase"
        self.protection_label.setText(f"Protected by {kind}")
        if count:
            self._show_count(self.services.cases.count())

    def poll_changes(self) -> None:
        """One poll at a time, and none while other work runs (an import or a sweep holds the store:
        a waiting poll would take a pool thread that work may need)."""
        if self._polling or getattr(self.runner, "busy", False) or not self.services.is_open:
            return
        self._polling = True

        def failed(_exc: BaseException) -> None:
            self._polling = False

        self.runner.run_task(self.services.data_version, self._version_seen, failed)

    def _version_seen(self, version: int) -> None:
        self._polling = False
        seen, self._data_version = self._data_version, version
        if seen is None or seen == version or not self.services.is_open:
            return
        try:
            self._count_in_background()
            self.changed_elsewhere.emit()
        except RuntimeError:  # the window was replaced (locked) meanwhile
            pass

    def _count_in_background(self) -> None:
        if self.services.is_open:  # not locked before the first count ran
            self.runner.run_task(self.services.cases.count, self._show_count, lambda _exc: None)

    def _show_count(self, n: int) -> None:
        try:
            self.count_label.setText(f"{n:,} case{'s' if n != 1 else ''}")
        except RuntimeError:  # the window was replaced (locked) while counting
            pass

    # ---- import ---------------------------------------------------------------------------------
    def open_import_wizard(self, path: str | Path | None = None):
        """File › Import…: the web-form import wizard (desktop/ui/importing/)."""
        from desktop.ui.importing.controller import ImportController
        from desktop.ui.importing.wizard import ImportWizard

        wizard = ImportWizard(ImportController(self.services.form_import, self.services.settings), self.runner,
                              self, str(path) if path else None)
        wizard.imported.connect(lambda report: (self.refresh_status(), self.imported.emit(report)))
        wizard.open()
        return wizard

    def import_file(self, path: str | Path | None = None) -> None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Import web-form submissions", "",
                                                    "Submissions (*.csv *.json);;All files (*)")
            if not chosen:
                return
            path = chosen
        progress = QProgressDialog("Importing submissions…", "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowTitle("Import")
        progress.setWindowModality(Qt.WindowModal)
        progress.setMinimumDuration(300)
        self.import_action.setEnabled(False)

        def report(done: int, total: int) -> None:
            progress.setMaximum(max(total, 1))
            progress.setValue(done)

        def finished(result) -> None:
            progress.close()
            self.import_action.setEnabled(True)
            self.refresh_status()
            self.imported.emit(result)
            lines = [f"{len(result.case_ids)} of {result.total} submissions imported."]
            if result.errors:
                lines.append(f"{len(result.errors)} rejected (nothing stored for them):")
                lines += [f"  line {e.line}: {e.message}" for e in result.errors[:MAX_LISTED_ERRORS]]
                if len(result.errors) > MAX_LISTED_ERRORS:
                    lines.append(f"  … and {len(result.errors) - MAX_LISTED_ERRORS} more")
            self.notify("Import finished", "\n".join(lines))

        def failed(exc: BaseException) -> None:
            progress.close()
            self.import_action.setEnabled(True)
            self.notify("Import failed", user_message(exc))

        file_path = Path(path)
        self.runner.run_task(lambda rep: self.services.importer.import_file(file_path, progress=rep),
                             finished, failed, progress=report)

    # ---- window state (QSettings: geometry only, never data) -----------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.qsettings.value("main_window/geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            state = self.qsettings.value("main_window/state")
            if state is not None:
                self.restoreState(state)
        else:
            self.resize(1280, 800)

    def save_geometry(self) -> None:
        self.qsettings.setValue("main_window/geometry", self.saveGeometry())
        self.qsettings.setValue("main_window/state", self.saveState())
        self.qsettings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.save_geometry()
        super().closeEvent(event)
