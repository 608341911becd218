"""Leaving a window with unsaved work: ask Save / Discard / Stay, as the intake form does.

A mixin for a QDialog that has is_dirty(), unsaved_what() and save_unsaved() -> bool. Every way out
(Done, Esc, the window's close button) goes through QDialog.done(), so that is where it asks. The lock
asks about unsaved work itself (and may keep it as a draft), then calls forget_unsaved() before it
closes the dialog, so locking never waits on this question."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

SAVE, DISCARD, STAY = "save", "discard", "stay"
AskUnsaved = Callable[[QWidget, str], str]


def ask_unsaved(parent: QWidget, what: str) -> str:
    """SAVE, DISCARD or STAY; Esc and closing the question mean STAY (nothing is lost by accident)."""
    box = QMessageBox(QMessageBox.Warning, "Unsaved changes", f"{what}. Save before closing?",
                      QMessageBox.NoButton, parent)
    box.setTextFormat(Qt.PlainText)
    save = box.addButton("&Save", QMessageBox.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.DestructiveRole)
    stay = box.addButton("S&tay", QMessageBox.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(stay)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else STAY


class AskBeforeLeaving:
    ask_unsaved: AskUnsaved = staticmethod(ask_unsaved)
    _forget_unsaved = False

    def forget_unsaved(self) -> None:
        """Close without asking on the next way out (the lock has asked already)."""
        self._forget_unsaved = True

    def done(self, result: int) -> None:
        if not self._forget_unsaved and self.is_dirty():  # type: ignore[attr-defined]
            answer = self.ask_unsaved(self, self.unsaved_what())  # type: ignore[attr-defined, arg-type]
            if answer == STAY or (answer == SAVE and not self.save_unsaved()):  # type: ignore[attr-defined]
                return  # stays open; a failed save shows its errors
        super().done(result)  # type: ignore[misc]
