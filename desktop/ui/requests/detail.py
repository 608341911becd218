"""The detail panel of the Requests view: the request's facts and its actions, each enabled according
to the request's status and type; a disabled action says why next to it (not only in a tooltip)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.models import RequestType
from desktop.domain.validation import phone_for_display
from desktop.services.requests import RequestRow
from desktop.ui.requests.controller import (
    STATUS_LABELS,
    TYPE_LABELS,
    Allowed,
    countdown,
    day,
    method_label,
    stamp,
)
from desktop.ui.requests.recipients_box import TellRecipientsBox, untold
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import INFO_STYLE, scheme

WORKFLOW = (
    ("start", "&Start verification", "Mark that the person has been asked to confirm who they are"),
    ("verify", "Record &identity verification…", "How identity was checked; who and when are recorded"),
    ("extend", "E&xtend deadline…", "One extension, with a reason the person must be told"),
    ("complete", "Co&mplete…", "Close the request with its outcome"),
    ("refuse", "Ref&use…", "Close the request with a reason (kept in the register)"),
)
TYPE_ACTIONS = {
    "report": ("&Generate access report…", RequestType.ACCESS),
    "export": ("Export &data…", RequestType.PORTABILITY),
    "erase": ("&Erase the person's data…", RequestType.ERASURE),
    "rectify": ("Correct a &case…", RequestType.RECTIFICATION),
    "restrict": ("Restrict &processing…", RequestType.RESTRICTION),
    "lift": ("&Lift restriction…", RequestType.RESTRICTION),
    "object": ("Record &objection…", RequestType.OBJECTION),
}


def _info(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(INFO_STYLE)
    return label


class RequestDetailPanel(QScrollArea):
    action = Signal(str)  # an action key from request_controller.ACTIONS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phone_region = ""  # the default region: its numbers are shown in national format
        self.setWidgetResizable(True)
        self.setMinimumWidth(340)  # the buttons and their reasons, wrapped, without a sideways scroll
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # the panel wraps to its width, never scrolls sideways
        body = QWidget()
        layout = QVBoxLayout(body)
        self.title = QLabel("<h3>No request selected</h3>")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.facts = SpokenLabel("Request facts", speak_changes=False)
        self.facts.setText("Select a request in the list, or press <b>New request…</b>.")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.facts.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        layout.addWidget(self.facts)
        self.recipients = TellRecipientsBox()
        layout.addWidget(self.recipients)

        self.buttons: dict[str, QPushButton] = {}
        self.why: dict[str, QLabel] = {}
        self.tips: dict[str, str] = {}
        self.workflow = QGroupBox("Workflow")
        self._fill(self.workflow, [(k, t, tip) for k, t, tip in WORKFLOW])
        layout.addWidget(self.workflow)
        self.rights = QGroupBox("Answer the request")
        self._fill(self.rights, [(k, t, "") for k, (t, _ty) in TYPE_ACTIONS.items()])
        layout.addWidget(self.rights)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_row(None, {})

    def _fill(self, box: QGroupBox, actions: list[tuple[str, str, str]]) -> None:
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        for n, (key, text, tip) in enumerate(actions):
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            self.tips[key] = tip
            button.clicked.connect(lambda _=False, k=key: self.action.emit(k))
            why = _info()
            grid.addWidget(button, n, 0, Qt.AlignTop)
            grid.addWidget(why, n, 1, Qt.AlignVCenter)
            self.buttons[key] = button
            self.why[key] = why

    def show_row(self, row: RequestRow | None, allowed: dict[str, Allowed],
                 subject_note: str = "", cases: list[str] | None = None) -> None:
        if row is None:
            self.title.setText("<h3>No request selected</h3>")
            self.facts.setText("Select a request in the list, or press <b>New request…</b>.")
            self.workflow.hide()
            self.rights.hide()
            self.recipients.show_request(None)
            return
        req = row.request
        self.title.setText(f"<h3>{escape(req.ref)} · {escape(TYPE_LABELS[req.type])}</h3>")
        self.facts.setText(self.facts_html(row, subject_note, cases or [], self.phone_region))
        self.recipients.show_request(req)
        self.workflow.show()
        self.rights.show()
        for key, button in self.buttons.items():
            shown = key not in TYPE_ACTIONS or TYPE_ACTIONS[key][1] is req.type
            button.setVisible(shown)
            state = allowed.get(key, Allowed(False))
            button.setEnabled(state.enabled)
            button.setToolTip(self.tips[key] if state.enabled else state.why)
            button.setAccessibleDescription("" if state.enabled else state.why)  # read out with the button
            # a closed request: said once in the facts, not next to every button; an empty
            # label is hidden (it took a row's space and was read out as an empty label)
            why = "" if state.enabled or req.status.closed else state.why
            self.why[key].setText(why)
            self.why[key].setVisible(shown and bool(why))
        self.rights.setTitle(f"Answer the {req.type.value} request")

    @staticmethod
    def facts_html(row: RequestRow, subject_note: str, cases: list[str], phone_region: str = "") -> str:
        req = row.request
        e = escape
        details = req.details or {}
        red = scheme()["error"]
        lines = [f"<b>Status:</b> {e(STATUS_LABELS[req.status])}"]
        if req.status.closed:
            left = untold(details)
            rest = (f"its actions are done; {left} recipient{'s' if left != 1 else ''} below still to tell"
                    if left else "nothing more can be done")
            lines.append(f"<b>Closed:</b> {e(stamp(req.completed_at))} (no countdown). The request is "
                         f"{e(STATUS_LABELS[req.status].lower())}: {rest}.")
        else:
            due = f"{e(day(row.due))} · {e(countdown(row))}"
            if row.overdue:
                due = f"<span style='color:{red}; font-weight:bold'>{due}</span>"
            lines.append(f"<b>Due:</b> {due}")
            if row.confirm_receipt_by:
                lines.append(f"<b>Confirm receipt by:</b> {e(day(row.confirm_receipt_by))}")
        lines.append(f"<b>Received:</b> {e(stamp(req.received_at))} via {e((req.channel or '—').replace('_', ' '))}"
                     f" · rule {e(row.rule)}")
        lines.append(f"<b>Person:</b> {e(req.subject_email or '(erased)')}"
                     + (f" · {e(phone_for_display(req.subject_phone, phone_region))}" if req.subject_phone else "")
                     + f" · ref {e(req.subject_ref)}" + (f" · {e(subject_note)}" if subject_note else ""))
        if req.verified:
            lines.append(f"<b>Identity verified:</b> {e(stamp(req.verified_at))} by {e(req.verified_by or '—')}"
                         f" ({e(method_label(req.verification_method))})")
        else:
            lines.append(f"<b>Identity verified:</b> <span style='color:{red}'>not yet</span>")
        if req.extended_due_at:
            lines.append(f"<b>Extended</b> from {e(day(req.due_at))} to {e(day(req.extended_due_at))}: "
                         f"{e(req.extension_reason or '')}")
        if req.outcome:
            lines.append(f"<b>Outcome:</b> {e(req.outcome)}")
        if req.refusal_reason:
            lines.append(f"<b>Refused because:</b> {e(req.refusal_reason)}")
        for item in details.get("objections") or []:
            text = f": {e(str(item.get('text')))}" if item.get("text") else ""
            lines.append(f"<b>Objects to</b> {e(str(item.get('to')))}{text} ({e(str(item.get('at', ''))[:10])})")
        if cases:
            lines.append("<b>Cases covered:</b><br>" + "<br>".join(e(c) for c in cases))
        elif not req.status.closed:
            lines.append("<b>Cases covered:</b> none")
        return "<br>".join(lines)
