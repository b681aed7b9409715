"""The executor that runs a `RetryPolicy` (a plain value) with tenacity.

`run` makes the first attempt outside tenacity (most calls succeed at once, and building
tenacity's machinery costs about a tenth of a local GetStage's CPU); a retryable first failure
is replayed to tenacity as its attempt 1, so the predicate, the stops (attempts, deadline,
budget), the waits and the log line are the same as if tenacity had made it.

Every attempt runs under the smaller of the policy's ``attempt_timeout`` and what is left of its
``deadline``, so a server dripping bytes or a wait for a pooled connection cannot hold a call
past either. The error that ends a call carries a note saying which limit ended it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

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

from ivsrt._exceptions import IvsrtError, OutcomeUnknownError, ServiceError, TransportError
from ivsrt._runtime.spec import OperationSpec
from ivsrt.retry import BUDGET_EXHAUSTED_NOTE, RetryBudget, RetryPolicy, is_retryable

if sys.version_info >= (3, 11):
    from asyncio import timeout as _timeout
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as _timeout  # type: ignore[import-not-found, unused-ignore]

__all__ = ["run"]

T = TypeVar("T")

logger = logging.getLogger("ivsrt.retry")

Attempt = Callable[[int], Awaitable[T]]
"""``attempt(n)``: make attempt number n (1, 2, ...) of one call; raises ivsrt exceptions."""


async def run(
    policy: RetryPolicy,
    operation: OperationSpec[Any],
    attempt: Attempt[T],
    budget: RetryBudget | None,
) -> T:
    """Run ``attempt(n)`` under ``policy`` for ``operation``: the first success, or the last
    error. ``budget``: the retry budget to draw from (ignored if ``use_budget`` is off)."""
    started = time.monotonic()
    try:
        result: T = await _bounded(policy, operation, attempt, 1, started)
    except IvsrtError as exc:
        if policy.max_attempts == 1 or not is_retryable(exc, operation):
            raise
        first_error = exc
    else:
        if budget is not None and policy.use_budget:
            budget.release(None)  # a call that succeeds at its first attempt
        return result
    return await _retry(policy, operation, attempt, budget, first_error, started)


async def _bounded(
    policy: RetryPolicy,
    operation: OperationSpec[Any],
    attempt: Attempt[T],
    number: int,
    started: float,
) -> T:
    """``attempt(number)`` cut at the attempt timeout or the deadline, whichever comes first."""
    limit, which = policy.attempt_timeout, "attempt timeout"
    if policy.deadline is not None:
        left = policy.deadline - (time.monotonic() - started)
        if limit is None or left < limit:
            limit, which = max(left, 0.0), "retry deadline"
    if limit is None:
        return await attempt(number)
    try:
        async with _timeout(limit):
            return await attempt(number)
    except TimeoutError as exc:  # asyncio.TimeoutError is TimeoutError from 3.11
        raise _cut(policy, operation, which) from exc
    except asyncio.TimeoutError as exc:  # pragma: no cover - Python 3.10
        raise _cut(policy, operation, which) from exc


def _cut(policy: RetryPolicy, operation: OperationSpec[Any], which: str) -> TransportError:
    """The error of an attempt cut by ``which`` limit: it may have been sent (and applied)."""
    seconds = policy.attempt_timeout if which == "attempt timeout" else policy.deadline
    reason = f"the attempt was cut by the {which} ({seconds:g} s)"
    error: TransportError
    if operation.retry_safe:
        error = TransportError(reason, operation=operation.name, may_have_been_applied=True)
    else:
        error = OutcomeUnknownError(reason, operation=operation.name)
    _note(error, f"ivsrt: ended by the {which} ({seconds:g} s)")
    return error


def _wait(policy: RetryPolicy) -> wait_base:
    if policy.jitter == "full":
        return wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay)
    if policy.jitter == "equal":
        half_base, half_max = policy.base_delay / 2, policy.max_delay / 2
        return wait_exponential(multiplier=half_base, max=half_max) + wait_random_exponential(
            multiplier=half_base, max=half_max
        )
    return wait_exponential(multiplier=policy.base_delay, max=policy.max_delay)


async def _retry(
    policy: RetryPolicy,
    operation: OperationSpec[Any],
    attempt: Attempt[T],
    budget: RetryBudget | None,
    first_error: IvsrtError,
    started: float,
) -> T:
    """The retries after a retryable first failure."""
    replayed = False

    async def replay_first(number: int) -> T:
        nonlocal replayed
        if not replayed:
            replayed = True
            raise first_error
        return await _bounded(policy, operation, attempt, number, started)

    call = _Call(policy, operation, replay_first, budget if policy.use_budget else None)
    stop: stop_base = stop_after_attempt(policy.max_attempts)
    if policy.deadline is not None:  # measured from the start of the call, first attempt included
        stop = stop | _StopBeforeDeadline(started, policy.deadline)
    if call.budget is not None:
        stop = stop | _BudgetStop(call, call.budget)
    retrying = AsyncRetrying(
        sleep=asyncio.sleep,
        stop=stop,
        wait=_wait(policy),
        retry=call,
        before_sleep=call.before_sleep,
        reraise=True,
    )
    try:
        result: T = await retrying(call.attempt)
    except IvsrtError as exc:
        if call.attempts > 1:
            _note(exc, f"ivsrt: {operation.name} failed after {call.attempts} attempts")
        if call.attempts >= policy.max_attempts and is_retryable(exc, operation):
            _note(exc, f"ivsrt: ended by max_attempts ({policy.max_attempts})")
        raise
    except asyncio.CancelledError:
        # A cancelled call gives back every token its retries took: it did not fail.
        if call.budget is not None and call.taken:
            call.budget.release(call.taken)
        raise
    if call.budget is not None:
        call.budget.release(call.last_cost)
    return result


class _StopBeforeDeadline(stop_base):
    """tenacity's ``stop_before_delay``, counted from the start of the call (before the first
    attempt, which runs outside tenacity) instead of from tenacity's own start: stop when the
    next attempt, after its backoff sleep, could not start before the deadline."""

    def __init__(self, started: float, deadline: float) -> None:
        self.started = started
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = time.monotonic() - self.started
        if elapsed + (retry_state.upcoming_sleep or 0.0) < self.deadline:
            return False
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if error is not None:
            _note(error, f"ivsrt: ended by the retry deadline ({self.deadline:g} s)")
        return True


class _Call(retry_base):
    """The per-call parts of the tenacity machinery: the retry predicate (it needs the
    operation), attempt counting, the budget taken and the retry log line."""

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
        self.taken = 0
        """Tokens this call's retries took from the budget (given back if it is cancelled)."""

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
            self.call.taken += cost
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
