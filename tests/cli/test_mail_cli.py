"""`helpdesk-intake diagnose`: text and JSON output, masking, stdin, bad input; it writes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

from desktop.cli import main
from tests.helpers.msgfile import build_msg

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "mail"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_diagnose_json_has_the_documented_keys_and_masks_recipients(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "diagnose", str(FIX / "doc-postfix-spamhaus.eml"), "--json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert d["category"] == "rate_limit_blocklist" and d["reason"] == "blocklisted"
    assert d["status"] == "5.7.1" and d["reply_code"] == "554" and d["permanent"] is True
    assert d["remote_mta"] == "mx.tailspin.example" and d["blocklist"] == "Spamhaus"
    assert d["recipient"] == "***@tailspin.example"
    assert "info@tailspin.example" not in out                  # masked everywhere, evidence included
    assert d["case_owner"] == "customer@shop.example"           # the customer is not a third party
    assert any("spamhaus" in e.lower() for e in d["evidence"]) and d["explanation"]
    assert list(tmp_path.iterdir()) == []                        # wrote nothing


def test_diagnose_show_recipients_unmasks(capsys):
    code, out, _ = run(capsys, "diagnose", str(FIX / "doc-postfix-spamhaus.eml"), "--json", "--show-recipients")
    assert code == 0 and json.loads(out)["recipient"] == "info@tailspin.example"


def test_diagnose_text_from_stdin(capsys, monkeypatch):
    data = (FIX / "ses-sns-mailbox-full.json").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "diagnose", "-")
    assert code == 0
    assert out.startswith("Mailbox full  [bounce]")
    assert "Status:        4.2.2" in out and "no (transient)" in out and "***@example.com" in out


def test_diagnose_reports_the_inner_code_of_a_vague_status(capsys):
    code, out, _ = run(capsys, "diagnose", str(FIX / "bp-rcpthosts.eml"), "--json")
    d = json.loads(out)
    assert code == 0 and d["status"] == "5.7.1" and d["category"] == "smtp_auth"
    assert d["recipients"][0]["status_field"] == "5.0.0"


def test_diagnose_msg_file(capsys, tmp_path):
    ndr = build_msg(subject="Undeliverable: Invoice", sender_name="postmaster", sender_email="postmaster@contoso.example",
                    body="Delivery has failed to these recipients or groups:\n\nbob@contoso.example\n"
                         "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'",
                    headers="From: postmaster@contoso.example\r\nTo: jane@customer.example\r\n"
                            "Subject: Undeliverable: Invoice\r\nDate: Tue, 17 Nov 2026 09:00:00 +0000\r\n")
    f = tmp_path / "ndr.msg"
    f.write_bytes(ndr)
    code, out, _ = run(capsys, "diagnose", str(f), "--json")
    d = json.loads(out)
    assert code == 0 and d["category"] == "bounce" and d["status"] == "5.1.1"
    assert d["recipient"] == "***@contoso.example" and d["case_owner"] == "jane@customer.example"


def test_diagnose_bad_input_is_one_line_status_3(capsys, tmp_path):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "diagnose", str(empty))
    assert code == 3 and out == "" and err.count("\n") == 1 and "empty" in err
    code, _, err = run(capsys, "diagnose", str(tmp_path / "missing.eml"))
    assert code == 3 and "Traceback" not in err
    broken = tmp_path / "broken.msg"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    code, _, err = run(capsys, "diagnose", str(broken))
    assert code == 3 and "Outlook .msg" in err
