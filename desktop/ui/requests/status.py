"""The status bar's request-deadline counter, and mounting the Requests view (built when first shown).

Kept apart from view.py so the window's start imports neither the view nor its table, detail
panel and dialogs: the counter shows from the first paint, the view is built on first show."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.services.requests import RequestCounts
from desktop.ui.widgets.spoken import SpokenLabel
from desktop.ui.widgets.style import scheme

if TYPE_CHECKING:
    from desktop.ui.requests.controller import RequestsController


class RequestsStatus(SpokenLabel):
    """Status-bar counter: overdue (red, with ⚠) and due-soon open requests."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Request deadlines", parent=parent, hide_when_empty=False, speak_changes=False)
        self.setTextFormat(Qt.PlainText)
        self.setContentsMargins(10, 0, 10, 0)

    def show_counts(self, counts: RequestCounts) -> None:
        if counts.overdue:
            text = f"⚠ {counts.overdue} request{'s' if counts.overdue != 1 else ''} overdue · {counts.due_soon} due soon"
            self.setStyleSheet(f"color: {scheme()['error']}; font-weight: bold;")
        else:
            text = f"Requests: {counts.due_soon} due soon · 0 overdue"
            self.setStyleSheet(f"color: {scheme()['warn']}; font-weight: bold;" if counts.due_soon else "")
        self.setText(text)
        self.setToolTip(f"{counts.open} open data-subject request(s); due soon = within 7 days")


def mount_requests(window, services, *, shortcut: str = "Ctrl+R",
                   on_cases_changed: Callable[[], None] | None = None) -> RequestsStatus:
    """Composition: the status-bar counter now (with its first counts), the view when first shown
    (window.built_view("requests") or window.requests_view builds it earlier)."""
    from desktop.ui.requests.controller import RequestsController

    controller: RequestsController = RequestsController(services)
    counter = RequestsStatus()
    window.requests_counter = counter

    def build():
        from desktop.ui.requests.view import RequestsView

        view = RequestsView(controller, runner=window.runner, status_counter=counter)
        if on_cases_changed is not None:
            view.changed.connect(on_cases_changed)
        return view

    def refresh_counts() -> None:  # a request added or completed by the CLI
        view = window.views.get("requests")
        if hasattr(view, "refresh_counts"):
            view.refresh_counts()
            return
        try:
            counter.show_counts(controller.counts())
        except Exception:  # noqa: BLE001 - a closed/locked store: keep the last counts
            pass

    window.add_view("requests", "Requests", build, shortcut)
    window.statusBar().addPermanentWidget(counter)
    window.changed_elsewhere.connect(refresh_counts)
    refresh_counts()
    return counter
