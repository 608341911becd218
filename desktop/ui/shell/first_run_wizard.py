"""First run: a short wizard that creates the store and records the organisation's compliance facts.

Pages: where the store lives, how it is protected (OS keyring, else a passphrase and why), the
organisation profile, the deadline rule and holiday country, and a review of retention defaults.
FirstRunController holds the behaviour (checks, key choice, creating the store, saving settings)
so it can be tested without a window; the pages only lay out inputs and show its messages.
The store is created exactly as CreateStoreDialog does: the key goes into the keyring before the
store exists (never a store without its key), the same create callable builds the services, and a
failed creation removes the keyring entry again.
"""

from __future__ import annotations

import json
from pathlib import Path

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
from desktop.domain.validation import check_email
from desktop.errors import KeyringUnavailable
from desktop.paths import remember_store_path, resource
from desktop.store import keys
from desktop.store.keys import Key
from desktop.ui.shell.create_store_dialog import CreateStore
from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.style import BANNER_HOLD, INFO_STYLE, banner, error_label


def _defaults(name: str) -> dict:
    try:
        return json.loads(resource("defaults", f"{name}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def holiday_countries() -> list[tuple[str, str]]:
    """(code, name) for every country the holidays library knows, sorted by name."""
    from holidays.registry import COUNTRIES

    pairs = {(v[1], k.replace("_", " ").title()) for k, v in COUNTRIES.items()}
    return sorted(pairs, key=lambda p: p[1])


def organisation_problems(org: dict) -> dict[str, str]:
    """field -> message for an organisation profile that cannot go into access reports."""
    problems = {}
    if not str(org.get("controller_name") or "").strip():
        problems["controller_name"] = "Enter the organisation's name (the controller)."
    email = check_email(str(org.get("privacy_contact_email") or ""))
    if email.error:
        problems["privacy_contact_email"] = "Privacy contact: " + email.error
    if not str(org.get("supervisory_authority") or "").strip():
        problems["supervisory_authority"] = "Name the supervisory authority people can complain to."
    return problems


def deadline_problems(rule: str, country: str) -> dict[str, str]:
    problems = {}
    try:
        dl.parse_rule(rule)
    except ValueError as exc:
        problems["deadline_rule"] = str(exc)
    try:
        dl.check_calendar(country)
    except ValueError as exc:
        problems["holiday_country"] = str(exc)
    return problems


def retention_rows() -> list[tuple[str, str, str, str]]:
    """(label, period, action, reason) of the shipped retention defaults, for review."""
    policies = _defaults("retention").get("policies") or []
    rows = []
    for p in policies:
        unit = str(p.get("unit", "days"))
        period = int(p.get("period", 0))
        rows.append((str(p.get("label", p.get("id", ""))),
                     "at the next sweep" if period == 0 else f"{period} {unit}",
                     str(p.get("action", "")).replace("_", " "), str(p.get("reason", ""))))
    return rows


class FirstRunController:
    """Everything the wizard decides, without widgets. finish() returns the new Services."""

    def __init__(self, path: Path, create: CreateStore, *, staff: str = "") -> None:
        self.path = Path(path)
        self.create = create
        self.staff = staff
        self.organisation = _defaults("organisation")
        self.app = _defaults("app")
        if keys.env_passphrase() is not None:
            self.mode, self.reason = "env", None
        else:
            self.reason = keys.keyring_reason()
            self.mode = "keyring" if self.reason is None else "passphrase"
        self._passphrase: str | None = None

    # ---- checks, one per page --------------------------------------------------------------
    def set_location(self, text: str, staff: str) -> str | None:
        if not staff.strip():
            return "Enter your name; it is recorded with every change."
        if not text.strip():
            return "Choose where the store file goes."
        path = Path(text.strip()).expanduser()
        if path.exists():
            return f"{path} already exists; choose a new file name (nothing is overwritten)."
        if path.parent.exists() and not path.parent.is_dir():
            return f"{path.parent} is not a folder."
        self.path, self.staff = path, staff.strip()[:80]
        return None

    def set_passphrase(self, first: str, second: str) -> str | None:
        if self.mode != "passphrase":
            return None
        problem = keys.passphrase_problem(first)
        if problem:
            return problem[0].upper() + problem[1:] + "."
        if first != second:
            return "The two passphrases differ."
        self._passphrase = first
        return None

    def set_organisation(self, values: dict) -> dict[str, str]:
        merged = {**self.organisation, **{k: str(v).strip() for k, v in values.items()}}
        problems = organisation_problems(merged)
        if not problems:
            merged["privacy_contact_email"] = check_email(merged["privacy_contact_email"]).value
            self.organisation = merged
        return problems

    def set_deadlines(self, rule: str, country: str) -> dict[str, str]:
        problems = deadline_problems(rule, country)
        if not problems:
            self.app = {**self.app, "deadline_rule": dl.parse_rule(rule).value,
                        "holiday_country": country.strip().upper()}
        return problems

    # ---- finishing -----------------------------------------------------------------------------
    def key(self) -> Key:
        """The new store's key; a raw key goes into the keyring now. Raises KeyringUnavailable."""
        if self.mode == "env":
            return Key.passphrase(keys.env_passphrase() or "")
        if self.mode == "passphrase":
            if self._passphrase is None:
                raise ValueError("no passphrase was chosen")
            return Key.passphrase(self._passphrase)
        key = Key.new_raw()
        keys.keyring_set(self.path, key)  # before the store exists: never a store without its key
        return key

    def fall_back_to_passphrase(self, reason: str) -> None:
        self.mode, self.reason, self._passphrase = "passphrase", reason, None

    def create_store(self, key: Key):
        """Create the store and save the profile and deadlines (audited). Runs on a worker."""
        try:
            services = self.create(self.path, key, self.staff)
        except BaseException:
            if key.kind == "raw":
                keys.keyring_delete(self.path)
            raise
        services.settings.set("organisation", self.organisation)
        services.settings.set("app", self.app)
        remember_store_path(self.path)  # so the next start (GUI or CLI) finds a non-default location
        return services

    def forget_secret(self) -> None:
        self._passphrase = None


def _row(form: QFormLayout, label: str, widget: QWidget, name: str) -> QWidget:
    widget.setAccessibleName(name)
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, widget)
    return widget


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
        self.staff = _row(self.form, "&Your name (in the audit trail):", QLineEdit(c.staff), "Your name")

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
        self.pass1 = _row(self.form, "&Passphrase:", QLineEdit(), "Passphrase")
        self.pass2 = _row(self.form, "&Repeat passphrase:", QLineEdit(), "Repeat passphrase")
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
        }.get(self.c.mode, f"Choose a passphrase of at least {keys.MIN_PASSPHRASE} characters. It "
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
            "controller_name": _row(self.form, "&Organisation (controller):",
                                    QLineEdit(org.get("controller_name", "")), "Organisation name"),
            "controller_address": _row(self.form, "&Address:", QPlainTextEdit(org.get("controller_address", "")),
                                       "Postal address"),
            "privacy_contact_email": _row(self.form, "Privacy &contact email:",
                                          QLineEdit(org.get("privacy_contact_email", "")), "Privacy contact email"),
            "supervisory_authority": _row(self.form, "&Supervisory authority:",
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


class DeadlinesPage(_Page):
    def __init__(self, c: FirstRunController) -> None:
        super().__init__("Deadlines", "How due dates of data-subject requests are counted.")
        self.c = c
        self.rule = _row(self.form, "Deadline &rule:", QComboBox(), "Deadline rule")
        for rule in dl.DeadlineRule:
            self.rule.addItem(rule.label, rule.value)
        self.rule.setCurrentIndex(max(0, self.rule.findData(c.app.get("deadline_rule", "policy30"))))
        self.country = _row(self.form, "Public holidays of &country:", QComboBox(), "Holiday country")
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
                      DeadlinesPage(controller), RetentionPage(controller)]
        for page in self.pages:
            self.addPage(page)
        self.setButtonText(QWizard.FinishButton, "&Create store")

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


__all__ = ["FirstRunController", "FirstRunWizard", "organisation_problems", "deadline_problems",
           "holiday_countries"]
