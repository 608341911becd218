"""No two Alt+letter or key shortcuts clash in any dialog or window (issue 14: in the case window
"&Save corrections" and "Con&sents" both took Alt+S, so keyboard users could not save)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QGroupBox, QTabWidget, QWidget

from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from desktop.ui.cases.hold_dialog import HoldController, HoldDialog
from desktop.ui.requests.dialogs import (
    NewRequestDialog,
    ObjectionDialog,
    PasswordDialog,
    VerifyDialog,
)
from desktop.ui.requests.rights_dialogs import ConfirmDialog
from desktop.ui.retention.sweep_dialog import SweepPreviewDialog
from desktop.ui.shell.first_run_wizard import FirstRunController, FirstRunWizard
from desktop.ui.shell.unlock_dialog import UnlockDialog
from tests.helpers.factories import add_case
from tests.ui.test_keyboard_access import _texts, view_shortcuts, window_shortcuts


def shortcuts_as_shown(root: QWidget) -> list[tuple[str, str]]:
    """view_shortcuts (which counts tab titles' Alt+letters, once) plus group-box titles (they fire too)."""
    found = view_shortcuts(root)
    for box in root.findChildren(QGroupBox):
        if box.isVisibleTo(root):
            found += [(t, f"group {box.title()!r}") for t in _texts(QKeySequence.mnemonic(box.title()))]
    return found


def clashes(root: QWidget) -> list[tuple[str, str]]:
    found = shortcuts_as_shown(root)
    keys = [k for k, _ in found]
    return [(k, o) for k, o in found if keys.count(k) > 1]


def every_state(dialog: QWidget):
    """Each tab of each tab widget in turn (a hidden tab's labels and buttons do not fire)."""
    tab_widgets = dialog.findChildren(QTabWidget)
    if not tab_widgets:
        yield "shown"
        return
    for tabs in tab_widgets:
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            yield f"tab {tabs.tabText(i)!r}"


def dialogs(window, services, store_path, tmp_path):
    case_id = add_case(services)
    c = window.requests_view.controller
    noop = lambda *a: None  # noqa: E731
    return [
        CaseDetailDialog(CaseDetailController(services, case_id), parent=window),
        HoldDialog(HoldController(services, case_id), parent=window),
        SweepPreviewDialog(services.retention, window.runner, services.ctx.now, parent=window),
        NewRequestDialog(c, parent=window),
        VerifyDialog("DSR-1", "tester", noop, parent=window),
        PasswordDialog("DSR-1", parent=window),
        ObjectionDialog("DSR-1", noop, parent=window),
        ConfirmDialog("Lift", "Lift it?", "The person was told", "&Lift", noop, parent=window),
        UnlockDialog(Path(store_path), noop, staff="tester"),
        FirstRunWizard(FirstRunController(tmp_path / "wizard.db", noop, staff="tester")),
        *request_dialogs(window, services),
    ]


def request_dialogs(window, services) -> list[QWidget]:
    """The dialogs the Requests view really opens for each step (captured, not run)."""
    view = window.requests_view
    seen: list[QWidget] = []
    view.exec_dialog = lambda dialog: seen.append(dialog) or 0
    req = services.requests.open("access", "ada@example.org").request
    for step in ("do_verify", "do_extend", "do_complete", "do_refuse", "do_restrict", "do_lift", "do_object"):
        getattr(view.actions, step)(req.id)
    assert len(seen) >= 6
    return seen


def test_no_shortcut_clashes_in_any_dialog_in_any_tab(qtbot, window, services, store_path, tmp_path):
    found = {}
    for dialog in dialogs(window, services, store_path, tmp_path):
        qtbot.addWidget(dialog)
        for state in every_state(dialog):
            bad = clashes(dialog)
            if bad:
                found[f"{type(dialog).__name__} ({state})"] = bad
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_no_dialog_shortcut_hides_a_window_shortcut(qtbot, window, services, store_path, tmp_path):
    """A dialog's own keys must not take over the window's (Ctrl+L must still lock there)."""
    global_keys = {k for k, _ in window_shortcuts(window)}
    shadowed = {}
    for dialog in dialogs(window, services, store_path, tmp_path):
        qtbot.addWidget(dialog)
        for state in every_state(dialog):
            bad = [(k, o) for k, o in shortcuts_as_shown(dialog) if k in global_keys and k.startswith("Ctrl")]
            if bad:
                shadowed[f"{type(dialog).__name__} ({state})"] = bad
    assert not shadowed, shadowed


def test_alt_s_saves_corrections_in_the_case_window(qtbot, services):
    from PySide6.QtCore import Qt

    case_id = add_case(services)
    dialog = CaseDetailDialog(CaseDetailController(services, case_id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    name = dialog.inputs["name"]
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Ada King")
    qtbot.keyClick(name, Qt.Key_S, Qt.AltModifier)  # a mnemonic animates the click: ~100 ms later
    qtbot.waitUntil(lambda: services.cases.get(case_id).name == "Ada King", timeout=2000)
    assert "Saved: name." in dialog.message.text()
