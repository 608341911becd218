"""What a form's fields hold, as plain values (kept as a draft over a lock), and putting it back."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def widget_value(widget: QWidget) -> object:
    """Text, a choice's data, a date or a tick; None for a widget that holds nothing typed."""
    if isinstance(widget, QDateEdit):
        return widget.date().toString(Qt.ISODate)
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if isinstance(data, (str, int)) else None
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    return None


def set_widget_value(widget: QWidget, value: object) -> None:
    if isinstance(widget, QDateEdit) and isinstance(value, str):
        day = QDate.fromString(value, Qt.ISODate)
        if day.isValid():
            widget.setDate(day)
    elif isinstance(widget, QLineEdit) and isinstance(value, str):
        widget.setText(value)
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)) and isinstance(value, str):
        widget.setPlainText(value)
    elif isinstance(widget, QComboBox) and value is not None:
        widget.setCurrentIndex(widget.findData(value))
    elif isinstance(widget, QAbstractButton) and widget.isCheckable() and isinstance(value, bool):
        widget.setChecked(value)


def form_state(inputs: Mapping[str, QWidget]) -> dict[str, object]:
    return {key: value for key, w in inputs.items() if (value := widget_value(w)) is not None}


def restore_form_state(inputs: Mapping[str, QWidget], state: Mapping[str, object]) -> None:
    """Fields the form no longer has are left out; read-only fields are not written."""
    for key, value in state.items():
        widget = inputs.get(key)
        if widget is None or not widget.isEnabled() or getattr(widget, "isReadOnly", lambda: False)():
            continue
        set_widget_value(widget, value)
