"""Lock and unlock the running app (KeePassXC's sequence), testable without a real timer.

Triggers: the idle watcher, Ctrl+L (File › Lock), the OS session locking. The sequence:
  1. unsaved work (the intake form, an edited case) -> ask "Keep as draft and lock" / "Discard and
     lock" / "Cancel lock"; for an idle or session lock nobody may be there, so no answer within 30 s
     keeps it as a draft (encrypted, inside the store: services/drafts.py), offered back after unlock;
  2. note where the agent was (view, selected row, open case windows: lock_drafts.py); close open
     dialogs and menus;
  3. clear every view and form (the case table drops its cached rows, search text goes);
  4. clear the clipboard if it holds text the app put there;
  5. audit "store.lock", close the store (Vault.close turns cipher_memory_security on);
  6. hide the window and show the unlock dialog.
A store's pages are checked (cipher_integrity_check) in the background a moment after each window
shows, in a child process (so this one keeps SQLCipher's memory security off until it locks),
instead of before it; when a check fails the app locks at once (asking
about unsaved work first) and the next unlock checks before opening, so the unlock dialog reports the
damage and offers the latest backup. On success the services are rebuilt through
     the store session (desktop/app.py; failed attempts are written to the trail at that unlock) and a fresh
     main window is built by the window factory; the old, emptied one is deleted. The new window returns
     to the place noted at the lock, and drafts kept are offered back (Restore / Discard).
Ctrl+L works from every window and dialog (lock_screen.LockKeyOnEveryWindow).
Cancelling the unlock dialog quits the app.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget

from desktop.ui.shell.clipboard_guard import ClipboardGuard
from desktop.ui.shell.idle_lock import IdleWatcher, SessionLockWatcher, idle_minutes
from desktop.ui.shell.lock_drafts import Place, keep_drafts, offer_drafts, place_of
from desktop.ui.shell.lock_screen import (  # noqa: F401 - REASON_TEXT, default_unlock_factory: used by callers
    REASON_TEXT,
    DraftOffer,
    LockKeyOnEveryWindow,
    LockQuestion,
    UnlockFactory,
    default_unlock_factory,
)

log = logging.getLogger(__name__)

QUESTION_TIMEOUT_MS = 30_000
UNLOCKED, ASKING, LOCKED = "unlocked", "asking", "locked"



class LockableWindow(Protocol):
    """What the lock controller needs from the main window (shell/main_window.py's MainWindow)."""

    file_menu: QMenu  # File › Lock goes in here, before Quit
    view_changed: SignalInstance  # the idle timeout is read again whenever another view shows

    def unsaved_work(self) -> list[str]: ...  # views holding unsaved work, named for the question

    def clear_for_lock(self) -> None: ...  # every view and form empties; the case count goes

    def save_geometry(self) -> None: ...

    # and, as a QWidget: the Lock action's shortcut, shown again after the unlock, then replaced
    def addAction(self, action: QAction) -> None: ...  # noqa: N802 - Qt API

    def show(self) -> None: ...

    def hide(self) -> None: ...

    def raise_(self) -> None: ...

    def activateWindow(self) -> None: ...  # noqa: N802 - Qt API

    def deleteLater(self) -> None: ...  # noqa: N802 - Qt API


WindowFactory = Callable[[object], LockableWindow]  # services -> MainWindow
PAGE_CHECK_DELAY_MS = 1500  # after the window has painted and the sweep at unlock has started


class LockController(QObject):
    locked = Signal(str)  # reason
    unlocked = Signal(object)  # services
    window_replaced = Signal(object)  # the new main window

    def __init__(self, services, window: LockableWindow, *, window_factory: WindowFactory,
                 app: QApplication | None = None, unlock_factory: UnlockFactory | None = None,
                 on_cancel: Callable[[], None] | None = None, idle_ms: int | None = None,
                 question_timeout_ms: int = QUESTION_TIMEOUT_MS, session_watcher: SessionLockWatcher | None = None,
                 clipboard: ClipboardGuard | None = None, scheduler_factory=None, runner=None,
                 page_check_delay_ms: int | None = PAGE_CHECK_DELAY_MS, notes_seen: set[str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app or QApplication.instance()
        self.services = services
        self.window = window
        self.path = Path(services.path)
        self.staff = services.staff
        self.window_factory = window_factory
        self.pages_damaged = False  # set by the background page check; the next unlock checks first
        self.unlock_factory = unlock_factory or default_unlock_factory(runner, services.clock,
                                                                       lambda: self.pages_damaged, notes_seen)
        self.place = Place()  # where the agent was at the lock; the new window returns there
        self.draft_offer: DraftOffer | None = None
        self.runner = runner
        self._closing: list = []  # locked stores whose close runs on a worker
        self.page_timer = QTimer(self)  # page check in the background; None delay: no check (tests)
        self.page_timer.setSingleShot(True)
        self.page_timer.timeout.connect(self.check_pages)
        self.page_check_delay_ms = page_check_delay_ms
        self.on_cancel = on_cancel or (lambda: self.app.quit())
        self.scheduler_factory = scheduler_factory  # (window, services) -> SweepScheduler | None
        self.scheduler = None
        self.state = UNLOCKED
        self.reason = ""
        self.unlock_dialog: QDialog | None = None
        self.question: LockQuestion | None = None
        self.question_timeout_ms = question_timeout_ms
        self._fixed_idle_ms = idle_ms
        self.question_timer = QTimer(self)
        self.question_timer.setSingleShot(True)
        self.question_timer.timeout.connect(self._question_timed_out)

        self.idle = IdleWatcher(parent=self)
        self.idle.idle.connect(lambda: self.request_lock("idle"))
        self.idle.install(self.app)
        self.session = session_watcher if session_watcher is not None else SessionLockWatcher(parent=self)
        self.session.session_locked.connect(lambda: self.request_lock("session"))
        self.clipboard = clipboard or ClipboardGuard(QApplication.clipboard(), parent=self)
        self.lock_action: QAction | None = None
        self.everywhere = LockKeyOnEveryWindow(lambda: self.lock_action, self._no_lock_key, parent=self)
        self.app.installEventFilter(self.everywhere)
        self._adopt(window)

    # ---- the window -----------------------------------------------------------------------------
    def _adopt(self, window: LockableWindow) -> None:
        self.window = window
        action = QAction("&Lock", window)
        action.setShortcut(QKeySequence("Ctrl+L"))
        action.setShortcutContext(Qt.ApplicationShortcut)
        action.setStatusTip("Lock the store now; your name and the passphrase are needed to go on")
        action.triggered.connect(lambda: self.request_lock("manual"))
        menu = window.file_menu
        actions = menu.actions()
        menu.insertAction(actions[-1] if actions else None, action)
        menu.insertSeparator(action)
        window.addAction(action)
        self.lock_action = action
        window.view_changed.connect(lambda _key: self._apply_idle_setting())
        self._apply_idle_setting()
        self.idle.start()
        if self.scheduler_factory is not None:
            self.scheduler = self.scheduler_factory(window, self.services)
            if self.scheduler is not None:
                self.scheduler.start()  # sweep at unlock, then every 15 minutes
        if self.page_check_delay_ms is not None:
            self.page_timer.start(self.page_check_delay_ms)

    # ---- the background page check ------------------------------------------------------------
    def check_pages(self) -> None:
        """Check every page's HMAC in a child process (desktop/store/page_check.py), waited for off the
        GUI thread; lock when one fails."""
        services = self.services
        if services is None or self.state == LOCKED:
            return
        if self.runner is None:
            from desktop.ui.widgets.jobs import TaskRunner

            self.runner = TaskRunner()

        def done(problems: list[str]) -> None:
            if not problems or self.services is not services:
                return
            log.warning("store pages failed their integrity check (%d problem(s)); locking", len(problems))
            self.pages_damaged = True
            if self.state == UNLOCKED:
                self.request_lock("damaged")
            elif self.state == ASKING:
                self.reason = "damaged"

        def failed(exc: BaseException) -> None:
            log.warning("background page check could not run: %s", type(exc).__name__)

        self.runner.run_task(services.page_problems_in_child, done, failed)

    def _apply_idle_setting(self) -> None:
        if self._fixed_idle_ms is not None:
            self.idle.set_timeout_ms(self._fixed_idle_ms)
            return
        if self.state != UNLOCKED or self.services is None:
            return
        try:
            self.idle.set_minutes(idle_minutes(self.services.settings.app()))
        except Exception:  # noqa: BLE001 - keep the current timeout
            log.warning("idle lock setting could not be read; keeping %d ms", self.idle.timeout_ms)

    # ---- locking --------------------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self.state == LOCKED

    def request_lock(self, reason: str = "manual") -> None:
        """Lock, asking first when something unsaved would be lost."""
        if self.state != UNLOCKED:
            return
        dirty = self.dirty_work()
        if dirty:
            self._ask(dirty, reason)
            return
        self.lock_now(reason)

    def dirty_work(self) -> list[str]:
        """The window's views, then open dialogs that say they hold unsaved work (is_dirty)."""
        out = self.window.unsaved_work()
        for w in QApplication.topLevelWidgets():
            if not (isinstance(w, QDialog) and w.isVisible()) or w is self.question:
                continue
            check = getattr(w, "is_dirty", None)
            if callable(check) and check():
                out.append(w.windowTitle() or "an open dialog")
        return out

    def _no_lock_key(self, widget: QWidget) -> bool:
        return widget is self.unlock_dialog or isinstance(widget, (LockQuestion, DraftOffer)) or \
            getattr(widget, "objectName", lambda: "")() == "unlock"

    def _ask(self, dirty: list[str], reason: str) -> None:
        self.state = ASKING
        self.reason = reason
        timed = reason != "manual"
        box = LockQuestion(", ".join(dirty), self.question_timeout_ms // 1000 if timed else None, self.window)
        self.keep_button, self.discard_button, self.cancel_button = \
            box.keep_button, box.discard_button, box.cancel_button
        box.buttonClicked.connect(self._answered)
        self.question = box
        box.show()
        if timed:
            self.question_timer.start(self.question_timeout_ms)

    def _answered(self, button) -> None:
        self.question_timer.stop()
        box, self.question = self.question, None
        if box is not None:
            box.hide()
            box.deleteLater()
        self.state = UNLOCKED
        if button is self.keep_button or button is self.discard_button:
            self.lock_now(self.reason, keep=button is self.keep_button)
        else:
            self.idle.start()

    def _question_timed_out(self) -> None:
        if self.question is not None:
            self._answered(self.keep_button)  # nobody there: keep the work, lock

    def keep_drafts(self) -> bool:
        """The unsaved work as drafts inside the store; False (the agent told) when that failed."""
        return keep_drafts(self.window, self.services, QApplication.activeModalWidget() or self.window)

    def lock_now(self, reason: str = "manual", *, keep: bool = False) -> None:
        """Lock without asking; keep: unsaved work is kept as drafts first, else it is discarded."""
        if self.state == LOCKED:
            return
        if keep and self.services is not None and not self.keep_drafts():
            if reason in ("manual", "idle"):
                self.idle.start()
                return
        self.place = place_of(self.window)
        self.state = LOCKED
        self.reason = reason
        self.idle.stop()
        self.page_timer.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        self.close_dialogs()
        self.clear_views()
        self.clipboard.clear_if_ours()
        services, self.services = self.services, None
        if services is not None:
            self._close_off_the_gui_thread(services, reason)
        self.window.save_geometry()
        self.window.hide()
        self.app.setQuitOnLastWindowClosed(False)  # the unlock dialog is now the only window
        self.locked.emit(reason)
        self.show_unlock()

    def _close_off_the_gui_thread(self, services, reason: str) -> None:
        """services.lock(reason): audited as store.lock, closed even when that entry fails. On a
        worker: while another process writes (an import, a sweep), the entry waits for its write
        lock (up to HELPDESK_INTAKE_WRITE_WAIT), and the window must not freeze meanwhile. The views
        are cleared already and nothing else holds these services; shutdown() waits for it."""
        if self.runner is None:
            from desktop.ui.widgets.jobs import TaskRunner

            self.runner = TaskRunner()
        self._closing.append(services)

        def done(_result: object) -> None:
            with contextlib.suppress(ValueError):
                self._closing.remove(services)

        def failed(exc: BaseException) -> None:
            log.warning("the store was closed, but its lock entry could not be written: %s", type(exc).__name__)
            done(None)

        self.runner.run_task(lambda: services.lock(reason), done, failed)

    def close_dialogs(self) -> None:
        popup = QApplication.activePopupWidget()
        while popup is not None:
            popup.close()
            nxt = QApplication.activePopupWidget()
            popup = None if nxt is popup else nxt
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible() and w is not self.unlock_dialog:
                forget = getattr(w, "forget_unsaved", None)
                if callable(forget):
                    forget()  # asked (or timed out) already: the lock must not wait on a second question
                w.reject()

    def clear_views(self) -> None:
        self.window.clear_for_lock()

    # ---- unlocking ------------------------------------------------------------------------------
    def show_unlock(self) -> None:
        why = REASON_TEXT.get(self.reason, "")
        if "{minutes}" in why:
            ms = self.idle.timeout_ms
            why = why.format(minutes=f"{ms // 60_000} minute(s)" if ms >= 60_000 else f"{ms} ms")
        dialog = self.unlock_factory(self.path, self.staff, why)
        dialog.accepted.connect(lambda: self._unlocked(getattr(dialog, "services", None)))
        dialog.rejected.connect(self._cancelled)
        self.unlock_dialog = dialog
        dialog.setWindowModality(Qt.ApplicationModal)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _cancelled(self) -> None:
        self.unlock_dialog = None
        self.on_cancel()

    def _offer_drafts(self, window) -> None:
        """Return to the place noted at the lock; offer the drafts kept there (Restore / Discard)."""
        place, self.place = self.place, Place()
        self.draft_offer = offer_drafts(window, lambda: self.services, place)

    def _unlocked(self, services) -> None:
        dialog, self.unlock_dialog = self.unlock_dialog, None
        if services is None:
            self._cancelled()
            return
        if dialog is not None:
            dialog.deleteLater()
        self.services = services
        self.staff = services.staff
        self.state = UNLOCKED
        self.pages_damaged = False  # opened: either checked first, or restored from a backup
        old = self.window
        window = self.window_factory(services)
        self._adopt(window)
        window.show()
        window.raise_()
        window.activateWindow()
        self.app.setQuitOnLastWindowClosed(True)
        old.deleteLater()
        self.window_replaced.emit(window)
        self.unlocked.emit(services)
        self._offer_drafts(window)

    def shutdown(self) -> None:
        """At exit: stop timers and close whatever store is open."""
        self.idle.uninstall()
        self.app.removeEventFilter(self.everywhere)
        self.question_timer.stop()
        self.page_timer.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.services is not None:
            self.services.close()
        for services in list(self._closing):  # a lock's close still running on a worker: wait for it
            services.close()


def start_session(app: QApplication, services, window: LockableWindow, window_factory: WindowFactory,
                  runner=None, notes_seen: set[str] | None = None) -> LockController:
    """For run_gui: idle/Ctrl+L/session lock, unlock and rebuild, sweeps at unlock and every 15 min."""
    from desktop.ui.retention.sweep_scheduler import scheduler_for_window

    return LockController(services, window, window_factory=window_factory, app=app, runner=runner,
                          scheduler_factory=scheduler_for_window, notes_seen=notes_seen, parent=app)
