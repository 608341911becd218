"""The full page check (every page's HMAC) runs in `check`, not at the start of every command (issue 17)."""

from __future__ import annotations

import pytest

from desktop.cli import main
from desktop.store.vault import Vault

PASSPHRASE = "page check passphrase"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "pages.db"
    assert main(["--store", str(path), "init"]) == 0
    assert main(["--store", str(path), "add", "--name", "Page Person", "--email", "page@example.org",
                 "--category", "bounce", "--description", "bounces"]) == 0
    return path


@pytest.fixture
def page_checks(monkeypatch):
    calls: list[str] = []
    real = Vault.page_problems

    def counted(self):
        calls.append(str(self.path))
        return real(self)

    monkeypatch.setattr(Vault, "page_problems", counted)
    return calls


@pytest.mark.parametrize("command", [["cases"], ["cases", "--search", "page"], ["show", "1"],
                                     ["sweep", "--dry-run"], ["audit", "verify"]])
def test_everyday_commands_do_not_check_every_page(store, page_checks, capsys, command):
    assert main(["--store", str(store), *command]) == 0
    assert page_checks == []


def test_check_still_checks_every_page(store, page_checks, capsys):
    assert main(["--store", str(store), "check"]) == 0
    assert page_checks == [str(store)]
    assert "store pages and structure: ok" in capsys.readouterr().out
