"""Background work, Picard style: run a function on a thread pool, get the result on the GUI thread.

    runner.run_task(func, on_done, on_error, progress=None)

func runs on a worker thread. When `progress` is given, func is called as func(report) and may call
report(done, total) from the worker; progress(done, total) then runs on the GUI thread. on_done(result)
or on_error(exc) always run on the GUI thread, so they may touch widgets and the store.

Tests swap in SyncRunner, which runs everything at once on the calling thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
Progress = Callable[[int, int], None]


class Runner(Protocol):
    def run_task(self, func: Callable[..., Any], on_done: Done, on_error: Failed,
                 progress: Progress | None = None) -> None: ...


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from a worker are queued to it."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Task(QRunnable):
    def __init__(self, func: Callable[..., Any], relay: _Relay, with_progress: bool) -> None:
        super().__init__()
        self.func = func
        self.relay = relay
        self.with_progress = with_progress
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            if self.with_progress:
                result = self.func(lambda done, total: self.relay.progressed.emit(int(done), int(total)))
            else:
                result = self.func()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI
            self._emit(self.relay.failed, exc)
            return
        self._emit(self.relay.done, result)

    @staticmethod
    def _emit(signal, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the app quit while the task ran (a sweep or page check child): nobody to tell
            pass


class TaskRunner:
    """Runs tasks on a QThreadPool; results are delivered on the thread that created the runner."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self._live: set[_Relay] = set()

    def run_task(self, func: Callable[..., Any], on_done: Done, on_error: Failed,
                 progress: Progress | None = None) -> None:
        relay = _Relay()
        self._live.add(relay)

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._live.discard(relay)
            relay.deleteLater()
            callback(value)

        relay.done.connect(lambda result: finish(on_done, result))
        relay.failed.connect(lambda exc: finish(on_error, exc))
        if progress is not None:
            relay.progressed.connect(progress)
        self.pool.start(_Task(func, relay, progress is not None))

    @property
    def busy(self) -> bool:
        return bool(self._live)


class SyncRunner:
    """For tests: runs the task immediately on the calling thread, same callback contract."""

    def run_task(self, func: Callable[..., Any], on_done: Done, on_error: Failed,
                 progress: Progress | None = None) -> None:
        try:
            result = func(progress) if progress is not None else func()
        except BaseException as exc:  # noqa: BLE001
            on_error(exc)
            return
        on_done(result)

    busy = False
