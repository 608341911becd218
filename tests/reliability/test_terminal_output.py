"""Issue 13 item 11: control characters in stored text never reach the terminal raw; JSON output
keeps them, escaped as JSON, so the data round-trips."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.commands.terminal import neutralise
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case

EVIL = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\rline"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


@pytest.fixture
def store(services, store_path, monkeypatch):
    case = add_case(services, name="Eve \u202eEscape", description="Bounce", technical_details="X-Trace: " + EVIL)
    req = services.requests.open("access", "ada@example.org").request
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    return store_path, case, req


def run(capsys, *argv):
    capsys.readouterr()
    status = main(list(argv))
    got = capsys.readouterr()
    return status, got.out, got.err


@pytest.mark.parametrize("argv", [["show", "{case}"], ["cases"], ["cases", "--search", "Bounce"], ["request", "list"]])
def test_terminal_output_shows_control_characters_as_escapes(store, capsys, argv):
    path, case, _ = store
    status, out, err = run(capsys, "--store", str(path), *[a.format(case=case) for a in argv])
    assert status == 0, err
    for ch in RAW:
        assert ch not in out and ch not in err
    if argv[0] == "show":
        assert "\\x1b]0;owned" in out and "\\u202eevil" in out


def test_json_output_keeps_the_text_exactly(store, capsys):
    path, case, _ = store
    status, out, _ = run(capsys, "--store", str(path), "show", str(case), "--json")
    assert status == 0
    for ch in RAW:
        assert ch not in out  # escaped as JSON (\u001b, \u009b, \u202e, \r)
    data = json.loads(out)
    assert data["technical_details"] == "X-Trace: " + EVIL


def test_error_messages_are_neutralised_too(store, tmp_path, capsys):
    path, _, _ = store
    evil = tmp_path / "bad\x1b[2Jname.txt"
    evil.write_text("x")
    status, _, err = run(capsys, "--store", str(path), "import", str(evil))
    assert status == 3 and "\x1b" not in err and "\\x1b[2Jname" in err


def test_neutralise_keeps_newlines_tabs_and_ordinary_text():
    assert neutralise("Zoë\tΩμέγα\nمرحبا 漢字") == "Zoë\tΩμέγα\nمرحبا 漢字"
