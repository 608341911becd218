"""Small shared look: message colours, invalid-field marking, case markers (hold, restricted)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"
INFO_STYLE = "color: #555555;"
HOLD_BG = QColor("#fff3cd")        # amber: legal hold, nothing may be deleted
RESTRICTED_BG = QColor("#e8e0f5")  # lilac: processing restricted, read-only
BANNER_HOLD = "background: #fff3cd; color: #5c4400; border: 1px solid #e0c060; padding: 6px;"
BANNER_RESTRICTED = "background: #e8e0f5; color: #3b2a63; border: 1px solid #a898d0; padding: 6px;"
BANNER_READONLY = "background: #eeeeee; color: #333333; border: 1px solid #bbbbbb; padding: 6px;"


def error_label(accessible_name: str = "") -> QLabel:
    """A hidden red message under an input; plain text so user input in it is never markup."""
    label = QLabel("")
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    label.hide()
    return label


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Mark an input red (the error text next to it says why)."""
    widget.setStyleSheet("border: 1px solid #b00020;" if invalid else "")


def banner(text: str, style: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setAccessibleName(text)
    return label


_ICONS: dict[str, QIcon] = {}


def marker_icon(kind: str) -> QIcon:
    """A small badge: 'H' on amber for legal hold, 'R' on lilac for restricted, both when both."""
    if kind in _ICONS:
        return _ICONS[kind]
    letters = {"hold": [("H", "#c98a00")], "restricted": [("R", "#6a4fb3")],
               "both": [("H", "#c98a00"), ("R", "#6a4fb3")]}[kind]
    size = 16
    pix = QPixmap(size * len(letters), size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    font = QFont()
    font.setPixelSize(11)
    font.setBold(True)
    p.setFont(font)
    for i, (letter, colour) in enumerate(letters):
        rect = QRectF(i * size + 1, 1, size - 2, size - 2)
        p.setBrush(QColor(colour))
        p.setPen(Qt.NoPen)
        p.drawRoundedRect(rect, 3, 3)
        p.setPen(QColor("white"))
        p.drawText(rect, Qt.AlignCenter, letter)
    p.end()
    _ICONS[kind] = QIcon(pix)
    return _ICONS[kind]
