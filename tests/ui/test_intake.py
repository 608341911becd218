"""The intake form, driven like a person would: type, tick, Ctrl+Return; then look in the store."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop.domain.models import CaseQuery, Category, Channel
from tests.ui.typing_helpers import type_text


def fill(qtbot, view, *, name="Zoë Ärnström", email="zoe@example.org", phone="020 7946 0002",
         description="Mail to hotmail.com lands in junk since Monday", technical="550 5.7.1 blocked",
         notice=True, age=True, marketing=False, category=Category.SPAM_FOLDER):
    type_text(qtbot, view.name, name)
    qtbot.keyClicks(view.email, email)
    if phone:
        qtbot.keyClicks(view.phone, phone)
    view.category.setCurrentIndex(view.category.findData(category.value))
    qtbot.keyClicks(view.description, description)
    if technical:
        qtbot.keyClicks(view.technical, technical)
    for box, wanted in ((view.notice, notice), (view.age, age), (view.marketing, marketing)):
        if box.isChecked() != wanted:
            qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))


def press_save(qtbot, view, key=Qt.Key_Return):
    qtbot.keyClick(view.description, key, Qt.ControlModifier)


def test_typed_form_saved_with_ctrl_return_is_in_the_store(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view, marketing=True)
    assert view.notice.isChecked() and view.age.isChecked() and view.marketing.isChecked()
    press_save(qtbot, view)

    ids = services.cases.ids(CaseQuery())
    assert len(ids) == 1
    case = services.cases.get(ids[0])
    assert case.name == "Zoë Ärnström"
    assert case.email == "zoe@example.org"
    assert case.phone == "+442079460002"  # default region GB from settings, stored E.164
    assert case.category == Category.SPAM_FOLDER
    assert case.channel == Channel.EMAIL
    assert case.technical_details == "550 5.7.1 blocked"
    kinds = {c.kind for c in services.ctx.subjects.consents(case.subject_id)}
    assert kinds == {"privacy_notice", "marketing"}
    assert view.result_label.text().startswith(f"Case {case.id} saved")
    # the form is cleared for the next person
    assert view.name.text() == "" and view.description.toPlainText() == "" and not view.notice.isChecked()
    assert window.count_label.text() == "1 case"


def test_ctrl_enter_on_keypad_also_saves(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view, phone="", technical="")
    qtbot.keyClick(view.name, Qt.Key_Enter, Qt.ControlModifier | Qt.KeypadModifier)
    assert services.cases.count() == 1


def test_repeat_contact_is_reported(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view)
    press_save(qtbot, view)
    fill(qtbot, view, description="Second problem: DKIM fails", category=Category.AUTH_RECORDS)
    press_save(qtbot, view)
    assert services.cases.count() == 2
    assert "repeat contact" in view.result_label.text()


def test_age_not_confirmed_refuses_and_stores_nothing(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view, age=False)
    press_save(qtbot, view)
    assert services.cases.count() == 0
    assert view.errors["age"].isVisible()
    # an unticked box means "not asked yet", not "under 13": the agent is asked to confirm
    assert "Confirm the person is 13 or older" in view.errors["age"].text()
    assert "Confirm the person is 13 or older" in view.result_label.text()
    # nothing typed is lost
    assert view.name.text() == "Zoë Ärnström"
    assert view.description.toPlainText().startswith("Mail to hotmail")


def test_invalid_email_shows_inline_error_and_stores_nothing(qtbot, window, services):
    view = window.intake_view
    fill(qtbot, view, email="zoe@@example")
    # leaving the field shows the message next to it
    view.email.setFocus()
    qtbot.keyClick(view.email, Qt.Key_Tab)
    assert view.errors["email"].isVisible()
    assert "Not a valid email address" in view.errors["email"].text()
    press_save(qtbot, view)
    assert services.cases.count() == 0
    assert view.email.text() == "zoe@@example"
    assert view.email.accessibleDescription().startswith("Not a valid email")
    # correcting it clears the message as the user types
    view.email.setFocus()
    view.email.selectAll()
    qtbot.keyClicks(view.email, "zoe@example.org")
    assert not view.errors["email"].isVisible()
    press_save(qtbot, view)
    assert services.cases.count() == 1


def test_privacy_notice_is_shown_and_must_be_acknowledged(qtbot, window, services):
    view = window.intake_view
    org = services.settings.organisation()
    assert view.notice_text.text() == org["privacy_notice_text"]
    assert org["privacy_notice_version"] in view.notice_box.title()
    assert not view.marketing.isChecked()  # unticked by default
    fill(qtbot, view, notice=False)
    press_save(qtbot, view)
    assert services.cases.count() == 0
    assert view.errors["notice"].isVisible()


def test_description_counter_and_limit(qtbot, window, services):
    view = window.intake_view
    qtbot.keyClicks(view.description, "abc")
    assert view.counter.text().startswith("3 / 5000")
    view.description.setPlainText("x" * 5001)
    assert view.counter.text().startswith("5001 / 5000")
    view.description.setFocus()
    qtbot.keyClick(view.description, Qt.Key_Tab)  # Tab leaves the field (tabChangesFocus)
    assert "too long" in view.errors["description"].text()


def test_escape_clears_only_after_confirmation(qtbot, window, services):
    view = window.intake_view
    answers = [False, True]
    asked = []

    def confirm(title, text):
        asked.append(title)
        return answers.pop(0)

    view.confirm = confirm
    qtbot.keyClicks(view.name, "Someone")
    qtbot.keyClick(view.name, Qt.Key_Escape)
    assert view.name.text() == "Someone"
    qtbot.keyClick(view.name, Qt.Key_Escape)
    assert view.name.text() == ""
    assert len(asked) == 2
    qtbot.keyClick(view.name, Qt.Key_Escape)  # a clean form clears without asking
    assert len(asked) == 2


def test_labels_are_buddies_and_inputs_have_accessible_names(qtbot, window):
    from PySide6.QtWidgets import QLabel

    view = window.intake_view
    buddies = {label.buddy() for label in view.findChildren(QLabel) if label.buddy() is not None}
    for key in ("name", "email", "phone", "category", "description", "technical_details", "channel"):
        widget = view.inputs[key]
        assert widget in buddies, key
        assert widget.accessibleName(), key

def test_tab_moves_through_the_form_in_order(qtbot, window):
    view = window.intake_view
    expected = [view.email, view.phone, view.category, view.description, view.technical, view.channel,
                view.notice, view.marketing, view.age, view.under_13, view.save_button]
    view.name.setFocus()
    seen = []
    for _ in expected:
        qtbot.keyClick(window.focusWidget(), Qt.Key_Tab)
        seen.append(window.focusWidget())
    assert seen == expected


def test_refused_for_restricted_person_keeps_the_form(qtbot, window, services):
    from tests.helpers.factories import add_case

    case_id = add_case(services, email="zoe@example.org")
    subject_id = services.cases.get(case_id).subject_id
    with services.vault.transaction():
        services.ctx.subjects.update(subject_id, restricted_at=services.ctx.now())
    view = window.intake_view
    fill(qtbot, view)
    press_save(qtbot, view)
    assert services.cases.count() == 1
    assert "restricted" in view.result_label.text()
    assert view.name.text() == "Zoë Ärnström"
