"""Retry policies: immutable, compiled to tenacity, aware of what is safe to send twice.

```python
import ivsrt
from ivsrt import RetryPolicy

async with ivsrt.Client(region="us-west-2", retry=RetryPolicy(max_attempts=5)) as ivs:
    patient = ivs.with_options(retry=RetryPolicy(max_attempts=8, deadline=60))
    await patient.api.get_stage(arn=arn)              # this call: up to 8 attempts in 60 s
    await ivs.with_options(retry=RetryPolicy.none()).api.delete_stage(arn=arn)  # no retry
```

There is one retry layer: botocore's own retries are off (``total_max_attempts=1``), so every
attempt is exactly one HTTP request and attempts never multiply.

**What is retried**

- ``ThrottlingError`` (HTTP 429 and the throttling error codes);
- ``ServiceError`` with an HTTP status of 500 or more;
- ``TransportError`` with ``may_have_been_applied=False`` (nothing was sent: connection refused,
  connect timeout);
- ``TransportError`` with ``may_have_been_applied=True`` (reset after sending, read timeout) only
  for operations that are safe to send twice (``OperationSpec.retry_safe``): reads, operations the
  model marks idempotent, and operations carrying an idempotency token. ``StartComposition``'s
  ``idempotencyToken`` is filled once per call, before the first attempt, and every attempt reuses
  it, so the service applies it at most once. For any other state-changing call the failure is an
  ``OutcomeUnknownError`` and is raised at once.

Never retried: HTTP 402 (``ServiceQuotaExceededError``) and every other 4xx, ``ValidationError``,
``OutcomeUnknownError``, ``asyncio.CancelledError`` (a cancellation during a backoff sleep ends
the call at once).

**Retry budget.** Each underlying client (shared by its ``with_options`` views) holds a
[`RetryBudget`][ivsrt.retry.RetryBudget], a token bucket like botocore's standard-mode retry quota:
it starts with
500 tokens; a retry after a throttling or 5xx error costs 5, a retry after a transport error
(reset, timeout, connection failure) costs 10; a call that succeeds at its first attempt returns
1 token, a call that succeeds after retrying returns what its last retry cost (never above the
capacity). When a retry cannot be paid for, the call fails at once with its last error, which
carries the note ``retry budget exhausted``. So in a full outage a client makes about
``500 / 5 = 100`` retries in total (``50`` for transport errors) and then each call costs one
request, instead of multiplying the load on a struggling service by ``max_attempts``.

**Logging.** Every retry is logged at DEBUG on the logger ``ivsrt.retry`` with the operation,
the attempt that failed, the error code (or the transport error's kind) and the delay before the
next attempt. Nothing from the request or the error message is logged.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    stop_after_attempt,
    wait_exponential,
    wait_random_exponential,
)
from tenacity.retry import retry_base
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from ivsrt._exceptions import (
    IvsrtError,
    OutcomeUnknownError,
    ServiceError,
    ThrottlingError,
    TransportError,
)

if TYPE_CHECKING:
    from ivsrt._api_base import OperationSpec

__all__ = ["BUDGET_EXHAUSTED_NOTE", "Jitter", "RetryBudget", "RetryPolicy", "is_retryable"]

T = TypeVar("T")

logger = logging.getLogger("ivsrt.retry")

Jitter = Literal["full", "equal", "none"]
"""How backoff delays are randomised: ``"full"`` picks uniformly in ``[0, backoff]`` (the AWS
"full jitter" scheme); ``"equal"`` waits half the backoff plus a random part of the other half;
``"none"`` waits exactly the backoff."""

BUDGET_EXHAUSTED_NOTE = (
    "ivsrt: not retried, the client's retry budget is exhausted "
    "(too many recent failures; calls fail fast until successes refill it)"
)
"""The note added to the error raised when the retry budget refuses a retry."""


def _positive_int(_: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"RetryPolicy.{attribute.name} must be an integer >= 1, not {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"RetryPolicy.{attribute.name} must be a number >= 0, not {value!r}")


def _deadline(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"RetryPolicy.deadline must be a number > 0 or None, not {value!r}")


def _jitter(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in ("full", "equal", "none"):
        raise ValueError(f"RetryPolicy.jitter must be 'full', 'equal' or 'none', not {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How a call is retried. Immutable; make variants with ``attrs.evolve(policy, ...)``.

    Give one to ``ivsrt.Client(retry=...)`` as the client's default, or to
    ``client.with_options(retry=...)`` for a view of the client that uses it (the view shares the
    client's connections, retry budget and lifecycle).

    The delay before retry *n* (n = 1, 2, ...) is ``min(max_delay, base_delay * 2 ** (n - 1))``,
    randomised by ``jitter``. The call stops retrying when ``max_attempts`` attempts were made,
    when the next attempt could not start before ``deadline`` seconds from the call's start, or
    when the client's retry budget refuses (with ``use_budget``); it then raises the last error.
    """

    max_attempts: int = attrs.field(default=3, validator=_positive_int)
    """Attempts in total, the first included. 1 disables retrying."""
    deadline: float | None = attrs.field(default=20.0, validator=_deadline)
    """Seconds from the start of the call after which no new attempt starts (a backoff delay
    that would end past it is not slept). None: no deadline. An attempt already sent is bounded
    by the client's ``connect_timeout`` and ``read_timeout``, not cut short."""
    base_delay: float = attrs.field(default=0.1, validator=_non_negative)
    """Backoff before the first retry, in seconds (before jitter); doubles at each retry."""
    max_delay: float = attrs.field(default=5.0, validator=_non_negative)
    """Cap on any one backoff delay, in seconds."""
    jitter: Jitter = attrs.field(default="full", validator=_jitter)
    """How delays are randomised (see [`Jitter`][ivsrt.retry.Jitter])."""
    use_budget: bool = True
    """Whether retries draw from the client's [`RetryBudget`][ivsrt.retry.RetryBudget]. Turn it off
    only for a few
    critical calls: during an outage, unbudgeted retries multiply the load."""

    _wait: wait_base = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.max_delay < self.base_delay:
            raise ValueError(
                f"RetryPolicy.max_delay ({self.max_delay}) must be >= base_delay "
                f"({self.base_delay})"
            )
        wait: wait_base
        if self.jitter == "full":
            wait = wait_random_exponential(multiplier=self.base_delay, max=self.max_delay)
        elif self.jitter == "equal":
            half_base, half_max = self.base_delay / 2, self.max_delay / 2
            wait = wait_exponential(multiplier=half_base, max=half_max) + wait_random_exponential(
                multiplier=half_base, max=half_max
            )
        else:
            wait = wait_exponential(multiplier=self.base_delay, max=self.max_delay)
        object.__setattr__(self, "_wait", wait)

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries (one attempt)."""
        return _NO_RETRY

    @property
    def retries(self) -> bool:
        """Whether this policy can retry at all."""
        return self.max_attempts > 1

    async def _run(
        self,
        operation: OperationSpec[Any],
        attempt: Callable[[int], Awaitable[T]],
        *,
        budget: RetryBudget | None = None,
    ) -> T:
        """Run ``attempt(n)`` (n = 1, 2, ...) under this policy for ``operation``.

        ``attempt`` is called once per try with the attempt number; its ivsrt exceptions decide
        whether to retry (see the module documentation). Returns the first success, or raises the
        last error. ``budget``: the retry budget to draw from (ignored if ``use_budget`` is off).
        """
        started = time.monotonic()
        try:
            # Fast path: the first attempt runs outside tenacity. Most calls succeed at once, and
            # building tenacity's machinery costs about a tenth of a local GetStage's CPU.
            result: T = await attempt(1)
        except IvsrtError as exc:
            if self.max_attempts == 1 or not is_retryable(exc, operation):
                raise
            first_error = exc
        else:
            if budget is not None and self.use_budget:
                budget.release(None)  # a call that succeeds at its first attempt
            return result
        return await self._retry(operation, attempt, budget, first_error, started)

    async def _retry(
        self,
        operation: OperationSpec[Any],
        attempt: Callable[[int], Awaitable[T]],
        budget: RetryBudget | None,
        first_error: IvsrtError,
        started: float,
    ) -> T:
        """The retries after a retryable first failure: tenacity sees that failure replayed as
        its attempt 1, so the predicate, the stops (attempts, budget), the waits and the log
        line are the same as if tenacity had made the first attempt itself."""
        replayed = False

        async def replay_first(number: int) -> T:
            nonlocal replayed
            if not replayed:
                replayed = True
                raise first_error
            return await attempt(number)

        run = _Call(self, operation, replay_first, budget if self.use_budget else None)
        stop: stop_base = stop_after_attempt(self.max_attempts)
        if self.deadline is not None:  # measured from the start of the call, first attempt included
            stop = stop | _StopBeforeDeadline(started, self.deadline)
        if run.budget is not None:
            stop = stop | _BudgetStop(run, run.budget)
        retrying = AsyncRetrying(
            sleep=asyncio.sleep,
            stop=stop,
            wait=self._wait,
            retry=run,
            before_sleep=run.before_sleep,
            reraise=True,
        )
        try:
            result: T = await retrying(run.attempt)
        except IvsrtError as exc:
            if run.attempts > 1:
                _note(exc, f"ivsrt: {operation.name} failed after {run.attempts} attempts")
            raise
        if run.budget is not None:
            run.budget.release(run.last_cost)
        return result


class _StopBeforeDeadline(stop_base):
    """tenacity's ``stop_before_delay``, counted from the start of the call (before the first
    attempt, which runs outside tenacity) instead of from tenacity's own start."""

    def __init__(self, started: float, deadline: float) -> None:
        self.started = started
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = time.monotonic() - self.started
        return elapsed + (retry_state.upcoming_sleep or 0.0) >= self.deadline


_NO_RETRY = RetryPolicy(max_attempts=1)


def is_retryable(error: BaseException, operation: OperationSpec[Any]) -> bool:
    """Whether ``error`` from one attempt of ``operation`` may be retried (budget aside)."""
    if isinstance(error, OutcomeUnknownError):
        return False
    if isinstance(error, ThrottlingError):
        return True
    if isinstance(error, ServiceError):
        return error.status >= 500
    if isinstance(error, TransportError):
        return not error.may_have_been_applied or operation.retry_safe
    return False


class RetryBudget:
    """A token bucket limiting retries across every call of one client (and its views).

    Args:
        capacity: tokens when full (and at the start).
        retry_cost: tokens a retry after a throttling or 5xx error costs.
        transport_retry_cost: tokens a retry after a transport error (reset, timeout,
            connection failure) costs.
        success_refill: tokens a call that succeeds at its first attempt returns. A call that
            succeeds after retrying returns what its last retry cost.

    The defaults are botocore's standard-mode retry quota (500 / 5 / 10 / 1). Give one to
    ``ivsrt.Client(retry_budget=...)`` to change them, or to share one budget between clients.
    Used from one event loop; no locking.
    """

    __slots__ = ("_available", "capacity", "retry_cost", "success_refill", "transport_retry_cost")

    def __init__(
        self,
        capacity: int = 500,
        *,
        retry_cost: int = 5,
        transport_retry_cost: int = 10,
        success_refill: int = 1,
    ) -> None:
        for name, value in (
            ("capacity", capacity),
            ("retry_cost", retry_cost),
            ("transport_retry_cost", transport_retry_cost),
            ("success_refill", success_refill),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"RetryBudget.{name} must be an integer >= 0, not {value!r}")
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.transport_retry_cost = transport_retry_cost
        self.success_refill = success_refill
        self._available = capacity

    def __repr__(self) -> str:
        return f"<RetryBudget {self._available}/{self.capacity}>"

    @property
    def available(self) -> int:
        """Tokens left."""
        return self._available

    def cost_of(self, error: BaseException) -> int:
        """What retrying after ``error`` costs."""
        return self.transport_retry_cost if isinstance(error, TransportError) else self.retry_cost

    def acquire(self, cost: int) -> bool:
        """Take ``cost`` tokens if there are that many; False (taking nothing) otherwise."""
        if cost > self._available:
            return False
        self._available -= cost
        return True

    def release(self, amount: int | None = None) -> None:
        """Return ``amount`` tokens (``success_refill`` when None), up to the capacity."""
        add = self.success_refill if amount is None else amount
        self._available = min(self.capacity, self._available + add)


class _Call(retry_base):
    """The per-call parts of the tenacity machinery: the retry predicate (it needs the
    operation), attempt counting, the budget stop and the retry log line."""

    def __init__(
        self,
        policy: RetryPolicy,
        operation: OperationSpec[Any],
        fn: Callable[[int], Awaitable[Any]],
        budget: RetryBudget | None,
    ) -> None:
        self.policy = policy
        self.operation = operation
        self._fn = fn
        self.budget = budget
        self.attempts = 0
        self.last_cost: int | None = None

    async def attempt(self) -> Any:
        self.attempts += 1
        return await self._fn(self.attempts)

    def __call__(self, retry_state: RetryCallState) -> bool:
        """The retry predicate: is the failed attempt's error retryable for this operation?"""
        outcome = retry_state.outcome
        if outcome is None or not outcome.failed:
            return False
        error = outcome.exception()
        return error is not None and is_retryable(error, self.operation)

    def before_sleep(self, retry_state: RetryCallState) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        logger.debug(
            "retrying %s: attempt %d of %d failed with %s; next attempt in %.3f s",
            self.operation.name,
            retry_state.attempt_number,
            self.policy.max_attempts,
            _error_code(error),
            retry_state.upcoming_sleep,
        )


class _BudgetStop(stop_base):
    """Stop when the retry budget cannot pay for the retry.

    It is the last member of the stop condition (``stop_any`` evaluates in order and stops at
    the first true one), so tokens are only taken for retries that the attempt and deadline
    limits allow, i.e. retries that happen."""

    def __init__(self, call: _Call, budget: RetryBudget) -> None:
        self.call = call
        self.budget = budget

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if error is None:
            return False
        cost = self.budget.cost_of(error)
        if self.budget.acquire(cost):
            self.call.last_cost = cost
            return False
        _note(error, BUDGET_EXHAUSTED_NOTE)
        return True


def _error_code(error: BaseException | None) -> str:
    if isinstance(error, ServiceError):
        return f"{error.code} (HTTP {error.status})"
    if isinstance(error, TransportError):
        cause = error.__cause__
        kind = type(cause).__name__ if cause is not None else type(error).__name__
        return f"{type(error).__name__} ({kind})"
    return type(error).__name__


def _note(error: BaseException, note: str) -> None:
    if sys.version_info >= (3, 11):
        if note not in getattr(error, "__notes__", ()):
            error.add_note(note)
    else:  # pragma: no cover - Python 3.10 shows no notes, but keep them for callers
        notes = error.__dict__.setdefault("__notes__", [])
        if note not in notes:
            notes.append(note)
