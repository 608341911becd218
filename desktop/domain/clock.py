"""Injected clocks. Only SystemClock reads the wall clock; everything else asks a Clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:  # aware, UTC
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and `--as-of`: stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def advance(self, **kwargs: float) -> None:
        self._at = self._at + timedelta(**kwargs)


class ShiftedClock:
    """Another clock's time moved by a fixed offset: a child process (the window's retention sweep,
    desktop/store/sweep_process.py) keeps the time of the process that started it, whatever clock
    that one was given, and its time goes on running."""

    def __init__(self, base: Clock, offset: timedelta) -> None:
        self._base = base
        self._offset = offset

    def now(self) -> datetime:
        return self._base.now() + self._offset

    @classmethod
    def matching(cls, base: Clock, now: datetime) -> ShiftedClock:
        """A clock that reads `now` at this moment and runs on with `base`."""
        return cls(base, ensure_utc(now) - base.now())


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return ensure_utc(value).isoformat(timespec="seconds")


def from_iso(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    return ensure_utc(datetime.fromisoformat(value))
