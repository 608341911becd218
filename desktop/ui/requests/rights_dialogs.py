"""Dialogs for the rights that change what is held: erasure confirmation (what goes, what a legal hold
keeps), the Art. 19 recipients to tell, restriction lifting, and picking a case to rectify."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.requests.controller import ErasurePlan, MatchedCase, Outcome
from desktop.ui.requests.dialogs import match_text
from desktop.ui.widgets.forms import plain_label as _plain
from desktop.ui.widgets.outcome_dialog import OutcomeDialog
from desktop.ui.widgets.style import BANNER_HOLD, INFO_STYLE, banner


def _list(lines: list[str], name: str) -> QListWidget:
    widget = QListWidget()
    widget.setAccessibleName(name)
    widget.setWordWrap(True)
    for line in lines:
        widget.addItem(QListWidgetItem(line))
    widget.setMaximumHeight(max(40, min(180, 24 * len(lines) + 8)))
    return widget


class ErasureDialog(OutcomeDialog):
    """Says exactly what will be removed and what legal holds keep; erasing needs a tick first."""

    def __init__(self, ref: str, plan: ErasurePlan, submit: Callable[[], Outcome],
                 parent: QWidget | None = None) -> None:
        super().__init__(f"Erase the person's data for {ref}", parent)
        self.submit_to = submit
        self.resize(680, 420)
        layout = self.layout()
        if plan.person_hold is not None:
            layout.addWidget(banner(f"Legal hold on the person: {plan.person_hold}. Nothing will be erased; "
                                    "the request is completed saying so.", BANNER_HOLD))
        if plan.erase:
            what = "This case" if len(plan.erase) == 1 else f"These {len(plan.erase)} cases"
            layout.addWidget(_plain(f"{what} will be removed for good, with notes, "
                                    "change history, consents and search-index entries; the "
                                    "person's record goes too when nothing else is kept. This cannot be "
                                    "undone.", "font-weight: bold;"))
            self.erase_list = _list([match_text(m) for m in plan.erase], "Cases to erase")
            layout.addWidget(self.erase_list)
        else:
            layout.addWidget(_plain("No case will be removed."))
            self.erase_list = _list([], "Cases to erase")
        if plan.kept:
            layout.addWidget(_plain("Kept under a legal hold (erased once the hold is lifted):"))
            self.kept_list = _list([f"{match_text(m)}: {why}" for m, why in plan.kept], "Cases kept")
            layout.addWidget(self.kept_list)
        else:
            self.kept_list = _list([], "Cases kept")
        layout.addWidget(_plain("The register keeps the request itself with a non-identifying reference. "
                                "Afterwards you will see the recipients to tell (Art. 19)."))
        self.understood = QCheckBox("I understand that erasure cannot be &undone")
        layout.addWidget(self.understood)
        self.add_footer("&Erase" if plan.erase else "&Complete request", "Erasure error",
                        needs=self.understood, stretch=True)

    def submit(self) -> None:
        if not self.understood.isChecked():
            return
        self.submit_outcome(self.submit_to())


class RecipientsDialog(QDialog):
    """The outcome of a step and the recipients to tell about it (Art. 19)."""

    NOBODY = ("No recipient received this person's data (Settings › Recipients says what each receives): "
              "nobody to tell.")

    def __init__(self, title: str, summary: str, recipients: list[str], parent: QWidget | None = None,
                 *, nobody: str = NOBODY) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(summary, "font-weight: bold;"))
        # nobody to tell is an answer, not an error: said plainly, without an empty list under it
        self.note = _plain("These recipients received the person's data: tell each of them (Art. 19). "
                           "Tick each one in the request window once told; the date is kept."
                           if recipients else nobody, "" if recipients else INFO_STYLE)
        layout.addWidget(self.note)
        self.recipients = _list(recipients, "Recipients to notify")
        self.recipients.setMaximumHeight(16777215)
        self.recipients.setVisible(bool(recipients))
        layout.addWidget(self.recipients, 1)
        box = QDialogButtonBox(QDialogButtonBox.Ok)
        box.accepted.connect(self.accept)
        layout.addWidget(box)
        self.resize(560, 380 if recipients else max(self.layout().heightForWidth(560), 120))


class ConfirmDialog(OutcomeDialog):
    """A yes/no step with an explanation and a tick that the person was told (e.g. lifting a restriction)."""

    def __init__(self, title: str, text: str, tick: str, ok_text: str, submit: Callable[[], Outcome],
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.submit_to = submit
        layout = self.layout()
        layout.addWidget(_plain(text))
        self.tick = QCheckBox(tick)
        layout.addWidget(self.tick)
        self.add_footer(ok_text, f"{title} error", needs=self.tick)

    def submit(self) -> None:
        self.submit_outcome(self.submit_to())


class CasePickerDialog(QDialog):
    """Which of the request's cases to correct."""

    def __init__(self, ref: str, cases: list[MatchedCase], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rectification for {ref}: choose a case")
        self.resize(620, 320)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain("Corrections are kept in the case's change history with this request's "
                                "reference. Choose the case to correct:"))
        self.cases = QListWidget()
        self.cases.setAccessibleName("Cases of the request")
        for m in cases:
            item = QListWidgetItem(match_text(m))
            item.setData(Qt.UserRole, m.case_id)
            self.cases.addItem(item)
        if cases:
            self.cases.setCurrentRow(0)
        self.cases.itemActivated.connect(lambda _i: self.accept())
        layout.addWidget(self.cases, 1)
        box = QDialogButtonBox()
        self.ok_button = box.addButton("&Open case", QDialogButtonBox.AcceptRole)
        box.addButton(QDialogButtonBox.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def chosen(self) -> int | None:
        item = self.cases.currentItem()
        return item.data(Qt.UserRole) if item else None
