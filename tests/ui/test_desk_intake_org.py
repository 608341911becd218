"""Issue 14 (part A) at the intake form: the organisation's own notice, the under-13 refusal as its
own choice, and a pasted log moved out of Description with one click."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from desktop.domain.models import CaseQuery
from tests.ui.test_intake import fill, press_save


def visible_texts(view) -> list[str]:
    return [lab.text() for lab in view.findChildren(QLabel) if lab.isVisible() and lab.text()]


def test_notice_names_the_configured_organisation_and_its_contact(qtbot, window, services):
    org = services.settings.organisation()
    services.settings.set("organisation", {**org, "controller_name": "Blue Relay Ltd",
                                           "privacy_contact_email": "privacy@bluerelay.example"})
    view = window.intake_view
    window.show_view("cases")
    window.show_view("intake")  # shown again: the form reads the current notice
    assert "Blue Relay Ltd" in view.notice_box.title()
    assert "Blue Relay Ltd" in view.notice_text.text()  # the shipped notice names this organisation
    assert "privacy@bluerelay.example" in view.notice_contact.text()
    assert "WP Email SMTP" not in view.notice_text.text() + view.notice_box.title()
    assert "wpemailsmtp" not in view.notice_text.text()
    version = services.settings.notice().version
    assert version in view.notice_box.title()
    fill(qtbot, view)
    press_save(qtbot, view)
    case = services.cases.get(services.cases.ids(CaseQuery())[0])
    assert case.notice_version == version


def test_unticked_age_box_asks_to_confirm_it_does_not_say_under_13(qtbot, window, services):
    view = window.intake_view
    assert view.age.text().startswith("Confirm the person is 13 or older")
    fill(qtbot, view, age=False)
    press_save(qtbot, view)
    assert services.cases.count() == 0
    # not asked yet is not a refusal: the agent is asked to confirm, and told where the refusal is
    assert "Confirm the person is 13 or older" in view.result_label.text()
    assert "The person is under 13" in view.result_label.text()
    assert "Nothing stored" not in view.result_label.text()
    assert view.name.text()  # nothing typed is lost


def test_under_13_is_an_explicit_choice_that_clears_the_form_and_stores_nothing(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view, age=False)
    qtbot.mouseClick(view.under_13, Qt.LeftButton)
    assert services.cases.count() == 0
    assert services.ctx.subjects.by_email("zoe@example.org") is None
    assert view.name.text() == "" and view.email.text() == "" and view.description.toPlainText() == ""
    assert not view.notice.isChecked() and not view.age.isChecked()
    assert "Nothing stored" in view.result_label.text() and "under 13" in view.result_label.text()
    # by keyboard too: Alt+3
    fill(qtbot, view, age=False)
    qtbot.keyClick(view.name, Qt.Key_3, Qt.AltModifier)  # a mnemonic animates the click: ~100 ms later
    qtbot.waitUntil(lambda: view.name.text() == "", timeout=2000)
    assert services.cases.count() == 0


def test_pasted_log_in_description_is_refused_once_and_moved_with_one_click(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view, description="x", technical="")
    log = "\n".join(f"2026-12-02 09:{i % 60:02d}:00 SMTP 550 5.1.1 user unknown <u{i}@example.net>"
                    for i in range(320))
    assert len(log) > 19_000
    view.description.selectAll()
    view.description.insertPlainText(log)  # a paste
    assert view.move_button.isVisible()
    press_save(qtbot, view)
    assert services.cases.count() == 0
    texts = visible_texts(view)
    assert sum("too long" in t for t in texts) == 1, texts  # the error once, not twice
    assert any("Technical details" in t and "too long" in t for t in texts)
    qtbot.mouseClick(view.move_button, Qt.LeftButton)
    assert view.technical.toPlainText() == log
    assert view.description.toPlainText() == ""
    assert not view.move_button.isVisible()
    assert view.description.hasFocus()
    qtbot.keyClicks(view.description, "Bounces for unknown users since this morning")
    press_save(qtbot, view)
    case = services.cases.get(services.cases.ids(CaseQuery())[0])
    assert case.description == "Bounces for unknown users since this morning"
    assert case.technical_details == log


def test_move_keeps_what_technical_details_already_held(qtbot, window):
    view = window.intake_view
    qtbot.keyClicks(view.technical, "Received: from mx.example")
    view.description.setPlainText("y" * 6000)
    qtbot.mouseClick(view.move_button, Qt.LeftButton, pos=QPoint(5, 5))
    assert view.technical.toPlainText() == "Received: from mx.example\n\n" + "y" * 6000


def test_move_to_technical_details_by_keyboard(qtbot, window):
    view = window.intake_view
    view.description.setPlainText("log line\n" * 700)
    view.description.setFocus()
    qtbot.keyClick(view.description, Qt.Key_E, Qt.AltModifier)  # a mnemonic animates the click
    qtbot.waitUntil(lambda: view.description.toPlainText() == "", timeout=2000)
    assert view.technical.toPlainText() == ("log line\n" * 700).strip("\n")
