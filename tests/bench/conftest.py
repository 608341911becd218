"""The bench's plaintext switch replaces the store's connect function for the whole process: every
bench test gets the real one back afterwards, so no later test runs over the bench's wrapper."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _real_connect_restored(monkeypatch):
    import desktop.store.connection as connection_module
    import desktop.store.vault as vault_module

    # monkeypatch puts back whatever these names held before the test, wrapper or not
    monkeypatch.setattr(vault_module, "_connect", vault_module._connect)
    monkeypatch.setattr(connection_module, "connect", connection_module.connect)
    yield
