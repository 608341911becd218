"""Every organisation field the access report prints is asked in the first-run wizard (or Settings),
and a report never prints a placeholder (issue 14): a new store made through the wizard, filled in,
then an access report read back with pdftotext."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QWizard

from desktop.ui.shell.first_run_controller import FirstRunController
from desktop.ui.shell.first_run_wizard import FirstRunWizard, NoticePage, ReportPage
from tests.helpers.factories import add_case
from tests.reports.util import pdftotext, squash
from tests.ui.test_first_run_wizard import create, fill_organisation, press, type_into


def test_new_store_through_the_wizard_gives_a_report_without_placeholders(qtbot, store_path, runner, tmp_path,
                                                                            memory_keyring):
    wizard = FirstRunWizard(FirstRunController(store_path, create, staff="Ada"), runner=runner)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    type_into(qtbot, wizard.pages[0].path, str(store_path))
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)
    fill_organisation(qtbot, wizard.currentPage())
    press(qtbot, wizard, QWizard.NextButton)
    report_page = wizard.currentPage()
    assert isinstance(report_page, ReportPage)
    # every organisation field the report prints is asked (the others are on the organisation page)
    assert set(report_page.fields) == {"alternative_privacy_contact", "dpo_contact", "data_source",
                                       "automated_decision_making", "transfer_safeguards"}
    assert report_page.fields["alternative_privacy_contact"].text() == ""  # no text naming another company
    type_into(qtbot, report_page.fields["dpo_contact"], "Dana Officer, dpo@acme.example")
    type_into(qtbot, report_page.fields["data_source"], "From you, when you wrote to Acme support.")
    report_page.fields["transfer_safeguards"].clear()  # left empty: the report leaves it out
    press(qtbot, wizard, QWizard.NextButton)
    notice = wizard.currentPage()
    assert isinstance(notice, NoticePage)
    assert "Acme Mail Ltd" in notice.text.toPlainText() and "privacy@example.org" in notice.text.toPlainText()
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.FinishButton)
    assert wizard.result() == QWizard.Accepted
    services = wizard.services
    try:
        shown = services.settings.notice()
        assert "Acme Mail Ltd" in shown.text and shown.saved_by == "Ada"
        add_case(services, notice_version=None)
        req = services.requests.open("access", "ada@example.org").request
        services.requests.record_verification(req.id, "reply_from_address")
        out = tmp_path / "report.pdf"
        services.reports.access_report("ada@example.org", out)
        text = squash(pdftotext(out))
    finally:
        services.close()
    assert "Acme Mail Ltd, 1 Relay Road, Leeds" in text
    assert "Data protection officer Dana Officer, dpo@acme.example" in text
    assert "Our data protection officer: Dana Officer" in text
    assert "From you, when you wrote to Acme support." in text
    assert "Information Commissioner's Office" in text
    assert f"Privacy notice acknowledged {shown.version}" in text
    # nothing left empty is printed as a blank, a placeholder or another company's text
    assert "You can also contact" not in text and "Transfers outside your country" not in text
    for bad in ("TODO", "placeholder", "WP Email SMTP", "wpemailsmtp", "Kaexlen", "{organisation}", "{contact}"):
        assert bad not in text, bad
    assert not re.search(r"<[^>]*>", text), "no <...> left in the report"


def test_the_notice_follows_the_name_until_the_person_edits_it(qtbot, store_path, runner, memory_keyring):
    wizard = FirstRunWizard(FirstRunController(store_path, create, staff="Ada"), runner=runner)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    type_into(qtbot, wizard.pages[0].path, str(store_path))
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)
    org_page = wizard.currentPage()
    fill_organisation(qtbot, org_page)
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)
    notice = wizard.currentPage()
    assert "Acme Mail Ltd" in notice.text.toPlainText()
    press(qtbot, wizard, QWizard.BackButton)
    press(qtbot, wizard, QWizard.BackButton)
    type_into(qtbot, org_page.fields["controller_name"], "Blue Relay Ltd")
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)
    assert "Blue Relay Ltd" in notice.text.toPlainText() and "Acme" not in notice.text.toPlainText()
    type_into(qtbot, notice.text, "Our own words.")
    press(qtbot, wizard, QWizard.BackButton)
    press(qtbot, wizard, QWizard.NextButton)
    assert notice.text.toPlainText() == "Our own words."  # an edited notice is never replaced
