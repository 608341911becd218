"""The access report PDF: every Art. 15 item, only this person's data, text safety, fonts, encryption."""

from __future__ import annotations

import re
import stat
import subprocess

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from desktop.reports.access_report import render_access_report
from desktop.reports.files import suggest_filename
from tests.reports.util import (
    EMAIL,
    HOSTILE_DESC,
    HOSTILE_NAME,
    NAME,
    pdftotext,
    person_with_cases,
    pypdf_text,
    squash,
)

REF = "DSR-2026-0007"


def render(services, tmp_path, dossier=None, **kw):
    dossier = dossier or services.dossier.gather(EMAIL)
    out = tmp_path / suggest_filename(REF)
    kw.setdefault("verification_note", "Verified by reply from the address on file")
    result = render_access_report(dossier, out, request_ref=REF, generated_at=services.ctx.now(), **kw)
    return result, out


@pytest.fixture
def report(services, tmp_path):
    ids = person_with_cases(services)
    result, out = render(services, tmp_path)
    return ids, result, out, squash(pdftotext(out))


ART15_PHRASES = [
    "A copy of your data",                      # copy of the personal data
    "Why we hold your data (purposes)",         # purposes
    "To identify and address you.",
    "To communicate with you and provide email support.",
    "To facilitate communication with you, if needed.",
    "To understand and resolve your email-delivery problem.",
    "Categories of data",                       # categories
    "Who receives your data",                   # recipients
    "MailChimp", "standard contractual clauses",  # transfer safeguards
    "How long we keep your data",               # retention
    "Scheduled removal",                        # each record's removal date
    "Correct your data (rectification)", "Delete your data (erasure)",
    "Limit how we use your data (restriction)", "Object to how we use your data (objection)",
    "Take your data with you (portability)",
    "Your right to complain", "supervisory authority",
    "Where your data came from", "Collected directly from you",
    "Automated decision-making", "not used for automated decision-making",
    "Your consents and acknowledgements", "standard-1",  # consents + notice version (the shipped one)
    "Your data-protection requests",
    "Change history", "Staff notes",
    "support@wpemailsmtp.com", "WP Email SMTP",  # controller identity and contact
    REF, "Identity check", "Verified by reply from the address on file",
]


def test_every_art15_item_is_present(report):
    _ids, _result, _out, text = report
    missing = [p for p in ART15_PHRASES if p not in text]
    assert not missing


def test_every_case_of_the_person_and_none_of_another(report):
    ids, _result, _out, text = report
    for key in ("zoe1", "zoe2", "zoe3"):
        assert f"Support case {ids[key]} " in text
    assert f"Support case {ids['other']} " not in text
    assert "OTHER-PERSON-SECRET-TEXT" not in text and "OTHER-NOTE-SECRET" not in text
    assert "Otherperson" not in text and "other.person@example.net" not in text
    # The correction is in the change history with old and new value.
    assert "+442079460001" in text and "+442079460999" in text


def test_hostile_strings_appear_literally_and_embed_nothing(report):
    _ids, _result, out, text = report
    assert HOSTILE_NAME in text
    assert squash(HOSTILE_DESC) in text
    assert "<script>alert(1)</script>" in text
    reader = PdfReader(str(out))
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {}) or {}
        for xo in xobjects.values():
            assert xo.get_object().get("/Subtype") != "/Image"
    assert not re.search(rb"/Subtype\s*/Image", out.read_bytes())


def test_unicode_round_trips_and_every_font_is_embedded(report):
    _ids, _result, out, text = report
    for phrase in (NAME, "Ελληνικά και русский текст, 東京の山田さん, 서울의 김민준", "Łódź", "ő, ş"):
        assert phrase in text, phrase
    assert phrase in squash(" ".join(pypdf_text(out)))
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:
        cols = row.split()
        assert cols[-5] == "yes", row  # the "emb" column
    assert "Helvetica" not in fonts


def test_page_n_of_m_on_every_page_with_reference_and_time(report):
    _ids, result, out, _text = report
    pages = pypdf_text(out)
    assert len(pages) == result.pages > 3
    for n, page in enumerate(pages, 1):
        flat = squash(page)
        assert f"Page {n} of {len(pages)}" in flat
        assert f"Request {REF}" in flat and "Generated 10 January 2026, 09:00 UTC" in flat


def test_character_without_glyph_gives_a_notice_not_a_box(services, tmp_path):
    from tests.helpers.factories import add_case

    add_case(services, name="Somchai ทดสอบ", email=EMAIL)
    result, out = render(services, tmp_path)
    text = squash(pdftotext(out))
    assert "could not be displayed" in text and "U+0E17" in text
    assert "Somchai [U+0E17][U+0E14][U+0E2A][U+0E2D][U+0E1A]" in text
    assert 0x0E17 in result.missing


def test_long_text_wraps_across_pages(services, tmp_path):
    from tests.helpers.factories import add_case

    cid = add_case(services, email=EMAIL)
    long_word = "X" * 100_000
    with services.vault.transaction():
        services.ctx.cases.update(cid, description=long_word, technical_details="Y" * 30_000 + "\n" * 3 + "tail")
    result, out = render(services, tmp_path)
    text = pdftotext(out)
    assert text.count("X") == 100_000  # nothing cut off or lost in overflow
    assert "tail" in text and result.pages > 20


def test_password_protection_is_aes256(services, tmp_path):
    person_with_cases(services)
    result, out = render(services, tmp_path, password="correct horse")
    assert result.encrypted
    reader = PdfReader(str(out))
    assert reader.is_encrypted
    enc = reader.trailer["/Encrypt"].get_object()
    assert enc["/V"] == 5 and enc["/R"] == 6
    assert enc["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert not PdfReader(str(out)).decrypt("wrong password")
    with pytest.raises(FileNotDecryptedError):
        PdfReader(str(out)).pages[0].extract_text()
    assert NAME in squash(" ".join(pypdf_text(out, "correct horse")))
    assert NAME.encode() not in out.read_bytes()


def test_file_is_private_named_by_reference_and_no_temp_left(report, tmp_path):
    _ids, _result, out, _text = report
    assert out.name == f"access-report-{REF}.pdf"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []
    assert suggest_filename("../x y/Zoë") == "access-report-x-y-Zo.pdf"


def test_progress_is_reported(services, tmp_path):
    person_with_cases(services)
    seen = []
    render(services, tmp_path, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)


def test_person_with_no_cases_but_a_request_gets_a_clear_statement(services, tmp_path):
    from tests.reports.util import request

    request(services, email="nobody@example.org")
    result, out = render(services, tmp_path, dossier=services.dossier.gather("nobody@example.org"))
    text = squash(pdftotext(out))
    assert "We hold no support cases or consent records about you" in text
    assert re.search(r"Page 1 of \d+", text)


def test_img_tag_naming_a_real_local_image_embeds_nothing(services, tmp_path):
    from PIL import Image

    from tests.helpers.factories import add_case

    png = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "red").save(png)
    add_case(services, email=EMAIL, description=f'look <img src="{png}" width="50" height="50"/> here')
    _result, out = render(services, tmp_path)
    assert not re.search(rb"/Subtype\s*/Image", out.read_bytes())
    no_space = "".join(pdftotext(out).split())  # the long path may wrap anywhere
    assert f'<imgsrc="{png}"width="50"height="50"/>' in no_space
