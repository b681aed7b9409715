"""The service's API call rate quotas, enforced by the emulator when asked.

``Limits(rate_limits="service")`` (``Emulator(rate_limits="service")``, ``--rate-limits
service``) answers calls over the published TPS table (`ivsrt.limits.SERVICE_RATES`) as the
service does: HTTP 429 ``ThrottlingException`` "Rate exceeded", and nothing is done. Each
(region, operation) has a token bucket holding one second of calls and refilling at the
operation's rate, measured on wall time (``rate_clock="wall"``) or on the emulator's clock
(``rate_clock="emulator"``: a frozen clock refills nothing, ``advance`` refills, so tests are
deterministic). Throttled requests are counted per operation (`Emulator.stats`, control
``GET /_emulator/stats``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Literal

from ivsrt.emulator._clock import Clock
from ivsrt.limits import RateLimits

__all__ = ["RATE_EXCEEDED", "RateClock", "RateLimitsSetting", "Rates"]

RateClock = Literal["wall", "emulator"]
"""What the emulator's rate buckets are measured on."""

RateLimitsSetting = RateLimits | Literal["off", "service"]
"""``Limits.rate_limits``: ``"off"`` (the default), ``"service"`` (the published table) or a
`RateLimits` (its ``default`` and ``operations``; ``burst``, ``adaptive`` and ``recovery`` are
the client's and do not apply)."""

RATE_EXCEEDED = "Rate exceeded"
"""The message of the service's ``ThrottlingException`` (the AWS front end's)."""


class Rates:
    """Token buckets per (region, operation), and the count of throttled requests."""

    def __init__(self, setting: RateLimitsSetting, clock: RateClock, emulator_clock: Clock):
        self.table: RateLimits | None = (
            None
            if setting == "off"
            else RateLimits.service()
            if setting == "service"
            else setting
            if isinstance(setting, RateLimits)
            else None
        )
        self._now: Callable[[], float] = (
            time.monotonic if clock == "wall" else (lambda: emulator_clock.now().timestamp())
        )
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], list[float]] = {}
        """(region, operation) -> [tokens, stamp]."""
        self.throttled: Counter[str] = Counter()

    @property
    def enforced(self) -> bool:
        return self.table is not None

    def admit(self, region: str, operation: str) -> bool:
        """Whether one more ``operation`` call in ``region`` is within its rate (it takes a
        token); False counts it as throttled."""
        table = self.table
        if table is None:
            return True
        rate = table.rate(operation)
        capacity = max(1.0, rate)
        with self._lock:
            now = self._now()
            bucket = self._buckets.get((region, operation))
            if bucket is None:
                bucket = self._buckets[region, operation] = [capacity, now]
            tokens = min(capacity, bucket[0] + max(0.0, now - bucket[1]) * rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return True
            bucket[0] = tokens
            self.throttled[operation] += 1
            return False

    def throttled_count(self, operation: str | None = None) -> int:
        with self._lock:
            if operation is None:
                return sum(self.throttled.values())
            return self.throttled[operation]

    def stats(self) -> dict[str, object]:
        """``{"rateLimits": "off" | "on", "throttled": {operation: n}, "throttledTotal": n}``."""
        with self._lock:
            return {
                "rateLimits": "on" if self.table is not None else "off",
                "throttled": dict(sorted(self.throttled.items())),
                "throttledTotal": sum(self.throttled.values()),
            }

    def reset(self) -> None:
        """Full buckets, no throttled requests counted."""
        with self._lock:
            self._buckets.clear()
            self.throttled.clear()
