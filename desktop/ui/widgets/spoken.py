"""Labels whose text reaches screen readers (issue 14).

A QLabel given a fixed accessible name ("Result", "Case facts") hides its text from the
accessibility tree: Orca reads the name, never the "Not saved: …" on screen. SpokenLabel keeps the
role as the start of its name and puts the visible text after it ("Result of saving: Not saved: …"),
or, for long text (facts, a notice), keeps the role as the name and the text as the description.
Each change is announced where Qt allows (QAccessibleAnnouncementEvent, Qt 6.8+), and an empty
label is hidden, so no empty label is exposed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QTextDocumentFragment
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui's Qt namespace
from PySide6.QtWidgets import QLabel, QWidget

LONG = 160  # longer texts go into the description, the name stays the role


def plain_text(label: QLabel) -> str:
    text = label.text()
    if label.textFormat() == Qt.RichText or (label.textFormat() == Qt.AutoText and GuiQt.mightBeRichText(text)):
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    return " ".join(line.strip() for line in text.replace("\u2029", "\n").splitlines() if line.strip())


def announce(widget: QWidget, text: str, assertive: bool = False) -> None:
    """Ask the screen reader to say this now (nothing happens when no reader listens)."""
    if not QAccessible.isActive():
        return
    try:
        from PySide6.QtGui import QAccessibleAnnouncementEvent
    except ImportError:  # Qt before 6.8: the NameChanged event setAccessibleName sent must do
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    if assertive:
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


class SpokenLabel(QLabel):
    def __init__(self, role: str, text: str = "", parent: QWidget | None = None, *,
                 hide_when_empty: bool = True, speak_changes: bool = True) -> None:
        super().__init__(parent)
        self.role = role
        self.hide_when_empty = hide_when_empty
        self.speak_changes = speak_changes
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        before = self.text()
        super().setText(text)
        self._follow(changed=text != before)

    def clear(self) -> None:
        self.setText("")

    def _follow(self, changed: bool) -> None:
        plain = plain_text(self)
        if len(plain) > LONG:
            self.setAccessibleName(self.role)
            self.setAccessibleDescription(plain)
        else:
            said = plain.lower().startswith(self.role.lower())  # "Privacy contact: …" names itself
            self.setAccessibleName(plain if said else f"{self.role}: {plain}" if plain else self.role)
            self.setAccessibleDescription("")
        if self.hide_when_empty:
            if not plain:
                self.hide()
            elif self.isHidden() and self.parentWidget() is not None:
                self.show()  # never without a parent: that would open it as a window
        if changed and plain and self.speak_changes and self.isVisible():
            announce(self, plain, assertive=self.property("assertive") is True)
