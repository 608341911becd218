"""File › Import…: pick the export, see the detected profile, encoding and first rows, adjust the
column and category mapping, time zone and phone region, check the dry run, then import off the GUI
thread with progress and cancel. Behaviour lives in ImportController."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.importing.controller import (
    CATEGORY_CHOICES,
    FIELD_CHOICES,
    NOT_IMPORTED,
    ImportController,
)
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import ERROR_STYLE, INFO_STYLE

NO_CATEGORY = "— refuse these rows —"


class ImportWizard(QDialog):
    imported = Signal(object)  # FormImportReport

    def __init__(self, controller: ImportController, runner, parent: QWidget | None = None,
                 path: str | None = None) -> None:
        super().__init__(parent)
        self.c, self.runner = controller, runner
        self.plan = None
        self.report = None
        self.setWindowTitle("Import web-form submissions")
        self.resize(1000, 640)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.message = SpokenLabel("Import problem")  # hidden (not exposed) while empty
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Next")
        self.import_button = QPushButton("Import")
        self.cancel_button = QPushButton("Cancel")
        for b in (self.back_button, self.next_button, self.import_button, self.cancel_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        self._file_page(path)
        self._mapping_page()
        self._check_page()
        self._progress_page()
        self._show(0)

    # ---- pages -----------------------------------------------------------------------------------
    def _file_page(self, path: str | None) -> None:
        page = QWidget()
        form = QFormLayout(page)
        row = QHBoxLayout()
        self.path_edit = QLineEdit(path or "")
        self.path_edit.setAccessibleName("Export file")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_file)
        row.addWidget(self.path_edit)
        row.addWidget(choose)
        form.addRow("Export file", row)
        self.saved_combo = QComboBox()
        self.saved_combo.addItem("(none)", "")
        for name in self.c.mapping_names():
            self.saved_combo.addItem(name, name)
        self.saved_combo.setAccessibleName("Saved mapping")
        form.addRow("Saved mapping", self.saved_combo)
        self.pages.addWidget(page)

    def _mapping_page(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.detected = QLabel("")
        self.detected.setStyleSheet(INFO_STYLE)
        self.detected.setWordWrap(True)
        v.addWidget(self.detected)
        self.preview_table = QTableWidget(0, 0)
        self.preview_table.setAccessibleName("First rows")
        self.preview_table.setMaximumHeight(170)
        v.addWidget(self.preview_table)
        h = QHBoxLayout()
        self.column_table = QTableWidget(0, 2)
        self.column_table.setHorizontalHeaderLabels(("Column", "Case field"))
        self.column_table.setAccessibleName("Column mapping")
        self.category_table = QTableWidget(0, 3)
        self.category_table.setHorizontalHeaderLabels(("Form's category label", "Rows", "Category"))
        self.category_table.setAccessibleName("Category mapping")
        for table in (self.column_table, self.category_table):
            table.horizontalHeader().setStretchLastSection(True)
            table.setColumnWidth(0, 220)
        h.addWidget(self.column_table, 3)
        h.addWidget(self.category_table, 2)
        v.addLayout(h)
        form = QFormLayout()
        self.tz_combo = QComboBox()
        self.tz_combo.setEditable(True)
        self.tz_combo.addItems(self.c.timezones())
        self.tz_combo.setCurrentText(self.c.default_timezone())
        self.tz_combo.setAccessibleName("Site time zone")
        self.region_edit = QLineEdit(self.c.default_region())
        self.region_edit.setAccessibleName("Phone region")
        self.other_check = QCheckBox("Labels without a category: import as 'other' (the label is kept)")
        self.save_edit = QLineEdit()
        self.save_edit.setAccessibleName("Save mapping as")
        form.addRow("Site time zone", self.tz_combo)
        form.addRow("Phone region", self.region_edit)
        form.addRow("", self.other_check)
        form.addRow("Save mapping as", self.save_edit)
        v.addLayout(form)
        self.pages.addWidget(page)

    def _check_page(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(QLabel("<h3>Dry run: what the import will do</h3>"))
        self.check_text = QPlainTextEdit()
        self.check_text.setReadOnly(True)
        self.check_text.setAccessibleName("Dry-run result")
        v.addWidget(self.check_text)
        self.pages.addWidget(page)

    def _progress_page(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.result_text = QPlainTextEdit()
        self.result_text.setReadOnly(True)
        self.result_text.setAccessibleName("Import result")
        v.addWidget(self.progress)
        v.addWidget(self.result_text)
        self.pages.addWidget(page)

    def _show(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.back_button.setEnabled(index in (1, 2))
        self.next_button.setVisible(index in (0, 1))
        self.next_button.setText("Check (dry run)" if index == 1 else "Next")
        self.import_button.setVisible(index == 2)
        self.cancel_button.setText("Close" if index == 3 and self.report is not None else "Cancel")

    # ---- actions ---------------------------------------------------------------------------------
    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Import web-form submissions", "",
                                                "Exports (*.csv *.json *.txt);;All files (*)")
        if chosen:
            self.path_edit.setText(chosen)

    def _error(self, exc: BaseException) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(user_message(exc))

    def back(self) -> None:
        self._show(max(0, self.pages.currentIndex() - 1))

    def next(self) -> None:
        self.message.setText("")
        try:
            if self.pages.currentIndex() == 0:
                self.plan = self.c.plan(self.path_edit.text().strip(), mapping_name=self.saved_combo.currentData())
                self._fill_mapping()
                self._show(1)
            else:
                self.plan = self.c.plan(self.path_edit.text().strip(), columns=self.chosen_columns(),
                                        categories=self.chosen_categories(),
                                        unknown_other=self.other_check.isChecked(),
                                        timezone=self.tz_combo.currentText(), phone_region=self.region_edit.text(),
                                        save_as=self.save_edit.text().strip(),
                                        mapping_name=self.saved_combo.currentData())
                self._fill_categories()  # the category column may have changed
                self.runner.run_task(lambda: self.c.dry_run(self.plan), self._checked, self._error)
        except Exception as exc:  # noqa: BLE001 - one line for the person, never a traceback
            self._error(exc)

    def _checked(self, report) -> None:
        self.check_text.setPlainText("\n".join(self.c.summary(self.plan, report)))
        self._show(2)

    def _fill_mapping(self) -> None:
        plan = self.plan
        self.detected.setText(f"Detected: {plan.profile.label} · encoding {plan.file.encoding} · "
                              f"{len(plan.file.records)} {'rows' if plan.file.kind == 'csv' else 'records'}")
        cols, rows = self.c.preview(plan)
        self.preview_table.setColumnCount(len(cols))
        self.preview_table.setHorizontalHeaderLabels(cols)
        self.preview_table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for k, value in enumerate(values):
                self.preview_table.setItem(r, k, QTableWidgetItem(value))
        fields = self.c.field_of(plan)
        self.column_table.setRowCount(len(cols))
        self.field_combos: dict[str, QComboBox] = {}
        for r, col in enumerate(cols):
            self.column_table.setItem(r, 0, QTableWidgetItem(col))
            combo = QComboBox()
            combo.addItem("(not imported)", NOT_IMPORTED)
            for f in FIELD_CHOICES:
                combo.addItem(f, f)
            combo.setCurrentIndex(max(0, combo.findData(fields[col])))
            combo.setAccessibleName(f"Field for {col}")
            self.column_table.setCellWidget(r, 1, combo)
            self.field_combos[col] = combo
        self._fill_categories()
        if plan.saved:
            self.tz_combo.setCurrentText(plan.timezone)
            self.region_edit.setText(plan.options.phone_region)
            self.other_check.setChecked(plan.options.unknown_category == "other")

    def _fill_categories(self) -> None:
        self.category_combos: dict[str, QComboBox] = {}
        labels = self.c.category_labels(self.plan)
        self.category_table.setRowCount(len(labels))
        for r, (label, (count, mapped)) in enumerate(labels.items()):
            self.category_table.setItem(r, 0, QTableWidgetItem(label))
            self.category_table.setItem(r, 1, QTableWidgetItem(str(count)))
            combo = QComboBox()
            combo.addItem(NO_CATEGORY, "")
            for cat in CATEGORY_CHOICES:
                combo.addItem(cat, cat)
            combo.setCurrentIndex(max(0, combo.findData(mapped)))
            combo.setAccessibleName(f"Category for {label}")
            self.category_table.setCellWidget(r, 2, combo)
            self.category_combos[label] = combo

    def chosen_columns(self) -> dict[str, str]:
        return {col: combo.currentData() for col, combo in self.field_combos.items()}

    def chosen_categories(self) -> dict[str, str]:
        return {label: combo.currentData() for label, combo in self.category_combos.items() if combo.currentData()}

    def start_import(self) -> None:
        self._show(3)
        self.import_button.setEnabled(False)

        def report(done: int, total: int) -> None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)

        self.runner.run_task(lambda rep: self.c.run(self.plan, rep), self._done, self._failed, progress=report)

    def _done(self, report) -> None:
        self.report = report
        self.result_text.setPlainText("\n".join(self.c.summary(self.plan, report)))
        self._show(3)
        self.imported.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.report = None
        self._error(exc)
        self.result_text.setPlainText(user_message(exc))
        self.cancel_button.setText("Close")

    def cancel(self) -> None:
        if self.pages.currentIndex() == 3 and self.report is None:
            self.c.cancel_requested = True  # the worker stops before it writes anything
            return
        self.reject() if self.report is None else self.accept()
