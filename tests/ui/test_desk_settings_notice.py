"""Settings › Privacy notice and Recipients (issue 14): a changed notice text is a new version with
its date and who saved it; the intake form then shows it and each case keeps the version it
acknowledged (case window, `show --json`); what each recipient receives decides the Art. 19 list."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, Qt

from desktop.domain.models import CaseQuery
from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from tests.conftest import PASSPHRASE, T0
from tests.helpers.factories import add_case
from tests.ui.test_intake import fill, press_save
from tests.ui.test_settings_view import make_view, save, type_into


def test_a_changed_notice_is_a_new_version_with_date_and_who(qtbot, services, runner):
    add_case(services)  # a case acknowledged the shipped notice: that version stays on record
    view = make_view(qtbot, services, runner)
    view.tabs.setCurrentWidget(view.notice_tab)
    first = services.settings.notice()
    assert view.notice_tab.text.toPlainText() == first.text
    save(qtbot, view)  # nothing changed: no new version
    assert [n.version for n in services.settings.notice_history()] == [first.version]

    type_into(qtbot, view.notice_tab.text, "Blue Relay Ltd keeps your support request for 12 months.")
    save(qtbot, view)
    now = services.settings.notice()
    assert now.text == "Blue Relay Ltd keeps your support request for 12 months."
    assert now.version == T0.date().isoformat() and now.saved_at == T0 and now.saved_by == services.ctx.staff
    type_into(qtbot, view.notice_tab.text, "Blue Relay Ltd keeps your support request for 6 months.")
    save(qtbot, view)
    history = services.settings.notice_history()
    assert [n.version for n in history] == [f"{T0.date().isoformat()}-2", T0.date().isoformat(), first.version]
    assert history[1].text.endswith("12 months.")  # the old text is kept
    # the tab lists every version; selecting one shows its text
    tab = view.notice_tab
    assert tab.history.rowCount() == 3 and tab.history.item(0, 0).text() == history[0].version
    assert T0.strftime("%Y-%m-%d") in tab.history.item(0, 1).text()
    tab.history.setCurrentCell(1, 0)
    assert tab.old_text.toPlainText().endswith("12 months.")
    assert history[0].version in tab.current.text()
    assert services.audit.entries(action="settings.notice_version")


def test_an_empty_notice_is_refused_and_nothing_changes(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    before = services.settings.notice()
    view.notice_tab.text.clear()
    save(qtbot, view)
    assert view.error.isVisible() and "privacy notice" in view.error.text()
    assert services.settings.notice() == before


def test_cases_keep_the_version_they_acknowledged(qtbot, window, services, capsys):
    settings = window.show_view("settings")
    settings.tabs.setCurrentWidget(settings.notice_tab)
    type_into(qtbot, settings.notice_tab.text, "Notice one.")
    qtbot.mouseClick(settings.save_button, Qt.LeftButton)
    v1 = services.settings.notice().version
    intake = window.show_view("intake")
    assert intake.notice_text.text() == "Notice one." and v1 in intake.notice_box.title()
    fill(qtbot, intake)
    press_save(qtbot, intake)
    settings = window.show_view("settings")
    type_into(qtbot, settings.notice_tab.text, "Notice two.")
    qtbot.mouseClick(settings.save_button, Qt.LeftButton)
    v2 = services.settings.notice().version
    assert v2 != v1
    intake = window.show_view("intake")
    assert intake.notice_text.text() == "Notice two."
    fill(qtbot, intake, email="ben@example.org", name="Ben")
    press_save(qtbot, intake)
    first, second = sorted(services.cases.ids(CaseQuery()))
    assert services.cases.get(first).notice_version == v1 and services.cases.get(second).notice_version == v2
    dialog = CaseDetailDialog(CaseDetailController(services, first))
    qtbot.addWidget(dialog)
    assert f"privacy notice {v1} acknowledged" in dialog.facts.text()


def test_show_json_carries_the_notice_version(services, store_path, monkeypatch, capsys):
    from desktop.cli import main

    case_id = add_case(services)
    version = services.settings.notice().version
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    assert main(["--store", str(store_path), "show", str(case_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["notice_version"] == version


def test_what_a_recipient_receives_decides_whom_an_erasure_lists(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    view.tabs.setCurrentWidget(view.recipients_tab)
    row = next(r for r in range(view.recipients.rowCount()) if view.recipients.item(r, 0).text() == "Google Analytics")
    combo = view.recipients_tab.receives_combo(row)
    assert combo.currentData() == "none"
    combo.setFocus()
    qtbot.mouseClick(combo, Qt.LeftButton, pos=QPoint(5, 5))
    combo.setCurrentIndex(combo.findData("all"))
    combo.hidePopup()
    save(qtbot, view)
    stored = {r["name"]: r["receives"] for r in services.settings.organisation()["recipients"]}
    assert stored["Google Analytics"] == "all" and stored["MailChimp"] == "marketing"
    add_case(services)
    req = services.requests.open("erasure", "ada@example.org").request
    services.requests.record_verification(req.id, "reply_from_address")
    result = services.rights.erase(req.id)
    assert result.recipients == ["Google Analytics", "Email service providers"]
