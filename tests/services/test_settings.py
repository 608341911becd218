"""Settings changes are audited by the fields they change, never with their values."""

from __future__ import annotations


def test_settings_change_names_changed_fields_and_says_none_when_confirmed_unchanged(services):
    app = services.settings.app()
    services.settings.set("app", dict(app))  # e.g. the first-run wizard confirming the defaults
    services.settings.set("app", {**app, "idle_lock_minutes": 9})
    details = [e.detail for e in services.audit.entries(action="settings.change")]
    assert sorted(details) == ["fields=idle_lock_minutes", "fields=none"]
    assert services.settings.app()["idle_lock_minutes"] == 9
