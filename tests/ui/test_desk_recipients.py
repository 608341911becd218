"""Art. 19 after an erasure (issue 14): the recipients to tell are those that received the person's
data, by what each receives (Settings › Recipients); each gets a tick and a date for "told", kept on
the request in the store and shown in the request window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.domain.models import RequestStatus
from desktop.ui.requests.rights_dialogs import ErasureDialog, RecipientsDialog
from tests.conftest import T0
from tests.helpers.factories import add_case
from tests.ui.test_requests_view import Script, click, open_request, tick, verify_through_gui


@pytest.fixture
def view(qtbot, window):
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    assert window.current_view() == "requests"
    return window.requests_view


def erase_through_gui(qtbot, view, services, req):
    verify_through_gui(qtbot, view, req)
    shown = {}

    def confirm(d):
        assert isinstance(d, ErasureDialog)
        tick(qtbot, d.understood)
        click(qtbot, d.ok_button)

    def recipients(d):
        assert isinstance(d, RecipientsDialog)
        shown["recipients"] = [d.recipients.item(i).text() for i in range(d.recipients.count())]
        d.accept()

    script = Script(qtbot, view, confirm, recipients)
    click(qtbot, view.detail.buttons["erase"])
    assert script.done
    assert services.requests.get(req.id).status is RequestStatus.COMPLETED
    return shown["recipients"]


def test_marketing_tools_are_told_only_when_the_person_gave_marketing_consent(qtbot, view, services):
    add_case(services, email="ada@example.org", marketing_consent=True)
    add_case(services, name="Bob", email="bob@example.org")
    ada = open_request(services, "erasure", email="ada@example.org")
    bob = open_request(services, "erasure", email="bob@example.org")
    view.reload()
    view.select_request(ada.id)
    told_ada = erase_through_gui(qtbot, view, services, ada)
    assert told_ada == ["MailChimp", "ActiveCampaign", "Email service providers"]
    view.select_request(bob.id)
    assert erase_through_gui(qtbot, view, services, bob) == ["Email service providers"]
    # website analytics and authorities received nothing from the desk: nobody asks them
    assert "Google Analytics" not in told_ada and "Legal authorities" not in told_ada
    assert services.requests.get(ada.id).details["notify_recipients"] == told_ada


def test_each_recipient_gets_a_tick_and_date_for_told_kept_on_the_request(qtbot, view, services, clock):
    add_case(services, email="ada@example.org", marketing_consent=True)
    req = open_request(services, "erasure", email="ada@example.org")
    view.reload()
    view.select_request(req.id)
    erase_through_gui(qtbot, view, services, req)
    view.filter.setCurrentIndex(view.filter.findData("all"))  # the completed request is in "All requests"
    assert view.select_request(req.id)
    box = view.detail.recipients
    assert box.isVisible() and set(box.boxes) == {"MailChimp", "ActiveCampaign", "Email service providers"}
    assert box.notes["MailChimp"].text() == "not told yet"
    assert "0 of 3 told" in box.title()
    # the facts do not say "nothing more can be done" while the ticks are still asked for
    facts = view.detail.facts.text()
    assert "nothing more can be done" not in facts and "3 recipients below still to tell" in facts

    mailchimp = box.boxes["MailChimp"]
    qtbot.mouseClick(mailchimp, Qt.LeftButton, pos=QPoint(8, mailchimp.height() // 2))
    told = services.requests.get(req.id).details["told"]
    assert set(told) == {"MailChimp"}
    assert told["MailChimp"]["at"] == clock.now().isoformat() and told["MailChimp"]["by"]
    box = view.detail.recipients  # rebuilt from the store
    assert box.boxes["MailChimp"].isChecked() and not box.boxes["ActiveCampaign"].isChecked()
    assert box.notes["MailChimp"].text().startswith("told ") and T0.strftime("%Y") in box.notes["MailChimp"].text()
    assert "1 of 3 told" in box.title()
    assert "MailChimp marked as told" in view.message.text()
    entries = services.audit.entries(action="request.recipient_told")
    assert len(entries) == 1 and "MailChimp" not in entries[0].detail

    # by keyboard: focus the tick and press Space
    providers = box.boxes["Email service providers"]
    providers.setFocus()
    qtbot.keyClick(providers, Qt.Key_Space)
    assert set(services.requests.get(req.id).details["told"]) == {"MailChimp", "Email service providers"}
    assert "1 recipient below still to tell" in view.detail.facts.text()

    # a tick taken back is taken back in the store
    box = view.detail.recipients
    mailchimp = box.boxes["MailChimp"]
    qtbot.mouseClick(mailchimp, Qt.LeftButton, pos=QPoint(8, mailchimp.height() // 2))
    assert set(services.requests.get(req.id).details["told"]) == {"Email service providers"}


def test_a_request_without_a_list_shows_no_recipients_box(qtbot, view, services):
    add_case(services)
    req = open_request(services, "access")
    view.reload()
    view.select_request(req.id)
    assert not view.detail.recipients.isVisible()


def test_nothing_erased_under_a_legal_hold_means_nobody_to_tell(services):
    add_case(services, email="ada@example.org", marketing_consent=True)
    subject = services.ctx.subjects.by_email("ada@example.org")
    services.retention.set_hold(reason="Litigation 2026-02", subject_id=subject.id)
    req = services.requests.open("erasure", "ada@example.org").request
    services.requests.record_verification(req.id, "reply_from_address")
    result = services.rights.erase(req.id)
    assert result.held_by_subject and result.erased_cases == []
    assert result.recipients == []


@pytest.mark.parametrize(("kind", "consented", "expected"), [
    ("marketing", True, ["MailChimp", "ActiveCampaign"]),  # they had the person as a marketing contact
    ("marketing", False, []),  # never consented: the marketing tools never received the person
    ("analytics", True, []),  # analytics tools receive no personal data from the desk
    ("other", False, ["Email service providers"]),  # everyone that received the person's data
])
def test_an_objection_lists_the_recipients_that_received_the_persons_data(qtbot, view, services, kind,
                                                                         consented, expected):
    """Like an erasure: by what each recipient receives (Settings › Recipients), not by the wording
    of its purpose (which named the analytics tools and every marketing tool for anyone)."""
    add_case(services, email="ada@example.org", marketing_consent=consented)
    req = open_request(services, "objection", email="ada@example.org")
    view.reload()
    view.select_request(req.id)
    shown = {}

    def objection(d):
        d.kind.setCurrentIndex(d.kind.findData(kind))
        qtbot.keyClicks(d.text, "Please stop this")
        click(qtbot, d.ok_button)

    def recipients(d):
        assert isinstance(d, RecipientsDialog)
        shown["r"] = [d.recipients.item(i).text() for i in range(d.recipients.count())]
        shown["list shown"] = d.recipients.isVisible()
        shown["note"] = d.note.text()
        d.accept()

    script = Script(qtbot, view, objection, recipients)
    click(qtbot, view.detail.buttons["object"])
    assert script.done
    assert shown["r"] == expected
    # nobody to tell is said in words about the objection, without an empty list under it
    assert shown["list shown"] == bool(expected)
    assert ("nobody to tell" in shown["note"] and "objection" in shown["note"]) == (not expected)
    assert services.requests.get(req.id).details["notify_recipients"] == expected
    box = view.detail.recipients  # the request window ticks exactly those
    assert box.isVisible() and set(box.boxes) == set(expected)
    assert box.empty.isVisible() == (not expected)  # "nobody to tell" rather than an empty box


def test_an_erased_request_stays_in_open_requests_until_every_recipient_is_told(qtbot, view, services):
    """Issue 14: the erasure completed the request and it dropped out of the default filter, so
    the agent had to find it under All requests to tick the recipients. It stays listed (and
    selected, with its recipients box) until the last one is ticked."""
    add_case(services, email="ada@example.org", marketing_consent=True)
    req = open_request(services, "erasure", email="ada@example.org")
    view.reload()
    view.select_request(req.id)
    names = erase_through_gui(qtbot, view, services, req)
    assert len(names) == 3
    assert view.filter.currentData() == "open" and "recipients to tell" in view.filter.currentText()
    assert view.selected_id() == req.id
    box = view.detail.recipients
    assert box.isVisible() and set(box.boxes) == set(names)
    assert box.pending.isVisible() and "3 still to tell" in box.pending.text()
    row = view.model.row_of(req.id)
    assert view.model.index(row, 5).data() == "Completed · 3 to tell"

    for n, name in enumerate(names):
        tick_box = view.detail.recipients.boxes[name]  # rebuilt from the store after each tick
        qtbot.mouseClick(tick_box, Qt.LeftButton, pos=QPoint(8, tick_box.height() // 2))
        left = len(names) - n - 1
        if left:
            assert view.selected_id() == req.id
            assert f"{left} still to tell" in view.detail.recipients.pending.text()
    assert set(services.requests.get(req.id).details["told"]) == set(names)
    assert view.model.row_of(req.id) is None, "every recipient told: it leaves the open list"
    assert "All requests" in view.message.text()
    view.filter.setCurrentIndex(view.filter.findData("all"))
    assert view.select_request(req.id)
    assert view.model.index(view.model.row_of(req.id), 5).data() == "Completed"
    assert not view.detail.recipients.pending.isVisible()


def test_an_erasure_with_nobody_to_tell_leaves_the_open_list_at_once(qtbot, view, services):
    add_case(services, email="ada@example.org")
    subject = services.ctx.subjects.by_email("ada@example.org")
    services.retention.set_hold(reason="Litigation 2026-02", subject_id=subject.id)
    req = open_request(services, "erasure", email="ada@example.org")
    view.reload()
    verify_through_gui(qtbot, view, req)

    def confirm(d):
        tick(qtbot, d.understood)
        click(qtbot, d.ok_button)

    script = Script(qtbot, view, confirm, lambda d: d.accept())
    click(qtbot, view.detail.buttons["erase"])
    assert script.done
    assert services.requests.get(req.id).details["notify_recipients"] == []
    assert view.model.row_of(req.id) is None


def test_complete_waits_for_the_erasure(qtbot, view, services):
    """Issue 14: an erasure request's Complete… was enabled before anything was erased; Erase…
    completes it (or Refuse…), and the disabled button says so to the eye and to a screen reader."""
    add_case(services, email="ada@example.org")
    req = open_request(services, "erasure", email="ada@example.org")
    view.reload()
    verify_through_gui(qtbot, view, req)
    view.select_request(req.id)
    complete = view.detail.buttons["complete"]
    assert complete.isVisible() and not complete.isEnabled()
    assert "Erase…" in complete.toolTip() and "Erase…" in complete.accessibleDescription()
    assert view.detail.why["complete"].isVisible() and "Erase…" in view.detail.why["complete"].text()
    assert view.detail.buttons["erase"].isEnabled() and view.detail.buttons["refuse"].isEnabled()
    qtbot.mouseClick(complete, Qt.LeftButton)
    assert services.requests.get(req.id).status is RequestStatus.IN_PROGRESS
