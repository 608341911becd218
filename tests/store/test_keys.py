"""Key sources: env passphrase, OS keyring, prompt; the no-keyring path."""

from __future__ import annotations

import pytest

from desktop.errors import KeyringUnavailable
from desktop.store import keys
from desktop.store.keys import Key


def test_key_repr_never_shows_the_secret():
    key = Key.passphrase("super secret words")
    assert "super secret" not in repr(key)
    raw = Key.new_raw()
    assert raw.secret not in repr(raw) and len(raw.secret) == 64


def test_new_store_uses_keyring_when_available(tmp_path, memory_keyring):
    path = tmp_path / "s.db"
    resolution = keys.key_for_new_store(path, prompt=None)
    assert resolution.source == "keyring" and resolution.key.kind == "raw"
    keys.keyring_set(path, resolution.key)
    assert memory_keyring.store[("helpdesk-intake", str(path.resolve()))] == resolution.key.secret
    again = keys.key_for_existing_store(path, prompt=None)
    assert again.source == "keyring" and again.key.secret == resolution.key.secret


def test_env_passphrase_comes_first(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", "from the environment")
    res = keys.key_for_existing_store(tmp_path / "s.db", prompt=lambda m, c: "prompted!")
    assert res.source == "env" and res.key.secret == "from the environment"


def test_no_keyring_asks_for_a_passphrase_and_says_why(tmp_path, fail_keyring):
    asked = []

    def prompt(message, confirm):
        asked.append((message, confirm))
        return "a long enough passphrase"

    res = keys.key_for_new_store(tmp_path / "s.db", prompt)
    assert res.source == "prompt" and res.key.kind == "passphrase"
    assert "keyring" in asked[0][0].lower() and asked[0][1] is True
    assert res.note and "passphrase" in res.note


def test_no_keyring_without_prompt_gives_no_key(tmp_path, fail_keyring):
    res = keys.key_for_new_store(tmp_path / "s.db", prompt=None)
    assert res.key is None and "keyring" in res.note.lower()
    with pytest.raises(KeyringUnavailable):
        keys.keyring_set(tmp_path / "s.db", Key.new_raw())


def test_short_passphrase_refused(tmp_path, fail_keyring):
    with pytest.raises(ValueError, match="at least"):
        keys.key_for_new_store(tmp_path / "s.db", lambda m, c: "short")


def test_existing_store_prompt_when_keyring_empty(tmp_path, memory_keyring):
    res = keys.key_for_existing_store(tmp_path / "s.db", prompt=lambda m, c: "typed passphrase")
    assert res.source == "prompt" and res.key.secret == "typed passphrase"


def test_passphrase_with_quotes_round_trips(tmp_path):
    from desktop.store.vault import Vault

    key = Key.passphrase("it's a \"quoted\" pass; --")
    Vault.create(tmp_path / "q.db", key).close()
    Vault.open(tmp_path / "q.db", key).close()


FAKE_BACKENDS = '''
from keyring.backend import KeyringBackend
from keyring.compat import properties


class _Base(KeyringBackend):
    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        pass


class Broken(_Base):
    @properties.classproperty
    def priority(cls):
        raise RuntimeError("no D-Bus here")


class Good(_Base):
    priority = 5


class Better(_Base):
    priority = 6
'''

CHOOSE = '''
import sys
from desktop.store import keys
keys.NATIVE_BACKENDS[keys._platform()] = ("fake_backends:Broken", "fake_backends:Good", "fake_backends:Better",
                                          "no_such_module:Keyring")
print(keys.keyring_reason())
import keyring
print(type(keyring.get_keyring()).__name__)
print("keyring.backends.macOS" in sys.modules or "keyring.backends.Windows" in sys.modules)
'''


def _choose(tmp_path, **env):
    import os
    import subprocess
    import sys

    (tmp_path / "fake_backends.py").write_text(FAKE_BACKENDS, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    environment["PYTHONPATH"] = os.pathsep.join([str(tmp_path), os.getcwd()])
    environment["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no keyringrc.cfg
    environment.update(env)
    result = subprocess.run([sys.executable, "-c", CHOOSE], capture_output=True, text=True, timeout=60,
                            env=environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[:3]


def test_the_systems_own_keyring_is_chosen_without_loading_other_systems_backends(tmp_path):
    reason, chosen, foreign_loaded = _choose(tmp_path)
    assert reason == "None" and chosen == "Better"  # the viable one with the highest priority
    assert foreign_loaded == "False"


def test_a_configured_keyring_backend_is_honoured(tmp_path):
    reason, chosen, _ = _choose(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    assert reason == "the OS keyring is disabled" and chosen == "Keyring"
