"""The background page check runs in a child process: right answers, key only on stdin, and the
app's own process keeps SQLCipher's memory security off."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from desktop.store import page_check
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.helpers.factories import add_case

GOOD = "correct horse battery"


def filled_store(path, services_factory):
    services = services_factory(path)
    for i in range(12):
        add_case(services, email=f"user{i}@example.org", description="y" * 2500)
    services.close()


def _services(path):
    from desktop import app as root

    return root.create_services(path, Key.passphrase(GOOD), staff="tester")


def test_a_sound_store_passes_and_a_damaged_page_is_reported(store_path, monkeypatch):
    filled_store(store_path, _services)
    calls = []
    real_run = subprocess.run

    def spy(args, **kw):
        calls.append((list(args), kw.get("input", "")))
        return real_run(args, **kw)

    monkeypatch.setattr(subprocess, "run", spy)
    assert page_check.problems_in_child(store_path, Key.passphrase(GOOD)) == []
    args, given = calls[-1]
    assert GOOD not in " ".join(args) and GOOD in given  # the passphrase only on stdin

    data = bytearray(store_path.read_bytes())
    data[4096 * 3 + 100] ^= 0xFF  # one byte inside page 4
    store_path.write_bytes(bytes(data))
    problems = page_check.problems_in_child(store_path, Key.passphrase(GOOD))
    assert problems and all(GOOD not in p for p in problems)


def test_a_wrong_key_is_a_problem_not_a_crash(store_path):
    filled_store(store_path, _services)
    problems = page_check.problems_in_child(store_path, Key.passphrase("not the passphrase"))
    assert problems and "not the passphrase" not in " ".join(problems)


def test_without_a_child_the_check_runs_in_this_process(store_path, monkeypatch):
    filled_store(store_path, _services)
    monkeypatch.setattr(page_check, "command", lambda path: ["/nonexistent/interpreter", str(path)])
    vault = Vault.open(store_path, Key.passphrase(GOOD))
    try:
        assert vault.page_problems_in_child() == []
    finally:
        vault.close()


SPEED = textwrap.dedent("""
    import sys
    from pathlib import Path
    from desktop.store.keys import Key
    from desktop.store.vault import Vault
    vault = Vault.open(Path(sys.argv[1]), Key.passphrase(sys.argv[2]))
    state = lambda: vault.conn.execute("PRAGMA cipher_memory_security").fetchone()[0]
    print(state(), vault.page_problems_in_child(), state(), end=" ")
    vault.page_problems_detached()
    print(state())
""")


def test_the_apps_process_keeps_memory_security_off_through_the_check(store_path):
    filled_store(store_path, _services)
    done = subprocess.run([sys.executable, "-c", SPEED, str(store_path), GOOD], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "[]", "0", "1"]  # the old in-process check switched it on
