"""Legal-hold controls for the case detail: set a hold on this case or on this person (reason
mandatory), lift it after a confirmation, and show who set it and when.

A hold blocks every purge and erasure (RetentionService). attach_hold_panel() inserts the panel
into an open CaseDetailDialog without changing that dialog's code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from desktop.services.retention import MAX_REASON
from desktop.ui.cases.detail_controller import when
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.outcome_dialog import OutcomeDialog
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import BANNER_HOLD, INFO_STYLE

Confirm = Callable[[str, str], bool]


def ask(parent: QWidget) -> Confirm:
    def confirm(title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes
    return confirm


@dataclass(frozen=True)
class HoldState:
    case_reason: str | None
    case_by: str | None
    case_at: object
    subject_id: int | None
    subject_reason: str | None
    subject_by: str | None
    subject_at: object


class HoldController:
    """Behaviour without a window; every change goes through RetentionService (audited there)."""

    def __init__(self, services, case_id: int) -> None:
        self.services = services
        self.case_id = case_id

    def state(self) -> HoldState:
        case, subject = self.services.cases.with_subject(self.case_id)
        return HoldState(case.legal_hold_reason, case.legal_hold_by, case.legal_hold_at,
                         subject.id if subject else None,
                         subject.legal_hold_reason if subject else None,
                         subject.legal_hold_by if subject else None,
                         subject.legal_hold_at if subject else None)

    def set_hold(self, scope: str, reason: str) -> str | None:
        """scope 'case' or 'subject'. Returns an error line, or None when the hold is set."""
        if not " ".join((reason or "").split()):
            return "A legal hold needs a reason (for example the matter or litigation reference)."
        try:
            if scope == "subject":
                sid = self.state().subject_id
                if sid is None:
                    return "This case is not linked to a person any more; hold the case instead."
                self.services.retention.set_hold(reason=reason, subject_id=sid)
            else:
                self.services.retention.set_hold(reason=reason, case_id=self.case_id)
        except ValueError as exc:
            return str(exc)[:1].upper() + str(exc)[1:] + "."
        except Exception as exc:  # noqa: BLE001
            return user_message(exc)
        return None

    def lift(self, scope: str) -> str | None:
        try:
            if scope == "subject":
                sid = self.state().subject_id
                if sid is None:
                    return "This case has no person to lift a hold from."
                self.services.retention.lift_hold(subject_id=sid)
            else:
                self.services.retention.lift_hold(case_id=self.case_id)
        except Exception as exc:  # noqa: BLE001
            return user_message(exc)
        return None


class HoldDialog(OutcomeDialog):
    """Set a legal hold: on this case or on the person (all their cases); reason required."""

    def __init__(self, controller: HoldController, parent: QWidget | None = None) -> None:
        super().__init__(f"Legal hold: case {controller.case_id}", parent)
        self.controller = controller
        self.setMinimumWidth(520)
        layout = self.layout()
        layout.addWidget(QLabel("<h3>Set a legal hold</h3>"))
        info = QLabel("While a hold stands, nothing it covers is deleted or anonymised: no retention "
                      "sweep and no erasure request touches it. Setting and lifting it is recorded "
                      "in the audit trail (the reason is not).")
        info.setWordWrap(True)
        info.setStyleSheet(INFO_STYLE)
        layout.addWidget(info)
        self.on_case = QRadioButton(f"On this &case only (case {controller.case_id})")
        self.on_subject = QRadioButton("On this &person: every case and consent of theirs")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.on_case)
        self.scope.addButton(self.on_subject)
        self.on_case.setChecked(True)
        self.on_subject.setEnabled(controller.state().subject_id is not None)
        layout.addWidget(self.on_case)
        layout.addWidget(self.on_subject)
        label = QLabel("&Reason (required, e.g. the matter or litigation reference):")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(90)
        self.reason.setAccessibleName("Reason for the legal hold")
        label.setBuddy(self.reason)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        self.add_footer("&Set legal hold", "Legal hold error")
        self.reason.setFocus(Qt.OtherFocusReason)

    def submit(self) -> None:
        text = self.reason.toPlainText()
        if len(" ".join(text.split())) > MAX_REASON:
            self.fail(f"The reason can be at most {MAX_REASON} characters.")
            return
        problem = self.controller.set_hold("subject" if self.on_subject.isChecked() else "case", text)
        if problem:
            self.fail(problem)
            return
        self.succeed()

    def fail(self, text: str) -> None:
        super().fail(text)
        self.reason.setFocus(Qt.OtherFocusReason)


class HoldPanel(QWidget):
    changed = Signal()

    def __init__(self, controller: HoldController, confirm: Confirm | None = None,
                 open_dialog: Callable[[HoldDialog], int] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.confirm = confirm or ask(self)
        self.open_dialog = open_dialog or (lambda d: d.exec())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        self.text = SpokenLabel("Legal hold", hide_when_empty=False)
        self.text.setTextFormat(Qt.PlainText)
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.set_button = QPushButton("Legal &hold…")
        self.lift_case_button = QPushButton("Lift case hold…")
        self.lift_subject_button = QPushButton("Lift person hold…")
        for b in (self.set_button, self.lift_case_button, self.lift_subject_button):
            layout.addWidget(b, 0, Qt.AlignTop)
        self.set_button.clicked.connect(self.set_hold)
        self.lift_case_button.clicked.connect(lambda: self.lift("case"))
        self.lift_subject_button.clicked.connect(lambda: self.lift("subject"))
        self.message = ""
        self.refresh()

    def refresh(self) -> None:
        s = self.controller.state()
        lines = []
        if s.case_reason:
            lines.append(f"Legal hold on this case, set by {s.case_by or '—'} on {when(s.case_at)}: {s.case_reason}")
        if s.subject_reason:
            lines.append(f"Legal hold on this person (all their cases), set by {s.subject_by or '—'} on "
                         f"{when(s.subject_at)}: {s.subject_reason}")
        held = bool(lines)
        if not held:
            lines.append("No legal hold. Retention timers run as the policies say.")
        if self.message:
            lines.append(self.message)
        self.text.setText("\n".join(lines))
        self.text.setStyleSheet(BANNER_HOLD if held else INFO_STYLE)
        self.lift_case_button.setVisible(bool(s.case_reason))
        self.lift_subject_button.setVisible(bool(s.subject_reason))

    def set_hold(self) -> None:
        dialog = HoldDialog(self.controller, parent=self)
        self.dialog = dialog
        if self.open_dialog(dialog) == QDialog.Accepted:
            self.message = ""
            self.refresh()
            self.changed.emit()

    def lift(self, scope: str) -> None:
        what = "this person (all their cases)" if scope == "subject" else "this case"
        if not self.confirm("Lift the legal hold?", f"Lift the legal hold on {what}? Retention timers resume "
                            "from the stored dates, so anything overdue is removed at the next sweep."):
            return
        problem = self.controller.lift(scope)
        self.message = problem or ""
        self.refresh()
        if not problem:
            self.changed.emit()


def attach_hold_panel(dialog, services, *, confirm: Confirm | None = None,
                      open_dialog: Callable[[HoldDialog], int] | None = None) -> HoldPanel:
    """Put the legal-hold panel under the case facts of an open CaseDetailDialog."""
    case_id = dialog.controller.case_id
    panel = HoldPanel(HoldController(services, case_id), confirm=confirm, open_dialog=open_dialog, parent=dialog)
    layout = dialog.layout()
    index = layout.indexOf(dialog.facts)
    layout.insertWidget(index + 1 if index >= 0 else 1, panel)

    def changed() -> None:
        dialog.controller.refresh()
        dialog.show_detail()
        dialog.changed.emit(case_id)

    panel.changed.connect(changed)
    dialog.hold_panel = panel
    return panel
