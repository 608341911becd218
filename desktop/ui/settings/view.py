"""Settings: organisation profile, recipients, retention policies, deadlines, idle lock, phone region.

All of these are compliance facts kept in the encrypted store; every save goes through the
services (SettingsService.set / RetentionService.set_policies), which audit it. SettingsController
holds the checks and the saving so it can be tested without a window; SettingsView lays out inputs.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import deadlines as dl
from desktop.domain.retention import PolicyError, parse_policies
from desktop.services.settings import MAX_IDLE_MINUTES, app_problems, organisation_problems
from desktop.ui.settings.notice_tab import NoticeTab
from desktop.ui.settings.policies import PolicyTable, named_by_label
from desktop.ui.settings.recipients_tab import RECIPIENT_COLUMNS, RecipientsTab
from desktop.ui.shell.first_run_controller import holiday_countries
from desktop.ui.widgets.forms import labelled_row
from desktop.ui.widgets.jobs import Runner, TaskRunner
from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import OK_STYLE, error_label

# every organisation field the access report prints is asked here (and in the first-run wizard)
ORG_TEXT = ("controller_name", "controller_address", "privacy_contact_email", "alternative_privacy_contact",
            "dpo_contact", "supervisory_authority", "data_source", "automated_decision_making",
            "transfer_safeguards")
MULTI_LINE = ("controller_address", "supervisory_authority", "data_source", "automated_decision_making",
              "transfer_safeguards")
# mail intake settings (key "mail"; shipped defaults in resources/defaults/mail.json)
MAIL_TOGGLES = (("mask_third_party_addresses", "Mas&k other people's addresses in diagnoses",
                 "A bounce names its failed recipients: show and store them as ***@domain"),
                ("name_from_reply_to", "Take the person from Reply-To when a mail has one",
                 "Pre-fill the name and email from Reply-To instead of From"))



@cache
def _timezones() -> tuple[str, ...]:
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))

class SettingsController:
    def __init__(self, services) -> None:
        self.services = services

    @property
    def has_retention(self) -> bool:
        return getattr(self.services, "retention", None) is not None

    def organisation(self) -> dict:
        return self.services.settings.organisation()

    def app(self) -> dict:
        return self.services.settings.app()

    def notice(self):
        return self.services.settings.notice()

    def notice_history(self) -> list:
        return self.services.settings.notice_history()

    def policies(self) -> list[dict]:
        if self.has_retention:
            return [p.to_dict() for p in self.services.retention.policies()]
        return list(self.services.settings.get("retention").get("policies") or [])

    def save_organisation(self, values: dict, recipients: list[dict]) -> tuple[bool, dict[str, str]]:
        """(saved?, problems). Recipients rows with every cell empty are dropped."""
        rows = [{k: str(r.get(k, "")).strip() for k in RECIPIENT_COLUMNS} for r in recipients]
        rows = [r for r in rows if any(r.values())]
        problems = organisation_problems(values)
        if any(not r["name"] for r in rows):
            problems["recipients"] = "Every recipient needs a name."
        if problems:
            return False, problems
        before = self.organisation()
        after = {**before, **{k: str(v).strip() for k, v in values.items()}, "recipients": rows}
        if after == before:
            return False, {}
        self.services.settings.set("organisation", after)
        return True, {}

    def save_app(self, values: dict) -> tuple[bool, dict[str, str]]:
        keys = ("deadline_rule", "holiday_country", "idle_lock_minutes", "default_phone_region")
        problems = app_problems({**{k: values.get(k) for k in keys}, **values})
        if problems:
            return False, problems
        before = self.app()
        after = {**before, **values}
        if after == before:
            return False, {}
        self.services.settings.set("app", after)
        return True, {}

    def policies_with(self, edits: dict[str, tuple[int, str]]) -> tuple[list[dict] | None, str | None]:
        """The policy list with (period, unit) edits applied, or None if unchanged; or an error."""
        current = self.policies()
        updated = [{**p, **({"period": edits[p["id"]][0], "unit": edits[p["id"]][1]} if p["id"] in edits else {})}
                   for p in current]
        if updated == current:
            return None, None
        try:
            parse_policies({"policies": updated})
        except PolicyError as exc:
            return None, "; ".join(named_by_label(p, updated) for p in exc.problems)
        return updated, None

    def mail(self) -> dict:
        return self.services.settings.get("mail")

    def save_mail(self, values: dict) -> bool:
        """Store the mail intake toggles (audited by SettingsService); False when unchanged."""
        before = self.mail()
        after = {**before, **{k: bool(v) for k, v in values.items()}}
        if after == before:
            return False
        self.services.settings.set("mail", after)
        return True

    def save_policies(self, policies: list[dict]) -> None:
        """Runs on a worker: set_policies recomputes every case's timer."""
        if self.has_retention:
            self.services.retention.set_policies({"policies": policies})
        else:
            self.services.settings.set("retention", {"policies": policies})


class SettingsView(QWidget):
    saved = Signal(list)  # names of the sections saved

    def __init__(self, controller: SettingsController, *, runner: Runner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.c = controller
        self.runner = runner or TaskRunner()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._organisation_tab(), "&Organisation")
        self.tabs.addTab(self._recipients_tab(), "Re&cipients")
        self.tabs.addTab(self._retention_tab(), "R&etention")
        self.tabs.addTab(self._desk_tab(), "&Deadlines and desk")
        self.notice_tab = NoticeTab()
        self.tabs.addTab(self.notice_tab, "Privacy no&tice")
        self.tabs.addTab(self._mail_tab(), "Mail inta&ke")
        self.error = error_label("Settings problem")
        self.status = SpokenLabel("Settings")  # "Settings: Saved: …"; hidden (not exposed) while empty
        self.status.setStyleSheet(OK_STYLE)
        self.status.setTextFormat(Qt.PlainText)
        self.save_button = QPushButton("&Save settings")
        self.save_button.setToolTip("Save settings (Ctrl+Enter); every change is audited")
        self.save_button.clicked.connect(self.save)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(seq), self, activated=self.save)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)  # the keyword was ignored: it was window-wide
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addStretch(1)  # the button stays at the right while the status is hidden
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Settings</h2>")
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self._checked_error = False
        self.policies.edited.connect(self.recheck)
        for widget in self.org.values():
            widget.textChanged.connect(self.recheck)
        self.load()

    # ---- tabs -----------------------------------------------------------------------------------
    def _organisation_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)  # rows stay together at the top instead of spreading over the tab
        captions = {"controller_name": ("Organisation (co&ntroller):", "Organisation name"),
                    "controller_address": ("&Address:", "Postal address"),
                    "privacy_contact_email": ("&Privacy contact email:", "Privacy contact email"),
                    "alternative_privacy_contact": ("A&lternative contact:", "Alternative privacy contact"),
                    "dpo_contact": ("Data protection off&icer:", "Data protection officer"),
                    "supervisory_authority": ("Supervisory a&uthority:", "Supervisory authority"),
                    "data_source": ("&Where data comes from:", "Where data comes from"),
                    "automated_decision_making": ("Auto&mated decisions:", "Automated decision-making"),
                    "transfer_safeguards": ("Transfers a&broad:", "Transfers outside the country")}
        self.org = {}
        for key in ORG_TEXT:
            multi = key in MULTI_LINE
            widget = QPlainTextEdit() if multi else QLineEdit()
            if multi:
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(52)
            else:
                widget.setPlaceholderText("optional: left out of access reports when empty"
                                          if key in ("alternative_privacy_contact", "dpo_contact") else "")
            self.org[key] = labelled_row(form, captions[key][0], widget, captions[key][1])
        return page

    def _recipients_tab(self) -> QWidget:
        self.recipients_tab = RecipientsTab()
        self.recipients = self.recipients_tab.table
        self.remove_button = self.recipients_tab.remove_button
        return self.recipients_tab

    def _retention_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Change how long data is kept; saving recomputes every case's timer."))
        self.policies = PolicyTable()
        layout.addWidget(self.policies, 1)
        return page

    def _desk_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)
        self.rule = labelled_row(form, "Deadli&ne rule:", QComboBox(), "Deadline rule")
        for rule in dl.DeadlineRule:
            self.rule.addItem(rule.label, rule.value)
        self.country = labelled_row(form, "Public holidays of &country:", QComboBox(), "Holiday country")
        for code, name in holiday_countries():
            self.country.addItem(f"{name} ({code})", code)
        self.idle = labelled_row(form, "&Lock after idle (minutes):", QSpinBox(), "Idle lock minutes")
        self.idle.setRange(1, MAX_IDLE_MINUTES)
        self.region = labelled_row(form, "Default &phone region:", QComboBox(), "Default phone region")
        for region in sorted(phonenumbers.SUPPORTED_REGIONS):
            self.region.addItem(region, region)
        # site-local times of web-form exports are read in this zone (File › Import…, `import`)
        self.web_tz = labelled_row(form, "&Web-form time zone:", QComboBox(), "Web-form time zone")
        for zone in _timezones():
            self.web_tz.addItem(zone, zone)
        return page

    def _mail_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.mail_toggles: dict[str, QCheckBox] = {}
        for key, caption, tip in MAIL_TOGGLES:
            box = QCheckBox(caption)
            box.setToolTip(tip)
            box.setAccessibleName(caption.replace("&", ""))
            column.addWidget(box)
            self.mail_toggles[key] = box
        note = QLabel("Masking applies to diagnoses read or imported from now on; what is already stored "
                      "stays as it was stored.")
        note.setWordWrap(True)
        column.addWidget(note)
        column.addStretch(1)
        return page

    # ---- data -----------------------------------------------------------------------------------
    def load(self) -> None:
        org = self.c.organisation()
        for key, widget in self.org.items():
            text = str(org.get(key) or "")
            widget.setPlainText(text) if isinstance(widget, QPlainTextEdit) else widget.setText(text)
        self.recipients_tab.load(org.get("recipients") or [])
        self.notice_tab.load(self.c.notice(), self.c.notice_history())
        self.policies.show_policies(self.c.policies())
        app = self.c.app()
        self.rule.setCurrentIndex(max(0, self.rule.findData(str(app.get("deadline_rule", "policy30")))))
        self.country.setCurrentIndex(max(0, self.country.findData(str(app.get("holiday_country", "GB")))))
        self.idle.setValue(int(app.get("idle_lock_minutes", 5)))
        self.region.setCurrentIndex(max(0, self.region.findData(str(app.get("default_phone_region", "GB")))))
        self.web_tz.setCurrentIndex(max(0, self.web_tz.findData(str(app.get("web_form_timezone", "UTC")))))
        mail = self.c.mail()
        for key, box in self.mail_toggles.items():
            box.setChecked(bool(mail.get(key, key == "mask_third_party_addresses")))

    def view_shown(self) -> None:
        self.load()

    def add_recipient(self, values: list[str] | None = None) -> None:
        self.recipients_tab.add(values)

    def remove_recipient(self) -> None:
        self.recipients_tab.remove_selected()

    def _recipient_rows(self) -> list[dict]:
        return self.recipients_tab.rows()

    def _policy_edits(self) -> dict[str, tuple[int, str]] | str:
        return self.policies.edits()

    def save(self) -> None:
        self.status.clear()
        self.error.hide()
        org_values = self._org_values()
        app_values = {"deadline_rule": self.rule.currentData(), "holiday_country": self.country.currentData(),
                      "idle_lock_minutes": self.idle.value(), "default_phone_region": self.region.currentData(),
                      "web_form_timezone": self.web_tz.currentData()}
        policies, problems = self._checked(org_values)
        if problems:
            return self._fail(" ".join(problems.values()), checked=True)
        try:
            sections = []
            ok, problems = self.c.save_organisation(org_values, self._recipient_rows())
            if problems:
                return self._fail(" ".join(problems.values()))
            sections += ["organisation"] if ok else []
            ok, problems = self.c.save_app(app_values)
            if problems:
                return self._fail(" ".join(problems.values()))
            sections += ["deadlines and desk"] if ok else []
            if self.c.save_mail({k: box.isChecked() for k, box in self.mail_toggles.items()}):
                sections.append("mail intake")
        except Exception as exc:  # a store error: one line, never a traceback
            return self._fail("Not saved: " + user_message(exc))
        if policies is None:
            return self._done(sections)
        self.save_button.setEnabled(False)
        self.status.setText("Saving retention policies and recomputing timers…")
        self.runner.run_task(lambda: self.c.save_policies(policies),
                             lambda _r: self._done(sections + ["retention"]), self._policy_failed)

    def _org_values(self) -> dict:
        values = {k: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()) for k, w in self.org.items()}
        values["privacy_notice_text"] = self.notice_tab.value()
        return values

    def _checked(self, org_values: dict) -> tuple[list[dict] | None, dict[str, str]]:
        """(policies to save or None, the problems a save would refuse before writing anything)."""
        edits = self._policy_edits()
        policies, policy_problem = (None, edits) if isinstance(edits, str) else self.c.policies_with(edits)
        problems = dict(organisation_problems(org_values))
        if policy_problem:
            problems["retention"] = policy_problem
        return policies, problems

    def recheck(self) -> None:
        """After an edit: a shown problem that is now fixed goes away at once (not at the next save);
        the ones still there stay, in the same words."""
        if not self._checked_error or self.error.isHidden():
            return
        _policies, problems = self._checked(self._org_values())
        if problems:
            self.error.setText(" ".join(problems.values()))
        else:
            self.error.hide()
            self._checked_error = False

    def _policy_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.status.clear()
        self._fail("Retention policies not saved: " + user_message(exc))

    def _fail(self, text: str, *, checked: bool = False) -> None:
        self._checked_error = checked  # a problem recheck() can tell is fixed (not a store error)
        self.error.setText(text)
        self.error.show()

    def _done(self, sections: list[str]) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(("Saved: " + ", ".join(sections) + ".") if sections else "No changes to save.")
        if sections:
            self.load()
            self.saved.emit(sections)


__all__ = ["SettingsController", "SettingsView"]
