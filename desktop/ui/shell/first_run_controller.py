"""First run without widgets: the checks of each wizard page, the key choice, creating the store.

FirstRunController holds the behaviour of shell/first_run_wizard.py (checks, key choice, creating
the store, saving settings) so it can be tested without a window; the pages only lay out inputs and
show its messages. The key goes into the keyring before the store exists (never a store without its
key), the create callable builds the services, and a failed creation removes the keyring entry again.
The organisation and deadline checks are also what the Settings page uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from desktop.domain import deadlines as dl
from desktop.domain.validation import check_email
from desktop.paths import remember_store_path, resource
from desktop.store import keys
from desktop.store.keys import Key

# create(path, key, staff) -> Services (desktop.bootstrap.create_services with the staff name)
CreateStore = Callable[[Path, Key, str], object]


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


__all__ = ["CreateStore", "FirstRunController", "organisation_problems", "deadline_problems",
           "holiday_countries", "retention_rows"]
