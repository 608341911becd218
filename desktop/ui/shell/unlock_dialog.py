"""Open an existing store: staff name, then the key from the environment, the OS keyring or a passphrase.

A store that fails its page check (StoreDamaged) is reported with the latest backup next to it and a
"Restore from backup…" button: after a confirmation the backup is verified, put in place (the damaged
store is kept aside as <store>.replaced-<time>, never deleted) and opened with the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import StoreDamaged, WrongKeyError
from desktop.services import session
from desktop.services.session import Key
from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.messages import WRONG_KEY, user_message
from desktop.ui.widgets.style import BANNER_HOLD, INFO_STYLE, WARN_STYLE, banner, error_label

# open(path, key, staff) -> Services (desktop.app.open_services with the staff name)
OpenStore = Callable[[Path, Key, str], object]
# restore(store, backup, key, staff) -> RestoreResult (desktop.services.backup_service.restore)
RestoreStore = Callable[[Path, Path, Key, str], object]
Confirm = Callable[[str, str], bool]
Notify = Callable[[str, str], None]


def default_restore(store: Path, backup: Path, key: Key, staff: str):
    from desktop.app import session as store_session

    return store_session().restore(store, backup, key, staff)
MAX_DELAY_MS = 30_000


def failure_delay_ms(failures: int) -> int:
    """Wait before the next try: none after the first failure, then 1 s, 2 s, 4 s ... up to 30 s."""
    if failures < 2:
        return 0
    return min(MAX_DELAY_MS, 1000 * 2 ** (failures - 2))


def caps_lock_guess(text: str, shift: bool) -> bool | None:
    """From one typed character: True when Caps Lock looks on, False when off, None when unknown."""
    if len(text) != 1 or not text.isalpha() or text.lower() == text.upper():
        return None
    return text.isupper() != shift


STILL_OPENING = ("Still opening. The first time after an update the store is upgraded (a backup of it "
                 "is written first); for a large store this can take a minute or two. Please wait.")


class UnlockDialog(QDialog):
    SLOW_MS = 2000  # after this long, say why opening may take a while

    def __init__(self, path: Path, open_store: OpenStore, *, staff: str = "", runner: Runner | None = None,
                 parent: QWidget | None = None, restore_store: RestoreStore | None = None,
                 confirm: Confirm | None = None, notify: Notify | None = None) -> None:
        super().__init__(parent)
        self.restore_store = restore_store or default_restore
        self.confirm = confirm or (lambda title, text: QMessageBox.question(
            self, title, text, QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel) == QMessageBox.Yes)
        self.notify = notify or (lambda title, text: QMessageBox.information(self, title, text))
        self.backup: Path | None = None  # offered when the store is damaged
        self._key_tried: Key | None = None  # kept only while a restore may need it
        self.path = Path(path)
        self.open_store = open_store
        self.runner = runner or TaskRunner()
        self.services = None
        self.failures = 0
        self.key: Key | None = None
        self.note: str | None = None
        self.setWindowTitle("Unlock helpdesk-intake")
        self.setMinimumWidth(520)
        self.plan = session.unlock_plan(self.path)  # the key order: env, OS keyring, typed passphrase
        self.mode, self.key, self.note = self.plan.mode, self.plan.key, self.plan.note

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>Open the store</h3>"))
        where = QLabel(str(self.path))
        where.setTextFormat(Qt.PlainText)
        where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        where.setStyleSheet(INFO_STYLE)
        layout.addWidget(where)
        self.note_label = banner(self.note or "", BANNER_HOLD)
        self.note_label.setVisible(bool(self.note))
        layout.addWidget(self.note_label)
        self.how = QLabel()
        self.how.setWordWrap(True)
        layout.addWidget(self.how)

        form = QFormLayout()
        self.staff = QLineEdit(staff)
        self.staff.setAccessibleName("Your name")
        form.addRow("&Your name:", self.staff)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.installEventFilter(self)
        self.pass_label = QLabel("&Passphrase:")
        self.pass_label.setBuddy(self.passphrase)
        form.addRow(self.pass_label, self.passphrase)
        layout.addLayout(form)
        self.caps = QLabel("Caps Lock appears to be on.")
        self.caps.setStyleSheet(WARN_STYLE)
        self.caps.setAccessibleName("Caps Lock warning")
        self.caps.hide()
        layout.addWidget(self.caps)
        self.error = error_label("Error")
        layout.addWidget(self.error)
        self.progress = QLabel()
        self.progress.setWordWrap(True)
        self.progress.setStyleSheet(INFO_STYLE)
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.slow_timer = QTimer(self)
        self.slow_timer.setSingleShot(True)
        self.slow_timer.timeout.connect(lambda: self._progress(STILL_OPENING))

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.unlock_button = self.buttons.button(QDialogButtonBox.Ok)
        self.restore_button = QPushButton("&Restore from backup…")
        self.restore_button.setAccessibleName("Restore from backup")
        self.restore_button.clicked.connect(self.restore_backup)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ActionRole)
        self.restore_button.hide()  # after addButton, which shows it; only a damaged store offers it
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self._retry_allowed)
        self._show_mode()

    # ---- presentation ---------------------------------------------------------------------------
    def _show_mode(self) -> None:
        needs_pass = self.mode == "passphrase"
        self.passphrase.setVisible(needs_pass)
        self.pass_label.setVisible(needs_pass)
        if self.mode == "keyring":
            self.unlock_button.setText("Unlock with OS &keyring")
            self.how.setText("The key for this store is in your OS keyring; no passphrase is needed.")
        elif self.mode == "env":
            self.unlock_button.setText("&Unlock")
            self.how.setText("The passphrase comes from HELPDESK_INTAKE_PASSPHRASE.")
        else:
            self.unlock_button.setText("&Unlock")
            self.how.setText("Enter the passphrase chosen when the store was created.")
        (self.passphrase if needs_pass else self.unlock_button).setFocus(Qt.OtherFocusReason)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        # texts set after construction (the lock screen's reason) change wrapped labels' heights:
        # size to the layout's height for this width, so no wrapped line is clipped
        QTimer.singleShot(0, self._fit_height)

    def _fit_height(self) -> None:
        """At least as tall as the layout needs at this width (X11 gave the dialog less, clipping the
        wrapped keyring note: a top-level minimum size ignores height-for-width)."""
        layout = self.layout()
        layout.activate()
        self.setMinimumHeight(layout.totalHeightForWidth(self.width()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.passphrase and event.type() == QEvent.KeyPress:
            guess = caps_lock_guess(event.text(), bool(event.modifiers() & Qt.ShiftModifier))
            if guess is not None:
                self.caps.setVisible(guess)
        return super().eventFilter(watched, event)

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        QTimer.singleShot(0, self._fit_height)

    # ---- unlocking ------------------------------------------------------------------------------
    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        staff = self.staff.text().strip()
        if not staff:
            self._fail("Enter your name; it is recorded with every change.")
            self.staff.setFocus(Qt.OtherFocusReason)
            return
        if self.mode == "env":
            key = self.plan.key_for()
        elif self.mode == "keyring":
            assert self.key is not None
            key = self.key
        else:
            text = self.passphrase.text()
            if not text:
                self._fail("Enter the passphrase.")
                self.passphrase.setFocus(Qt.OtherFocusReason)
                return
            key = Key.passphrase(text)
        self.error.hide()
        self.unlock_button.setEnabled(False)
        self._key_tried = key
        self._progress("Opening the store…")
        self.slow_timer.start(self.SLOW_MS)
        self.runner.run_task(lambda: self.open_store(self.path, key, staff[:80]), self._opened, self._failed)

    def _progress(self, text: str | None) -> None:
        if text is None:
            self.slow_timer.stop()
        self.progress.setText(text or "")
        self.progress.setVisible(bool(text))
        self._fit_height()

    def _opened(self, services) -> None:
        self._progress(None)
        self.services = services
        self.passphrase.clear()
        self._key_tried = None
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._progress(None)
        if isinstance(exc, StoreDamaged):
            self._damaged()
            return
        if not isinstance(exc, WrongKeyError):
            self.unlock_button.setEnabled(True)
            self._fail(user_message(exc))
            return
        self.failures += 1
        if self.mode != "passphrase":
            source = "the OS keyring" if self.mode == "keyring" else "HELPDESK_INTAKE_PASSPHRASE"
            self.mode = "passphrase"
            self._show_mode()
            self._fail(f"The key from {source} did not open it ({WRONG_KEY}). Enter the passphrase.")
        else:
            self._fail(WRONG_KEY[0].upper() + WRONG_KEY[1:] + ".")
        self.passphrase.clear()
        self.passphrase.setFocus(Qt.OtherFocusReason)
        delay = failure_delay_ms(self.failures)
        if delay:
            self.error.setText(self.error.text() + f" Try again in {delay // 1000} s.")
            self.retry_timer.start(delay)
        else:
            self.unlock_button.setEnabled(True)

    # ---- a damaged store ------------------------------------------------------------------------
    def _damaged(self) -> None:
        """Say so, and offer the latest backup next to the store (with the command for a terminal)."""
        self.unlock_button.setEnabled(True)
        self.backup = session.latest_backup(self.path)
        if self.backup is None:
            self._fail(f"The store is damaged (its pages fail their integrity check); nothing was changed. "
                       f"No backup was found next to {self.path}. Restore one with "
                       f"'helpdesk-intake restore FILE'.")
            self.restore_button.hide()
            return
        self._fail(f"The store is damaged (its pages fail their integrity check); nothing was changed. "
                   f"The latest backup is {self.backup}. Restore it here, or in a terminal with "
                   f"'helpdesk-intake restore {self.backup}'.")
        self.restore_button.setText(f"&Restore from {self.backup.name}…")
        self.restore_button.setToolTip(str(self.backup))
        self.restore_button.show()
        self.restore_button.setFocus(Qt.OtherFocusReason)

    def restore_backup(self) -> None:
        if self.backup is None or self._key_tried is None:
            return
        backup, key, staff = self.backup, self._key_tried, self.staff.text().strip()[:80] or "unknown"
        if not self.confirm("Restore from backup?",
                            f"Replace the damaged store with the backup {backup}?\n\nThe backup is checked "
                            "first. The damaged store is kept next to it (renamed .replaced-<time>), not "
                            "deleted. Work done after the backup was made is not in it."):
            return
        self.restore_button.setEnabled(False)
        self.unlock_button.setEnabled(False)

        def work():
            result = self.restore_store(self.path, backup, key, staff)
            return result, self.open_store(self.path, key, staff)

        self.runner.run_task(work, self._restored, self._restore_failed)

    def _restored(self, value) -> None:
        result, services = value
        aside = getattr(result, "aside", None)
        self.restore_button.hide()
        self.notify("Store restored", f"Restored from {self.backup}."
                    + (f" The damaged store was kept as {aside}." if aside else ""))
        self._opened(services)

    def _restore_failed(self, exc: BaseException) -> None:
        self.restore_button.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self._fail("Not restored: " + user_message(exc) + " The damaged store was left as it was.")

    def _retry_allowed(self) -> None:
        self.unlock_button.setEnabled(True)
        self.passphrase.setFocus(Qt.OtherFocusReason)
