"""The rate-limit stage of the call path: token buckets per operation, FIFO waiters, AIMD.

`admit` is the stage: it waits for a token of the operation's bucket before the first attempt
and returns the attempt function the retry executor runs, in which each retry takes a token
too (ahead of the calls still waiting for their first attempt, so that a retry waits at most
one token's time) and a throttled reply slows the bucket down.

A bucket never reserves a token for a waiter in advance: a token is taken for the waiter at
the front of the queue only when one is there, so a cancelled waiter holds nothing (a waiter
cancelled just after being handed a token gives it back).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from ivsrt._exceptions import ThrottlingError
from ivsrt._runtime.spec import OperationSpec
from ivsrt.limits import RateLimits, RateLimitsOption

__all__ = ["Bucket", "Limiter", "admit", "is_loopback", "resolve"]

T = TypeVar("T")

_DECREASE = 0.5
"""The rate is multiplied by this on a throttle."""
_FLOOR = 0.05
"""Never below this fraction of the configured rate."""


class Bucket:
    """One operation's token bucket. Used from one event loop; no locking."""

    __slots__ = (
        "_clock",
        "_cut_at",
        "_cut_rate",
        "_timer",
        "_tokens",
        "_waiters",
        "adaptive",
        "capacity",
        "limit",
        "recovery",
        "stamp",
        "throttles",
    )

    def __init__(
        self,
        limit: float,
        *,
        burst: float,
        adaptive: bool,
        recovery: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        """The configured calls per second."""
        self.capacity = max(1.0, limit * burst)
        self.adaptive = adaptive
        self.recovery = recovery
        self.throttles = 0
        """Throttled replies seen."""
        self._clock = clock
        self._tokens = self.capacity
        self.stamp = clock()
        self._cut_at: float | None = None
        self._cut_rate = limit
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<Bucket {self.rate():g}/{self.limit:g} TPS, {len(self._waiters)} waiting>"

    def rate(self, now: float | None = None) -> float:
        """The current rate: the configured one, or less while recovering from a throttle."""
        if self._cut_at is None:
            return self.limit
        now = self._clock() if now is None else now
        if self.recovery <= 0:
            self._cut_at = None
            return self.limit
        climbed = self._cut_rate + self.limit * (now - self._cut_at) / self.recovery
        if climbed >= self.limit:
            self._cut_at = None
            return self.limit
        return climbed

    @property
    def waiting(self) -> int:
        """Calls waiting for a token."""
        return len(self._waiters)

    def _refill(self, now: float) -> float:
        rate = self.rate(now)
        self._tokens = min(self.capacity, self._tokens + (now - self.stamp) * rate)
        self.stamp = now
        return rate

    def try_take(self) -> bool:
        """Take a token now if one is free and nobody waits (the uncontended path)."""
        if self._waiters:
            return False
        if self._tokens < 1.0:
            self._refill(self._clock())
            if self._tokens < 1.0:
                return False
        self._tokens -= 1.0
        return True

    async def take(self, *, first: bool = False) -> None:
        """Wait for a token (FIFO; ``first``: ahead of every waiter, for a retry). Cancelled:
        nothing is taken."""
        if self.try_take():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if first:
            self._waiters.appendleft(waiter)
        else:
            self._waiters.append(waiter)
        self._schedule()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._tokens += 1.0  # handed a token, then cancelled: give it back
            else:
                with contextlib.suppress(ValueError):  # already dispatched
                    self._waiters.remove(waiter)
            self._schedule()
            raise

    def now(self) -> float:
        return self._clock()

    def throttled(self, sent_at: float) -> None:
        """The service throttled a request of this operation (sent at ``sent_at``) anyway.
        Requests sent before the last slowdown change nothing more: they are the same
        excess, answered late."""
        self.throttles += 1
        now = self._clock()
        self._refill(now)
        self._tokens = min(self._tokens, 0.0)  # no burst right after a throttle
        if not self.adaptive or (self._cut_at is not None and sent_at <= self._cut_at):
            return
        self._cut_rate = max(self.limit * _FLOOR, self.rate(now) * _DECREASE)
        self._cut_at = now

    def _schedule(self) -> None:
        """Hand out the tokens that are there; wake up again when the next one is due."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._waiters:
            return
        rate = self._refill(self._clock())
        waiters = self._waiters
        while waiters and self._tokens >= 1.0:
            waiter = waiters.popleft()
            if waiter.done():  # cancelled while queued
                continue
            self._tokens -= 1.0
            waiter.set_result(None)
        if waiters:
            delay = (1.0 - self._tokens) / rate
            self._timer = asyncio.get_running_loop().call_later(delay, self._schedule)


class Limiter:
    """The buckets of one `RateLimits` for one client (and its views with an equal one)."""

    __slots__ = ("_buckets", "_clock", "limits")

    def __init__(self, limits: RateLimits, *, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self._clock = clock
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def __repr__(self) -> str:
        return f"<Limiter {len(self._buckets)} buckets>"

    def bucket(self, service: str, operation: str) -> Bucket:
        """The bucket of ``operation`` of botocore service ``service`` (made on first use)."""
        found = self._buckets.get((service, operation))
        if found is None:
            limits = self.limits
            found = self._buckets[service, operation] = Bucket(
                limits.rate(operation),
                burst=limits.burst,
                adaptive=limits.adaptive,
                recovery=limits.recovery,
                clock=self._clock,
            )
        return found


class Gate(Protocol):
    """What `admit` needs of a client: its limiter, None when pacing is off."""

    @property
    def _rate_limiter(self) -> Limiter | None: ...


Attempt = Callable[[int], Awaitable[T]]


async def admit(sender: Gate, spec: OperationSpec[Any], attempt: Attempt[T]) -> Attempt[T]:
    """The rate-limit stage: wait for a token of ``spec``'s bucket, then return ``attempt``
    wrapped so that retries take a token too and throttles slow the bucket down. Off:
    ``attempt`` itself."""
    limiter = sender._rate_limiter
    if limiter is None:
        return attempt
    bucket = limiter.bucket(spec.service, spec.name)
    if not bucket.try_take():
        await bucket.take()

    async def paced(number: int) -> T:
        if number > 1 and not bucket.try_take():
            await bucket.take(first=True)
        sent_at = bucket.now()
        try:
            return await attempt(number)
        except ThrottlingError:
            bucket.throttled(sent_at)
            raise

    return paced


def is_loopback(endpoint_url: str | None) -> bool:
    """Whether ``endpoint_url`` names this machine (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    if not endpoint_url:
        return False
    try:
        host = urlsplit(endpoint_url).hostname or ""
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve(option: RateLimitsOption, endpoint_url: str | None) -> RateLimits | None:
    """The `RateLimits` an option stands for (None: off)."""
    if isinstance(option, RateLimits):
        return option
    if option == "off":
        return None
    return None if is_loopback(endpoint_url) else RateLimits.service()


class Limiters:
    """A client's limiters, one per distinct `RateLimits` (shared with its views)."""

    __slots__ = ("_by_key",)

    def __init__(self) -> None:
        self._by_key: dict[tuple[Any, ...], Limiter] = {}

    def get(self, limits: RateLimits | None) -> Limiter | None:
        if limits is None:
            return None
        key = limits._key()
        found = self._by_key.get(key)
        if found is None:
            found = self._by_key[key] = Limiter(limits)
        return found
