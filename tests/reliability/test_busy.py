"""Issue 13 item 6: while another process writes (an import, a sweep), reads start at once and
writers wait, saying so, then give up with status 6; never "database is locked" and exit 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.app import create_services
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.reliability.util import ROOT, child_env, cli, finish, hold

KEY = Key.passphrase(PASSPHRASE)
ADD = ["add", "--name", "Wait Person", "--email", "wait@example.org", "--category", "bounce", "--description", "x"]


@pytest.fixture
def store(tmp_path, clock):
    path = tmp_path / "s" / "helpdesk.db"
    services = create_services(path, KEY, clock=clock)
    add_case(services, name="Listed Person")
    services.close()
    return path


def audit_actions(store) -> list[str]:
    with Vault.open(store, KEY) as v:
        return [r[0] + ("" if "deferred" not in r[1] else "+deferred")
                for r in v.read("SELECT action, detail FROM audit ORDER BY id")]


def test_a_read_starts_while_another_process_writes(tmp_path, store):
    writer = hold(tmp_path, store, mode="write-hold")
    reader = subprocess.Popen([sys.executable, "-m", "desktop", "--store", str(store), "cases"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=child_env(tmp_path, PYTHONUNBUFFERED="1"))
    try:
        first = reader.stdout.readline()  # the listing comes while the writer still holds the lock
        rest = reader.stdout.readline()
        assert "Listed Person" in first + rest, reader.stderr.read()[-500:] if reader.poll() is not None else ""
        assert reader.poll() is None  # its audit entries wait for the writer, after the output
    finally:
        finish(writer)
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    assert "database is locked" not in err
    assert audit_actions(store)[-2:] == ["store.unlock+deferred", "cases.list+deferred"]


def test_a_writer_waits_with_a_message_then_writes(tmp_path, store):
    writer = hold(tmp_path, store, mode="write-hold")
    adder = subprocess.Popen([sys.executable, "-m", "desktop", "--store", str(store), *ADD], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(tmp_path))
    try:
        line = adder.stderr.readline()
        assert "another helpdesk-intake process is writing; waiting" in line
    finally:
        finish(writer)
    out, err = adder.communicate(timeout=120)
    assert adder.returncode == 0, err
    with Vault.open(store, KEY) as v:
        assert v.read("SELECT count(*) FROM cases WHERE email = 'wait@example.org'")[0][0] == 1


def test_a_writer_gives_up_with_status_6_and_writes_nothing(tmp_path, store):
    writer = hold(tmp_path, store, mode="write-hold")
    try:
        result = cli(tmp_path, "--store", str(store), *ADD, HELPDESK_INTAKE_WRITE_WAIT="1")
    finally:
        finish(writer)
    assert result.returncode == 6, result.stderr
    assert "kept the store busy" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and "database is locked" not in result.stderr
    with Vault.open(store, KEY) as v:
        assert v.read("SELECT count(*) FROM cases WHERE email = 'wait@example.org'")[0][0] == 0
