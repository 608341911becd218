"""Retention sweeps while the app is open: one at unlock, then one every 15 minutes.

The QTimer only triggers a check. What is due is computed by RetentionService from the stored
timestamps at the injected clock's time, so a laptop that slept, a missed tick or a clock jump
changes nothing about what gets removed: the next check catches up. Because Qt timers use a
monotonic clock that can stand still during suspend, the scheduler also checks when the app
becomes active again and the last check is older than the interval by the clock's time.

The status bar shows "Next sweep HH:MM" (local time) and the last result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QStatusBar

from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.spoken import SpokenLabel

log = logging.getLogger(__name__)

INTERVAL_MS = 15 * 60_000
# The window's sweep at unlock starts this long after the window is built: after its first paint
# (a child process starting at once took CPU from the start on a busy 2-core machine).
FIRST_SWEEP_DELAY_MS = 1000


def local_hhmm(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M")


class SweepScheduler(QObject):
    swept = Signal(object)  # SweepReport that removed something
    status_changed = Signal(str)

    def __init__(self, retention, runner, now: Callable[[], datetime], *, interval_ms: int = INTERVAL_MS,
                 status_bar: QStatusBar | None = None, first_delay_ms: int = 0,
                 parent: QObject | None = None) -> None:
        """first_delay_ms: the sweep at unlock waits this long after start() (the window's: until
        after its first paint, so starting the sweep's child process does not slow the start)."""
        super().__init__(parent)
        self.first_delay_ms = first_delay_ms
        self.retention = retention
        self.runner = runner
        self.now = now
        self.interval = timedelta(milliseconds=interval_ms)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.VeryCoarseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.busy = False
        self.active = False
        self.runs = 0
        self.last_check: datetime | None = None
        self.next_at: datetime | None = None
        self.last_text = "no sweep yet"
        self.label = SpokenLabel("Retention sweep", hide_when_empty=False, speak_changes=False)
        self.label.setTextFormat(Qt.PlainText)
        self.label.setContentsMargins(10, 0, 10, 0)
        self.label.setToolTip("Retention sweeps run at unlock and every 15 minutes; "
                              "Retention › Sweep now… shows what is due first.")
        if status_bar is not None:
            status_bar.addPermanentWidget(self.label)

    # ---- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """At unlock: sweep now, then every interval."""
        self.active = True
        self.timer.start()
        if self.first_delay_ms > 0:
            QTimer.singleShot(self.first_delay_ms, self.check)
        else:
            self.check()

    def stop(self) -> None:
        self.active = False
        self.timer.stop()

    def poke(self) -> None:
        """The app became active again (after sleep, say): check if a sweep is overdue."""
        if self.active and self.last_check is not None and self.now() - self.last_check >= self.interval:
            self.timer.start()
            self.check()

    def app_state_changed(self, state) -> None:
        if state == Qt.ApplicationActive:
            self.poke()

    # ---- the check ------------------------------------------------------------------------------
    def check(self) -> None:
        if not self.active or self.busy:
            return
        as_of = self.now()
        self.last_check = as_of
        self.next_at = as_of + self.interval
        self.busy = True
        self._show()
        self.runner.run_task(lambda: self.retention.sweep(as_of), self._done, self._failed)

    def _done(self, report) -> None:
        """report: a SweepReport, or the SweepOutcome of a sweep in a child process (counts only)."""
        self.busy = False
        if not self.active:  # locked while the sweep ran: this window is emptied; the next unlock sweeps
            return
        self.runs += 1
        removed = report.removed
        at = local_hhmm(report.as_of)
        self.last_text = f"last sweep {at}: " + (f"{removed} removed" if removed else "nothing due")
        if report.skipped_count:
            self.last_text += f", {report.skipped_count} skipped"
        self._show()
        if removed:
            self.swept.emit(report)  # the case list and the status bar's count read again

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        if not self.active:  # the store was locked under it; the next unlock sweeps again
            return
        self.last_text = "last sweep failed: " + user_message(exc)
        log.warning("retention sweep failed: %s", type(exc).__name__)
        self._show()

    def status_text(self) -> str:
        head = f"Next sweep {local_hhmm(self.next_at)}" if self.next_at and self.active else "Sweeps paused"
        return f"{head} · {self.last_text}"

    def _show(self) -> None:
        text = self.status_text()
        self.label.setText(text)
        self.status_changed.emit(text)


class ChildSweeps:
    """The window's sweeps run in a child process (services.sweep_in_child): the window's own
    connection never waits for a sweep, and its memory never holds the sweep's page cache."""

    def __init__(self, services) -> None:
        self.services = services

    def sweep(self, as_of: datetime):
        return self.services.sweep_in_child(as_of)


def scheduler_for_window(window, services) -> SweepScheduler:
    """The scheduler for one unlocked session's main window (the lock controller starts and stops
    it); each sweep runs in a child process (ChildSweeps)."""
    from PySide6.QtGui import QGuiApplication

    scheduler = SweepScheduler(ChildSweeps(services), window.runner, services.now, status_bar=window.statusBar(),
                               first_delay_ms=FIRST_SWEEP_DELAY_MS, parent=window)
    window.mount_sweep_scheduler(scheduler)
    app = QGuiApplication.instance()
    if app is not None:
        app.applicationStateChanged.connect(scheduler.app_state_changed)
    return scheduler
