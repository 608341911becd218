"""Settings page: edits to the organisation profile, recipients, deadlines, idle lock, phone region
and retention policies are saved in the store and audited; bad input saves nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.settings.view import SettingsController, SettingsView


def make_view(qtbot, services, runner):
    view = SettingsView(SettingsController(services), runner=runner)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    return view


def type_into(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def save(qtbot, view):
    qtbot.mouseClick(view.save_button, Qt.LeftButton)


def audited(services, target):
    return [e for e in services.audit.entries(action="settings.change") if e.target == target]


def test_profile_and_recipients_saved_and_audited(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    assert view.org["controller_name"].text() == services.settings.organisation()["controller_name"]
    shipped = view.recipients.rowCount()
    assert shipped > 0
    type_into(qtbot, view.org["controller_name"], "Acme Mail Ltd")
    type_into(qtbot, view.org["privacy_contact_email"], "privacy@example.org")
    view.add_recipient(["Postmark", "Transactional email", "United States", "SCCs"])
    view.recipients.selectRow(0)
    view.remove_recipient()
    save(qtbot, view)

    org = services.settings.organisation()
    assert org["controller_name"] == "Acme Mail Ltd"
    assert org["privacy_contact_email"] == "privacy@example.org"
    names = [r["name"] for r in org["recipients"]]
    assert len(names) == shipped and names[-1] == "Postmark" and "MailChimp" not in names
    entries = audited(services, "settings:organisation")
    assert len(entries) == 1 and "controller_name" in entries[0].detail
    assert "Acme" not in entries[0].detail and "Postmark" not in entries[0].detail
    assert "organisation" in view.status.text()


def test_deadlines_idle_lock_and_phone_region(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    view.tabs.setCurrentIndex(3)
    view.rule.setCurrentIndex(view.rule.findData("ccpa"))
    view.country.setCurrentIndex(view.country.findData("US"))
    view.idle.setValue(15)
    view.region.setCurrentIndex(view.region.findData("US"))
    view.idle.setFocus()
    qtbot.keyClick(view.idle, Qt.Key_Return, Qt.ControlModifier)  # Ctrl+Enter saves

    app = services.settings.app()
    assert (app["deadline_rule"], app["holiday_country"]) == ("ccpa", "US")
    assert app["idle_lock_minutes"] == 15 and app["default_phone_region"] == "US"
    assert services.settings.phone_region == "US"
    assert audited(services, "settings:app")
    assert not audited(services, "settings:organisation"), "unchanged sections are not rewritten"


def test_invalid_email_saves_nothing(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    before = services.settings.organisation()
    type_into(qtbot, view.org["privacy_contact_email"], "nobody at example")
    view.idle.setValue(30)
    save(qtbot, view)
    assert view.error.isVisible() and "Privacy contact" in view.error.text()
    assert services.settings.organisation() == before
    assert services.settings.app()["idle_lock_minutes"] != 30
    assert not services.audit.entries(action="settings.change")


def test_retention_period_edit_goes_through_the_retention_service(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    row = next(r for r in range(view.policies.rowCount())
               if view.policies.item(r, 0).data(Qt.UserRole) == "phone-after-close")
    view.policies.item(row, 1).setText("14")
    save(qtbot, view)
    policy = services.retention.policy("phone-after-close")
    assert policy.period == 14
    assert services.audit.entries(action="retention.policies")
    assert "retention" in view.status.text()

    unit = view.policies.unit_box(row)  # a drop-down: only the units the policy format allows
    assert [unit.itemText(i) for i in range(unit.count())] == ["days", "months"]
    view.policies.item(row, 1).setText("1300")
    unit.setCurrentIndex(unit.findData("months"))
    save(qtbot, view)
    assert view.error.isVisible()
    assert services.retention.policy("phone-after-close").unit == "days"


def test_settings_view_is_mounted_in_the_main_window(window, services):
    assert "settings" in window.views
    view = window.show_view("settings")
    assert isinstance(view, SettingsView)
    assert view.org["controller_name"].text() == services.settings.organisation()["controller_name"]


def test_web_form_time_zone_is_a_setting_the_import_uses(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    view.tabs.setCurrentIndex(3)
    view.web_tz.setFocus()
    qtbot.keyClicks(view.web_tz, "America/Chicago")
    assert view.web_tz.currentData() == "America/Chicago"
    qtbot.keyClick(view.web_tz, Qt.Key_Return, Qt.ControlModifier)  # Ctrl+Enter saves
    assert services.settings.app()["web_form_timezone"] == "America/Chicago"
    assert services.settings.web_form_timezone == "America/Chicago"
    assert audited(services, "settings:app")


def test_mail_intake_masking_toggle_is_saved_and_used_by_the_diagnosis(qtbot, services, runner):
    """Settings › Mail intake: unticking the masking stores it (audited); a bounce read afterwards
    shows the failed recipient in full. Ticking it again masks it again."""
    from desktop.services.mail_import import for_services
    from desktop.ui.intake.mail_controller import MailFormController

    bounce = (b"From: MAILER-DAEMON@relay.example\nTo: ann@shop.example\nSubject: failure notice\n\n"
              b"<bob@remote.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n")

    def read_in_intake_form():   # what the intake form's Open/Paste message gets
        form = MailFormController(services)
        form.load_bytes(bounce, "bounce.eml")
        return form.pending

    assert for_services(services).mail_settings()["mask_third_party_addresses"] is True
    first = read_in_intake_form()
    assert "***@remote.example" in first.technical_details and "bob@remote.example" not in first.technical_details

    view = make_view(qtbot, services, runner)
    view.tabs.setCurrentIndex(next(i for i in range(view.tabs.count()) if "intake" in view.tabs.tabText(i).replace("&", "")))
    box = view.mail_toggles["mask_third_party_addresses"]
    assert box.isChecked() and box.isVisible()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key_Space)
    assert not box.isChecked()
    save(qtbot, view)
    assert "mail intake" in view.status.text()
    assert services.settings.get("mail")["mask_third_party_addresses"] is False
    entries = audited(services, "settings:mail")
    assert len(entries) == 1 and "mask_third_party_addresses" in entries[0].detail
    assert "bob@remote.example" in read_in_intake_form().technical_details

    qtbot.mouseClick(box, Qt.LeftButton)
    save(qtbot, view)
    assert services.settings.get("mail")["mask_third_party_addresses"] is True
    p = read_in_intake_form()
    assert "***@remote.example" in p.technical_details and "bob@remote.example" not in p.technical_details


def edit_period(qtbot, view, row, text):
    """Type a period into the table as the agent does: select the cell, F2, type, Enter."""
    view.policies.setFocus()
    view.policies.setCurrentCell(row, 1)
    qtbot.keyClick(view.policies, Qt.Key_F2)
    editor = view.policies.indexWidget(view.policies.model().index(row, 1))  # the open cell editor
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: view.policies.item(row, 1).text() == text)  # Qt commits on the next event loop


def test_a_retention_error_goes_away_as_soon_as_the_value_is_corrected(qtbot, services, runner):
    """Issue 14: the error stayed on screen after the period was fixed, until the next save."""
    view = make_view(qtbot, services, runner)
    view.tabs.setCurrentIndex(2)
    row = next(r for r in range(view.policies.rowCount())
               if view.policies.item(r, 0).data(Qt.UserRole) == "phone-after-close")
    label = view.policies.item(row, 0).text()
    edit_period(qtbot, view, row, "two weeks")
    save(qtbot, view)
    assert view.error.isVisible() and label in view.error.text() and "whole number" in view.error.text()
    edit_period(qtbot, view, row, "14")
    assert not view.error.isVisible(), "the corrected period still shows its error"
    assert services.retention.policy("phone-after-close").period != 14, "nothing saved before Save"
    save(qtbot, view)
    assert services.retention.policy("phone-after-close").period == 14


def test_a_fixed_field_drops_its_error_while_another_problem_stays(qtbot, services, runner):
    view = make_view(qtbot, services, runner)
    row = next(r for r in range(view.policies.rowCount())
               if view.policies.item(r, 0).data(Qt.UserRole) == "phone-after-close")
    type_into(qtbot, view.org["privacy_contact_email"], "nobody at example")
    view.tabs.setCurrentIndex(2)
    edit_period(qtbot, view, row, "x")
    save(qtbot, view)
    assert "whole number" in view.error.text() and "Privacy contact" in view.error.text()
    edit_period(qtbot, view, row, "30")
    assert view.error.isVisible() and "whole number" not in view.error.text()
    assert "Privacy contact" in view.error.text()
    view.tabs.setCurrentIndex(0)
    type_into(qtbot, view.org["privacy_contact_email"], "privacy@example.org")
    assert not view.error.isVisible()
