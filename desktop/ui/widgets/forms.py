"""Small builders for forms and dialogs: a labelled form row, a wrapped plain-text label."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def labelled_row(form: QFormLayout, text: str, widget: QWidget, name: str) -> QWidget:
    """Add widget to form under a caption whose mnemonic (&) focuses it; name is what a screen reader says."""
    widget.setAccessibleName(name)
    caption = QLabel(text)
    caption.setBuddy(widget)
    form.addRow(caption, widget)
    return widget


def plain_label(text: str = "", style: str = "") -> QLabel:
    """A wrapped plain-text label (user text in it is never markup)."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label
