"""Settings that are compliance facts: stored encrypted, defaults from resources/, changes audited."""

from __future__ import annotations

import json
from functools import cache

from desktop.paths import resource
from desktop.services.context import Context


@cache
def _defaults(name: str) -> dict:
    return json.loads(resource("defaults", f"{name}.json").read_text(encoding="utf-8"))


class SettingsService:
    """Keys: 'organisation' (dict), 'app' (dict), and whatever other services register."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def get(self, key: str) -> dict:
        stored = self.ctx.settings_repo.get(key)
        try:
            base = dict(_defaults(key))
        except FileNotFoundError:
            base = {}
        if isinstance(stored, dict):
            base.update(stored)
            return base
        if stored is not None:
            return stored  # type: ignore[return-value]
        return base

    def set(self, key: str, value: dict) -> None:
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
    def web_form_timezone(self) -> str:
        """The time zone of the web site whose form exports are imported (site-local times)."""
        return str(self.app().get("web_form_timezone", "UTC"))

    @property
    def notice_version(self) -> str:
        return str(self.organisation().get("privacy_notice_version", "unversioned"))
