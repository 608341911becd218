"""Issue 14 B4: the status bar follows what another process writes (the CLI, a scheduled sweep):
a PRAGMA data_version poll off the GUI thread, the counts read again when it moved."""

from __future__ import annotations

from datetime import timedelta

from desktop.app import build_services
from desktop.domain.models import RequestType
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case


def test_cases_and_request_deadlines_added_by_another_process_reach_the_status_bar(qtbot, window, services,
                                                                                    clock):
    add_case(services)
    window.refresh_status()
    assert window.count_label.text() == "1 case"
    status = window.requests_status
    assert "0 due soon" in status.text()
    window.poll_changes()  # the first poll only notes where the store is

    other = build_services(Vault.open(services.path, Key.passphrase(PASSPHRASE)), clock=clock, staff="cli")
    try:  # a second process: the CLI writing to the same store
        add_case(other, name="Grace Hopper", email="grace@example.org")
        other.requests.open(RequestType.ACCESS, "grace@example.org", received_at=clock.now() - timedelta(days=26))
    finally:
        other.close()
    window.change_poll.setInterval(20)
    qtbot.waitUntil(lambda: window.count_label.text() == "2 cases", timeout=3000)
    qtbot.waitUntil(lambda: window.requests_status.text() == "Requests: 1 due soon · 0 overdue", timeout=3000)


def test_the_apps_own_writes_and_no_writes_do_not_trigger_a_reread(qtbot, window, services):
    seen = []
    window.changed_elsewhere.connect(lambda: seen.append(True))
    window.poll_changes()
    add_case(services)  # this process's own write: the views are told directly, not by the poll
    window.poll_changes()
    window.poll_changes()
    assert seen == []
