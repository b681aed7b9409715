"""The retry layer against the emulator's injected faults: real HTTP on 127.0.0.1 through
aiobotocore. Every loop is bounded in count and time."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

import ivsrt
from ivsrt import (
    ConfigurationError,
    OutcomeUnknownError,
    ResourceNotFoundError,
    RetryPolicy,
    ServiceError,
    ServiceQuotaExceededError,
    ThrottlingError,
    TransportError,
    ValidationError,
    models,
)
from ivsrt.emulator import Emulator, Limits
from ivsrt.retry import BUDGET_EXHAUSTED_NOTE, RetryBudget
from tests.emulator._boto import client_channel
from tests.retry.conftest import FAST

MISSING_STAGE = "arn:aws:ivs:us-west-2:123456789012:stage/zzzzZZZZzzzz"


async def _eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (bounded) until ``check()`` holds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


async def _stage(client: ivsrt.Client) -> str:
    return (await client.api.create_stage(name="retry")).stage.arn


def _attempts(emu: Emulator, operation: str) -> list[int]:
    return [i.attempts for i in emu.invocations(operation)]


# -- (a) load with 10% throttling / 503 ------------------------------------------------------


async def test_2000_reads_at_concurrency_100_with_10_percent_faults_all_succeed(
    ivs_emulator: Emulator,
) -> None:
    emu = ivs_emulator
    policy = RetryPolicy(max_attempts=5, base_delay=0.002, max_delay=0.02, deadline=20.0)
    async with emu.client(retry=policy, max_pool_connections=100) as client:
        arn = await _stage(client)
        # 5% throttled, then 5% of the rest answered 503: 9.75% of requests fail (seeded RNG).
        emu.faults.inject("GetStage", "throttle", probability=0.05)
        emu.faults.inject("GetStage", "server_error", probability=0.05, status=503)
        calls, concurrency = 2000, 100
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(calls):
            queue.put_nowait(i)
        failures: list[BaseException] = []
        arns: list[str] = []

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                try:
                    arns.append((await client.api.get_stage(arn=arn)).stage.arn)
                except ivsrt.IvsrtError as exc:
                    failures.append(exc)

        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), 45)
        elapsed = time.monotonic() - started

    assert failures == []
    assert len(arns) == calls
    assert set(arns) == {arn}
    attempts = _attempts(emu, "GetStage")
    assert len(attempts) == calls  # one invocation id per call, shared by its attempts
    assert max(attempts) <= 5
    retried = sum(1 for a in attempts if a > 1)
    # ~10% of calls needed a retry: far more than none, far fewer than all.
    assert calls * 0.04 < retried < calls * 0.2
    # botocore does not retry on its own: every attempt is exactly one HTTP request.
    assert emu.request_count("GetStage") == sum(attempts)
    assert elapsed < 45


# -- (b) (e) a create whose outcome is unknown is never retried ------------------------------


@pytest.mark.parametrize("kind", ["reset_after", "reset_before"])
async def test_create_stage_reset_is_outcome_unknown_after_one_attempt(
    ivs_emulator: Emulator, kind: str
) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        emu.faults.inject("CreateStage", kind, count=1)  # type: ignore[arg-type]
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.api.create_stage(name="once")
        stages = (await client.api.list_stages()).stages

    error = caught.value
    assert isinstance(error, TransportError)
    assert error.may_have_been_applied is True
    assert error.operation == "CreateStage"
    assert "outcome unknown" in str(error)
    assert _attempts(emu, "CreateStage") == [1]
    assert emu.request_count("CreateStage") == 1
    # After apply: exactly the one stage. Before apply: none. The client cannot tell them apart,
    # which is why both are OutcomeUnknownError.
    assert len(stages) == (1 if kind == "reset_after" else 0)


# -- (c) StartComposition reuses its idempotency token across attempts ----------------------


async def test_start_composition_reset_after_apply_retries_with_the_same_token(
    ivs_emulator: Emulator,
) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        stage_arn = await _stage(client)
        sent_tokens: list[str] = []

        def record(request: Any, **_: Any) -> None:  # observes the bytes actually sent
            if request.url.endswith("/StartComposition"):
                sent_tokens.append(json.loads(request.body)["idempotencyToken"])

        client._aio.meta.events.register("before-send.ivs-realtime", record)
        emu.faults.inject("StartComposition", "reset_after", count=1)
        started = await client.api.start_composition(
            stage_arn=stage_arn,
            destinations=[
                models.DestinationConfiguration(
                    channel=models.ChannelDestinationConfiguration(
                        channel_arn=await client_channel(client)
                    )
                )
            ],
        )
        compositions = (await client.api.list_compositions()).compositions

    assert [c.arn for c in compositions] == [started.composition.arn]
    assert _attempts(emu, "StartComposition") == [2]
    assert emu.request_count("StartComposition") == 2
    assert len(sent_tokens) == 2
    assert sent_tokens[0] == sent_tokens[1]


async def test_start_composition_keeps_a_caller_token(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        stage_arn = await _stage(client)
        emu.faults.inject("StartComposition", "reset_before", count=1)
        dest = models.DestinationConfiguration(
            channel=models.ChannelDestinationConfiguration(channel_arn=await client_channel(client))
        )
        first = await client.api.start_composition(
            stage_arn=stage_arn, destinations=[dest], idempotency_token="my-token-1"
        )
        again = await client.api.start_composition(
            stage_arn=stage_arn, destinations=[dest], idempotency_token="my-token-1"
        )
        compositions = (await client.api.list_compositions()).compositions
    assert first.composition.arn == again.composition.arn
    assert len(compositions) == 1
    assert _attempts(emu, "StartComposition") == [2, 1]


# -- (d) 4xx is never retried ----------------------------------------------------------------


async def test_402_is_not_retried(ivs_emulator: Emulator) -> None:
    async with Emulator(limits=Limits(max_stages=1)) as emu, emu.client(retry=FAST) as client:
        await _stage(client)
        with pytest.raises(ServiceQuotaExceededError) as caught:
            await client.api.create_stage(name="over-quota")
        assert caught.value.status == 402
        assert _attempts(emu, "CreateStage") == [1, 1]
        assert emu.request_count("CreateStage") == 2
        assert not hasattr(caught.value, "__notes__")


async def test_404_and_other_4xx_are_not_retried(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=RetryPolicy(max_attempts=5, base_delay=0.001)) as client:
        with pytest.raises(ResourceNotFoundError) as caught:
            await client.api.get_stage(arn=MISSING_STAGE)
        assert caught.value.status == 404
        arn = await _stage(client)
        await client.api.delete_stage(arn=arn)
        with pytest.raises(ServiceError) as gone:
            await client.api.update_stage(arn=arn, name="late")
        assert 400 <= gone.value.status < 500
        with pytest.raises(ValidationError):  # rejected before sending: no request at all
            await client.api.create_stage(name="x" * 200)
    assert _attempts(emu, "GetStage") == [1]
    assert _attempts(emu, "UpdateStage") == [1]
    assert emu.request_count("GetStage") == 1
    assert emu.request_count("CreateStage") == 1


# -- botocore's retries stay off -------------------------------------------------------------


async def test_one_attempt_is_one_http_request(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=RetryPolicy.none()) as client:
        arn = await _stage(client)
        emu.faults.inject("GetStage", "throttle", count=1)
        with pytest.raises(ThrottlingError):
            await client.api.get_stage(arn=arn)
        emu.faults.inject("GetStage", "server_error", count=1, status=500)
        with pytest.raises(ivsrt.InternalServerError):
            await client.api.get_stage(arn=arn)
        emu.faults.inject("GetStage", "reset_before", count=1)
        with pytest.raises(TransportError):
            await client.api.get_stage(arn=arn)
        assert (await client.api.get_stage(arn=arn)).stage.arn == arn
    assert _attempts(emu, "GetStage") == [1, 1, 1, 1]
    assert emu.request_count("GetStage") == 4


async def test_retries_number_their_attempts_under_one_invocation_id(
    ivs_emulator: Emulator,
) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        arn = await _stage(client)
        headers: list[tuple[str, str]] = []

        def record(request: Any, **_: Any) -> None:
            sent = request.headers  # the prepared request: header values are bytes
            headers.append(
                (sent["amz-sdk-invocation-id"].decode(), sent["amz-sdk-request"].decode())
            )

        client._aio.meta.events.register("before-send.ivs-realtime.GetStage", record)
        emu.faults.inject("GetStage", "throttle", count=2)
        await client.api.get_stage(arn=arn)
    assert [h[1] for h in headers] == ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]
    assert len({h[0] for h in headers}) == 1
    assert emu.attempts(headers[0][0]) == 3


# -- transport errors -----------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_nothing_sent_is_retried_even_for_a_create(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="ivsrt.retry")
    client = ivsrt.Client(
        region="us-west-2",
        endpoint_url=f"http://127.0.0.1:{_closed_port()}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        retry=FAST,
    )
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.api.create_stage(name="unreachable")
    error = caught.value
    assert not isinstance(error, OutcomeUnknownError)
    assert error.may_have_been_applied is False
    retries = [r for r in caplog.records if r.name == "ivsrt.retry"]
    assert len(retries) == 2  # 3 attempts
    assert all("CreateStage" in r.getMessage() for r in retries)
    assert "ivsrt: CreateStage failed after 3 attempts" in error.__notes__


async def test_read_timeout_of_a_read_is_retried(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST, read_timeout=0.3) as client:
        arn = await _stage(client)
        emu.faults.inject("GetStage", "latency", count=1, latency=1.0)
        assert (await client.api.get_stage(arn=arn)).stage.arn == arn
    assert _attempts(emu, "GetStage") == [2]


# -- (f) per-call override via with_options ------------------------------------------------


async def test_with_options_overrides_the_policy_per_call(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=RetryPolicy.none()) as client:
        arn = await _stage(client)
        patient = client.with_options(retry=RetryPolicy(max_attempts=4, base_delay=0.001))
        assert patient.retry.max_attempts == 4
        assert client.retry.max_attempts == 1

        emu.faults.inject("GetStage", "throttle", count=1)
        with pytest.raises(ThrottlingError):  # the client's own policy: one attempt
            await client.api.get_stage(arn=arn)
        emu.faults.inject("GetStage", "throttle", count=3)
        assert (await patient.api.get_stage(arn=arn)).stage.arn == arn  # the view: 4 attempts
        # One call of the view, with the same override made inline (as resources do):
        emu.faults.inject("GetStage", "server_error", count=1)
        inline = await client.with_options(retry=FAST).api.get_stage(arn=arn)
        assert inline.stage.arn == arn
        # A view of a view keeps the override unless replaced.
        assert patient.with_options().retry == patient.retry
        assert patient.with_options(retry=RetryPolicy.none()).retry == RetryPolicy.none()
    assert _attempts(emu, "GetStage") == [1, 4, 2]


async def test_views_share_the_connections_budget_and_lifecycle(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    client = emu.client(retry_budget=RetryBudget(capacity=50))
    view = client.with_options(retry=FAST)
    async with client:
        assert view._aio is not None
        assert view._aio is client._aio
        assert view.retry_budget is client.retry_budget
        async with view as entered:
            assert entered is view
            assert ivsrt.current_client() is view
            arn = await _stage(view)
        assert ivsrt.current_client() is client
        # Leaving the view closed nothing: the parent (and the view) still work.
        assert not client.closed
        assert not view.closed
        assert (await client.api.get_stage(arn=arn)).stage.arn == arn
        await view.close()
        assert (await view.api.get_stage(arn=arn)).stage.arn == arn
        # The budget is one bucket: the view's retries draw from the parent's budget.
        emu.faults.inject("GetStage", "throttle", count=2)
        await view.api.get_stage(arn=arn)
        assert client.retry_budget.available < 50
        assert "view" in repr(view)
        assert "view" not in repr(client)
    # Closing the parent closes the view.
    assert client.closed
    assert view.closed
    with pytest.raises(ConfigurationError, match="closed"):
        await view.api.get_stage(arn=arn)


# -- (g) the deadline ----------------------------------------------------------------------


async def test_deadline_stops_retrying(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    policy = RetryPolicy(
        max_attempts=1000, deadline=0.5, base_delay=0.05, max_delay=0.05, jitter="none"
    )
    async with emu.client(retry=policy) as client:
        arn = await _stage(client)
        emu.faults.inject("GetStage", "server_error")
        started = time.monotonic()
        with pytest.raises((ServiceError, TransportError)) as caught:
            await client.api.get_stage(arn=arn)
        elapsed = time.monotonic() - started
    # the last error is the 503, or the last attempt cut in flight by the deadline
    error = caught.value
    assert (isinstance(error, ServiceError) and error.status == 503) or (
        isinstance(error, TransportError) and "cut by the retry deadline" in str(error)
    )
    (attempts,) = _attempts(emu, "GetStage")
    # 50 ms between attempts within 0.5 s: about 10 attempts, never a sleep past the deadline.
    assert 3 <= attempts <= 11
    assert elapsed < 0.5 + 0.1  # the deadline also bounds the attempt in flight
    assert "ivsrt: ended by the retry deadline (0.5 s)" in error.__notes__
    assert any(n.startswith("ivsrt: GetStage failed after ") for n in error.__notes__)


# -- (h) the retry budget --------------------------------------------------------------------


async def test_budget_exhaustion_fails_fast_during_an_outage(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    policy = RetryPolicy(max_attempts=5, base_delay=0.001, max_delay=0.002)
    async with emu.client(retry=policy, max_pool_connections=20) as client:
        arn = await _stage(client)
        budget = client.retry_budget
        emu.faults.inject("GetStage", "server_error")  # a full outage of GetStage
        calls = 200
        semaphore = asyncio.Semaphore(20)

        async def call() -> BaseException:
            async with semaphore:
                try:
                    await client.api.get_stage(arn=arn)
                except ServiceError as exc:
                    return exc
            raise AssertionError("GetStage succeeded during the outage")

        errors = await asyncio.wait_for(asyncio.gather(*(call() for _ in range(calls))), 30)
        assert budget.available < budget.retry_cost
        total = emu.request_count("GetStage")
        # 500 tokens at 5 per retry pay for exactly 100 retries; then one request per call.
        assert total == calls + budget.capacity // budget.retry_cost
        assert total < calls * policy.max_attempts / 3
        refused = [e for e in errors if BUDGET_EXHAUSTED_NOTE in getattr(e, "__notes__", ())]
        assert len(refused) >= calls // 2
        assert all(getattr(e, "status", None) == 503 for e in errors)

        # Recovery: successes refill the bucket (one token each at the first attempt).
        emu.faults.clear()
        before = budget.available
        for _ in range(10):
            await client.api.get_stage(arn=arn)
        assert budget.available == before + 10


async def test_transport_retries_cost_more(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    budget = RetryBudget(capacity=100, retry_cost=5, transport_retry_cost=10)
    policy = RetryPolicy(max_attempts=5, base_delay=0.001, max_delay=0.002)
    async with emu.client(retry=policy, retry_budget=budget) as client:
        arn = await _stage(client)
        emu.faults.inject("GetStage", "reset_before")
        for _ in range(20):
            with pytest.raises(TransportError):
                await client.api.get_stage(arn=arn)
    assert emu.request_count("GetStage") == 20 + 100 // 10
    assert budget.available == 0


async def test_a_policy_can_opt_out_of_the_budget(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry_budget=RetryBudget(capacity=0)) as client:
        arn = await _stage(client)
        emu.faults.inject("GetStage", "throttle", count=2)
        with pytest.raises(ThrottlingError) as caught:  # an empty budget: no retry at all
            await client.api.get_stage(arn=arn)
        assert BUDGET_EXHAUSTED_NOTE in caught.value.__notes__
        unbudgeted = RetryPolicy(max_attempts=3, base_delay=0.001, use_budget=False)
        got = await client.with_options(retry=unbudgeted).api.get_stage(arn=arn)
        assert got.stage.arn == arn
    assert _attempts(emu, "GetStage") == [1, 2]


# -- (i) cancellation ----------------------------------------------------------------------


@pytest.mark.parametrize("where", ["backoff", "request"])
async def test_cancellation_propagates_promptly(ivs_emulator: Emulator, where: str) -> None:
    emu = ivs_emulator
    policy = RetryPolicy(max_attempts=3, base_delay=5.0, max_delay=5.0, jitter="none")
    async with emu.client(retry=policy) as client:
        arn = await _stage(client)
        if where == "backoff":
            emu.faults.inject("GetStage", "server_error")  # then a 5 s backoff sleep
        else:
            emu.faults.inject("GetStage", "latency", latency=5.0)  # a slow response
        task = asyncio.create_task(client.api.get_stage(arn=arn))
        await _eventually(lambda: emu.request_count("GetStage") == 1)
        await asyncio.sleep(0.05)
        assert not task.done()
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        took = time.monotonic() - started
        await asyncio.sleep(0.1)
        emu.faults.clear()
    assert took < 1.0  # generous: cancellation does not wait for the 5 s backoff or response
    assert emu.request_count("GetStage") == 1  # and nothing was retried


# -- logging -------------------------------------------------------------------------------


async def test_each_retry_is_logged_with_its_delay(
    ivs_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu = ivs_emulator
    caplog.set_level(logging.DEBUG, logger="ivsrt.retry")
    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.025, jitter="none")
    async with emu.client(retry=policy) as client:
        arn = await _stage(client)
        emu.faults.inject("GetStage", "throttle", count=2)
        emu.faults.inject("GetStage", "server_error", count=1)
        await client.api.get_stage(arn=arn)
    lines = [r.getMessage() for r in caplog.records if r.name == "ivsrt.retry"]
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "ivsrt.retry")
    assert len(lines) == 3
    pattern = re.compile(
        r"retrying GetStage: attempt (\d) of 4 failed with (\S+) \(HTTP (\d+)\); "
        r"next attempt in ([\d.]+) s"
    )
    parsed = [pattern.fullmatch(line) for line in lines]
    assert all(parsed), lines
    got = [(m[1], m[2], m[3], float(m[4])) for m in parsed if m]
    # Exponential from 0.01 s, doubling, capped at 0.025 s (no jitter).
    assert got == [
        ("1", "ThrottlingException", "429", 0.01),
        ("2", "ThrottlingException", "429", 0.02),
        ("3", "ServiceUnavailable", "503", 0.025),
    ]


async def test_full_jitter_stays_under_the_backoff(
    ivs_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu = ivs_emulator
    caplog.set_level(logging.DEBUG, logger="ivsrt.retry")
    policy = RetryPolicy(max_attempts=8, base_delay=0.004, max_delay=0.02, deadline=None)
    async with emu.client(retry=policy) as client:
        arn = await _stage(client)
        for _ in range(5):
            emu.faults.inject("GetStage", "throttle", count=7)
            await client.api.get_stage(arn=arn)
    delays = [float(r.getMessage().rsplit(" in ", 1)[1][:-2]) for r in caplog.records]
    attempts = [int(r.getMessage().split("attempt ")[1].split(" ")[0]) for r in caplog.records]
    assert len(delays) == 35

    def bound(attempt: int) -> float:
        return min(0.02, 0.004 * 2 ** (attempt - 1))

    for attempt, delay in zip(attempts, delays, strict=True):
        assert 0.0 <= delay <= bound(attempt) + 0.0005
    # Randomised, not the fixed schedule: most delays are well under their bound.
    below = [d for a, d in zip(attempts, delays, strict=True) if d < bound(a) - 0.0005]
    assert len(below) >= 20


async def test_retry_logs_carry_no_secrets(
    ivs_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu = ivs_emulator
    caplog.set_level(logging.DEBUG, logger="ivsrt.retry")
    async with emu.client(retry=FAST) as client:
        arn = await _stage(client)
        emu.faults.inject("CreateParticipantToken", "throttle", count=2)
        created = await client.api.create_participant_token(
            stage_arn=arn, user_id="alice", attributes={"note": "canary-attr-0451"}
        )
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "ivsrt.retry")
    assert text.count("retrying CreateParticipantToken") == 2
    assert created.participant_token.token
    for secret in (created.participant_token.token, "canary-attr-0451", "alice", emu.secret_key):
        assert secret not in text
