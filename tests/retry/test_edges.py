"""The edges of one call against the emulator: 500/502/504 after a create, a TCP reset while the
request is read ("was it sent?" end to end), cancellation and the retry budget, the deadline
against the backoff sleep, and the notes saying which limit ended a call."""

from __future__ import annotations

import asyncio
import time

import pytest

import ivsrt
from ivsrt import OutcomeUnknownError, RetryPolicy, ServiceError, TransportError
from ivsrt.emulator import Emulator
from ivsrt.retry import RetryBudget
from tests.retry.conftest import FAST


def _attempts(emu: Emulator, operation: str) -> list[int]:
    return [i.attempts for i in emu.invocations(operation)]


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_create_that_got_500_502_504_is_outcome_unknown_and_not_retried(
    ivs_emulator: Emulator, status: int
) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        emu.faults.inject("CreateStage", "server_error", status=status)
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.api.create_stage(name="once")
    assert caught.value.may_have_been_applied
    assert isinstance(caught.value.__cause__, ServiceError)
    assert caught.value.__cause__.status == status
    assert _attempts(emu, "CreateStage") == [1]


async def test_a_create_that_got_503_is_retried(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        emu.faults.inject("CreateStage", "server_error", status=503, count=1)
        stage = (await client.api.create_stage(name="after-503")).stage
    assert stage is not None
    assert _attempts(emu, "CreateStage") == [2]


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_read_that_got_500_502_504_is_retried(ivs_emulator: Emulator, status: int) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        arn = (await client.api.create_stage(name="r")).stage.arn  # type: ignore[union-attr]
        emu.faults.inject("GetStage", "server_error", status=status, count=1)
        await client.api.get_stage(arn=arn)
    assert _attempts(emu, "GetStage") == [2]


async def test_a_reset_while_the_request_is_read_is_outcome_unknown_for_a_create(
    ivs_emulator: Emulator,
) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        emu.faults.inject("CreateStage", "reset_reading", count=1)
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.api.create_stage(name="reset")
        assert caught.value.may_have_been_applied
        assert (await client.api.list_stages()).stages == ()  # it was not applied, in fact
    assert _attempts(emu, "CreateStage") == [1]


async def test_a_reset_while_the_request_is_read_is_retried_for_a_read(
    ivs_emulator: Emulator,
) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        arn = (await client.api.create_stage(name="r")).stage.arn  # type: ignore[union-attr]
        emu.faults.inject("GetStage", "reset_reading", count=2)
        await client.api.get_stage(arn=arn)
        emu.faults.inject("GetStage", "reset_reading")
        with pytest.raises(TransportError) as caught:
            await client.with_options(retry=RetryPolicy.none()).api.get_stage(arn=arn)
    error = caught.value
    assert type(error) is TransportError
    assert error.may_have_been_applied
    assert "after it was sent" in str(error)
    assert _attempts(emu, "GetStage")[0] == 3


async def test_a_cancelled_call_gives_its_retry_tokens_back(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    budget = RetryBudget()
    slow = RetryPolicy(max_attempts=5, base_delay=30, max_delay=30, jitter="none", deadline=None)
    async with emu.client(retry=slow, retry_budget=budget) as client:
        emu.faults.inject("ListStages", "server_error", status=503)
        for _ in range(20):
            call = asyncio.ensure_future(client.api.list_stages())
            for _ in range(200):  # the second attempt is in its 30 s backoff sleep
                await asyncio.sleep(0.005)
                if budget.available < budget.capacity:
                    break
            assert budget.available == budget.capacity - budget.retry_cost
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            assert budget.available == budget.capacity
    assert emu.request_count("ListStages") == 20


async def test_a_bare_429_is_retried(ivs_emulator: Emulator) -> None:
    """A 429 whose code the model does not know is still throttling, and retried."""
    from tests.typed._server import RecordingServer, Reply
    from tests.typed.conftest import make_client

    server = RecordingServer()
    await server.start()
    try:
        replies = iter([Reply(body={}, status=429), Reply(body={"stages": []})])
        server.reply("POST", "/ListStages", lambda _rec: next(replies))
        async with make_client(server.url, retry=FAST) as client:
            assert (await client.api.list_stages()).stages == ()
        assert len(server.requests) == 2
    finally:
        await server.stop()


async def test_the_deadline_counts_the_next_backoff_sleep(ivs_emulator: Emulator) -> None:
    """No retry starts whose backoff sleep would end past the deadline: the call ends at once
    with the note, instead of sleeping into the deadline."""
    emu = ivs_emulator
    policy = RetryPolicy(max_attempts=5, deadline=1.0, base_delay=2.0, max_delay=2.0, jitter="none")
    async with emu.client(retry=policy) as client:
        emu.faults.inject("ListStages", "server_error", status=503)
        started = time.monotonic()
        with pytest.raises(ServiceError) as caught:
            await client.api.list_stages()
        elapsed = time.monotonic() - started
    assert elapsed < 0.5, "it slept a backoff that ends past the deadline"
    assert emu.request_count("ListStages") == 1
    assert "ivsrt: ended by the retry deadline (1 s)" in caught.value.__notes__


async def test_the_note_says_max_attempts_ended_the_call(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    async with emu.client(retry=FAST) as client:
        emu.faults.inject("ListStages", "server_error", status=503)
        with pytest.raises(ServiceError) as caught:
            await client.api.list_stages()
    assert caught.value.__notes__ == [
        "ivsrt: ListStages failed after 3 attempts",
        "ivsrt: ended by max_attempts (3)",
    ]


async def test_ambient_client_restored_whatever_the_exit_order(ivs_emulator: Emulator) -> None:
    emu = ivs_emulator
    outer, inner = emu.client(), emu.client()
    assert ivsrt.current_client() is None
    await outer.__aenter__()
    await inner.__aenter__()
    assert ivsrt.current_client() is inner
    await outer.__aexit__(None, None, None)  # the outer block ends first
    assert ivsrt.current_client() is inner, "the inner block is still open"
    await inner.__aexit__(None, None, None)
    assert ivsrt.current_client() is None, "not the outer, already closed, client"

    # three deep, the middle one first
    a, b, c = emu.client(), emu.client(), emu.client()
    for client in (a, b, c):
        await client.__aenter__()
    await b.__aexit__(None, None, None)
    assert ivsrt.current_client() is c
    await c.__aexit__(None, None, None)
    assert ivsrt.current_client() is a
    await a.__aexit__(None, None, None)
    assert ivsrt.current_client() is None
