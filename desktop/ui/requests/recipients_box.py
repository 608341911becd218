"""Art. 19 on the request window: the recipients that received the person's data, each with a tick
for "told" and the date and who, kept on the request (RequestService.mark_told)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QWidget

from desktop.domain.models import SubjectRequest
from desktop.services.request_actions import stamp
from desktop.ui.widgets.style import INFO_STYLE


def untold(details: dict) -> int:
    """How many recipients on a request's list are not ticked as told yet."""
    marks = details.get("told") or {}
    return sum(1 for name in details.get("notify_recipients") or [] if str(name) not in marks)


def told_note(mark: dict | None) -> str:
    """'told 2 Dec 2026 09:30 by Ana' for a tick, 'not told yet' without one."""
    if not mark:
        return "not told yet"
    try:
        at = stamp(datetime.fromisoformat(str(mark.get("at"))))
    except (TypeError, ValueError):
        at = "—"
    return f"told {at} by {mark.get('by') or '—'}"


class TellRecipientsBox(QGroupBox):
    told = Signal(str, bool)  # recipient name, ticked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Recipients to tell (Art. 19)", parent)
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(1, 1)
        self.boxes: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLabel] = {}
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(INFO_STYLE)
        self.pending = QLabel()  # a closed request with recipients still to tell: why it is still listed
        self.pending.setWordWrap(True)
        self.pending.setTextFormat(Qt.PlainText)
        self.pending.setStyleSheet(INFO_STYLE)
        self.pending.hide()

    def show_request(self, req: SubjectRequest | None) -> None:
        """One tick per recipient on the request's list; hidden when the request has no list."""
        for widget in [*self.boxes.values(), *self.notes.values()]:
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.boxes.clear()
        self.notes.clear()
        details = (req.details or {}) if req is not None else {}
        if req is None or "notify_recipients" not in details:
            self.hide()
            return
        names = [str(n) for n in details.get("notify_recipients") or []]
        marks = details.get("told") or {}
        self.grid.removeWidget(self.empty)
        if not names:
            self.empty.setText("No recipient received this person's data (Settings › Recipients says what each "
                               "receives): nobody to tell.")
            self.grid.addWidget(self.empty, 0, 0, 1, 2)
            self.empty.show()
        else:
            self.empty.hide()
        for n, name in enumerate(names):
            box = QCheckBox(name)
            box.setChecked(name in marks)
            note = QLabel(told_note(marks.get(name)))
            note.setTextFormat(Qt.PlainText)
            note.setStyleSheet(INFO_STYLE)
            box.setAccessibleName(f"Told {name}")
            box.setAccessibleDescription(note.text())
            box.clicked.connect(lambda on, who=name: self.told.emit(who, bool(on)))
            self.grid.addWidget(box, n, 0)
            self.grid.addWidget(note, n, 1)
            self.boxes[name] = box
            self.notes[name] = note
        told = sum(1 for name in names if name in marks)
        self.grid.removeWidget(self.pending)
        if req.status.closed and told < len(names):
            self.pending.setText(f"{len(names) - told} still to tell: this request stays in Open requests "
                                 "until every recipient is ticked.")
            self.grid.addWidget(self.pending, len(names), 0, 1, 2)
            self.pending.show()
        else:
            self.pending.hide()
        self.setTitle(f"Recipients to tell (Art. 19): {told} of {len(names)} told" if names
                      else "Recipients to tell (Art. 19)")
        self.show()
