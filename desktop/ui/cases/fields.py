"""The case window's field widgets: read and set a value whatever the widget, read-only looks,
history values as the window names them."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from desktop.domain.models import Status
from desktop.ui.widgets.style import read_only_style


def shown(field: str, value: str | None) -> str:
    """A history value as the window names it: a status by its label ('Waiting on customer')."""
    if not value:
        return "—"
    if field == "status":
        try:
            return Status(value).label
        except ValueError:
            return value
    return value


def esc(text: str) -> str:
    from html import escape

    return escape(text)


def set_value(widget: QWidget, value: str) -> None:
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    elif isinstance(widget, QLineEdit):
        widget.setText(value)


def get_value(widget: QWidget) -> str:
    if isinstance(widget, QComboBox):
        return str(widget.currentData() or "")
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return ""


def set_read_only(widget: QWidget, read_only: bool) -> None:
    if isinstance(widget, QComboBox):
        widget.setEnabled(not read_only)
        return
    widget.setReadOnly(read_only)  # type: ignore[attr-defined]
    widget.setStyleSheet(read_only_style() if read_only else "")
