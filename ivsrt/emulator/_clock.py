"""The emulator's clock: real time plus an offset, which tests can advance or freeze."""

from __future__ import annotations

import datetime
import math
import threading

__all__ = ["MAX_ADVANCE_SECONDS", "Clock"]

_UTC = datetime.timezone.utc

MAX_ADVANCE_SECONDS = 100 * 366 * 24 * 3600.0
"""Largest total offset the clock accepts (about 100 years), so that every date the emulator
computes (token expiry, composition times) stays representable."""


def _real_now() -> datetime.datetime:
    return datetime.datetime.now(_UTC)


class Clock:
    """Emulator time. Every time-dependent state (composition STARTING -> ACTIVE, token expiry)
    is computed from `now` when it is read, so advancing the clock is enough to move
    state along; nothing runs in the background.

    ``frozen=True`` makes a clock that starts (and `reset` puts it back) frozen at real time."""

    def __init__(self, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._start_frozen = frozen
        self._offset = datetime.timedelta(0)
        self._frozen_at: datetime.datetime | None = _real_now() if frozen else None

    def now(self) -> datetime.datetime:
        """The current emulator time (aware, UTC)."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return _real_now() + self._offset

    def advance(self, seconds: float) -> datetime.datetime:
        """Move emulator time forward by ``seconds`` (frozen or not); returns the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError("seconds must be a number")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the emulator clock only moves forward by a finite number of seconds")
        with self._lock:
            # validated before anything is saved: a rejected advance leaves the clock as it was
            base = self._offset
            if self._frozen_at is not None:
                base = self._frozen_at - _real_now()
            if base.total_seconds() + seconds > MAX_ADVANCE_SECONDS:
                raise ValueError(
                    f"the emulator clock cannot run more than {MAX_ADVANCE_SECONDS:.0f} seconds "
                    "(about 100 years) ahead of real time"
                )
            delta = datetime.timedelta(seconds=seconds)
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta
        return self.now()

    def freeze(self) -> datetime.datetime:
        """Stop time where it is (until `resume` or `advance`)."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = _real_now() + self._offset
            return self._frozen_at

    def resume(self) -> datetime.datetime:
        """Let time flow again from where it was frozen."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - _real_now()
                self._frozen_at = None
        return self.now()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def reset(self) -> None:
        """Back to real time, flowing (frozen there, for a clock made ``frozen``)."""
        with self._lock:
            self._offset = datetime.timedelta(0)
            self._frozen_at = _real_now() if self._start_frozen else None

    def snapshot(self) -> dict[str, object]:
        """The clock as plain JSON: its offset from real time, or the time it is frozen at."""
        with self._lock:
            frozen = None if self._frozen_at is None else self._frozen_at.isoformat()
            return {"offsetSeconds": self._offset.total_seconds(), "frozenAt": frozen}

    def restore(self, data: object) -> None:
        """Take the state `snapshot` returned (``ValueError`` for anything else)."""
        if not isinstance(data, dict):
            raise ValueError("clock: expected an object")
        offset, frozen = data.get("offsetSeconds", 0.0), data.get("frozenAt")
        if isinstance(offset, bool) or not isinstance(offset, (int, float)):
            raise ValueError("clock.offsetSeconds: expected a number")
        if not math.isfinite(offset) or abs(offset) > MAX_ADVANCE_SECONDS:
            raise ValueError("clock.offsetSeconds: out of range")
        frozen_at = None
        if frozen is not None:
            if not isinstance(frozen, str):
                raise ValueError("clock.frozenAt: expected an ISO-8601 time or null")
            frozen_at = datetime.datetime.fromisoformat(frozen)
            if frozen_at.tzinfo is None:
                raise ValueError("clock.frozenAt: expected a time with its UTC offset")
        with self._lock:
            self._offset = datetime.timedelta(seconds=offset)
            self._frozen_at = None if frozen_at is None else frozen_at.astimezone(_UTC)
