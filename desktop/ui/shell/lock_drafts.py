"""What the lock keeps and gives back (issue 14): unsaved work as drafts inside the store, and the
place the agent was (view, selected case or request, open case window).

Before the store closes, drafts_of() reads the intake form and any open case window that hold
unsaved work; after the unlock, return_to() shows the same view, selects the same row, reopens the
case window and puts a restored draft back into it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop.ui.shell.lock_screen import DraftOffer
from desktop.ui.widgets.form_state import form_state, restore_form_state
from desktop.ui.widgets.messages import user_message

log = logging.getLogger(__name__)


@dataclass
class Place:
    view: str | None = None
    case_id: int | None = None  # selected in the Cases view
    request_id: int | None = None  # selected in the Requests view
    open_cases: dict[int, int] = field(default_factory=dict)  # case windows open at the lock: their tab


def open_case_windows() -> list:
    from desktop.ui.cases.detail import (
        CaseDetailDialog,  # loaded when a case window first opens anyway
    )

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, CaseDetailDialog) and w.isVisible()]


def place_of(window) -> Place:
    place = Place(view=window.current_view())
    views = getattr(window, "views", {})
    try:
        if "cases" in views and hasattr(views["cases"], "selected_case"):
            place.case_id = views["cases"].selected_case()
        if "requests" in views and hasattr(views["requests"], "selected_id"):
            place.request_id = views["requests"].selected_id()
    except Exception:  # noqa: BLE001 - a place not found is not worth failing a lock for
        pass
    place.open_cases = {w.controller.case_id: w.tabs.currentIndex() for w in open_case_windows()}
    return place


def drafts_of(window) -> list[tuple[str, str, dict]]:
    """(kind, label, body) of each piece of unsaved work: the intake form, then open case windows."""
    out: list[tuple[str, str, dict]] = []
    intake = getattr(window, "views", {}).get("intake")
    if intake is not None and callable(getattr(intake, "is_dirty", None)) and intake.is_dirty():
        out.append(("intake", "the intake form", {"fields": form_state(intake.inputs)}))
    for dialog in open_case_windows():
        if not dialog.is_dirty():
            continue
        body = {"case_id": dialog.controller.case_id, "note": dialog.note_edit.toPlainText(),
                "fields": form_state(dialog.inputs) if dialog.corrections_pending() else {}}
        out.append(("case", f"case {dialog.controller.case_id}", body))
    for dialog in _visible_new_request_dialogs():
        if dialog.is_dirty():
            out.append(("request", "a new data-subject request", {"fields": form_state(dialog.inputs)}))
    return out


def _visible_new_request_dialogs() -> list:
    from desktop.ui.requests.dialogs import NewRequestDialog

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, NewRequestDialog) and w.isVisible()]


def restore_intake(window, body: dict) -> None:
    view = window.built_view("intake")  # filled where it was; the view the agent was on stays
    restore_form_state(view.inputs, body.get("fields") or {})


def restore_case(dialog, body: dict) -> None:
    restore_form_state(dialog.inputs, body.get("fields") or {})
    note = body.get("note")
    if isinstance(note, str) and note:
        dialog.note_edit.setPlainText(note)


def return_to(window, place: Place, drafts: list | None = None) -> None:
    """Show the view the agent was on, select the row, reopen case windows, restore these drafts
    (domain.drafts.Draft, already taken from the store)."""
    drafts = drafts or []
    views = window.views
    if place.view in views:
        window.show_view(place.view)
    if place.case_id is not None and "cases" in views:
        views["cases"].select_case(place.case_id)
    if place.request_id is not None and "requests" in views and place.view == "requests":
        window.built_view("requests").select_request(place.request_id)
    case_drafts = {d.body.get("case_id"): d for d in drafts if d.kind == "case"}
    for d in drafts:
        if d.kind == "intake":
            restore_intake(window, d.body)
        elif d.kind == "request" and "requests" in views:
            # the dialog runs its own loop (exec): after this returns, so the unlock finishes first
            fields = d.body.get("fields") or {}
            QTimer.singleShot(0, lambda f=fields: window.built_view("requests").actions.new_request(f))
    for case_id in [*place.open_cases, *[c for c in case_drafts if c not in place.open_cases]]:
        if not isinstance(case_id, int):
            continue
        try:
            dialog = window.open_case_window(case_id)
        except Exception as exc:  # noqa: BLE001 - gone meanwhile (a sweep, another process): say so
            log.warning("case window %d could not be opened again: %s", case_id, type(exc).__name__)
            lost = " Its unsaved changes could not be put back." if case_id in case_drafts else ""
            box = QMessageBox(QMessageBox.Warning, "Case not opened", f"Case {case_id} could not be opened "
                              f"again: {user_message(exc)}{lost}", QMessageBox.Ok, window)
            box.show()
            continue
        if dialog is not None and case_id in place.open_cases:
            dialog.tabs.setCurrentIndex(place.open_cases[case_id])  # the tab it was on
        if dialog is not None and case_id in case_drafts:
            restore_case(dialog, case_drafts[case_id].body)


def keep_drafts(window, services, parent: QWidget) -> bool:
    """Keep each piece of unsaved work as a draft in the store. False when that failed: the work
    stays on screen and the agent is told (a box that does not wait), the caller does not lock."""
    try:
        for kind, label, body in drafts_of(window):
            services.drafts.keep(kind, label, body)
    except Exception as exc:  # noqa: BLE001 - nothing typed is lost: say so, keep the window
        log.warning("unsaved work could not be kept as a draft: %s", type(exc).__name__)
        box = QMessageBox(QMessageBox.Warning, "Not locked", "The unsaved work could not be kept as a draft, "
                          f"so it is still on screen: {user_message(exc)}", QMessageBox.Ok, parent)
        box.show()
        return False
    return True


def offer_drafts(window, services: Callable[[], object], place: Place) -> DraftOffer | None:
    """After the unlock: no drafts, back to the place at once (None); else the Restore / Discard
    question (returned, shown), then back to the place with the drafts restored or deleted."""
    svc = services()
    try:
        drafts = svc.drafts.pending()
    except Exception as exc:  # noqa: BLE001 - the window works without them; they expire
        log.warning("drafts could not be read: %s", type(exc).__name__)
        drafts = []
    if not drafts:
        return_to(window, place)
        return None
    offer = DraftOffer([d.label for d in drafts], window)

    def answered(button) -> None:
        offer.deleteLater()
        now = services()
        if now is not svc:  # locked again meanwhile: the drafts wait for the next unlock
            return
        if button is offer.discard_button:
            for d in drafts:
                svc.drafts.discard(d.id)
            return_to(window, place)
        else:
            return_to(window, place, [t for d in drafts if (t := svc.drafts.take(d.id)) is not None])

    offer.buttonClicked.connect(answered)
    offer.show()
    return offer
