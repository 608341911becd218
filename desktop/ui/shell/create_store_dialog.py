"""First start: create the encrypted store, protected by the OS keyring or, where none works, a passphrase."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import KeyringUnavailable
from desktop.store import keys
from desktop.store.keys import Key
from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.style import BANNER_HOLD, INFO_STYLE, banner, error_label

# create(path, key, staff) -> Services (desktop.bootstrap.create_services with the staff name)
CreateStore = Callable[[Path, Key, str], object]


class CreateStoreDialog(QDialog):
    def __init__(self, path: Path, create: CreateStore, *, staff: str = "", runner: Runner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.create = create
        self.runner = runner or TaskRunner()
        self.services = None
        self.setWindowTitle("Create a helpdesk-intake store")
        self.setMinimumWidth(560)
        if keys.env_passphrase() is not None:
            self.mode, self.reason = "env", None
        else:
            self.reason = keys.keyring_reason()
            self.mode = "keyring" if self.reason is None else "passphrase"

        layout = QVBoxLayout(self)
        intro = QLabel("<h3>No store yet</h3>"
                       "<p>Support requests are kept in an encrypted store file:</p>")
        layout.addWidget(intro)
        where = QLabel(str(self.path))
        where.setTextFormat(Qt.PlainText)
        where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        where.setStyleSheet(INFO_STYLE)
        layout.addWidget(where)
        self.protection = QLabel()
        self.protection.setWordWrap(True)
        self.protection.setTextFormat(Qt.PlainText)
        layout.addWidget(self.protection)
        self.reason_label = banner("", BANNER_HOLD)
        self.reason_label.setAccessibleName("Why the OS keyring is not used")
        layout.addWidget(self.reason_label)

        form = QFormLayout()
        self.staff = QLineEdit(staff)
        self.staff.setAccessibleName("Your name")
        form.addRow("&Your name (recorded in the audit trail):", self.staff)
        self.pass1 = QLineEdit()
        self.pass1.setEchoMode(QLineEdit.Password)
        self.pass1.setAccessibleName("Passphrase")
        self.pass2 = QLineEdit()
        self.pass2.setEchoMode(QLineEdit.Password)
        self.pass2.setAccessibleName("Repeat passphrase")
        self.pass1_label = QLabel("&Passphrase:")
        self.pass1_label.setBuddy(self.pass1)
        self.pass2_label = QLabel("&Repeat passphrase:")
        self.pass2_label.setBuddy(self.pass2)
        form.addRow(self.pass1_label, self.pass1)
        form.addRow(self.pass2_label, self.pass2)
        layout.addLayout(form)
        self.error = error_label("Error")
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.create_button = self.buttons.button(QDialogButtonBox.Ok)
        self.create_button.setText("&Create store")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._show_mode()

    def _show_mode(self) -> None:
        needs_pass = self.mode == "passphrase"
        for w in (self.pass1, self.pass2, self.pass1_label, self.pass2_label):
            w.setVisible(needs_pass)
        if self.mode == "keyring":
            self.protection.setText("A random 256-bit key will protect the store. It is kept in your OS keyring, "
                                    "so you will not need a passphrase to open it.")
        elif self.mode == "env":
            self.protection.setText("The store will be protected by the passphrase in HELPDESK_INTAKE_PASSPHRASE.")
        else:
            self.protection.setText(f"Choose a passphrase of at least {keys.MIN_PASSPHRASE} characters. "
                                    "It cannot be recovered: without it the store cannot be opened.")
        if self.reason:
            self.reason_label.setText(f"The OS keyring cannot be used because {self.reason}; "
                                      "the store is protected by a passphrase instead.")
        self.reason_label.setVisible(bool(self.reason))
        (self.pass1 if needs_pass else self.staff).setFocus(Qt.OtherFocusReason)

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.create_button.setEnabled(True)

    def _key(self) -> Key | None:
        if self.mode == "env":
            text = keys.env_passphrase() or ""
            problem = keys.passphrase_problem(text)
            if problem:
                self._fail(f"HELPDESK_INTAKE_PASSPHRASE: {problem}.")
                return None
            return Key.passphrase(text)
        if self.mode == "passphrase":
            first, second = self.pass1.text(), self.pass2.text()
            problem = keys.passphrase_problem(first)
            if problem:
                self._fail(problem[0].upper() + problem[1:] + ".")
                self.pass1.setFocus(Qt.OtherFocusReason)
                return None
            if first != second:
                self._fail("The two passphrases differ.")
                self.pass2.clear()
                self.pass2.setFocus(Qt.OtherFocusReason)
                return None
            return Key.passphrase(first)
        key = Key.new_raw()
        try:
            keys.keyring_set(self.path, key)  # before the store exists: never a store without its key
        except KeyringUnavailable as exc:
            self.mode, self.reason = "passphrase", str(exc)
            self._show_mode()
            self._fail("Choose a passphrase instead.")
            return None
        return key

    def submit(self) -> None:
        staff = self.staff.text().strip()
        if not staff:
            self._fail("Enter your name; it is recorded with every change.")
            return
        self.error.hide()
        key = self._key()
        if key is None:
            return
        self.create_button.setEnabled(False)
        self.runner.run_task(lambda: self.create(self.path, key, staff[:80]),
                             self._created, lambda exc: self._failed(exc, key))

    def _created(self, services) -> None:
        self.services = services
        self.pass1.clear()
        self.pass2.clear()
        self.accept()

    def _failed(self, exc: BaseException, key: Key) -> None:
        if key.kind == "raw":
            keys.keyring_delete(self.path)
        self._fail("The store was not created: " + user_message(exc))
