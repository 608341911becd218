"""The intake form: layout, inline messages and keys. Behaviour lives in IntakeController."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.intake.controller import IntakeController, empty_values
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import (
    ERROR_STYLE,
    INFO_STYLE,
    OK_STYLE,
    WARN_STYLE,
    error_label,
    set_invalid,
)

Confirm = Callable[[str, str], bool]
REQUIRED = "required"


def ask(parent: QWidget) -> Confirm:
    def confirm(title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes
    return confirm


class IntakeView(QWidget):
    saved = Signal(int)  # case id

    def __init__(self, controller: IntakeController, confirm: Confirm | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.confirm = confirm or ask(self)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.required: set[str] = set()  # their accessible description says "required"
        self._touched: set[str] = set()
        self._build()
        self._wire()
        self.clear()

    # ---- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        outer.addWidget(scroll)
        page = QWidget()
        scroll.setWidget(page)
        column = QVBoxLayout(page)
        column.setContentsMargins(24, 16, 24, 16)

        title = QLabel("<h2>New support request</h2>")
        hint = QLabel("Fields marked * are required. Ctrl+Enter saves, Esc clears the form.")
        hint.setStyleSheet(INFO_STYLE)
        column.addWidget(title)
        column.addWidget(hint)
        self.result_label = SpokenLabel("Result of saving")
        self.result_label.setTextFormat(Qt.PlainText)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        column.addWidget(self.result_label)

        body = QHBoxLayout()
        column.addLayout(body, 1)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(4)
        grid.setHorizontalSpacing(10)
        left = QWidget()
        left.setLayout(grid)
        left.setMaximumWidth(760)
        body.addWidget(left, 3)

        region = self.controller.phone_region
        self.name = self._line("name", "&Name *", grid, "Full name of the person")
        self.email = self._line("email", "E&mail *", grid, "name@example.org")
        self.phone = self._line("phone", "&Phone", grid, f"optional; numbers without a + are read as {region}")
        self.category = QComboBox()
        self.category.setPlaceholderText("Choose the delivery issue…")
        for value, label in self.controller.categories():
            self.category.addItem(label, value)
        self._add("category", "&Category *", self.category, grid)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("What happens, since when, which recipients or domains")
        self.description.setMinimumHeight(110)
        self._add("description", "&Description *", self.description, grid)
        self.counter = SpokenLabel("Description length", speak_changes=False)  # not at every key
        self.counter.setAlignment(Qt.AlignRight)
        # a pasted log or bounce is too long for Description: one click moves it where it belongs
        self.move_button = QPushButton("Mov&e to Technical details")
        self.move_button.setToolTip("Move the whole text into Technical details, then describe the problem in a sentence")
        self.move_button.hide()
        under = QHBoxLayout()
        under.addWidget(self.move_button)
        under.addStretch(1)
        under.addWidget(self.counter)
        grid.addLayout(under, grid.rowCount(), 1)
        self.technical = QPlainTextEdit()
        self.technical.setTabChangesFocus(True)
        self.technical.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.technical.setPlaceholderText("optional: bounce message, headers or SMTP log")
        self.technical.setMinimumHeight(80)
        self._add("technical_details", "&Technical details", self.technical, grid)
        self.channel = QComboBox()
        for value, label in self.controller.channels():
            self.channel.addItem(label, value)
        self._add("channel", "C&hannel", self.channel, grid)

        side = QVBoxLayout()
        body.addLayout(side, 2)
        self.notice_box = QGroupBox()
        nb = QVBoxLayout(self.notice_box)
        self.notice_text = SpokenLabel("Privacy notice text")
        self.notice_text.setTextFormat(Qt.PlainText)
        self.notice_text.setWordWrap(True)
        self.notice_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        nb.addWidget(self.notice_text)
        self.notice_contact = SpokenLabel("Privacy contact", speak_changes=False)
        self.notice_contact.setTextFormat(Qt.PlainText)
        self.notice_contact.setWordWrap(True)
        self.notice_contact.setStyleSheet(INFO_STYLE)
        self.notice_contact.setTextInteractionFlags(Qt.TextSelectableByMouse)
        nb.addWidget(self.notice_contact)
        self.show_notice()
        self.notice = self._check("notice", "I have shown/read the privacy notice to the person *", nb)
        side.addWidget(self.notice_box)
        consent = QGroupBox("Consent and age")
        cb = QVBoxLayout(consent)
        self.marketing = self._check("marketing", "The person agrees to receive marketing email (optional)", cb)
        self.age = self._check("age", "Confirm the person is 13 or older *", cb)
        # "not asked yet" (the box unticked) is not "under 13": the refusal is its own choice
        self.under_13 = QPushButton("The person is under 1&3…")
        self.under_13.setToolTip("Nothing is stored about a child under 13: the form is cleared")
        cb.addWidget(self.under_13, 0, Qt.AlignLeft)
        side.addWidget(consent)
        side.addStretch(1)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Save (Ctrl+Enter)")
        self.save_button.setDefault(False)
        self.clear_button = QPushButton("C&lear (Esc)")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addStretch(1)

        order = [self.name, self.email, self.phone, self.category, self.description, self.technical,
                 self.channel, self.notice, self.marketing, self.age, self.under_13, self.save_button,
                 self.clear_button]
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def _error_label(self, key: str, accessible: str) -> QLabel:
        label = error_label(f"{accessible} error")
        self.errors[key] = label
        return label

    def _add(self, key: str, text: str, widget: QWidget, grid: QGridLayout) -> None:
        row = grid.rowCount()
        label = QLabel(text)
        label.setBuddy(widget)
        label.setMinimumWidth(label.sizeHint().width() + 4)
        plain = text.replace("&", "").rstrip(" *")
        widget.setAccessibleName(plain)
        if text.endswith("*"):
            self.required.add(key)
            widget.setAccessibleDescription(REQUIRED)  # not only the star: screen readers say it
        grid.addWidget(label, row, 0, Qt.AlignRight | Qt.AlignTop)
        grid.addWidget(widget, row, 1)
        grid.addWidget(self._error_label(key, plain), row + 1, 1)
        self.inputs[key] = widget

    def _line(self, key: str, text: str, grid: QGridLayout, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self._add(key, text, edit, grid)
        return edit

    def _check(self, key: str, text: str, layout: QVBoxLayout) -> QCheckBox:
        box = QCheckBox(text)
        box.setAccessibleName(text.rstrip(" *"))
        if text.endswith("*"):
            self.required.add(key)
            box.setAccessibleDescription(REQUIRED)
        layout.addWidget(box)
        layout.addWidget(self._error_label(key, text.rstrip(" *")))
        self.inputs[key] = box
        return box

    # ---- behaviour wiring -----------------------------------------------------------------------
    def _wire(self) -> None:
        for key in ("name", "email", "phone"):
            edit: QLineEdit = self.inputs[key]  # type: ignore[assignment]
            edit.textEdited.connect(lambda _t, k=key: self._revalidate(k))
            edit.editingFinished.connect(lambda k=key: self._touch(k))
        self.description.textChanged.connect(self._description_changed)
        self.technical.textChanged.connect(lambda: self._revalidate("technical_details"))
        for widget in (self.description, self.technical):
            widget.installEventFilter(self)
        self.category.currentIndexChanged.connect(lambda _i: self._touch("category"))
        self.notice.toggled.connect(lambda on: on and self._show("notice", None))
        self.age.toggled.connect(lambda on: on and self._show("age", None))
        self.under_13.clicked.connect(self.refuse_child)
        self.move_button.clicked.connect(self.move_to_technical)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.request_clear)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.save).setContext(Qt.WidgetWithChildrenShortcut)
        # setContext: PySide6 ignored the context= keyword here, so these were window-wide
        QShortcut(QKeySequence(Qt.Key_Escape), self, self.request_clear).setContext(Qt.WidgetWithChildrenShortcut)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.FocusOut:
            if watched is self.description:
                self._touch("description")
            elif watched is self.technical:
                self._touch("technical_details")
        return super().eventFilter(watched, event)

    def _description_changed(self) -> None:
        n = len(self.description.toPlainText().strip())
        limit = self.controller.max_description
        self.counter.setText(f"{n} / {limit} characters")
        self.counter.setStyleSheet(INFO_STYLE)  # the one message about the length is under the field
        self.move_button.setVisible(n > limit)
        if n > limit:
            self._touched.add("description")  # a paste too long is said at once, not on leaving
        self._revalidate("description")

    def move_to_technical(self) -> None:
        """Move the Description text (a pasted log) to the end of Technical details."""
        text = self.description.toPlainText().strip("\n")
        before = self.technical.toPlainText().rstrip("\n")
        self.technical.setPlainText(f"{before}\n\n{text}" if before.strip() else text)
        self._touch("technical_details")
        self.description.clear()
        self._show("description", None, "Moved to Technical details. Describe the problem here in a sentence or two.")
        self.description.setFocus(Qt.OtherFocusReason)

    def show_notice(self) -> None:
        """The organisation's current privacy notice (Settings > Privacy notice)."""
        n = self.controller.notice()
        self.notice_box.setTitle(f"Privacy notice of {n.organisation} (version {n.version})")
        self.notice_text.setText(n.text)
        self.notice_contact.setText(f"Privacy contact: {n.contact}" if n.contact else "")
        self.notice_contact.setVisible(bool(n.contact))

    def _touch(self, key: str) -> None:
        self._touched.add(key)
        self._revalidate(key)

    def _revalidate(self, key: str) -> None:
        if key in self._touched:
            value = self.values()[key]
            error = self.controller.check(key, value)
            self._show(key, error, None if error else self.controller.warning(key, value))

    def _show(self, key: str, message: str | None, warning: str | None = None) -> None:
        """An error (red, the field marked invalid) or a warning (amber: accepted, check it) under a field."""
        label = self.errors.get(key)
        if label is None:
            return
        text = message or warning or ""
        label.setText(text)
        label.setStyleSheet(ERROR_STYLE if message else WARN_STYLE)
        label.setVisible(bool(text))
        widget = self.inputs.get(key)
        if widget is not None:
            required = REQUIRED if key in self.required else ""
            widget.setAccessibleDescription("; ".join(p for p in (text, required) if p))  # the problem first
            set_invalid(widget, bool(message))

    # ---- values ---------------------------------------------------------------------------------
    def values(self) -> dict[str, object]:
        return {
            "name": self.name.text(),
            "email": self.email.text(),
            "phone": self.phone.text(),
            "category": self.category.currentData() or "",
            "description": self.description.toPlainText(),
            "technical_details": self.technical.toPlainText(),
            "channel": self.channel.currentData() or "",
            "notice_acknowledged": self.notice.isChecked(),
            "marketing_consent": self.marketing.isChecked(),
            "not_a_child": self.age.isChecked(),
        }

    def is_dirty(self) -> bool:
        return self.controller.is_dirty(self.values())

    # ---- actions --------------------------------------------------------------------------------
    def save(self) -> None:
        outcome = self.controller.submit(self.values())
        if outcome.ok:
            self.clear()
            self.result_label.setStyleSheet(OK_STYLE)
            self.result_label.setText(outcome.message)
            self.saved.emit(int(outcome.case_id or 0))
            return
        values = self.values()
        for key in self.errors:  # a field without an error keeps its warning (e.g. check this number)
            error = outcome.errors.get(key)
            self._show(key, error, None if error or key not in values else self.controller.warning(key, values[key]))
        self._touched.update(k for k in outcome.errors if k in self.inputs)
        self.result_label.setStyleSheet(ERROR_STYLE)
        self.result_label.setText(outcome.message)
        first = next((k for k in self.inputs if k in outcome.errors), None)
        if first:
            self.inputs[first].setFocus(Qt.OtherFocusReason)

    def refuse_child(self) -> None:
        """The person is under 13: nothing is stored, the form is cleared, and the form says so."""
        if self.is_dirty() and not self.confirm(
                "The person is under 13", "Nothing is stored about a child under 13. Clear the form?"):
            return
        self.clear()
        self.result_label.setStyleSheet(WARN_STYLE)
        self.result_label.setText("Nothing stored: the person is under 13. Data of children under 13 is not "
                                  "kept without verifiable parental consent; the form was cleared.")

    def request_clear(self) -> None:
        if self.is_dirty() and not self.confirm("Clear the form?", "Discard what has been typed into this form?"):
            return
        self.clear()
        self.result_label.setText("")

    def clear(self) -> None:
        blank = empty_values()
        for edit in (self.name, self.email, self.phone):
            edit.clear()
        self.description.clear()
        self.technical.clear()
        self.category.setCurrentIndex(-1)
        self.channel.setCurrentIndex(max(0, self.channel.findData(blank["channel"])))
        for box in (self.notice, self.marketing, self.age):
            box.setChecked(False)
        self._touched.clear()
        for key in self.errors:
            self._show(key, None)
        self._description_changed()
        self.name.setFocus(Qt.OtherFocusReason)

    def clear_for_lock(self) -> None:
        """At lock: the form and its last result go."""
        self.clear()
        self.result_label.setText("")

    def focus_first(self) -> None:
        self.name.setFocus(Qt.ShortcutFocusReason)

    def view_shown(self) -> None:  # called by MainWindow when the view is shown
        if not self.notice.isChecked():  # a notice already confirmed as shown stays as it was
            self.show_notice()
        self.focus_first()
