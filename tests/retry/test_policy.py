"""RetryPolicy and RetryBudget as values, and which errors are retryable for which operation."""

from __future__ import annotations

import asyncio

import attrs
import pytest

import ivsrt
from ivsrt import (
    OutcomeUnknownError,
    ResourceNotFoundError,
    RetryPolicy,
    ServiceError,
    ServiceQuotaExceededError,
    ServiceValidationError,
    ThrottlingError,
    TransportError,
    ValidationError,
    Violation,
)
from ivsrt._runtime.spec import OperationSpec
from ivsrt.retry import RetryBudget, is_retryable

READ = OperationSpec("GetStage", "get_stage", None, object, read_only=True, retry_safe=True)
CREATE = OperationSpec("CreateStage", "create_stage", None, object)
TOKENED = OperationSpec(
    "StartComposition",
    "start_composition",
    None,
    object,
    idempotency_tokens=("idempotencyToken",),
    retry_safe=True,
)


def test_defaults_are_bounded() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 3
    assert policy.deadline == 20.0
    assert policy.jitter == "full"
    assert policy.use_budget is True
    assert policy.base_delay <= policy.max_delay
    assert ivsrt.RetryPolicy is RetryPolicy


def test_policy_is_immutable_hashable_and_evolvable() -> None:
    policy = RetryPolicy(max_attempts=5, deadline=None)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.max_attempts = 9  # type: ignore[misc]
    assert policy == RetryPolicy(max_attempts=5, deadline=None)
    assert hash(policy) == hash(RetryPolicy(max_attempts=5, deadline=None))
    assert policy != RetryPolicy(max_attempts=4, deadline=None)
    longer = attrs.evolve(policy, max_attempts=8)
    assert (longer.max_attempts, longer.deadline, policy.max_attempts) == (8, None, 5)
    assert "max_attempts=5" in repr(policy)
    assert "_stop" not in repr(policy)


def test_none_disables_retrying() -> None:
    assert RetryPolicy.none().max_attempts == 1
    assert RetryPolicy.none().retries is False
    assert RetryPolicy().retries is True
    assert RetryPolicy.none() == RetryPolicy(max_attempts=1)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 2.5}, "max_attempts"),
        ({"max_attempts": True}, "max_attempts"),
        ({"deadline": 0}, "deadline"),
        ({"deadline": -1.0}, "deadline"),
        ({"base_delay": -0.1}, "base_delay"),
        ({"max_delay": float("nan")}, "max_delay"),
        ({"base_delay": 2.0, "max_delay": 1.0}, "max_delay"),
        ({"jitter": "decorrelated"}, "jitter"),
    ],
)
def test_invalid_policies_are_rejected(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_client_rejects_a_non_policy() -> None:
    with pytest.raises(ivsrt.ConfigurationError, match="RetryPolicy"):
        ivsrt.Client(region="us-west-2", retry=3)  # type: ignore[arg-type]
    client = ivsrt.Client(region="us-west-2")
    with pytest.raises(ivsrt.ConfigurationError, match="RetryPolicy"):
        client.with_options(retry={"max_attempts": 2})  # type: ignore[arg-type]


def _service(cls: type[ServiceError], status: int) -> ServiceError:
    return cls("boom", code=cls.code_name or "Err", status=status, operation="Op")


@pytest.mark.parametrize(
    ("error", "read", "create", "tokened"),
    [
        (_service(ThrottlingError, 429), True, True, True),
        (ThrottlingError("x", code="Throttling", status=400), True, True, True),
        (_service(ServiceError, 500), True, True, True),
        (_service(ServiceError, 503), True, True, True),
        (_service(ServiceQuotaExceededError, 402), False, False, False),
        (_service(ResourceNotFoundError, 404), False, False, False),
        (_service(ServiceValidationError, 400), False, False, False),
        (_service(ServiceError, 409), False, False, False),
        (TransportError("refused", operation="Op", may_have_been_applied=False), True, True, True),
        (TransportError("reset", operation="Op", may_have_been_applied=True), True, False, True),
        (OutcomeUnknownError("reset", operation="Op"), False, False, False),
        (ValidationError("Op", [Violation("name", "too long")]), False, False, False),
        (asyncio.CancelledError(), False, False, False),
        (RuntimeError("bug"), False, False, False),
    ],
)
def test_what_is_retryable(error: BaseException, read: bool, create: bool, tokened: bool) -> None:
    assert is_retryable(error, READ) is read
    assert is_retryable(error, CREATE) is create
    assert is_retryable(error, TOKENED) is tokened


def test_budget_arithmetic() -> None:
    budget = RetryBudget(capacity=12, retry_cost=5, transport_retry_cost=10, success_refill=1)
    assert budget.available == 12
    throttled = _service(ThrottlingError, 429)
    reset = TransportError("reset", operation="Op", may_have_been_applied=True)
    assert budget.cost_of(throttled) == 5
    assert budget.cost_of(reset) == 10
    assert budget.acquire(budget.cost_of(reset)) is True
    assert budget.available == 2
    assert budget.acquire(5) is False  # refused: nothing taken
    assert budget.available == 2
    budget.release()
    assert budget.available == 3
    budget.release(100)
    assert budget.available == 12  # never above the capacity
    assert repr(budget) == "<RetryBudget 12/12>"


def test_budget_defaults_are_botocore_standard_mode() -> None:
    budget = RetryBudget()
    assert (budget.capacity, budget.retry_cost, budget.transport_retry_cost) == (500, 5, 10)
    assert budget.success_refill == 1
    with pytest.raises(ValueError, match="capacity"):
        RetryBudget(capacity=-1)
