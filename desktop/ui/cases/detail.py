"""Case detail window: banners, rectification form, status workflow, notes, history, consents, retention."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.models import CATEGORY_LABELS, CHANNEL_LABELS, EDITABLE_FIELDS, Status
from desktop.ui.cases.detail_controller import CaseDetailController, transition_label, when
from desktop.ui.cases.fields import esc, get_value, set_read_only, set_value, shown
from desktop.ui.cases.unsaved import AskBeforeLeaving, AskUnsaved
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import (
    BANNER_HOLD,
    BANNER_READONLY,
    BANNER_RESTRICTED,
    ERROR_STYLE,
    INFO_STYLE,
    OK_STYLE,
    WARN_STYLE,
    banner,
    error_label,
    set_invalid,
)

AskResolution = Callable[[QWidget], "str | None"]
LABELS = {"name": "&Name", "email": "E&mail", "phone": "&Phone", "category": "&Category",
          "description": "Desc&ription", "technical_details": "&Technical details", "channel": "C&hannel"}


def ask_resolution(parent: QWidget) -> str | None:
    """Ask for an optional resolution when closing; None when the person cancels."""
    text, ok = QInputDialog.getMultiLineText(parent, "Close case", "Resolution (optional):")
    return text if ok else None


class CaseDetailDialog(AskBeforeLeaving, QDialog):
    """Done, Esc or closing with unsaved corrections or a typed note asks Save / Discard / Stay."""
    changed = Signal(int)  # case id, after any saved change

    def __init__(self, controller: CaseDetailController, parent: QWidget | None = None,
                 resolution_prompt: AskResolution = ask_resolution, ask_unsaved: AskUnsaved | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.resolution_prompt = resolution_prompt
        if ask_unsaved is not None:
            self.ask_unsaved = ask_unsaved
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.status_buttons: dict[Status, QPushButton] = {}
        self.resize(1000, 720)
        self._build()
        controller.load()
        self.show_detail()

    # ---- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.title = QLabel()
        layout.addWidget(self.title)
        self.banners = QVBoxLayout()
        layout.addLayout(self.banners)

        status_row = QHBoxLayout()
        self.status_label = QLabel()
        status_row.addWidget(self.status_label)
        status_row.addStretch(1)
        self.status_box = QHBoxLayout()
        status_row.addLayout(self.status_box)
        layout.addLayout(status_row)
        self.facts = SpokenLabel("Case facts", speak_changes=False)
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.facts)
        self.message = SpokenLabel("Result")
        self.message.setTextFormat(Qt.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        tabs = QTabWidget()
        self.tabs = tabs
        layout.addWidget(tabs, 1)
        tabs.addTab(self._details_tab(), "Deta&ils")
        tabs.addTab(self._notes_tab(), "N&otes")
        self.history = self._table(["When", "Who", "Field", "Old value", "New value"], "Change history")
        history_page = QWidget()
        history_box = QVBoxLayout(history_page)
        self.history_hint = QLabel("No changes yet. Each saved correction and status change is listed here: "
                                   "when, who, the field, its old and its new value.")
        self.history_hint.setWordWrap(True)
        self.history_hint.setStyleSheet(INFO_STYLE)
        history_box.addWidget(self.history_hint)
        history_box.addWidget(self.history, 1)
        tabs.addTab(history_page, "Change histor&y")
        self.consent_table = self._table(["Kind", "Version", "Given", "Withdrawn", "Case", "Source"], "Consents")
        tabs.addTab(self.consent_table, "Cons&ents")

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("&Done")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def _details_tab(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(4)
        grid.setHorizontalSpacing(10)
        for name in EDITABLE_FIELDS:
            if name in ("category", "channel"):
                widget: QWidget = QComboBox()
                labels = CATEGORY_LABELS if name == "category" else CHANNEL_LABELS
                for value, label in labels.items():
                    widget.addItem(label, value.value)
            elif name in ("description", "technical_details"):
                widget = QPlainTextEdit()
                widget.setTabChangesFocus(True)
                widget.setMaximumHeight(110 if name == "description" else 90)
                if name == "technical_details":
                    widget.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
            else:
                widget = QLineEdit()
            row = grid.rowCount()
            label = QLabel(LABELS[name])
            label.setBuddy(widget)
            label.setMinimumWidth(label.sizeHint().width() + 4)
            widget.setAccessibleName(LABELS[name].replace("&", ""))
            grid.addWidget(label, row, 0, Qt.AlignRight | Qt.AlignTop)
            grid.addWidget(widget, row, 1)
            error = error_label(f"{LABELS[name].replace('&', '')} error")
            grid.addWidget(error, row + 1, 1)
            self.inputs[name] = widget
            self.errors[name] = error
            if name == "phone":  # a web-form import kept a phone it could not read, as typed
                self.phone_warning = QLabel("")
                self.phone_warning.setTextFormat(Qt.PlainText)
                self.phone_warning.setWordWrap(True)
                self.phone_warning.setStyleSheet(WARN_STYLE)
                self.phone_warning.setAccessibleName("Phone warning")
                self.phone_warning.hide()
                grid.addWidget(self.phone_warning, row + 2, 1)
        self.save_button = QPushButton("&Save corrections")
        self.save_button.clicked.connect(self.save)
        grid.addWidget(self.save_button, grid.rowCount(), 1, Qt.AlignLeft)
        grid.setRowStretch(grid.rowCount(), 1)
        return page

    def _notes_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.notes = QListWidget()
        self.notes.setAccessibleName("Internal notes")
        self.notes.setWordWrap(True)
        box.addWidget(self.notes, 1)
        label = QLabel("New internal &note:")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMaximumHeight(80)
        self.note_edit.setAccessibleName("New internal note")
        label.setBuddy(self.note_edit)
        self.note_error = error_label("Note error")
        self.add_note_button = QPushButton("&Add note")
        self.add_note_button.clicked.connect(self.add_note)
        for w in (label, self.note_edit, self.note_error, self.add_note_button):
            box.addWidget(w)
        return page

    @staticmethod
    def _table(headers: list[str], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setAccessibleName(name)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        return table

    # ---- filling --------------------------------------------------------------------------------
    def show_detail(self) -> None:
        c = self.controller
        d = c.detail
        assert d is not None
        case = d.case
        self.setWindowTitle(f"Case {case.id}")
        self.title.setText(f"<h2>Case {case.id}: {esc(case.name or '(anonymised)')}</h2>")
        while self.banners.count():
            item = self.banners.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        hold = c.hold_reason()
        if hold:
            self.banners.addWidget(banner(f"Legal hold: {hold}. Nothing in this case may be deleted.", BANNER_HOLD))
        if d.subject is not None and d.subject.restricted:
            reason = f" ({d.subject.restriction_reason})" if d.subject.restriction_reason else ""
            self.banners.addWidget(banner(f"Restricted{reason}: processing of this person's data is restricted; "
                                          "the case is read-only.", BANNER_RESTRICTED))
        read_only = c.read_only_reason()
        if read_only and not (d.subject is not None and d.subject.restricted):
            self.banners.addWidget(banner(read_only, BANNER_READONLY))
        editable = read_only is None

        self.status_label.setText(f"Status: <b>{case.status.label}</b>")
        for button in self.status_buttons.values():
            self.status_box.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        for target in c.transitions():
            button = QPushButton(transition_label(case.status, target))
            button.setEnabled(editable)
            button.clicked.connect(lambda _=False, t=target: self.change_status(t))
            self.status_box.addWidget(button)
            self.status_buttons[target] = button

        values = c.shown_values()
        for name, widget in self.inputs.items():
            set_value(widget, values[name])
            self._show_error(name, None)
            set_read_only(widget, not editable)
        self.phone_warning.setText("Unchecked — as typed in the web form: not a number we could read. "
                                   "Check it with the person and correct it here." if case.phone_unchecked else "")
        self.phone_warning.setVisible(case.phone_unchecked)
        self.inputs["phone"].setAccessibleDescription(self.phone_warning.text())  # a screen reader hears it
        self.save_button.setEnabled(editable)
        self.add_note_button.setEnabled(editable)
        self.note_edit.setReadOnly(not editable)

        removal = when(d.next_removal_at)
        if d.next_removal_at and d.next_removal_policy:
            removal += f" under policy “{esc(d.next_removal_policy)}”"
        elif not d.next_removal_at:
            removal = "not scheduled"
        facts = [
            f"Received {when(case.received_at)} · channel {case.channel.label} · recorded by "
            f"{esc(case.created_by or '—')} · privacy notice {esc(case.notice_version or '—')} acknowledged "
            f"{when(case.notice_acknowledged_at)}",
            (f"Closed {when(case.closed_at)}" + (f" · resolution: {esc(case.resolution)}" if case.resolution else "")
             if case.closed_at else "Not closed"),
            f"<b>Next removal:</b> {removal}",
        ]
        self.facts.setText("<br>".join(facts))

        self.notes.clear()
        for note in d.notes:
            self.notes.addItem(f"{when(note.at)}  {note.staff}\n{note.body}")
        self._fill(self.history, [(when(ch.at), ch.staff, ch.field.replace("_", " "), shown(ch.field, ch.old_value),
                                   shown(ch.field, ch.new_value)) for ch in d.changes])
        self.history_hint.setVisible(not d.changes)
        self._fill(self.consent_table, [
            ("Privacy notice" if k.kind == "privacy_notice" else k.kind.replace("_", " ").capitalize(),
             k.version or "—", when(k.given_at), when(k.withdrawn_at) if k.withdrawn_at else "",
             str(k.case_id or "—"), k.source or "") for k in c.consents])

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple]) -> None:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for col, value in enumerate(values):
                item = QTableWidgetItem(str(value).replace("\n", " ⏎ ")[:300])
                item.setToolTip(str(value)[:2000])
                table.setItem(r, col, item)

    def _show_error(self, name: str, message: str | None) -> None:
        label = self.errors[name]
        label.setText(message or "")
        label.setVisible(bool(message))
        set_invalid(self.inputs[name], bool(message))

    def _say(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)

    # ---- actions --------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {name: get_value(w) for name, w in self.inputs.items()}

    def corrections_pending(self) -> bool:
        return self.values() != self.controller.shown_values()

    def is_dirty(self) -> bool:
        """Unsaved corrections or a typed note not added yet (asked on Done/Esc and before the app locks)."""
        try:
            return self.corrections_pending() or bool(self.note_edit.toPlainText().strip())
        except Exception:  # noqa: BLE001 - never let a check block locking or closing
            return False

    def unsaved_what(self) -> str:
        parts = (["unsaved corrections"] if self.corrections_pending() else []) + \
            (["a note that was not added"] if self.note_edit.toPlainText().strip() else [])
        return f"Case {self.controller.case_id} has " + " and ".join(parts)

    def save_unsaved(self) -> bool:
        """Save the corrections and add the note; False (and the errors shown) when either fails."""
        if self.corrections_pending() and not self.save():
            self.tabs.setCurrentIndex(0)
            return False
        return not self.note_edit.toPlainText().strip() or self.add_note()

    def save(self) -> bool:
        values = self.values()
        outcome = self.controller.save(values)
        if not outcome.ok:
            for name in self.inputs:
                self._show_error(name, outcome.errors.get(name))
            self._say(False, outcome.message)
            return False
        self.show_detail()
        self._say(True, outcome.message)
        self.changed.emit(self.controller.case_id)
        return True

    def change_status(self, target: Status) -> None:
        resolution = None
        if target == Status.CLOSED:
            resolution = self.resolution_prompt(self)
            if resolution is None:
                return
        outcome = self.controller.set_status(target, resolution)
        if outcome.ok:
            self.show_detail()
            self.changed.emit(self.controller.case_id)
        self._say(outcome.ok, outcome.message)

    def add_note(self) -> bool:
        outcome = self.controller.add_note(self.note_edit.toPlainText())
        if not outcome.ok:
            self.note_error.setText(outcome.message)
            self.note_error.show()
            self.tabs.setCurrentIndex(1)
            return False
        self.note_edit.clear()
        self.note_error.hide()
        self.show_detail()
        self._say(True, outcome.message)
        self.changed.emit(self.controller.case_id)
        return True

