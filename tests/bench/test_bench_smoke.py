"""The bench at tiny sizes, so its code cannot rot: every row runs and reports a figure."""

from __future__ import annotations

import json

from bench.__main__ import ROWS, main
from bench.stores import PLAINTEXT, Workspace, install_plaintext_switch


def test_smoke_runs_every_row(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["--smoke", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    results = json.loads(out.read_text(encoding="utf-8"))
    keys = {r["key"] for r in results["rows"]}
    expected = {"import", "save_one", "search_name", "search_email", "search_description", "sweep",
                "report", "start", "memory", "scale_search", "scale_start", "scale_memory", "cycle", "diagnose",
                "form_import", "store_erase", "store_plan", "cli_backup", "cli_backup_ctx",
                "cli_backup_keyring"}
    assert expected <= keys, f"missing rows: {expected - keys}"
    for row in results["rows"]:
        assert row["unavailable"] is None, f"{row['key']}: {row['unavailable']}"
        assert row["app"]["median"] > 0 and row["base"]["median"] > 0 and row["ratio"] > 0, row["key"]
    assert results["meta"]["machine"]["sqlcipher"] and results["meta"]["machine"]["python"]
    assert "| row" in printed and "ratio" in printed
    assert set(ROWS) == {"import", "save", "search", "sweep", "store", "report", "gui", "cli", "scale", "cycle", "diagnose",
                         "form"}


def test_plaintext_switch_really_skips_encryption_and_only_for_its_key(tmp_path):
    install_plaintext_switch()
    ws = Workspace(tmp_path / "ws")
    plain = ws.empty_store(PLAINTEXT)
    secret = ws.empty_store()
    assert plain.read_bytes()[:16] == b"SQLite format 3\x00"
    assert secret.read_bytes()[:16] != b"SQLite format 3\x00"


def test_workspace_in_a_named_folder_removes_only_its_own(tmp_path):
    # `--workdir DIR`: the results file or anything else a person keeps in DIR survives the run
    keep = tmp_path / "results.json"
    keep.write_text("{}", encoding="utf-8")
    ws = Workspace(tmp_path)
    store = ws.empty_store()
    assert store.exists() and store.parent.parent == tmp_path
    ws.close()
    assert keep.read_text(encoding="utf-8") == "{}" and not store.exists()
    assert list(tmp_path.iterdir()) == [keep]
