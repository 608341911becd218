"""report and export on the command line: exit statuses, no silent overwrite, password files."""

from __future__ import annotations

import zipfile

import pytest
from pypdf import PdfReader

from desktop.cli import main
from desktop.commands.common import INVALID, NOT_FOUND, OK, REFUSED

PASS = "cli report passphrase"
EMAIL = "zoe@example.org"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    assert main(["--store", str(path), "init"]) == 0
    for name, email in (("Zoë Łukasz", EMAIL), ("Other Person", "other@example.org")):
        assert main(["--store", str(path), "add", "--name", name, "--email", email, "--category", "bounce",
                     "--description", "Bounces"]) == 0
    return path


def run(capsys, store, *argv):
    capsys.readouterr()
    code = main(["--store", str(store), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def verified_access(store, capsys, type_="access"):
    code, out, _ = run(capsys, store, "request", "open", "--type", type_, "--email", EMAIL)
    assert code == OK
    ref = out.split()[0]
    assert run(capsys, store, "request", "verify", ref, "--method", "reply_from_address")[0] == OK
    return ref


def test_report_refused_until_verified_then_written(store, tmp_path, capsys):
    out_pdf = tmp_path / "report.pdf"
    code, _out, err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf))
    assert code == REFUSED and "identity not verified" in err and "request open" in err
    assert "Traceback" not in err and not out_pdf.exists()
    ref = verified_access(store, capsys)
    code, out, err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf))
    assert code == OK, err
    assert ref in out and "Zoë" not in out and EMAIL not in out
    assert PdfReader(str(out_pdf)).pages


def test_unknown_person_is_not_found(store, tmp_path, capsys):
    code, _out, err = run(capsys, store, "report", "--email", "nobody@example.org", "--out", str(tmp_path / "r.pdf"))
    assert code == NOT_FOUND and "no data held" in err


def test_existing_output_is_not_overwritten_without_force(store, tmp_path, capsys):
    verified_access(store, capsys)
    out_pdf = tmp_path / "r.pdf"
    out_pdf.write_bytes(b"keep me")
    code, _out, err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf))
    assert code == REFUSED and "already exists" in err and "--force" in err
    assert out_pdf.read_bytes() == b"keep me"
    code, out, _err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf), "--force")
    assert code == OK and out.startswith("replaced") and out_pdf.read_bytes().startswith(b"%PDF")


def test_password_file(store, tmp_path, capsys):
    verified_access(store, capsys)
    pw = tmp_path / "pw.txt"
    pw.write_text("s3cret words\n", encoding="utf-8")
    out_pdf = tmp_path / "r.pdf"
    code, out, _err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf), "--password-file", str(pw))
    assert code == OK and "AES-256" in out
    reader = PdfReader(str(out_pdf))
    assert reader.is_encrypted and reader.trailer["/Encrypt"]["/V"] == 5
    assert reader.decrypt("s3cret words") and "s3cret" not in out


@pytest.mark.parametrize("content", [b"", b"\n", b"   \n", b"\xff\xfe\x00bad"])
def test_bad_password_file_is_invalid_and_writes_nothing(store, tmp_path, capsys, content):
    verified_access(store, capsys)
    pw = tmp_path / "pw.txt"
    pw.write_bytes(content)
    out_pdf = tmp_path / "r.pdf"
    code, _out, err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf), "--password-file", str(pw))
    assert code == INVALID and not out_pdf.exists() and "Traceback" not in err
    code, _out, err = run(capsys, store, "report", "--email", EMAIL, "--out", str(out_pdf),
                          "--password-file", str(tmp_path / "missing.txt"))
    assert code == INVALID and "not found" in err


def test_export(store, tmp_path, capsys):
    out_zip = tmp_path / "e.zip"
    assert run(capsys, store, "export", "--email", EMAIL, "--out", str(out_zip))[0] == REFUSED
    verified_access(store, capsys, "portability")
    code, out, err = run(capsys, store, "export", "--email", EMAIL, "--out", str(out_zip))
    assert code == OK, err
    assert "data.json" in zipfile.ZipFile(out_zip).namelist()
    assert run(capsys, store, "export", "--email", EMAIL, "--out", str(out_zip))[0] == REFUSED
