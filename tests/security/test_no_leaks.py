"""A full intake -> import -> show -> report -> export -> erase cycle with logging at DEBUG leaks no
personal data or passphrase into logs, stderr, the audit trail, temp files or file names."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest

from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.security.helpers import run_cli

PASS = "leak-test passphrase Q7"
PERSON = {"name": "Quxworth Leaknamé", "email": "leak.marker@leak-example.org", "phone": "+44 20 7946 0958",
          "description": "LEAKDESCRIPTIONMARKER bounce from mx"}
OTHER = {"name": "Imported Zyxperson", "email": "imported.marker@leak-example.org",
         "description": "IMPORTEDDESCMARKER deferred"}
MARKERS = [PERSON["name"], "Quxworth", "Leaknam", PERSON["email"], "leak.marker", "+442079460958", "7946 0958",
           "LEAKDESCRIPTIONMARKER", OTHER["name"], "Zyxperson", OTHER["email"], "IMPORTEDDESCMARKER", PASS]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
        self.lines.append(text + " " + repr(record.args) + " " + repr(getattr(record, "__dict__", {})))


def _files(root: Path) -> dict[Path, float]:
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = Path(dirpath, n)
            try:
                out[p] = p.stat().st_mtime
            except OSError:
                pass
    return out


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [m for m in MARKERS if m.lower() in low]


@pytest.fixture
def debug_logging(caplog):
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    handler = Collect()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_full_cycle_leaks_nothing(tmp_path, capsys, caplog, monkeypatch, debug_logging):
    tmp_root = Path(tempfile.gettempdir())
    before_tmp = _files(tmp_root)
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    store = tmp_path / "store" / "desk.db"
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    s = f"--store={store}"
    stderr: list[str] = []
    stdout: list[str] = []

    def cli(*argv: str, ok: tuple[int, ...] = (0,)) -> str:
        status, out, err = run_cli(capsys, *argv)
        stdout.append(out)
        stderr.append(err)
        assert status in ok, (argv[0], status, err)
        return out

    cli("init", s)
    case_id = cli("add", s, f"--name={PERSON['name']}", f"--email={PERSON['email']}",
                  f"--phone={PERSON['phone']}", "--category=bounce", f"--description={PERSON['description']}").strip()
    src = tmp_path / "incoming.csv"
    src.write_text("name,email,category,description\n"
                   f"{OTHER['name']},{OTHER['email']},deferral,{OTHER['description']}\n"
                   "bad row,not-an-email,bounce,x\n", encoding="utf-8")
    cli("import", s, str(src), ok=(3,))  # one bad row: reported by line number, good row stored
    cli("cases", s, "--search=Quxworth", "--json")
    cli("show", s, case_id, "--json")
    for kind in ("access", "erasure"):
        ref = cli("request", "open", s, f"--type={kind}", f"--email={PERSON['email']}").strip().splitlines()[-1]
        cli("request", "verify", s, ref, "--method=reply_from_address")
    cli("report", s, f"--email={PERSON['email']}", f"--out={outputs / 'R-access.pdf'}")
    cli("export", s, f"--email={PERSON['email']}", f"--out={outputs / 'R-export.zip'}")
    cli("erase", s, f"--email={PERSON['email']}", "--yes")
    cli("audit", "verify", s)
    cli("show", s, case_id, ok=(5,))  # erased

    # logs (caplog and our root handler) and stderr: no personal data, no passphrase
    log_text = "\n".join(debug_logging.lines) + "\n" + caplog.text
    assert _leaks(log_text) == [], "personal data in log output"
    assert _leaks("\n".join(stderr)) == [], "personal data on stderr"
    assert PASS not in "\n".join(stdout)

    # the audit trail holds ids only
    with Vault.open(store, Key.passphrase(PASS)) as v:
        trail = repr(v.read("SELECT * FROM audit"))
    assert _leaks(trail) == []

    # file names the app created, here and in the temp dir; temp files' content
    for path in _files(tmp_path):
        assert _leaks(path.name) == [], path
    new_tmp = {p for p, m in _files(tmp_root).items() if p not in before_tmp or before_tmp[p] != m}
    new_tmp = {p for p in new_tmp if tmp_path not in p.parents}
    for path in new_tmp:
        assert _leaks(path.name) == [], path
        try:
            data = path.read_bytes()[:5_000_000].decode("utf-8", "ignore")
        except OSError:
            continue
        assert _leaks(data) == [], f"personal data in temp file {path}"
    # nothing personal in plain text next to the store (journals, backups, sidecars)
    for path in store.parent.iterdir():
        assert _leaks(path.read_bytes().decode("utf-8", "ignore")) == [], path
