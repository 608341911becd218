"""Keyboard first and accessible: no two shortcuts clash, Tab walks the intake form in reading order,
and every input in every view and dialog has an accessible name or a visible label (buddy)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from desktop.ui.cases.detail import CaseDetailDialog
from desktop.ui.cases.detail_controller import CaseDetailController
from desktop.ui.cases.hold_dialog import HoldController, HoldDialog
from desktop.ui.requests.dialogs import (
    NewRequestDialog,
    ObjectionDialog,
    PasswordDialog,
    TextDialog,
    VerifyDialog,
)
from desktop.ui.requests.rights_dialogs import ConfirmDialog
from desktop.ui.retention.sweep_dialog import SweepPreviewDialog
from desktop.ui.shell.clipboard_guard import ClipboardGuard
from desktop.ui.shell.first_run_controller import FirstRunController
from desktop.ui.shell.first_run_wizard import FirstRunWizard
from desktop.ui.shell.idle_lock import SessionLockWatcher
from desktop.ui.shell.launch import build_window
from desktop.ui.shell.lock_controller import LockController
from desktop.ui.shell.unlock_dialog import UnlockDialog
from tests.helpers.factories import add_case

INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QCheckBox, QAbstractItemView)
WINDOW_CONTEXTS = (Qt.WindowShortcut, Qt.ApplicationShortcut)


class _NoBus:
    def __call__(self, *args) -> bool:
        return False


def _internal(widget: QWidget) -> bool:
    """Editors that Qt builds inside a combo box, spin box or date edit (named through their owner)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_inputs(root: QWidget) -> list[str]:
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or isinstance(widget, QHeaderView) or _internal(widget):
            continue
        named = widget.accessibleName().strip() or id(widget) in buddies
        if isinstance(widget, QCheckBox):
            named = named or widget.text().replace("&", "").strip()  # its own visible label
        if not named:
            missing.append(f"{type(widget).__name__} {widget.objectName() or ''} in {type(root).__name__}".strip())
    return missing


def _texts(seq: QKeySequence) -> list[str]:
    text = seq.toString(QKeySequence.PortableText)
    return [text] if text else []


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(key, owner) of every shortcut that works anywhere in the window."""
    found = []
    for action in {id(a): a for a in [*window.actions(), *window.findChildren(QAction)]}.values():
        if action.shortcutContext() in WINDOW_CONTEXTS:
            for seq in action.shortcuts():
                found += [(t, f"action {action.text()!r}") for t in _texts(seq)]
    for shortcut in window.findChildren(QShortcut):
        if shortcut.context() in WINDOW_CONTEXTS:
            found += [(t, "QShortcut") for t in _texts(shortcut.key())]
    for menu in window.menuBar().actions():  # Alt+F for &File etc.
        found += [(t, f"menu {menu.text()!r}") for t in _texts(QKeySequence.mnemonic(menu.text()))]
    return found


def view_shortcuts(view: QWidget) -> list[tuple[str, str]]:
    """(key, owner) of shortcuts that work only inside one view as shown now: its QShortcuts, and the
    shortcuts and Alt+letter mnemonics of its visible buttons and labels (a hidden tab's do not fire)."""
    found = []
    for shortcut in view.findChildren(QShortcut):
        if shortcut.context() not in WINDOW_CONTEXTS:
            found += [(t, "QShortcut") for t in _texts(shortcut.key())]
    for button in view.findChildren(QAbstractButton):
        if button.isVisibleTo(view):
            found += [(t, f"button {button.text()!r}") for t in _texts(button.shortcut())]
    for label in view.findChildren(QLabel):
        if label.buddy() is not None and label.isVisibleTo(view):
            found += [(t, f"label {label.text()!r}") for t in _texts(QKeySequence.mnemonic(label.text()))]
    for bar in view.findChildren(QTabBar):  # a tab's &letter is a shortcut too (Settings: "&Organisation")
        if bar.isVisibleTo(view):
            for i in range(bar.count()):
                found += [(t, f"tab {bar.tabText(i)!r}") for t in _texts(QKeySequence.mnemonic(bar.tabText(i)))]
    return found


def labels_without_alt_letter(view: QWidget) -> list[str]:
    """Visible field labels (with a buddy) whose text has no &letter: the field cannot be reached by Alt."""
    return [label.text() for label in view.findChildren(QLabel)
            if label.buddy() is not None and label.isVisibleTo(view) and not QKeySequence.mnemonic(label.text())]


@pytest.fixture
def locked_window(qtbot, qapp, window, services, runner, qsettings):
    """The window with the lock controller attached, as run_gui builds it (adds Ctrl+L)."""
    controller = LockController(
        services, window, app=qapp, runner=runner, idle_ms=60_000, on_cancel=lambda: None,
        window_factory=lambda svc: build_window(svc, runner=runner, settings=qsettings),
        session_watcher=SessionLockWatcher(connect=_NoBus()),
        clipboard=ClipboardGuard(QApplication.clipboard(), is_ours=lambda: False))
    yield window
    controller.shutdown()
    qapp.setQuitOnLastWindowClosed(True)


def test_no_two_shortcuts_clash(locked_window, services):
    window = locked_window
    add_case(services, email="ada@example.org")
    request = services.requests.open("access", "ada@example.org").request
    window.show_view("requests").select_request(request.id)  # its buttons are visible
    global_keys = window_shortcuts(window)
    keys = [k for k, _ in global_keys]
    clashes = sorted({k for k in keys if keys.count(k) > 1})
    assert not clashes, f"window shortcuts used twice: {[(k, o) for k, o in global_keys if k in clashes]}"
    for name in list(window.views):
        view = window.show_view(name)  # the built view (a lazily built one replaces its placeholder)
        local = view_shortcuts(view)
        local_keys = [k for k, _ in local]
        assert not {k for k in local_keys if local_keys.count(k) > 1}, f"{name}: {local}"
        shadowed = [(k, o) for k, o in local if k in keys]
        assert not shadowed, f"{name}: a view shortcut hides a window shortcut: {shadowed}"
        assert not labels_without_alt_letter(view), f"{name}: fields without an Alt letter"
    expected = {"Ctrl+N": "intake", "Ctrl+Shift+C": "cases", "Ctrl+R": "requests", "Ctrl+Shift+A": "audit"}
    for key, view in expected.items():
        assert key in keys, f"{key} ({view}) is missing"
    for key in ("Ctrl+F", "Ctrl+L", "Ctrl+I", "Ctrl+Q"):
        assert key in keys, f"{key} is missing"
    intake_keys = [k for k, _ in view_shortcuts(window.views["intake"])]
    assert "Ctrl+Return" in intake_keys and "Ctrl+Enter" in intake_keys


def test_ctrl_l_locks_and_ctrl_shift_c_shows_the_cases(qtbot, locked_window):
    window = locked_window
    window.show_view("intake")
    qtbot.keyClick(window, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.current_view() == "cases"
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    assert window.current_view() == "requests"


def test_tab_walks_the_intake_form_in_reading_order(qtbot, window):
    view = window.show_view("intake")
    order = [view.name, view.email, view.phone, view.category, view.description, view.technical,
             view.channel, view.notice, view.marketing, view.age, view.under_13, view.save_button, view.clear_button]
    view.name.setFocus()
    qtbot.waitUntil(view.name.hasFocus, timeout=1000)
    for expected in order[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
        assert QApplication.focusWidget() is expected, (
            f"Tab went to {type(QApplication.focusWidget()).__name__} "
            f"{QApplication.focusWidget().accessibleName()!r}, expected {expected.accessibleName()!r}")


def test_every_input_of_every_view_is_named(window, services):
    add_case(services)
    for name in window.views:
        window.show_view(name)
    missing = [m for view in window.views.values() for m in unnamed_inputs(view)]
    assert not missing, missing


def test_every_input_of_every_dialog_is_named(qtbot, window, services, store_path, tmp_path, memory_keyring):
    case_id = add_case(services)
    requests = window.requests_view
    c = requests.controller
    noop = lambda *a: None  # noqa: E731
    dialogs = [
        CaseDetailDialog(CaseDetailController(services, case_id), parent=window),
        HoldDialog(HoldController(services, case_id), parent=window),
        SweepPreviewDialog(services.retention, window.runner, services.ctx.now, parent=window),
        NewRequestDialog(c, parent=window),
        VerifyDialog("DSR-1", "tester", noop, parent=window),
        PasswordDialog("DSR-1", parent=window),
        TextDialog("Refuse", "Why", "&Reason", "&Refuse", noop, required=True, parent=window),
        ObjectionDialog("DSR-1", noop, parent=window),
        ConfirmDialog("Lift", "Lift it?", "The person was told", "&Lift", noop, parent=window),
        UnlockDialog(Path(store_path), noop, staff="tester"),
        FirstRunWizard(FirstRunController(tmp_path / "wizard.db", noop, staff="tester")),
    ]
    missing = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        missing += unnamed_inputs(dialog)
    assert not missing, missing
