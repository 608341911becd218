"""Modules keyring imports but the app does not use load on first use, and then work as usual."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from desktop import deferred_imports

CHECK = textwrap.dedent("""
    import sys
    from desktop.store.keys import _keyring_module

    keyring, errors = _keyring_module()
    loaded = [m for m in ("ssl", "http.client", "email.parser") if m in sys.modules]
    loaded += [m for m in ("more_itertools",) if type(sys.modules.get(m)).__name__ == "module"]
    print("loaded at start:", loaded)
    assert not loaded, loaded

    import jaraco.context
    import urllib.request
    from urllib.request import Request, urlopen
    assert urllib.request.Request is Request and jaraco.context.urllib.request.urlopen is urlopen
    assert type(sys.modules["urllib.request"]).__name__ == "module"
    assert "http.client" in sys.modules  # the real module is loaded now
    assert Request("https://example.org/x").full_url == "https://example.org/x"

    import importlib_metadata
    from keyring.compat.py312 import metadata  # the reference keyring kept
    assert metadata.version("keyring") == importlib_metadata.version("keyring")
    assert callable(metadata.entry_points)
    import more_itertools
    import jaraco.functools
    assert more_itertools.first([3, 4]) == 3 and jaraco.functools.more_itertools.consume is more_itertools.consume
    assert type(sys.modules["more_itertools"]).__name__ == "module"
    print("ok")
""")


def test_keyring_loads_without_the_network_modules_and_they_work_when_used():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("ok")


def test_the_keyring_backend_is_still_discovered_without_configuration():
    """With nothing set, keyring discovers its backend through importlib_metadata (deferred)."""
    code = ("from desktop.store.keys import _keyring_module\n"
            "keyring, _ = _keyring_module()\n"
            "print(type(keyring.get_keyring()).__module__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("keyring.backends")


def test_a_module_already_imported_is_left_alone():
    deferred_imports.defer("json")
    assert sys.modules["json"] is json and type(sys.modules["json"]).__name__ == "module"
