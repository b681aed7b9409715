"""The emulator's clock: real time plus an offset, which tests can advance or freeze."""

from __future__ import annotations

import datetime
import threading

__all__ = ["Clock"]

_UTC = datetime.timezone.utc


def _real_now() -> datetime.datetime:
    return datetime.datetime.now(_UTC)


class Clock:
    """Emulator time. Every time-dependent state (composition STARTING -> ACTIVE, token expiry)
    is computed from :meth:`now` when it is read, so advancing the clock is enough to move
    state along; nothing runs in the background."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = datetime.timedelta(0)
        self._frozen_at: datetime.datetime | None = None

    def now(self) -> datetime.datetime:
        """The current emulator time (aware, UTC)."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return _real_now() + self._offset

    def advance(self, seconds: float) -> datetime.datetime:
        """Move emulator time forward by ``seconds`` (frozen or not); returns the new time."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            delta = datetime.timedelta(seconds=seconds)
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta
        return self.now()

    def freeze(self) -> datetime.datetime:
        """Stop time where it is (until :meth:`resume` or :meth:`advance`)."""
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
