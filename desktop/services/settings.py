"""Settings that are compliance facts: stored encrypted, defaults from resources/, changes audited.

SettingsService.set validates what it stores (ValidationError / PolicyError, nothing written): the
organisation profile, the deadline rule and calendar, the idle lock and phone region, the
retention policies. The first-run wizard and the Settings page show the same checks before saving
(organisation_problems, app_problems), so a person sees every problem at once, by field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from desktop.domain import deadlines as dl
from desktop.domain.validation import ValidationError, check_email
from desktop.paths import resource
from desktop.services.context import Context

MAX_IDLE_MINUTES = 240


@cache
def _defaults(name: str) -> dict:
    return json.loads(resource("defaults", f"{name}.json").read_text(encoding="utf-8"))


def defaults(name: str) -> dict:
    """The shipped defaults resources/defaults/<name>.json ({} when there are none); read once."""
    try:
        return dict(_defaults(name))
    except FileNotFoundError:
        return {}


@dataclass(frozen=True)
class Notice:
    """A version of the organisation's privacy notice, as the intake form shows it."""

    text: str
    version: str
    organisation: str
    contact: str
    saved_at: datetime | None = None  # None: the shipped default, never saved
    saved_by: str = ""


def default_notice_text(org: dict) -> str:
    """The shipped notice (resources/defaults/organisation.json privacy_notice_template), naming
    the organisation and privacy contact given, for a profile that has no notice of its own yet."""
    template = str(defaults("organisation").get("privacy_notice_template") or "")
    name = str(org.get("controller_name") or "").strip() or "We"
    contact = str(org.get("privacy_contact_email") or "").strip() or "our privacy contact"
    return template.replace("{organisation}", name).replace("{contact}", contact)


def with_notice(org: dict) -> dict:
    """The profile with its privacy notice: the shipped one (naming this organisation) when unset."""
    out = {k: v for k, v in org.items() if k != "privacy_notice_template"}
    if not str(out.get("privacy_notice_text") or "").strip():
        out["privacy_notice_text"] = default_notice_text(out)
    out.setdefault("privacy_notice_version", "standard-1")
    return out


def next_notice_version(at: datetime, taken: set[str]) -> str:
    """A new version label: the date it was saved, with -2, -3 ... for further saves that day."""
    base = at.date().isoformat()
    label, n = base, 1
    while label in taken:
        n += 1
        label = f"{base}-{n}"
    return label


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
    if "privacy_notice_text" in org and not str(org.get("privacy_notice_text") or "").strip():
        problems["privacy_notice_text"] = "Write the privacy notice people are shown at intake."
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


def app_problems(values: dict) -> dict[str, str]:
    """field -> message for the app settings given (each checked only when present)."""
    problems: dict[str, str] = {}
    if "deadline_rule" in values or "holiday_country" in values:
        found = deadline_problems(str(values.get("deadline_rule", dl.DEFAULT_RULE.value)),
                                  str(values.get("holiday_country", "GB")))
        problems.update({k: v for k, v in found.items() if k in values})
    if "idle_lock_minutes" in values:
        minutes = values["idle_lock_minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_IDLE_MINUTES:
            problems["idle_lock_minutes"] = f"Idle lock must be 1 to {MAX_IDLE_MINUTES} minutes."
    if "default_phone_region" in values:
        import phonenumbers

        if values["default_phone_region"] not in phonenumbers.SUPPORTED_REGIONS:
            problems["default_phone_region"] = "Choose a phone region."
    if "web_form_timezone" in values:
        from zoneinfo import available_timezones

        if values["web_form_timezone"] not in available_timezones():
            problems["web_form_timezone"] = "Choose the web site's time zone (e.g. Europe/London)."
    return problems


def problems(key: str, value: object) -> dict[str, str]:
    """What is wrong with storing `value` under `key` ({}: nothing). Retention policies are
    checked by the domain's parser (domain/retention/), which raises PolicyError."""
    if key == "organisation":
        return organisation_problems(value) if isinstance(value, dict) else {key: "expected a profile"}
    if key == "app":
        return app_problems(value) if isinstance(value, dict) else {key: "expected settings"}
    if key == "retention":
        from desktop.domain.retention import parse_policies

        parse_policies(value)
    return {}


class SettingsService:
    """Keys: 'organisation' (dict), 'app' (dict), and whatever other services register."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def get(self, key: str) -> dict:
        stored = self.ctx.settings_repo.get(key)
        base = defaults(key)
        if isinstance(stored, dict):
            base.update(stored)
            return with_notice(base) if key == "organisation" else base
        if stored is not None:
            return stored  # type: ignore[return-value]
        return with_notice(base) if key == "organisation" else base

    def raw(self, key: str) -> str | None:
        """The stored JSON text of a setting (None when unset): cheap to compare before parsing."""
        return self.ctx.settings_repo.raw(key)

    def set(self, key: str, value: dict) -> None:
        """Validate (ValidationError by field, or PolicyError; nothing written), store, audit."""
        found = problems(key, value)
        if found:
            raise ValidationError(found)
        before = self.get(key)
        with self.ctx.vault.transaction():
            if key == "organisation":
                value = self._version_notice(dict(value), before)
            self.ctx.settings_repo.set(key, value, self.ctx.now(), self.ctx.staff)
            changed = sorted(k for k in set(before) | set(value) if before.get(k) != value.get(k)) \
                if isinstance(value, dict) and isinstance(before, dict) else []
            # "none": the values shown were confirmed and stored as they were (first-run wizard)
            self.ctx.audit("settings.change", f"settings:{key}", "fields=" + (",".join(changed) or "none"))

    def _version_notice(self, value: dict, before: dict) -> dict:
        """Each save of a changed notice text is a new version (dated, who saved it); the caller's
        version label is not trusted. The first save also records the notice shown until then."""
        value = with_notice(value)
        if str(value["privacy_notice_text"]).strip() == default_notice_text(before).strip():
            value["privacy_notice_text"] = default_notice_text(value)  # the shipped notice follows the name
        text = str(value["privacy_notice_text"]).strip()
        value["privacy_notice_text"] = text
        history = self.ctx.settings_repo.notice_versions()
        if text == str(before.get("privacy_notice_text") or "").strip():
            value["privacy_notice_version"] = str(before.get("privacy_notice_version") or "standard-1")
            if history:
                return value
        else:
            if not history and self.ctx.cases.count():  # the notice cases acknowledged until now stays on record
                self.ctx.settings_repo.add_notice_version(
                    str(before.get("privacy_notice_version") or "standard-1"),
                    str(before.get("privacy_notice_text") or ""), str(before.get("controller_name") or ""),
                    str(before.get("privacy_contact_email") or ""), self.ctx.now(), "shipped with the app")
                history = self.ctx.settings_repo.notice_versions()
            value["privacy_notice_version"] = next_notice_version(self.ctx.now(), {h["version"] for h in history})
        self.ctx.settings_repo.add_notice_version(
            value["privacy_notice_version"], text, str(value.get("controller_name") or ""),
            str(value.get("privacy_contact_email") or ""), self.ctx.now(), self.ctx.staff)
        self.ctx.audit("settings.notice_version", "settings:organisation", "version=" + value["privacy_notice_version"])
        return value

    def organisation(self) -> dict:
        return self.get("organisation")

    def notice(self) -> Notice:
        """The privacy notice shown at intake now: the organisation's current version."""
        org = self.organisation()
        version = str(org.get("privacy_notice_version") or "standard-1")
        saved = next((h for h in self.ctx.settings_repo.notice_versions() if h["version"] == version), None)
        return Notice(str(org["privacy_notice_text"]), version, str(org.get("controller_name") or ""),
                      str(org.get("privacy_contact_email") or ""),
                      saved["saved_at"] if saved else None, saved["saved_by"] if saved else "")

    def notice_history(self) -> list[Notice]:
        """Every version of the notice, newest first (only the current one when none was saved)."""
        rows = self.ctx.settings_repo.notice_versions()
        if not rows:
            return [self.notice()]
        return [Notice(h["text"], h["version"], h["organisation"], h["contact"], h["saved_at"], h["saved_by"])
                for h in reversed(rows)]

    def app(self) -> dict:
        return self.get("app")

    @property
    def phone_region(self) -> str:
        return str(self.app().get("default_phone_region", "GB"))

    @property
    def web_form_timezone(self) -> str:
        """The time zone of the web site whose form exports are imported (site-local times)."""
        return str(self.app().get("web_form_timezone", "UTC"))

    @property
    def notice_version(self) -> str:
        return str(self.organisation().get("privacy_notice_version") or "standard-1")
