"""Dialogs of the request register: new request (with the matched cases to confirm), identity
verification, a reason or outcome, and the optional report password.

Each dialog that changes something takes a `submit` callable returning an Outcome: errors are shown
inline in the dialog (which stays open); on success it accepts.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.models import CHANNEL_LABELS, VERIFICATION_METHODS, Channel, RequestType
from desktop.ui.requests.controller import (
    TYPE_LABELS,
    MatchedCase,
    Outcome,
    RequestsController,
    day,
)
from desktop.ui.widgets.forms import plain_label as _plain
from desktop.ui.widgets.outcome_dialog import OutcomeDialog
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import ERROR_STYLE, INFO_STYLE, error_label, set_invalid

Submit = Callable[..., Outcome]


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox()
    ok = box.addButton(ok_text, QDialogButtonBox.AcceptRole)
    box.addButton(QDialogButtonBox.Cancel)
    ok.setDefault(True)
    box.accepted.connect(dialog.submit)
    box.rejected.connect(dialog.reject)
    return box, ok


def match_text(m: MatchedCase) -> str:
    how = " and ".join(m.matched_on) if m.matched_on else ""
    hold = " · LEGAL HOLD" if m.on_hold else ""
    return (f"Case {m.case_id}" + (f" (matched on {how})" if how else "")
            + f": {m.name} · {m.email} · {m.category} · received {m.received}{hold}")


class NewRequestDialog(QDialog):
    """Step 1: type, email, optional phone, received date, channel -> the request is opened.
    Step 2: the cases that may be the person's; staff tick theirs -> confirm_cases."""

    def __init__(self, controller: RequestsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.request = None  # SubjectRequest once opened
        self.confirmed: list[int] = []
        self.setWindowTitle("New data-subject request")
        self.resize(720, 440)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._match_page())

    def _form_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        form = QFormLayout()
        self.type = QComboBox()
        for rtype, label in TYPE_LABELS.items():
            self.type.addItem(label, rtype.value)
        self.email = QLineEdit()
        self.email.setPlaceholderText("the address the person wrote from or gave")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("optional: finds cases filed with this number")
        self.received = QDateEdit()
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd")
        today = self.controller.today()
        self.received.setMaximumDate(QDate(today.year, today.month, today.day))
        self.received.setDate(QDate(today.year, today.month, today.day))
        self.channel = QComboBox()
        for ch in (Channel.EMAIL, Channel.WEB_FORM, Channel.PHONE, Channel.CHAT, Channel.IN_PERSON):
            self.channel.addItem(CHANNEL_LABELS[ch], ch.value)
        self.inputs = {"type": self.type, "email": self.email, "phone": self.phone,
                       "received_at": self.received, "channel": self.channel}
        self.errors = {}
        for key, text in (("type", "&Type:"), ("email", "&Email:"), ("phone", "&Phone:"),
                          ("received_at", "&Received on:"), ("channel", "C&hannel:")):
            widget = self.inputs[key]
            widget.setAccessibleName(text.replace("&", "").rstrip(":"))
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
            self.errors[key] = error_label(f"{key} error")
            form.setWidget(form.rowCount(), QFormLayout.FieldRole, self.errors[key])  # no empty label beside it
        box.addLayout(form)
        box.addWidget(_plain("The due date follows the organisation's deadline rule and counts from the "
                             "day the request was received.", INFO_STYLE))
        self.form_message = SpokenLabel("Problem")  # hidden (not exposed) while empty
        self.form_message.setTextFormat(Qt.PlainText)
        self.form_message.setWordWrap(True)
        self.form_message.setStyleSheet(ERROR_STYLE)
        box.addWidget(self.form_message)
        box.addStretch(1)
        buttons, self.open_button = _buttons(self, "&Open request")
        self.open_button.setAccessibleName("Open request")
        box.addWidget(buttons)
        return page

    def _match_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.opened_label = _plain()
        self.opened_label.setStyleSheet("font-weight: bold;")
        box.addWidget(self.opened_label)
        self.match_help = _plain("", INFO_STYLE)
        box.addWidget(self.match_help)
        self.matches = QListWidget()
        self.matches.setAccessibleName("Matched cases")
        self.matches.setWordWrap(True)
        self.matches.setSpacing(2)
        box.addWidget(self.matches, 1)
        self.match_message = _plain("", ERROR_STYLE)
        box.addWidget(self.match_message)
        self.confirm_box = QDialogButtonBox()
        self.confirm_button = self.confirm_box.addButton("&Confirm cases", QDialogButtonBox.AcceptRole)
        self.confirm_button.setDefault(True)
        self.confirm_box.accepted.connect(self.confirm)
        box.addWidget(self.confirm_box)
        return page

    def is_dirty(self) -> bool:
        """Typed and not opened yet (the lock keeps it as a draft, lock_drafts.py)."""
        return self.request is None and bool(self.email.text().strip() or self.phone.text().strip())

    # ---- steps ----------------------------------------------------------------------------------
    def submit(self) -> None:
        if self.request is not None:
            return
        d = self.received.date()
        from datetime import date

        outcome = self.controller.open_request(
            str(self.type.currentData()), self.email.text(), self.phone.text(),
            date(d.year(), d.month(), d.day()), str(self.channel.currentData()))
        for key, label in self.errors.items():
            message = outcome.errors.get(key)
            label.setText(message or "")
            label.setVisible(bool(message))
            set_invalid(self.inputs[key], bool(message))
        if not outcome.ok:
            self.form_message.setText(outcome.message)
            return
        self.request = outcome.value.request
        self.show_matches(self.controller.describe(outcome.value.proposed), outcome.message)

    def show_matches(self, matches: list[MatchedCase], message: str) -> None:
        self.opened_label.setText(message)
        if matches:
            self.match_help.setText("Cases that may be this person's. Tick each one that is theirs: the "
                                    "request (and any report, export or erasure) covers the ticked cases and "
                                    "every case filed under the request's email address.")
        else:
            self.match_help.setText("No case is filed under this address or number. The request is in the "
                                    "register; its deadline runs from the received date.")
        self.matches.clear()
        for m in matches:
            item = QListWidgetItem(match_text(m))
            item.setData(Qt.UserRole, m.case_id)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if "email" in m.matched_on else Qt.Unchecked)
            self.matches.addItem(item)
        self.confirm_button.setText("&Confirm cases" if matches else "&Done")
        self.setWindowTitle(f"New request {self.request.ref}")
        self.pages.setCurrentIndex(1)
        self.confirm_button.setFocus()

    def checked(self) -> list[int]:
        return [self.matches.item(i).data(Qt.UserRole) for i in range(self.matches.count())
                if self.matches.item(i).checkState() == Qt.Checked]

    def confirm(self) -> None:
        ids = self.checked()
        if ids:
            outcome = self.controller.confirm_cases(self.request.id, ids)
            if not outcome.ok:
                self.match_message.setText(outcome.message)
                return
            self.confirmed = list(outcome.value)
        self.accept()

    def reject(self) -> None:
        if self.request is not None:  # opened already: closing the dialog confirms nothing more
            self.accept()
            return
        super().reject()


class VerifyDialog(OutcomeDialog):
    """How identity was checked; who = the staff member signed in, when = now (recorded by the service)."""

    def __init__(self, ref: str, staff: str, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(f"Identity verification for {ref}", parent)
        self.submit_to = submit
        self.setMinimumWidth(520)
        layout = self.layout()
        layout.addWidget(_plain("Record how you confirmed that the requester is the person the data is "
                                "about (GDPR recital 64). Ask only for what is needed; collect no new data."))
        form = QFormLayout()
        self.method = QComboBox()
        for key, label in VERIFICATION_METHODS.items():
            self.method.addItem(label, key)
        self.method.setAccessibleName("Method")
        self.note = QLineEdit()
        self.note.setPlaceholderText("required for 'Other': how identity was checked")
        self.note.setAccessibleName("Description")
        form.addRow("&Method:", self.method)
        form.addRow("&Description:", self.note)
        form.addRow("Verified by:", _plain(staff))
        form.addRow("When:", _plain("now (recorded when you press Record)"))
        layout.addLayout(form)
        self.add_footer("&Record verification", "Verification error")

    def submit(self) -> None:
        self.submit_outcome(self.submit_to(str(self.method.currentData()), self.note.text()))


class TextDialog(OutcomeDialog):
    """A reason or outcome (extend, refuse, complete, restrict); `required` refuses an empty text."""

    def __init__(self, title: str, explanation: str, label: str, ok_text: str, submit: Submit, *,
                 required: bool, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.submit_to = submit
        self.required = required
        self.resize(520, 300)
        layout = self.layout()
        layout.addWidget(_plain(explanation))
        caption = QLabel(label + ("" if required else " (optional)"))
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(label.replace("&", ""))
        caption.setBuddy(self.text)
        layout.addWidget(caption)
        layout.addWidget(self.text, 1)
        self.add_footer(ok_text, f"{label} error")

    def submit(self) -> None:
        value = self.text.toPlainText().strip()
        if self.required and not value:
            self.fail("A reason is required.")
            set_invalid(self.text, True)
            return
        self.submit_outcome(self.submit_to(value))


class PasswordDialog(OutcomeDialog):
    """Optional password for the access report (AES-256), typed twice; empty = no password."""

    def __init__(self, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Access report for {ref}", parent)
        self.password = ""
        self.setMinimumWidth(480)
        layout = self.layout()
        layout.addWidget(_plain("Optionally protect the PDF with a password (AES-256). Send the password by a "
                                "different channel than the file. Leave both empty for no password."))
        form = QFormLayout()
        self.first = QLineEdit()
        self.second = QLineEdit()
        for w, name in ((self.first, "Password"), (self.second, "Repeat password")):
            w.setEchoMode(QLineEdit.Password)
            w.setAccessibleName(name)
        form.addRow("&Password:", self.first)
        form.addRow("&Repeat:", self.second)
        layout.addLayout(form)
        self.add_footer("&Generate report", "Password error")

    def submit(self) -> None:
        if self.first.text() != self.second.text():
            self.fail("The two passwords differ.")
            self.second.clear()
            self.second.setFocus()
            return
        if self.first.text() and len(self.first.text()) < 8:
            self.fail("Use at least 8 characters (or none).")
            return
        self.password = self.first.text()
        self.succeed()


class ObjectionDialog(OutcomeDialog):
    """What the person objects to (Art. 21): marketing, analytics or other, with a text."""

    KINDS = {"marketing": "Marketing emails (withdraws and blocks marketing consent)",
             "analytics": "Analytics and tracking", "other": "Other processing (describe it)"}

    def __init__(self, ref: str, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(f"Objection for {ref}", parent)
        self.submit_to = submit
        self.resize(520, 300)
        layout = self.layout()
        form = QFormLayout()
        self.kind = QComboBox()
        for key, label in self.KINDS.items():
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("Objects to")
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("What the person said")
        form.addRow("Objects &to:", self.kind)
        form.addRow("&Details:", self.text)
        layout.addLayout(form)
        self.add_footer("&Record objection", "Objection error")

    def submit(self) -> None:
        self.submit_outcome(self.submit_to(str(self.kind.currentData()), self.text.toPlainText().strip()))


def type_label(rtype: RequestType) -> str:
    return TYPE_LABELS[rtype]


__all__ = ["NewRequestDialog", "VerifyDialog", "TextDialog", "PasswordDialog", "ObjectionDialog", "day"]
