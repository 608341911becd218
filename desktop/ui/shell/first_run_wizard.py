"""First run: a short wizard that creates the store and records the organisation's compliance facts.

Pages: where the store lives, how it is protected (OS keyring, else a passphrase and why), the
organisation profile, the deadline rule and holiday country, and a review of retention defaults.
The behaviour (checks, key choice, creating the store, saving settings) is FirstRunController's
(shell/first_run_controller.py); the pages only lay out inputs and show its messages.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.domain import deadlines as dl
from desktop.errors import KeyringUnavailable
from desktop.services import session
from desktop.ui.shell.first_run_controller import (
    FirstRunController,
    holiday_countries,
    retention_rows,
)
from desktop.ui.widgets.forms import labelled_row
from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.style import BANNER_HOLD, INFO_STYLE, banner, error_label


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.error = error_label("Problem on this page")
        self.layout_.addWidget(self.error)

    def show_error(self, text: str | None) -> bool:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))
        return not text


class LocationPage(_Page):
    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Where the store lives", "Support requests are kept in one encrypted file.")
        self.c = c
        self.path = QLineEdit(str(c.path))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.path.setAccessibleName("Store file")
        caption = QLabel("Store &file:")
        caption.setBuddy(self.path)
        self.form.addRow(caption, holder)
        self.staff = labelled_row(self.form, "&Your name (in the audit trail):", QLineEdit(c.staff), "Your name")

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Store file", self.path.text(), "Store (*.db)")
        if chosen:
            self.path.setText(chosen)

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        return self.show_error(self.c.set_location(self.path.text(), self.staff.text()))


class ProtectionPage(_Page):
    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Protection", "How the store's key is kept.")
        self.c = c
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.layout_.insertWidget(0, self.text)
        self.reason = banner("", BANNER_HOLD)
        self.reason.setAccessibleName("Why the OS keyring is not used")
        self.layout_.insertWidget(1, self.reason)
        self.pass1 = labelled_row(self.form, "&Passphrase:", QLineEdit(), "Passphrase")
        self.pass2 = labelled_row(self.form, "&Repeat passphrase:", QLineEdit(), "Repeat passphrase")
        for w in (self.pass1, self.pass2):
            w.setEchoMode(QLineEdit.Password)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        needs = self.c.mode == "passphrase"
        for w in (self.pass1, self.pass2):
            w.setVisible(needs)
            self.form.labelForField(w).setVisible(needs)
        self.text.setText({
            "keyring": "A random 256-bit key protects the store. It is kept in your OS keyring, so "
                       "you will not need a passphrase to open the app.",
            "env": "The store will be protected by the passphrase in HELPDESK_INTAKE_PASSPHRASE.",
        }.get(self.c.mode, f"Choose a passphrase of at least {session.MIN_PASSPHRASE} characters. It "
                           "cannot be recovered: without it the store cannot be opened."))
        if self.c.reason:
            self.reason.setText(f"The OS keyring cannot be used because {self.c.reason}; the store is "
                                "protected by a passphrase instead.")
        self.reason.setVisible(bool(self.c.reason))

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        ok = self.show_error(self.c.set_passphrase(self.pass1.text(), self.pass2.text()))
        if not ok:
            self.pass2.clear()
        return ok


class OrganisationPage(_Page):
    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Your organisation", "Printed in access reports and the privacy notice.")
        self.c = c
        org = c.organisation
        self.fields = {
            "controller_name": labelled_row(self.form, "&Organisation (controller):",
                                    QLineEdit(org.get("controller_name", "")), "Organisation name"),
            "controller_address": labelled_row(self.form, "&Address:", QPlainTextEdit(org.get("controller_address", "")),
                                       "Postal address"),
            "privacy_contact_email": labelled_row(self.form, "Privacy &contact email:",
                                          QLineEdit(org.get("privacy_contact_email", "")), "Privacy contact email"),
            "supervisory_authority": labelled_row(self.form, "&Supervisory authority:",
                                          QPlainTextEdit(org.get("supervisory_authority", "")),
                                          "Supervisory authority"),
        }
        for w in self.fields.values():
            if isinstance(w, QPlainTextEdit):
                w.setTabChangesFocus(True)
                w.setFixedHeight(70)

    def values(self) -> dict:
        return {k: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()) for k, w in self.fields.items()}

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        problems = self.c.set_organisation(self.values())
        return self.show_error(" ".join(problems.values()))


class ReportPage(_Page):
    """The rest of what an access report prints about the organisation (all may be changed later in
    Settings); the optional contacts are left out of reports when empty."""

    def __init__(self, c: FirstRunController) -> None:
        super().__init__("What access reports tell people",
                         "Printed in every access report. Leave an optional contact empty to leave it out.")
        self.c = c
        org = c.organisation
        rows = (("alternative_privacy_contact", "Alternative &contact (optional):", "Alternative privacy contact", False),
                ("dpo_contact", "Data protection &officer (optional):", "Data protection officer", False),
                ("data_source", "&Where data comes from:", "Where data comes from", True),
                ("automated_decision_making", "&Automated decisions:", "Automated decision-making", True),
                ("transfer_safeguards", "&Transfers abroad:", "Transfers outside the country", True))
        self.fields = {}
        for key, caption, name, multi in rows:
            widget = QPlainTextEdit(str(org.get(key) or "")) if multi else QLineEdit(str(org.get(key) or ""))
            if multi:
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(56)
            self.fields[key] = labelled_row(self.form, caption, widget, name)

    def values(self) -> dict:
        return {k: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()) for k, w in self.fields.items()}

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        return self.show_error(" ".join(self.c.set_report_details(self.values()).values()))


class NoticePage(_Page):
    """The privacy notice the intake form shows: the shipped text naming this organisation, to edit."""

    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Privacy notice", "Shown to each person at intake, with your organisation's name and "
                                           "privacy contact. Each case records the version it acknowledged.")
        self.c = c
        self.text = labelled_row(self.form, "Notice &text:", QPlainTextEdit(), "Privacy notice text")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(160)
        self.edited = False
        self.text.textChanged.connect(self._edited)
        self._filling = False

    def _edited(self) -> None:
        if not self._filling:
            self.edited = True

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        if not self.edited:  # follows the organisation's name and contact until the person edits it
            self._filling = True
            self.text.setPlainText(self.c.notice_text())
            self._filling = False

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        return self.show_error(self.c.set_notice(self.text.toPlainText()))


class DeadlinesPage(_Page):
    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Deadlines", "How due dates of data-subject requests are counted.")
        self.c = c
        self.rule = labelled_row(self.form, "Deadline &rule:", QComboBox(), "Deadline rule")
        for rule in dl.DeadlineRule:
            self.rule.addItem(rule.label, rule.value)
        self.rule.setCurrentIndex(max(0, self.rule.findData(c.app.get("deadline_rule", "policy30"))))
        self.country = labelled_row(self.form, "Public holidays of &country:", QComboBox(), "Holiday country")
        for code, name in holiday_countries():
            self.country.addItem(f"{name} ({code})", code)
        self.country.setCurrentIndex(max(0, self.country.findData(c.app.get("holiday_country", "GB"))))

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        problems = self.c.set_deadlines(self.rule.currentData(), self.country.currentData())
        return self.show_error(" ".join(problems.values()))


class RetentionPage(_Page):
    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Retention", "What is removed, and when. You can change these later in Settings.")
        rows = retention_rows()
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Retention defaults")
        self.table.setHorizontalHeaderLabels(["Policy", "Kept for", "Then"])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        for r, (label, period, action, reason) in enumerate(rows):
            for col, text in enumerate((label, period, action)):
                item = QTableWidgetItem(text)
                item.setToolTip(reason)
                self.table.setItem(r, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.layout_.insertWidget(0, self.table)
        self.why = QLabel("Select a policy to read why it is kept that long.")
        self.why.setWordWrap(True)
        self.why.setStyleSheet(INFO_STYLE)
        self.why.setAccessibleName("Why this retention period")
        self.layout_.insertWidget(1, self.why)
        self.table.currentCellChanged.connect(lambda row, *_: self.why.setText(rows[row][3]) if row >= 0 else None)


class FirstRunWizard(QWizard):
    created = Signal(object)  # Services

    def __init__(self, controller: FirstRunController, *, runner: Runner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.c = controller
        self.runner = runner or TaskRunner()
        self.services = None
        self.setWindowTitle("Set up helpdesk-intake")
        self.setOption(QWizard.NoBackButtonOnStartPage)
        self.setMinimumSize(760, 500)  # the default store path fits without scrolling
        self.pages = [LocationPage(controller), ProtectionPage(controller), OrganisationPage(controller),
                      ReportPage(controller), NoticePage(controller), DeadlinesPage(controller),
                      RetentionPage(controller)]
        for page in self.pages:
            self.addPage(page)
        self.setButtonText(QWizard.FinishButton, "&Create store")
        self.currentIdChanged.connect(lambda _id: self._hide_empty_header_labels())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._hide_empty_header_labels()

    def _hide_empty_header_labels(self) -> None:
        """QWizard's header keeps an empty label for a logo this app does not set: screen readers
        listed it as an empty label. Only labels outside the pages, with no text and no picture."""
        for label in self.findChildren(QLabel):
            if not label.text() and label.pixmap().isNull() and not any(p.isAncestorOf(label) for p in self.pages):
                label.hide()

    def submit(self) -> None:
        """Accept every page as shown, then create the store (the bundle smoke test's path)."""
        while self.currentPage() is not self.pages[-1]:
            before = self.currentPage()
            self.next()
            if self.currentPage() is before:
                return  # a page refused its input; its message says why
        self.accept()

    def accept(self) -> None:
        page = self.currentPage()
        if self.services is not None:
            return super().accept()
        if not page.validatePage():
            return
        try:
            key = self.c.key()
        except KeyringUnavailable as exc:
            self.c.fall_back_to_passphrase(str(exc))
            self.setStartId(1)
            self.restart()  # back to the protection page, now asking for a passphrase
            self.pages[1].show_error("Choose a passphrase instead.")
            return
        self.button(QWizard.FinishButton).setEnabled(False)
        self.pages[-1].show_error(None)
        self.runner.run_task(lambda: self.c.create_store(key), self._created, self._failed)

    def _created(self, services) -> None:
        self.services = services
        self.c.forget_secret()
        for page in self.pages:
            for edit in page.findChildren(QLineEdit):
                if edit.echoMode() == QLineEdit.Password:
                    edit.clear()
        self.created.emit(services)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.button(QWizard.FinishButton).setEnabled(True)
        self.pages[-1].show_error("The store was not created: " + user_message(exc))


__all__ = ["FirstRunWizard"]
