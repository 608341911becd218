"""`helpdesk-intake import` of WordPress form-plugin exports, as the plugins write them
(tests/fixtures/forms/, invented people), checked through `show --json` as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main

PASS = "form import test passphrase"
FORMS = Path(__file__).resolve().parent.parent / "fixtures" / "forms"
CATS = ["--category-map", "Emails are bouncing=bounce", "--category-map", "Mail lands in spam=spam_folder"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    assert main(["--store", str(path), "init"]) == 0
    return path


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def import_json(capsys, store, name, *options):
    code, out, err = run(capsys, "--store", store, "import", FORMS / name, "--json", *options)
    return code, json.loads(out), err


def shown(capsys, store, case_id):
    code, out, _ = run(capsys, "--store", store, "show", case_id, "--json")
    assert code == 0
    return json.loads(out)


def by_name(capsys, store) -> dict[str, dict]:
    _, out, _ = run(capsys, "--store", store, "cases", "--json")
    return {c["name"]: shown(capsys, store, c["id"]) for c in json.loads(out)}


def test_wpforms_export_imports_with_split_name_site_time_and_formula_prefix_removed(store, capsys):
    code, result, _ = import_json(capsys, store, "wpforms.csv", "--timezone", "Europe/London", *CATS)
    assert code == 3  # the unticked 13+ row is refused and reported
    assert result["profile"] == "wpforms" and result["encoding"] == "utf-8" and result["imported"] == 2
    assert result["refused"] == [{"line": 5, "reason": result["refused"][0]["reason"]}]  # physical line: row 1 spans 2
    assert "13+" in result["refused"][0]["reason"]
    cases = by_name(capsys, store)
    ada = cases["Mireille Okonkwo-Brandt"]
    assert ada["email"] == "mireille.ob@example.org" and ada["phone"] == "+442079460321"
    assert ada["category"] == "bounce" and ada["channel"] == "web_form"
    assert ada["description"] == "Our newsletter bounces\nsince Monday for every Gmail address."
    assert ada["received_at"] == "2025-07-14T18:55:00+00:00"  # 7:55 pm BST
    tob = cases["Tobiah Vance"]
    assert tob["description"] == '=HYPERLINK("http://evil.example") is what the bounce says'
    assert tob["received_at"] == "2025-03-06T07:55:00+00:00" and tob["category"] == "spam_folder"
    assert "Kit Marlow" not in cases


def test_gravity_forms_export_with_bom_checkbox_choice_text_and_explicit_map(store, capsys):
    code, result, _ = import_json(capsys, store, "gravityforms.csv", "--timezone", "Europe/Berlin",
                                  "--map", "Age (I am 13 or older)=over_13",
                                  "--category-map", "Authentication (SPF/DKIM)=spf_dkim_dmarc", *CATS)
    assert result["profile"] == "gravityforms" and result["encoding"] == "utf-8-sig"
    assert result["mapping"]["Age (I am 13 or older)"] == "over_13" and result["notes"] == []
    assert code == 3 and [r["line"] for r in result["refused"]] == [3]  # Ravi left the 13+ box empty
    henrike = by_name(capsys, store)["Henrike Szabó"]
    assert henrike["description"] == "=2+2 appears in the subject of every bounce"
    assert henrike["received_at"] == "2025-07-14T17:55:00+00:00"  # 19:55 CEST
    assert henrike["phone"] == "+4930901820" and henrike["category"] == "bounce"


def test_flamingo_export_security_alert_text_is_taken_off_and_offset_wins(store, capsys):
    code, result, _ = import_json(capsys, store, "flamingo.csv", "--timezone", "Asia/Tokyo", *CATS)
    assert code == 0 and result["profile"] == "flamingo" and result["imported"] == 2
    assert "the form's own age gate is relied on" in " ".join(result["notes"])
    cases = by_name(capsys, store)
    ondine = cases["Ondine Marsh"]
    assert ondine["description"] == "Bounces\n\n=IMPORTXML(A1) shows up in our logs"
    assert "Security Alert" not in json.dumps(cases)
    assert ondine["received_at"] == "2025-07-14T18:55:00+00:00" and ondine["category"] == "bounce"
    pim = cases["Pim de Wit"]
    assert pim["received_at"] == "2025-07-12T07:10:11+00:00" and pim["category"] == "spam_folder"
    assert pim["description"].endswith("All our invoices end up in spam\nsince the migration")


def test_fluent_forms_csv_leading_apostrophe_and_checkbox_consent(store, capsys):
    code, result, _ = import_json(capsys, store, "fluentforms.csv", "--timezone", "Europe/London",
                                  "--map", "Issue=category", *CATS)
    assert code == 0 and result["profile"] == "fluentforms" and result["encoding"] == "utf-8-sig"
    cases = by_name(capsys, store)
    saoirse = cases["Saoirse Quinlan"]
    assert saoirse["description"] == "-ERR 550 mailbox unavailable, says the bounce"
    assert saoirse["received_at"] == "2025-07-14T18:55:00+00:00" and saoirse["phone"] == "+35315550142"
    assert not any(c["kind"] == "marketing" for c in saoirse["consents"])
    bart = cases["Bartholomew Ike"]
    assert bart["category"] == "other" and any(c["kind"] == "marketing" for c in bart["consents"])


def test_fluent_forms_json_nested_answers_by_dotted_path(store, capsys):
    code, result, _ = import_json(capsys, store, "fluentforms.json", "--timezone", "Europe/London",
                                  "--map", "response.issue=category", *CATS)
    assert code == 0 and result["profile"] == "fluentforms_json" and result["imported"] == 2
    assert result["mapping"]["response.names.first_name"] == "first_name"
    saoirse = by_name(capsys, store)["Saoirse Quinlan"]
    assert saoirse["description"] == "-ERR 550 mailbox unavailable" and saoirse["category"] == "bounce"
    assert saoirse["email"] == "saoirse.q@example.ie" and saoirse["received_at"] == "2025-07-14T18:55:00+00:00"


def test_formidable_name_and_last_columns(store, capsys):
    code, result, _ = import_json(capsys, store, "formidable.csv", "--timezone", "Europe/London", *CATS)
    assert code == 0 and result["profile"] == "formidable"
    ingrid = by_name(capsys, store)["Ingrid Fairweather"]
    assert ingrid["phone"] == "+442079460958" and ingrid["description"] == "=SUM(1;2) is in the bounce text"
    assert ingrid["received_at"] == "2025-07-14T18:55:00+00:00"


def test_ninja_forms_date_only_and_unreadable_phone_kept_as_typed(store, capsys):
    code, result, _ = import_json(capsys, store, "ninjaforms.csv", "--timezone", "Europe/London", *CATS)
    assert code == 0 and result["profile"] == "ninjaforms" and result["imported"] == 2
    assert result["phone_unchecked"] == [{"line": 2}]
    cases = by_name(capsys, store)
    ysolde = cases["Ysolde Carrow"]
    assert ysolde["received_at"] == "2025-07-13T23:00:00+00:00"  # 00:00 London (BST) on 07/14/2025
    assert ysolde["phone"] == "ask for Sam at the front desk" and ysolde["phone_unchecked"] is True
    assert "ask for Sam" not in ysolde["technical_details"]  # in the phone field, not copied elsewhere
    assert "time is unknown" in ysolde["technical_details"]
    elias = cases["Elias Brandvold"]
    assert elias["phone"] == "+4722123456" and elias["phone_unchecked"] is False


@pytest.mark.parametrize("name, encoding", [("excel_semicolon_cp1252.csv", "cp1252"),
                                            ("excel_unicode_utf16.csv", "utf-16")])
def test_excel_saved_csv_encoding_and_separator(store, capsys, name, encoding):
    code, result, _ = import_json(capsys, store, name)
    assert code == 0 and result["encoding"] == encoding and result["profile"] == "generic"
    zoe = by_name(capsys, store)["Zoë Ångström"]
    assert zoe["email"] == "zoe.angstrom@example.se" and zoe["description"] == "Mails bounce – every one"


def test_reimport_creates_no_duplicate_and_dry_run_equals_real_run(store, capsys):
    opts = ["--timezone", "Europe/London", *CATS]
    _, dry, _ = import_json(capsys, store, "wpforms.csv", "--dry-run", *opts)
    _, out, _ = run(capsys, "--store", store, "cases", "--json")
    assert json.loads(out) == []  # the dry run wrote nothing
    _, real, _ = import_json(capsys, store, "wpforms.csv", *opts)
    assert {**dry, "dry_run": False} == real
    code, again, _ = import_json(capsys, store, "wpforms.csv", *opts)
    assert again["imported"] == 0 and again["already_imported"] == 2 and code == 3
    _, out, _ = run(capsys, "--store", store, "cases", "--json")
    assert len(json.loads(out)) == 2


def test_unmapped_category_labels_listed_then_refused_or_kept_as_other(store, capsys):
    code, out, err = run(capsys, "--store", store, "import", FORMS / "wpforms.csv", "--dry-run")
    assert code == 3 and "'Emails are bouncing' x2" in out and "'Mail lands in spam' x1" in out
    assert "line 2: refused: category 'Emails are bouncing' has no --category-map" in err
    code, result, _ = import_json(capsys, store, "wpforms.csv", "--unknown-category", "other")
    assert result["imported"] == 2
    tob = by_name(capsys, store)["Tobiah Vance"]
    assert tob["category"] == "other" and "Form category: Mail lands in spam" in tob["technical_details"]


def test_cli_prints_the_mapping_and_unmapped_columns(store, capsys):
    code, out, _ = run(capsys, "--store", store, "import", FORMS / "fluentforms.csv", "--dry-run")
    assert "mapping:" in out and "  Email -> email (profile)" in out
    assert "not imported (neither mapped nor guessed): Issue" in out
    assert "would import 2 of 2 submissions" in out and "nothing written" in out


def test_saved_mapping_imports_next_export_with_no_options(store, capsys, tmp_path):
    opts = ["--map", "Issue=category", "--timezone", "Europe/London", *CATS]
    code, _, _ = import_json(capsys, store, "fluentforms.csv", "--save-mapping", "contact-form", *opts)
    assert code == 0
    later = tmp_path / "later.csv"
    later.write_bytes((FORMS / "fluentforms.csv").read_bytes().replace(b'"17"', b'"18"').replace(b",17,", b",18,"))
    code, result, _ = import_json(capsys, store, later, "--mapping", "contact-form")
    assert result["mapping"]["Issue"] == "category" and result["timezone"] == "Europe/London"
    assert result["imported"] == 1 and result["already_imported"] == 1  # entry 16 came in last month
    code, _, err = run(capsys, "--store", store, "import", FORMS / "fluentforms.csv", "--mapping", "nope")
    assert code == 3 and "no saved mapping named 'nope'" in err


def test_value_map_and_positional_column(store, capsys, tmp_path):
    path = tmp_path / "radio.csv"
    path.write_text("Name,Email,Email,Message,Are you 13 or older?\n"
                    "Ana Ruiz,work@example.org,ana.ruiz@example.org,Bounces,Sí\n"
                    "Bo Li,x@example.org,bo.li@example.org,Bounces,No\n"
                    "Cy Ng,y@example.org,cy.ng@example.org,Bounces,Maybe\n", encoding="utf-8")
    code, result, _ = import_json(capsys, store, path, "--map", "Email#2=email",
                                  "--map", "Are you 13 or older?=over_13",
                                  "--value-map", "Are you 13 or older?:Sí=yes", "--value-map",
                                  "Are you 13 or older?:No=no")
    assert code == 3 and result["imported"] == 1
    reasons = {r["line"]: r["reason"] for r in result["refused"]}
    assert "13+" in reasons[3] and "no --value-map for the answer 'Maybe'" in reasons[4]
    assert by_name(capsys, store)["Ana Ruiz"]["email"] == "ana.ruiz@example.org"


def test_json_refusals_give_the_record_number(store, capsys, tmp_path):
    path = tmp_path / "subs.json"
    path.write_text(json.dumps({"submissions": [
        {"name": "Di Fox", "email": "di@example.org", "description": "x", "category": "bounce"},
        {"name": "No Mail", "email": "nope", "description": "x", "category": "bounce"}]}), encoding="utf-8")
    code, result, _ = import_json(capsys, store, path)
    assert code == 3 and result["refused"][0]["record"] == 2 and result["imported"] == 1


def test_bad_options_are_one_clear_line(store, capsys):
    code, _, err = run(capsys, "--store", store, "import", FORMS / "wpforms.csv", "--timezone", "Mars/Olympus")
    assert code == 3 and "unknown time zone 'Mars/Olympus'" in err and "Traceback" not in err
    code, _, err = run(capsys, "--store", store, "import", FORMS / "wpforms.csv", "--map", "Nope=email")
    assert code == 3 and "has no column 'Nope'" in err
    code, _, err = run(capsys, "--store", store, "import", FORMS / "wpforms.csv", "--category-map", "X=weird")
    assert code == 3 and "Unknown category" in err


def test_a_person_erased_on_request_is_held_not_brought_back(store, capsys, tmp_path):
    opts = ["--timezone", "Europe/London", *CATS]
    code, first, _ = import_json(capsys, store, "wpforms.csv", *opts)
    assert first["imported"] == 2
    code, _, err = run(capsys, "--store", store, "erase", "--email", "mireille.ob@example.org", "--yes")
    ref = err.split("request ")[1].split(";")[0]
    assert code == 6 and ref.startswith("DSR-")
    code, _, err = run(capsys, "--store", store, "request", "verify", ref, "--method=reply_from_address")
    code, _, err = run(capsys, "--store", store, "erase", "--email", "mireille.ob@example.org", "--yes")
    assert code == 0, err
    later = tmp_path / "later.csv"  # next month's export: her old entry again, and a new one
    later.write_bytes((FORMS / "wpforms.csv").read_bytes().replace(b",,103,", b',"I am 13 or older",201,').replace(
        b"kit.marlow@example.com", b"Mireille.OB@Example.org"))
    code, again, _ = import_json(capsys, store, later, *opts)
    assert code == 3 and again["imported"] == 0 and again["already_imported"] == 2
    assert [h["line"] for h in again["held"]] == [5] and "erased earlier on request" in again["held"][0]["reason"]
    _, out, _ = run(capsys, "--store", store, "cases", "--json")
    assert [c["name"] for c in json.loads(out)] == ["Tobiah Vance"]


def test_a_file_with_no_email_column_is_refused_whole_with_the_columns_named(store, tmp_path, capsys):
    survey = tmp_path / "survey.csv"
    survey.write_text("Full name,Favourite colour\nMireille Okonkwo-Brandt,teal\n", encoding="utf-8")
    code, out, err = run(capsys, "--store", store, "import", survey)
    assert code == 3
    assert "maps to the email address" in err and "Favourite colour" in err and "--map COLUMN=email" in err
    _, listed, _ = run(capsys, "--store", store, "cases", "--json")
    assert json.loads(listed) == []
    # named explicitly, the same file's row comes in (the refusal was about the mapping, not the data)
    survey.write_text("Full name,Contact,Message\nMireille Okonkwo-Brandt,mireille.ob@example.org,Mail bounces\n",
                      encoding="utf-8")
    code, out, err = run(capsys, "--store", store, "import", survey, "--map", "Contact=email")
    assert code == 0, err
    _, listed, _ = run(capsys, "--store", store, "cases", "--json")
    assert [c["email"] for c in json.loads(listed)] == ["mireille.ob@example.org"]
