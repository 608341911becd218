"""Remember whether the clipboard holds text this app put there, so locking clears only that.

Only a digest of the app's last clipboard text is kept, never the text. A change counts as the
app's own when the platform says the app owns the clipboard (X11, Wayland, Windows, macOS) or,
on platforms that cannot tell (offscreen, minimal), when it happened while one of the app's
windows was active. Text copied by another program afterwards no longer matches, so it stays.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QClipboard, QGuiApplication

from desktop import digests

NO_OWNERSHIP_PLATFORMS = ("offscreen", "minimal", "minimalegl")


def _digest(text: str) -> bytes:
    return digests.sha256(text.encode("utf-8", "surrogatepass")).digest()


class ClipboardGuard(QObject):
    def __init__(self, clipboard: QClipboard, is_ours: Callable[[], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard
        self.is_ours = is_ours or self._platform_says_ours
        self._ours: bytes | None = None
        self._clearing = False
        clipboard.dataChanged.connect(self._changed)

    def _platform_says_ours(self) -> bool:
        if self.clipboard.ownsClipboard():
            return True
        if QGuiApplication.platformName() in NO_OWNERSHIP_PLATFORMS:
            return QGuiApplication.applicationState() == Qt.ApplicationActive
        return False

    def _changed(self) -> None:
        if self._clearing:
            return
        text = self.clipboard.text()
        self._ours = _digest(text) if text and self.is_ours() else None

    def copy(self, text: str) -> None:
        """Copy on the app's behalf (a 'Copy' button): always counts as the app's text."""
        self.clipboard.setText(text)
        self._ours = _digest(text)

    @property
    def holds_app_text(self) -> bool:
        text = self.clipboard.text()
        return bool(text) and self._ours is not None and _digest(text) == self._ours

    def clear_if_ours(self) -> bool:
        """Clear the clipboard (and the X11 selection we own) when it holds the app's text."""
        cleared = False
        self._clearing = True
        try:
            if self.holds_app_text:
                self.clipboard.clear(QClipboard.Clipboard)
                cleared = True
            if self.clipboard.supportsSelection() and self.clipboard.ownsSelection():
                self.clipboard.clear(QClipboard.Selection)
        finally:
            self._clearing = False
            self._ours = None
        return cleared
