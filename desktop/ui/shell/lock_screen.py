"""The lock's two dialogs: the question before locking over unsaved work, and the unlock screen.

The question offers to keep the unsaved work as a draft inside the store (the default, and what
happens when nobody answers an idle or session lock), to discard it, or not to lock. The unlock
screen is the UnlockDialog over the store session; the keyring note it may carry is shown once a
session, not at every unlock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QWidget

UnlockFactory = Callable[[Path, str, str], QDialog]  # (path, staff, lock reason) -> dialog
REASON_TEXT = {"idle": "after {minutes} without input", "manual": "on request (Ctrl+L)",
               "session": "because the computer's session was locked",
               "damaged": "because its pages failed their integrity check"}


class LockQuestion(QMessageBox):
    """Keep as draft and lock / Discard and lock / Cancel lock."""

    def __init__(self, what: str, timeout_s: int | None, parent: QWidget | None) -> None:
        text = (f"Unsaved work in {what}. Locking keeps it as a draft inside the encrypted store and offers "
                "it back after the unlock; or discard it, or do not lock.")
        if timeout_s is not None:
            text += f" With no answer, the app keeps it as a draft and locks in {timeout_s} seconds."
        super().__init__(QMessageBox.Warning, "Lock helpdesk-intake?", text, QMessageBox.NoButton,
                         QApplication.activeModalWidget() or parent)
        self.setTextFormat(Qt.PlainText)
        self.keep_button = self.addButton("&Keep as draft and lock", QMessageBox.AcceptRole)
        self.discard_button = self.addButton("&Discard and lock", QMessageBox.DestructiveRole)
        self.cancel_button = self.addButton("&Cancel lock", QMessageBox.RejectRole)
        self.setDefaultButton(self.keep_button)
        self.setEscapeButton(self.cancel_button)
        self.setWindowModality(Qt.ApplicationModal)


class DraftOffer(QMessageBox):
    """After the unlock: Restore / Discard the drafts kept at the lock."""

    def __init__(self, labels: list[str], parent: QWidget | None) -> None:
        what = ", ".join(labels)
        super().__init__(QMessageBox.Question, "Unsaved work kept at the lock",
                         f"When the app locked, unsaved work was kept as a draft: {what}. Restore it?",
                         QMessageBox.NoButton, parent)
        self.setTextFormat(Qt.PlainText)
        self.restore_button = self.addButton("&Restore", QMessageBox.AcceptRole)
        self.discard_button = self.addButton("&Discard", QMessageBox.DestructiveRole)
        self.setDefaultButton(self.restore_button)
        self.setEscapeButton(self.restore_button)  # Esc loses nothing
        self.setWindowModality(Qt.WindowModal)


def default_unlock_factory(runner=None, clock=None, verify_pages: Callable[[], bool] = lambda: True,
                           notes_seen: set[str] | None = None) -> UnlockFactory:
    """The existing UnlockDialog over the store session (app.session().opener); failures so far are written at unlock.
    verify_pages() says whether to check every page before opening (after the background check
    found damage) or to leave that to the background check. notes_seen: keyring notes already
    shown this session (at the start or an earlier lock), not shown again."""
    seen = notes_seen if notes_seen is not None else set()

    def make(path: Path, staff: str, why: str = "") -> QDialog:
        from desktop import app
        from desktop.ui.shell.unlock_dialog import UnlockDialog

        holder: dict[str, UnlockDialog] = {}

        open_store = app.session(clock=clock).opener(verify_pages=verify_pages,
                                                     failed_unlocks=lambda: holder["dialog"].failures)
        dialog = UnlockDialog(path, open_store, staff=staff, runner=runner)
        holder["dialog"] = dialog
        dialog.setWindowTitle("helpdesk-intake is locked")
        for label in dialog.findChildren(QLabel):
            if label.text() == "<h3>Open the store</h3>":
                label.setText("<h3>helpdesk-intake is locked</h3>")
        if why:
            dialog.how.setText(f"The store was locked {why}. " + dialog.how.text())
        hide_seen_note(dialog, seen)
        return dialog

    return make


def hide_seen_note(dialog: QDialog, seen: set[str]) -> None:
    """The keyring note (why the key is not in the OS keyring) once a session: hidden when seen."""
    note = getattr(dialog, "note", None)
    label = getattr(dialog, "note_label", None)
    if not note or label is None:
        return
    if note in seen:
        label.hide()
    seen.add(note)


class LockKeyOnEveryWindow(QObject):
    """Ctrl+L from every window and dialog. A modal dialog (the case window, a wizard, a message box)
    blocks the main window's application-wide shortcut, so the lock action is added to each window
    as it shows (an event filter on the application: one comparison per event)."""

    def __init__(self, action: Callable[[], QAction | None], skip: Callable[[QWidget], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.skip = skip

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Show and isinstance(watched, QWidget) and watched.isWindow():
            action = self.action()
            if action is not None and not self.skip(watched) and action not in watched.actions():
                watched.addAction(action)
        return False
