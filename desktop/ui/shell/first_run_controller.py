"""First run without widgets: the checks of each wizard page, the key choice, creating the store.

FirstRunController holds the behaviour of shell/first_run_wizard.py (checks, key choice, creating
the store, saving settings) so it can be tested without a window; the pages only lay out inputs and
show its messages. The key goes into the keyring before the store exists (never a store without its
key), the create callable builds the services, and a failed creation removes the keyring entry again.
The organisation and deadline checks are SettingsService's (services/settings.py), as on the Settings page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.domain import deadlines as dl
from desktop.domain.retention.wording import review_rows
from desktop.domain.validation import check_email
from desktop.paths import remember_store_path
from desktop.services import session
from desktop.services.session import Key
from desktop.services.settings import (
    deadline_problems,
    default_notice_text,
    defaults,
    organisation_problems,
    with_notice,
)

# create(path, key, staff) -> Services (desktop.app's session().creator(): create_services with the staff name)
CreateStore = Callable[[Path, Key, str], object]


def holiday_countries() -> list[tuple[str, str]]:
    """(code, name) for every country the holidays library knows, sorted by name."""
    from holidays.registry import COUNTRIES

    pairs = {(v[1], k.replace("_", " ").title()) for k, v in COUNTRIES.items()}
    return sorted(pairs, key=lambda p: p[1])


def retention_rows() -> list[tuple[str, str, str, str]]:
    """(label, period, action, reason) of the shipped retention defaults, for review."""
    return review_rows(defaults("retention"))


class FirstRunController:
    """Everything the wizard decides, without widgets. finish() returns the new Services."""

    def __init__(self, path: Path, create: CreateStore, *, staff: str = "") -> None:
        self.path = Path(path)
        self.create = create
        self.staff = staff
        self.organisation = with_notice(defaults("organisation"))
        self.app = defaults("app")
        self.mode, self.reason = session.new_store_mode()
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
        problem = session.passphrase_problem(first)
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

    def set_report_details(self, values: dict) -> dict[str, str]:
        """The optional contacts and the texts access reports print (none may be a placeholder)."""
        merged = {**self.organisation, **{k: str(v).strip() for k, v in values.items()}}
        problems = {}
        for key, what in (("data_source", "where the data comes from"),
                          ("automated_decision_making", "whether automated decisions are made")):
            if not merged.get(key):
                problems[key] = f"Say {what}: every access report prints it."
        if not problems:
            self.organisation = merged
        return problems

    def notice_text(self) -> str:
        """The shipped privacy notice, naming the organisation and contact entered."""
        return default_notice_text(self.organisation)

    def set_notice(self, text: str) -> str | None:
        if not text.strip():
            return "Write the privacy notice people are shown at intake."
        self.organisation = {**self.organisation, "privacy_notice_text": text.strip()}
        return None

    def set_deadlines(self, rule: str, country: str) -> dict[str, str]:
        problems = deadline_problems(rule, country)
        if not problems:
            self.app = {**self.app, "deadline_rule": dl.parse_rule(rule).value,
                        "holiday_country": country.strip().upper()}
        return problems

    # ---- finishing -----------------------------------------------------------------------------
    def key(self) -> Key:
        """The new store's key; a raw key goes into the keyring now. Raises KeyringUnavailable."""
        return session.new_key(self.path, self.mode, self._passphrase)

    def fall_back_to_passphrase(self, reason: str) -> None:
        self.mode, self.reason, self._passphrase = "passphrase", reason, None

    def create_store(self, key: Key):
        """Create the store and save the profile and deadlines (audited). Runs on a worker."""
        services = session.create_store(self.create, self.path, key, self.staff)  # no orphaned key on failure
        services.settings.set("organisation", self.organisation)
        services.settings.set("app", self.app)
        remember_store_path(self.path)  # so the next start (GUI or CLI) finds a non-default location
        return services

    def forget_secret(self) -> None:
        self._passphrase = None


__all__ = ["CreateStore", "FirstRunController", "organisation_problems", "deadline_problems",
           "holiday_countries", "retention_rows"]
