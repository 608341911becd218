"""Schema 10 (issue 14): the privacy notice's versions. A store whose organisation profile was
saved before keeps that notice as its first version; later saves of a changed text add versions."""

from __future__ import annotations

from desktop.app import build_services
from desktop.store.keys import Key
from desktop.store.schema import LATEST
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE, T0


def test_a_store_saved_before_schema_10_gets_its_notice_as_the_first_version(store_path, clock):
    key = Key.passphrase(PASSPHRASE)
    vault = Vault.create(store_path, key)
    services = build_services(vault, clock=clock, staff="tester")
    org = services.settings.organisation()
    with vault.transaction() as c:  # the profile as an older app stored it, its own version label
        services.ctx.settings_repo.set("organisation", {**org, "privacy_notice_text": "Our old notice.",
                                                        "privacy_notice_version": "acme-2024-01"}, T0, "olga")
        c.execute("DROP TABLE notice_versions")
        c.execute("PRAGMA user_version = 8")
    vault.close()

    vault = Vault.open(store_path, key)
    try:
        assert vault.user_version() == LATEST >= 10
        services = build_services(vault, clock=clock, staff="tester")
        [first] = services.settings.notice_history()
        assert (first.version, first.text, first.saved_by, first.saved_at) == ("acme-2024-01", "Our old notice.",
                                                                              "olga", T0)
        assert services.settings.notice() == first
        services.settings.set("organisation", {**services.settings.organisation(),
                                               "privacy_notice_text": "Our new notice."})
        assert [n.version for n in services.settings.notice_history()] == [T0.date().isoformat(), "acme-2024-01"]
    finally:
        vault.close()
