"""Settings that are compliance facts: stored encrypted, defaults from resources/, changes audited.

SettingsService.set validates what it stores (ValidationError / PolicyError, nothing written): the
organisation profile, the deadline rule and calendar, the idle lock and phone region, the
retention policies. The first-run wizard and the Settings page show the same checks before saving
(organisation_problems, app_problems), so a person sees every problem at once, by field."""

from __future__ import annotations

import json
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
            return base
        if stored is not None:
            return stored  # type: ignore[return-value]
        return base

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
            self.ctx.settings_repo.set(key, value, self.ctx.now(), self.ctx.staff)
            changed = sorted(k for k in set(before) | set(value) if before.get(k) != value.get(k)) \
                if isinstance(value, dict) and isinstance(before, dict) else []
            # "none": the values shown were confirmed and stored as they were (first-run wizard)
            self.ctx.audit("settings.change", f"settings:{key}", "fields=" + (",".join(changed) or "none"))

    def organisation(self) -> dict:
        return self.get("organisation")

    def app(self) -> dict:
        return self.get("app")

    @property
    def phone_region(self) -> str:
        return str(self.app().get("default_phone_region", "GB"))

    @property
    def notice_version(self) -> str:
        return str(self.organisation().get("privacy_notice_version", "unversioned"))
