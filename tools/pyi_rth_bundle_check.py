"""Bundle self-check: proves the frozen app carries what it loads dynamically.

PyInstaller runs this file as a runtime hook before the app starts. It does nothing unless
HELPDESK_INTAKE_BUNDLE_CHECK=1 is set (used only by .ci/bundle-smoke.sh); then it checks keyring
backends (entry points), SQLCipher, holidays, phone numbers, email validation, fonts, PDF
encryption, Faker, the CLI's command modules and Qt, prints one JSON object and exits
(0 = all fine, 1 = something missing). Run from a source checkout it does the same checks, so
the smoke test can compare the bundle with the development environment:

    HELPDESK_INTAKE_BUNDLE_CHECK=1 .venv/bin/python tools/pyi_rth_bundle_check.py

It prints no secrets and no personal data (the SQLCipher check uses a throwaway random key).
"""

import os

ENV_CHECK = "HELPDESK_INTAKE_BUNDLE_CHECK"


def _check_resources():
    from desktop.paths import resources_dir

    root = resources_dir()
    needed = ["defaults/organisation.json", "defaults/app.json", "fonts/DejaVuSans.ttf",
              "fonts/LICENSE-DejaVu.txt", "icons/helpdesk-intake.svg", "icons/helpdesk-intake-256.png"]
    missing = [n for n in needed if not (root / n).is_file()]
    if missing:
        raise RuntimeError("missing: " + ", ".join(missing))
    return str(root)


def _check_keyring():
    from importlib.metadata import entry_points

    import keyring
    import keyring.backend

    eps = list(entry_points(group="keyring.backends"))
    if not eps:
        raise RuntimeError("no keyring.backends entry points: keyring metadata is missing")
    loaded, failed = [], []
    for ep in eps:
        try:
            ep.load()
            loaded.append(ep.name)
        except Exception as exc:  # a backend whose module or dependency is missing
            failed.append(f"{ep.name} ({type(exc).__name__})")
    viable = sorted(type(k).__module__ + "." + type(k).__name__ for k in keyring.backend.get_all_keyring())
    current = type(keyring.get_keyring())
    result = {"entry_points": sorted(loaded), "viable": viable,
              "current": current.__module__ + "." + current.__name__}
    # A backend may fail to load only when it is for another platform (e.g. Windows on Linux).
    platform_only = {"Windows", "macOS"}
    bad = [f for f in failed if f.split(" ")[0] not in platform_only]
    if bad:
        raise RuntimeError("keyring backends failed to load: " + ", ".join(bad))
    return result


def _check_sqlcipher():
    import secrets
    import tempfile

    import sqlcipher3

    key = secrets.token_hex(32)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "check.db")
        con = sqlcipher3.connect(path)
        con.execute(f"PRAGMA key = \"x'{key}'\"")
        version = con.execute("PRAGMA cipher_version").fetchone()
        con.execute("CREATE TABLE t (x)")
        con.execute("CREATE VIRTUAL TABLE f USING fts5(body)")
        con.commit()
        con.close()
        with open(path, "rb") as fh:
            if fh.read(16).startswith(b"SQLite format 3"):
                raise RuntimeError("the database was written unencrypted")
        con = sqlcipher3.connect(path)
        con.execute("PRAGMA cipher_log_level = NONE").fetchall()  # the wrong key below is on purpose
        con.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            pass
        else:
            raise RuntimeError("a wrong key opened the database")
        finally:
            con.close()
    if not version or not version[0]:
        raise RuntimeError("PRAGMA cipher_version is empty: this is plain SQLite")
    return version[0]


def _check_holidays():
    from datetime import date

    import holidays

    found = {}
    for country in ("GB", "DE", "US", "FR", "PL"):
        days = holidays.country_holidays(country, years=2026)
        if not days:
            raise RuntimeError(f"no holidays for {country}")
        found[country] = len(days)
    if date(2026, 12, 25) not in holidays.country_holidays("GB", years=2026):
        raise RuntimeError("Christmas is missing from GB holidays")
    return {"version": holidays.__version__, "2026": found}


def _check_validation():
    import email_validator
    import phonenumbers

    number = phonenumbers.parse("020 7946 0958", "GB")
    if not phonenumbers.is_valid_number(number):
        raise RuntimeError("phonenumbers metadata is missing")
    for region in ("DE", "US", "JP", "BR"):
        example = phonenumbers.example_number(region)
        if example is None or not phonenumbers.is_valid_number(example):
            raise RuntimeError(f"phone metadata for {region} is missing")
    email_validator.validate_email("someone@example.com", check_deliverability=False)
    return "ok"


def _check_pdf():
    import io

    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from desktop.paths import resource

    pdfmetrics.registerFont(TTFont("CheckBody", str(resource("fonts", "DejaVuSans.ttf"))))
    raw = io.BytesIO()
    c = canvas.Canvas(raw)
    c.setFont("CheckBody", 12)
    c.drawString(72, 720, "Łódź Αθήνα Москва")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw.getvalue())))
    writer.encrypt("check-password", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    if not reader.is_encrypted or not reader.decrypt("check-password"):
        raise RuntimeError("AES-256 PDF encryption failed")
    return f"{len(out.getvalue())} bytes"


def _check_faker():
    from faker import Faker

    names = [Faker(loc).name() for loc in ("en_GB", "de_DE", "pl_PL", "ja_JP")]
    if not all(names):
        raise RuntimeError("Faker produced no names")
    return "ok"


def _check_cli():
    import importlib

    from desktop import cli

    for name in cli.COMMAND_MODULES:
        importlib.import_module(f"desktop.commands.{name}")
    cli.build_parser()
    return list(cli.COMMAND_MODULES)


def _check_qt():
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QGuiApplication  # noqa: F401
    from PySide6.QtWidgets import QApplication  # noqa: F401

    plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    platforms = os.path.join(plugins, "platforms")
    names = sorted(os.listdir(platforms)) if os.path.isdir(platforms) else []
    if not any("offscreen" in n for n in names):
        raise RuntimeError(f"no offscreen platform plugin in {platforms}")
    return names


CHECKS = {
    "resources": _check_resources,
    "keyring": _check_keyring,
    "sqlcipher": _check_sqlcipher,
    "holidays": _check_holidays,
    "validation": _check_validation,
    "pdf": _check_pdf,
    "faker": _check_faker,
    "cli": _check_cli,
    "qt": _check_qt,
}


def run_checks():
    import sys

    report = {"frozen": bool(getattr(sys, "frozen", False)), "checks": {}}
    for name, func in CHECKS.items():
        try:
            report["checks"][name] = {"ok": True, "detail": func()}
        except Exception as exc:
            report["checks"][name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    report["ok"] = all(c["ok"] for c in report["checks"].values())
    return report


def _main():
    import json
    import sys

    report = run_checks()
    sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
    sys.stdout.flush()
    os._exit(0 if report["ok"] else 1)  # before the app's own main runs


if os.environ.get(ENV_CHECK) == "1":
    import sys

    if not getattr(sys, "frozen", False):  # run from a checkout: import desktop from there
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    _main()
