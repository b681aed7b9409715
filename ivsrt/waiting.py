"""Polling until a resource reaches a state.

```python
comp = await comp.wait_until_active(timeout=120)   # WaiterFailedError on FAILED,
                                                   # WaiterTimeoutError at the deadline
```

[`wait_for`][ivsrt.waiting.wait_for] is the one polling loop behind every ``wait_until_*`` method:

- it fetches a snapshot, asks ``check`` what it means ([`Done`][ivsrt.waiting.Done],
  [`Failed`][ivsrt.waiting.Failed] or
  ``None`` for "not yet"), and sleeps a jittered, exponentially growing delay between
  ``min_delay`` and ``max_delay`` before the next fetch;
- the deadline (``timeout`` seconds) bounds the whole wait, requests included; passing it
  raises [`WaiterTimeoutError`][ivsrt.errors.WaiterTimeoutError] carrying the last snapshot;
- a terminal state (FAILED, the resource gone...) raises
  [`WaiterFailedError`][ivsrt.errors.WaiterFailedError]
  carrying the last snapshot and the reason;
- a state it does not know (a value newer than this ivsrt) is "not yet": it keeps waiting;
- cancelling the waiting task stops it at once: no request is sent after the cancellation.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import attrs

from ivsrt._exceptions import WaiterFailedError, WaiterTimeoutError
from ivsrt._generated.errors import ResourceNotFoundError

__all__ = ["DEFAULT_MAX_DELAY", "DEFAULT_MIN_DELAY", "Done", "Failed", "Gone", "wait_for"]

S = TypeVar("S")
R = TypeVar("R")

DEFAULT_MIN_DELAY = 1.0
"""The shortest pause between two polls: the pause before the second poll is drawn between it
and twice it (the first poll is immediate)."""
DEFAULT_MAX_DELAY = 15.0
"""The longest pause between two polls."""


@attrs.frozen
class Done(Generic[R]):
    """The awaited state is reached; ``value`` is what the waiter returns."""

    value: R


@attrs.frozen
class Failed:
    """A terminal state: the awaited state cannot be reached any more."""

    reason: str


@attrs.frozen
class Gone:
    """What ``fetch`` may return (instead of raising ``ResourceNotFoundError``) when the resource
    no longer exists."""


def delays(min_delay: float, max_delay: float, rng: random.Random | None = None) -> list[float]:
    """The first delays a waiter would use (for documentation and tests)."""
    gen = _DelayGen(min_delay, max_delay, rng or random.Random())
    return [gen.next() for _ in range(8)]


class _DelayGen:
    __slots__ = ("_attempt", "_max", "_min", "_rng")

    def __init__(self, min_delay: float, max_delay: float, rng: random.Random) -> None:
        self._min, self._max, self._rng, self._attempt = min_delay, max_delay, rng, 0

    def next(self) -> float:
        # The n-th delay (from 0) is drawn in [min * 2**n, min * 2**(n+1)], capped at max: the
        # first one is already jittered (within [min, 2 * min]), so waiters started together
        # do not poll in lockstep. "Equal jitter": half fixed, half random, never below
        # min_delay nor above max_delay.
        ceiling = min(self._max, self._min * (2 << self._attempt))
        self._attempt = min(self._attempt + 1, 64)
        return max(self._min, ceiling / 2 + self._rng.uniform(0, ceiling / 2))


async def wait_for(
    fetch: Callable[[], Awaitable[S | Gone]],
    check: Callable[[S | Gone], Done[R] | Failed | None],
    *,
    what: str,
    timeout: float,
    min_delay: float = DEFAULT_MIN_DELAY,
    max_delay: float = DEFAULT_MAX_DELAY,
    initial: S | None = None,
    rng: random.Random | None = None,
) -> R:
    """Poll ``fetch`` until ``check`` says [`Done`][ivsrt.waiting.Done] (returns its value) or
    [`Failed`][ivsrt.waiting.Failed].

    Args:
        fetch: one request returning a snapshot (or [`Gone`][ivsrt.waiting.Gone]). A
            ``ResourceNotFoundError`` it raises is treated as [`Gone`][ivsrt.waiting.Gone].
        check: judges a snapshot: ``Done(value)``, ``Failed(reason)``, or None to keep waiting.
        what: what is awaited, for messages (``"composition arn:... to be ACTIVE"``).
        timeout: seconds before [`WaiterTimeoutError`][ivsrt.errors.WaiterTimeoutError].
        min_delay: the shortest delay: the one before the second poll is drawn in
            ``[min_delay, 2 * min_delay]``, and the range doubles from there.
        max_delay: the longest delay between two polls.
        initial: the snapshot the caller already holds (the ``last`` of an error raised before
            the first poll answers).
        rng: the random source of the jitter.

    Raises:
        ivsrt.WaiterFailedError: a terminal state (``last`` is the last snapshot).
        ivsrt.WaiterTimeoutError: the deadline passed (``last`` is the last snapshot).
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if min_delay < 0 or max_delay < min_delay:
        raise ValueError("need 0 <= min_delay <= max_delay")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    gen = _DelayGen(min_delay, max_delay, rng or random.Random())
    last: S | None = initial
    polls = 0
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise _timeout(what, timeout, polls, last)
        # Not asyncio.wait_for: before Python 3.12 it can swallow a cancellation that arrives
        # as the request completes, and the waiter would go on polling.
        request = asyncio.ensure_future(fetch())
        try:
            await asyncio.wait((request,), timeout=remaining)
        finally:
            if not request.done():
                request.cancel()
        if not request.done():
            raise _timeout(what, timeout, polls, last)
        try:
            snapshot = request.result()
        except ResourceNotFoundError:
            snapshot = Gone()
        polls += 1
        outcome = check(snapshot)
        if not isinstance(snapshot, Gone):
            last = snapshot
        if isinstance(outcome, Done):
            return outcome.value
        if isinstance(outcome, Failed):
            raise WaiterFailedError(f"stopped waiting for {what}: {outcome.reason}", last=last)
        pause = min(gen.next(), deadline - loop.time())
        if pause > 0:
            await asyncio.sleep(pause)


def _timeout(what: str, timeout: float, polls: int, last: object) -> WaiterTimeoutError:
    return WaiterTimeoutError(
        f"gave up waiting for {what} after {timeout:g} s ({polls} polls)", last=last
    )
