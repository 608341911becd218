"""Mail in the intake form: "Open message…" and "Paste message…", .eml/.msg/mbox dropped on the
window, and the Diagnosis panel (suggested category with its evidence, which staff accept or
change). The form is filled, never saved without staff."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.intake.mail_controller import MailFormController, diagnosis_lines


class DiagnosisPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Diagnosis", parent)
        box = QVBoxLayout(self)
        self.text = QLabel("")
        self.text.setTextFormat(Qt.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text.setAccessibleName("Diagnosis")
        box.addWidget(self.text)
        self.accept_button = QPushButton("&Use the suggested category")
        box.addWidget(self.accept_button)
        self.hide()

    def show_record(self, record: dict | None) -> None:
        lines = diagnosis_lines(record)
        self.text.setText("\n".join(lines))
        self.setVisible(bool(lines))


class PasteDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Paste message")
        box = QVBoxLayout(self)
        box.addWidget(QLabel("Paste a whole message, a bounce or its headers:"))
        self.edit = QPlainTextEdit()
        self.edit.setAccessibleName("Pasted message")
        box.addWidget(self.edit, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.resize(640, 420)


class MailIntake(QObject):
    """Installed on the main window and its intake view by install_mail_intake()."""

    def __init__(self, window, view, controller: MailFormController) -> None:
        super().__init__(window)
        self.window, self.view, self.controller = window, view, controller
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 8, 24, 0)
        self.open_button = QPushButton("&Open message…")
        self.paste_button = QPushButton("Paste messa&ge…")
        self.note = QLabel("Or drop an .eml, .msg or mbox file on the window.")
        self.note.setTextFormat(Qt.PlainText)
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Mail intake result")
        for w in (self.open_button, self.paste_button):
            row.addWidget(w)
        row.addWidget(self.note, 1)
        self.panel = DiagnosisPanel()
        holder = QWidget()
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(24, 0, 24, 0)
        hl.addWidget(self.panel)
        view.layout().insertWidget(0, bar)
        view.layout().insertWidget(1, holder)
        self.open_button.clicked.connect(self.open_file)
        self.paste_button.clicked.connect(self.paste)
        self.panel.accept_button.clicked.connect(self.use_suggested)
        view.saved.connect(self._saved)
        view.clear_button.clicked.connect(self._cleared)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # ---- input --------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() in (QEvent.DragEnter, QEvent.DragMove):
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
                return True
        if watched is self.window and event.type() == QEvent.Drop and event.mimeData().hasUrls():
            paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
            event.acceptProposedAction()
            self.load_paths(paths)
            return True
        return False

    def open_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Open message", "",
                                              "Mail (*.eml *.msg *.mbox *.txt);;All files (*)")
        if name:
            self.load_paths([Path(name)])

    def paste(self) -> None:
        dialog = PasteDialog(self.window)
        if dialog.exec() == QDialog.Accepted:
            self.apply(self.controller.load_text(dialog.edit.toPlainText()))

    def load_paths(self, paths: list[Path]) -> None:
        self.window.show_view("intake")
        self.apply(self.controller.load_paths(paths))

    # ---- the form ---------------------------------------------------------------------------------
    def apply(self, loaded) -> None:
        self.note.setText(loaded.message)
        if loaded.prefill is None:
            return
        v, values = self.view, self.controller.form_values()
        v.clear()
        v.name.setText(str(values["name"]))
        v.email.setText(str(values["email"]))
        v.description.setPlainText(str(values["description"]))
        v.technical.setPlainText(str(values["technical_details"]))
        v.channel.setCurrentIndex(max(0, v.channel.findData(values["channel"])))
        v.category.setCurrentIndex(v.category.findData(values["category"]))
        v.controller.extra = self.controller.extra()
        d = loaded.prefill.diagnosis
        from desktop.services.mail import stored_record

        record = stored_record(d, self.controller._settings()) if d is not None else None
        self.panel.show_record(record if loaded.prefill.source != "message" or record.get("reason") != "not_bounce" else None)
        self.suggested = values["category"]

    def use_suggested(self) -> None:
        self.view.category.setCurrentIndex(self.view.category.findData(getattr(self, "suggested", "")))

    def _saved(self, case_id: int) -> None:
        self.controller.saved(case_id)
        self.view.controller.extra = {}
        self.panel.show_record(None)

    def _cleared(self) -> None:
        self.controller.forget()
        self.view.controller.extra = {}
        self.panel.show_record(None)


def install_mail_intake(window, services) -> MailIntake:
    mail = MailIntake(window, window.intake_view, MailFormController(services))
    window.mail_intake = mail
    return mail


class CaseDiagnosisPanel(QGroupBox):
    """The stored diagnosis in the case detail, and confirming a case made from mail without staff."""

    def __init__(self, services, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Diagnosis (from mail)", parent)
        from desktop.services.mail_import import for_services

        self.mail, self.case_id = for_services(services), case_id
        box = QVBoxLayout(self)
        self.text = QLabel("")
        self.text.setTextFormat(Qt.PlainText)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Stored diagnosis")
        box.addWidget(self.text)
        self.confirm_button = QPushButton("Con&firm: notice given, person 13 or older")
        box.addWidget(self.confirm_button)
        self.confirm_button.clicked.connect(self.confirm)
        self.refresh()

    def refresh(self) -> None:
        record = self.mail.record(self.case_id)
        self.setVisible(record is not None)
        if record is None:
            return
        lines = diagnosis_lines(record.get("diagnosis"))
        if record.get("confirmed_at") is None:
            lines.insert(0, "Unconfirmed: made from mail without staff. Show the privacy notice and confirm the age.")
        self.text.setText("\n".join(lines) or "No delivery problem found in this mail.")
        self.confirm_button.setVisible(record.get("confirmed_at") is None)

    def confirm(self) -> None:
        self.mail.confirm(self.case_id)
        self.refresh()


def attach_case_diagnosis(dialog, services) -> CaseDiagnosisPanel:
    panel = CaseDiagnosisPanel(services, dialog.controller.case_id, parent=dialog)
    layout = dialog.layout()
    index = layout.indexOf(dialog.facts)
    layout.insertWidget(index + 1 if index >= 0 else 1, panel)
    dialog.diagnosis_panel = panel
    return panel
