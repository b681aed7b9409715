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
- ``ServiceError`` with an HTTP status of 500 or more. A 500, 502 or 504 may come after the
  service applied the call, so for a state-changing call that is not retry-safe it is raised as
  an ``OutcomeUnknownError`` instead (its ``__cause__`` is the service error); 503 and 429 mean
  the call was not applied and are retried for every operation;
- ``TransportError`` with ``may_have_been_applied=False`` (nothing was sent: connection refused,
  connect timeout);
- ``TransportError`` with ``may_have_been_applied=True`` (reset after sending, read timeout) only
  for operations that are safe to send twice (``OperationSpec.retry_safe``): reads, operations the
  model marks idempotent, and operations carrying an idempotency token. ``StartComposition``'s
  ``idempotencyToken`` is filled once per call, before the first attempt, and every attempt reuses
  it, so the service applies it at most once. For any other state-changing call the failure is an
  ``OutcomeUnknownError`` and is raised at once.

Never retried: a 3xx (redirects are never followed), HTTP 402 (``ServiceQuotaExceededError``)
and every other 4xx, ``ValidationError``,
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

from typing import Any, Literal

import attrs

from ivsrt._exceptions import OutcomeUnknownError, ServiceError, ThrottlingError, TransportError
from ivsrt._runtime.spec import OperationSpec

__all__ = ["BUDGET_EXHAUSTED_NOTE", "Jitter", "RetryBudget", "RetryPolicy", "is_retryable"]

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
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value < float("inf")
    ):
        raise ValueError(
            f"RetryPolicy.{attribute.name} must be a finite number > 0 or None, not {value!r}"
        )


def _jitter(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in ("full", "equal", "none"):
        raise ValueError(f"RetryPolicy.jitter must be 'full', 'equal' or 'none', not {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How a call is retried. Immutable; make variants with ``attrs.evolve(policy, ...)``.

    Give one to ``ivsrt.Client(retry=...)`` as the client's default, or to
    ``client.with_options(retry=...)`` for a view of the client that uses it (the view shares the
    client's connections, retry budget and lifecycle).

    A plain value: the executor that runs it is ``ivsrt._runtime.retrying``.

    The delay before retry *n* (n = 1, 2, ...) is ``min(max_delay, base_delay * 2 ** (n - 1))``,
    randomised by ``jitter``. The call stops retrying when ``max_attempts`` attempts were made,
    when the next attempt could not start before ``deadline`` seconds from the call's start, or
    when the client's retry budget refuses (with ``use_budget``); it then raises the last error,
    with a note saying which limit ended the call.
    """

    max_attempts: int = attrs.field(default=3, validator=_positive_int)
    """Attempts in total, the first included. 1 disables retrying."""
    deadline: float | None = attrs.field(default=20.0, validator=_deadline)
    """Seconds from the start of the call within which it ends, whatever it is doing: an
    attempt in flight (waiting for a pooled connection, connecting, sending, reading) is cut at
    the deadline, and no new attempt starts when it, or the backoff sleep before it, could not
    start before the deadline. None: no deadline."""
    attempt_timeout: float | None = attrs.field(default=60.0, validator=_deadline)
    """Seconds one attempt may take in total (pool wait, connect, send, the whole reply): it
    bounds a server dripping bytes, which the client's ``read_timeout`` (time between two reads)
    does not. None: no bound beyond ``deadline`` and the client's timeouts."""
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

    def __attrs_post_init__(self) -> None:
        if self.max_delay < self.base_delay:
            raise ValueError(
                f"RetryPolicy.max_delay ({self.max_delay}) must be >= base_delay "
                f"({self.base_delay})"
            )

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries (one attempt)."""
        return _NO_RETRY

    @property
    def retries(self) -> bool:
        """Whether this policy can retry at all."""
        return self.max_attempts > 1


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
