"""First-run wizard: keyring or passphrase (with the reason shown), organisation profile and
deadlines saved in the new store and audited, bad input stops on the page that has it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from desktop import app as root
from desktop import paths
from desktop.store import keys
from desktop.store.keys import Key
from desktop.ui.shell.first_run_controller import FirstRunController
from desktop.ui.shell.first_run_wizard import FirstRunWizard

GOOD = "correct horse battery"


def create(path, key, staff):
    return root.create_services(path, key, staff=staff)


@pytest.fixture
def opened():
    services = []
    yield services
    for s in services:
        s.close()


def make_wizard(qtbot, store_path, runner, staff="Ada"):
    wizard = FirstRunWizard(FirstRunController(store_path, create, staff=staff), runner=runner)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def press(qtbot, wizard, which):
    qtbot.mouseClick(wizard.button(which), Qt.LeftButton)


def type_into(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def fill_organisation(qtbot, page, email="privacy@example.org"):
    type_into(qtbot, page.fields["controller_name"], "Acme Mail Ltd")
    type_into(qtbot, page.fields["controller_address"], "1 Relay Road, Leeds")
    type_into(qtbot, page.fields["privacy_contact_email"], email)
    type_into(qtbot, page.fields["supervisory_authority"], "Information Commissioner's Office")


def test_keyring_path_creates_store_with_profile_saved_and_audited(qtbot, store_path, runner,
                                                                   memory_keyring, opened):
    wizard = make_wizard(qtbot, store_path, runner)
    type_into(qtbot, wizard.pages[0].path, str(store_path))
    press(qtbot, wizard, QWizard.NextButton)
    protection = wizard.currentPage()
    assert protection is wizard.pages[1]
    assert "OS keyring" in protection.text.text()
    assert not protection.reason.isVisible() and not protection.pass1.isVisible()
    press(qtbot, wizard, QWizard.NextButton)
    fill_organisation(qtbot, wizard.currentPage())
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)  # what access reports tell people: the shipped texts
    notice = wizard.currentPage()
    assert "Acme Mail Ltd" in notice.text.toPlainText()  # the shipped notice names this organisation
    press(qtbot, wizard, QWizard.NextButton)
    deadlines = wizard.currentPage()
    deadlines.rule.setCurrentIndex(deadlines.rule.findData("gdpr"))
    deadlines.country.setCurrentIndex(deadlines.country.findData("DE"))
    press(qtbot, wizard, QWizard.NextButton)
    retention = wizard.currentPage()
    assert retention.table.rowCount() >= 5
    assert retention.table.item(0, 0).text() == "Closed case"
    press(qtbot, wizard, QWizard.FinishButton)

    assert wizard.result() == QWizard.Accepted and wizard.services is not None
    opened.append(wizard.services)
    # The raw key is in the keyring, so the store opens without a passphrase.
    assert keys.keyring_get(store_path) is not None
    wizard.services.close()
    opened.clear()
    svc = root.open_services(store_path, keys.keyring_get(store_path), staff="Ada")
    opened.append(svc)
    org = svc.settings.organisation()
    assert org["controller_name"] == "Acme Mail Ltd"
    assert org["privacy_contact_email"] == "privacy@example.org"
    assert org["supervisory_authority"] == "Information Commissioner's Office"
    assert org["recipients"], "the shipped recipients list is kept"
    assert svc.settings.app()["deadline_rule"] == "gdpr"
    assert svc.settings.app()["holiday_country"] == "DE"
    changes = [e for e in svc.audit.entries(action="settings.change")]
    targets = {e.target for e in changes}
    assert {"settings:organisation", "settings:app"} <= targets
    assert all(e.staff == "Ada" for e in changes)
    assert not any("Acme" in (e.detail or "") for e in changes), "no profile text in the audit trail"


def test_without_keyring_asks_for_passphrase_twice_and_shows_why(qtbot, store_path, runner,
                                                                  fail_keyring, opened):
    wizard = make_wizard(qtbot, store_path, runner)
    type_into(qtbot, wizard.pages[0].path, str(store_path))
    press(qtbot, wizard, QWizard.NextButton)
    page = wizard.currentPage()
    assert page.reason.isVisible()
    assert "no OS keyring is available" in page.reason.text()
    assert page.pass1.isVisible() and page.pass2.isVisible()

    type_into(qtbot, page.pass1, GOOD)
    type_into(qtbot, page.pass2, GOOD + "x")
    press(qtbot, wizard, QWizard.NextButton)
    assert wizard.currentPage() is page
    assert "differ" in page.error.text()
    type_into(qtbot, page.pass1, "short")
    type_into(qtbot, page.pass2, "short")
    press(qtbot, wizard, QWizard.NextButton)
    assert wizard.currentPage() is page and "at least" in page.error.text()

    type_into(qtbot, page.pass1, GOOD)
    type_into(qtbot, page.pass2, GOOD)
    press(qtbot, wizard, QWizard.NextButton)
    fill_organisation(qtbot, wizard.currentPage())
    for _page in ("report details", "privacy notice", "deadlines", "retention"):
        press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.FinishButton)
    assert wizard.services is not None
    wizard.services.close()
    assert page.pass1.text() == "" and page.pass2.text() == "", "passphrase cleared from the form"
    svc = root.open_services(store_path, Key.passphrase(GOOD), staff="x")
    opened.append(svc)
    assert svc.settings.organisation()["controller_name"] == "Acme Mail Ltd"


def test_invalid_profile_and_existing_file_stop_on_their_page(qtbot, store_path, runner):
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"someone else's file")
    wizard = make_wizard(qtbot, store_path, runner)
    press(qtbot, wizard, QWizard.NextButton)
    assert wizard.currentPage() is wizard.pages[0]
    assert "already exists" in wizard.pages[0].error.text()
    assert store_path.read_bytes() == b"someone else's file"

    new_path = store_path.parent / "new.db"
    type_into(qtbot, wizard.pages[0].path, str(new_path))
    type_into(qtbot, wizard.pages[0].staff, "")
    press(qtbot, wizard, QWizard.NextButton)
    assert "your name" in wizard.pages[0].error.text().lower()
    type_into(qtbot, wizard.pages[0].staff, "Ada")
    press(qtbot, wizard, QWizard.NextButton)
    press(qtbot, wizard, QWizard.NextButton)
    org_page = wizard.currentPage()
    fill_organisation(qtbot, org_page, email="not-an-address")
    type_into(qtbot, org_page.fields["controller_name"], "")
    press(qtbot, wizard, QWizard.NextButton)
    assert wizard.currentPage() is org_page
    assert "organisation's name" in org_page.error.text()
    assert "Privacy contact" in org_page.error.text()
    assert not new_path.exists(), "nothing is created before Finish"


def test_controller_keyring_refusal_removes_key_when_creation_fails(store_path, memory_keyring):
    def broken(path, key, staff):
        raise OSError("disk full")

    c = FirstRunController(store_path, broken, staff="Ada")
    assert c.mode == "keyring"
    key = c.key()
    assert keys.keyring_get(store_path) is not None
    with pytest.raises(OSError):
        c.create_store(key)
    assert keys.keyring_get(store_path) is None, "no orphaned key left in the keyring"


def test_env_passphrase_needs_no_passphrase_page_input(store_path, monkeypatch, opened):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", GOOD)
    c = FirstRunController(store_path, create, staff="Ada")
    assert c.mode == "env" and c.set_passphrase("", "") is None
    assert c.set_organisation({"controller_name": "Acme", "privacy_contact_email": "p@example.org",
                               "supervisory_authority": "ICO"}) == {}
    assert c.set_deadlines("ccpa", "us") == {}
    assert "holiday_country" in c.set_deadlines("gdpr", "XX")
    svc = c.create_store(c.key())
    opened.append(svc)
    assert svc.vault.key_kind == "passphrase"
    assert svc.settings.app()["deadline_rule"] == "ccpa"
    assert svc.settings.app()["holiday_country"] == "US"
    # A non-default location chosen at first run is where the next start (GUI or CLI) looks.
    assert paths.store_path(None) == store_path.resolve()
    monkeypatch.setenv("HELPDESK_INTAKE_STORE", "/elsewhere/x.db")
    assert paths.store_path(None) == Path("/elsewhere/x.db"), "the environment still wins"
