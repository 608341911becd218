"""Idle detection and OS session-lock detection, KeePassXC style.

IdleWatcher: an event filter installed on the QApplication restarts ONE single-shot QTimer on
user input (key, mouse button, wheel); when it runs out, `idle` is emitted. Mouse moves do not
count (a nudged mouse is not someone working).

SessionLockWatcher: emits `session_locked` when the OS session locks, where Qt can tell: on Linux
through QtDBus (logind's Session.Lock on the system bus, org.freedesktop.ScreenSaver and
org.gnome.ScreenSaver ActiveChanged on the session bus, logind's PrepareForSleep). Without a bus (headless, Windows, macOS)
it silently does nothing. The bus connections are injectable for tests.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 5
MAX_MINUTES = 24 * 60
INPUT_EVENTS = frozenset({QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.MouseButtonDblClick, QEvent.Wheel,
                          QEvent.TouchBegin, QEvent.TabletPress})


def idle_minutes(app_settings: dict) -> int:
    """The 'app' setting idle_lock_minutes, clamped to 1..1440; the default when missing or bad."""
    try:
        minutes = int(app_settings.get("idle_lock_minutes", DEFAULT_MINUTES))
    except (TypeError, ValueError):
        return DEFAULT_MINUTES
    return max(1, min(MAX_MINUTES, minutes))


class IdleWatcher(QObject):
    """Install with app.installEventFilter(watcher) (see install()). Emits idle() once per idle spell."""

    idle = Signal()

    def __init__(self, timeout_ms: int = DEFAULT_MINUTES * 60_000, parent: QObject | None = None,
                 ticks: Callable[[], float] | None = None) -> None:
        super().__init__(parent)
        # Seconds on a clock that keeps running while the machine sleeps (QTimer's may not), so the
        # first input after a long sleep locks instead of restarting the timer.
        self.ticks = ticks or _boot_ticks
        self.last_input = self.ticks()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(timeout_ms)))
        self.timer.timeout.connect(self.idle.emit)
        self._app: QObject | None = None

    def install(self, app: QObject) -> None:
        self._app = app
        app.installEventFilter(self)

    def uninstall(self) -> None:
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None
        self.timer.stop()

    def set_timeout_ms(self, ms: int) -> None:
        self.timer.setInterval(max(1, int(ms)))
        if self.timer.isActive():
            self.timer.start()

    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(minutes * 60_000)

    @property
    def timeout_ms(self) -> int:
        return self.timer.interval()

    def start(self) -> None:
        self.last_input = self.ticks()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Called for every event in the app: keep it to one comparison and a timer restart.
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            now = self.ticks()
            if (now - self.last_input) * 1000 >= self.timer.interval():
                self.timer.stop()  # slept past the timeout: lock, and swallow this input
                self.idle.emit()
                return True
            self.last_input = now
            self.timer.start()
        return False


def _boot_ticks() -> float:
    try:
        return time.clock_gettime(time.CLOCK_BOOTTIME)  # Linux: counts suspended time
    except (AttributeError, OSError):
        return time.monotonic()


# connect(bus, service, path, interface, signal, receiver, slot) -> bool
BusConnect = Callable[[str, str, str, str, str, QObject, str], bool]


class SessionLockWatcher(QObject):
    """Emits session_locked when the OS session locks (screen saver activates, logind Lock)."""

    session_locked = Signal()

    def __init__(self, connect: BusConnect | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources: list[str] = []
        connect = connect or _qtdbus_connect()
        if connect is None:
            return
        wanted = [
            ("session", "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
             "org.freedesktop.ScreenSaver", "ActiveChanged", "_screensaver_active(bool)"),
            ("session", "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
             "org.gnome.ScreenSaver", "ActiveChanged", "_screensaver_active(bool)"),
            ("system", "org.freedesktop.login1", _login1_session_path(), "org.freedesktop.login1.Session",
             "Lock", "_session_lock()"),
            ("system", "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
             "PrepareForSleep", "_screensaver_active(bool)"),
        ]
        for bus, service, path, interface, name, slot in wanted:
            try:
                if connect(bus, service, path, interface, name, self, slot):
                    self.sources.append(f"{interface}.{name}")
            except Exception as exc:  # noqa: BLE001 - no bus, no lock signal: ignore silently
                log.debug("session lock signal %s unavailable: %s", name, type(exc).__name__)

    @property
    def available(self) -> bool:
        return bool(self.sources)

    @Slot(bool)
    def _screensaver_active(self, active: bool) -> None:
        if active:
            self.session_locked.emit()

    @Slot()
    def _session_lock(self) -> None:
        self.session_locked.emit()


def _login1_session_path() -> str:
    """This session's logind object path (sd_bus_path_encode of XDG_SESSION_ID), else the 'auto' alias."""
    session = os.environ.get("XDG_SESSION_ID", "")
    if not session:
        return "/org/freedesktop/login1/session/auto"
    encoded = "".join(ch if ch.isascii() and ch.isalnum() and not (i == 0 and ch.isdigit()) else f"_{ord(ch):02x}"
                      for i, ch in enumerate(session) if ord(ch) < 256)
    return f"/org/freedesktop/login1/session/{encoded}"


def _qtdbus_connect() -> BusConnect | None:
    """A connect function over QtDBus, or None when QtDBus or both buses are unavailable."""
    try:
        from PySide6.QtCore import SLOT
        from PySide6.QtDBus import QDBusConnection
    except ImportError:
        return None
    buses = {}
    try:
        buses["session"] = QDBusConnection.sessionBus()
        buses["system"] = QDBusConnection.systemBus()
    except Exception:  # noqa: BLE001
        return None
    if not any(b.isConnected() for b in buses.values()):
        return None

    def connect(bus: str, service: str, path: str, interface: str, name: str, receiver: QObject, slot: str) -> bool:
        conn = buses[bus]
        if not conn.isConnected():
            return False
        return bool(conn.connect(service, path, interface, name, receiver, SLOT(slot)))

    return connect
