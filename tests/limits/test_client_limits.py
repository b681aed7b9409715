"""Client-side rate limits, through aiobotocore over real HTTP to the emulator enforcing the
same rates: pacing, cancellation, sharing with views, throttling slowdown. Each test is
bounded to a few seconds of wall time."""

from __future__ import annotations

import asyncio
import time

import pytest

import ivsrt
from ivsrt import ConfigurationError, RateLimits, RetryPolicy, ThrottlingError
from ivsrt.emulator import Emulator

FAST = RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, deadline=10.0)


async def _stage(client: ivsrt.Client) -> str:
    return (await client.with_options(rate_limits="off").api.create_stage(name="rl")).stage.arn


# -- options ---------------------------------------------------------------------------------


def test_auto_paces_aws_endpoints_and_not_loopback_ones() -> None:
    aws = ivsrt.Client(region="us-west-2")
    assert aws.rate_limits == RateLimits.service()
    # the published table (IVS Real-Time user guide, "API Call Rate Quotas")
    assert aws.rate_limits is not None
    assert aws.rate_limits.rate("CreateParticipantToken") == 50
    assert aws.rate_limits.rate("ImportPublicKey") == 3
    assert aws.rate_limits.rate("TagResource") == 10
    assert aws.rate_limits.rate("GetStage") == 5
    for url in ("http://127.0.0.1:4566", "http://localhost:1", "http://[::1]:80"):
        assert ivsrt.Client(region="us-west-2", endpoint_url=url).rate_limits is None
    remote = ivsrt.Client(region="us-west-2", endpoint_url="https://ivsrealtime.example")
    assert remote.rate_limits == RateLimits.service()
    mine = RateLimits(default=1.0)
    assert (
        ivsrt.Client(
            region="us-west-2", endpoint_url="http://127.0.0.1:1", rate_limits=mine
        ).rate_limits
        == mine
    )
    assert ivsrt.Client(region="us-west-2", rate_limits="off").rate_limits is None


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="rate_limits"):
        ivsrt.Client(region="us-west-2", rate_limits="on")  # type: ignore[arg-type]
    client = ivsrt.Client(region="us-west-2")
    with pytest.raises(ConfigurationError, match="rate_limits"):
        client.with_options(rate_limits="auto")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"RateLimits\.default"):
        RateLimits(default=0)
    with pytest.raises(ValueError, match=r"operations\['GetStage'\]"):
        RateLimits(operations={"GetStage": float("inf")})
    with pytest.raises(ValueError, match="operation names"):
        RateLimits(operations={"get_stage": 1.0})
    with pytest.raises(ValueError, match="burst"):
        RateLimits(burst=-1)


def test_rate_limits_variants() -> None:
    table = RateLimits.service()
    assert table.with_rates(GetStage=2).rate("GetStage") == 2
    assert table.with_rates(GetStage=2).rate("CreateParticipantToken") == 50
    half = table.scaled(0.5)
    assert half.rate("CreateParticipantToken") == 25
    assert half.rate("ListStages") == 2.5
    assert hash(RateLimits()) == hash(RateLimits.service())


# -- pacing ----------------------------------------------------------------------------------


async def test_a_burst_is_paced_at_the_limit_and_never_throttled() -> None:
    rates = RateLimits(default=5.0, operations={"GetStage": 20.0})  # capacity 4 (0.2 s)
    async with Emulator(rate_limits=rates) as emu, emu.client(retry=RetryPolicy.none()) as ivs:
        assert ivs.rate_limits == rates  # the emulator's client keeps to its table
        arn = await _stage(ivs)  # CreateStage: a bucket of its own, GetStage's are full
        started = time.monotonic()
        await asyncio.gather(*(ivs.api.get_stage(arn=arn) for _ in range(30)))
        elapsed = time.monotonic() - started
    # 4 at once, then 26 at 20 TPS: about 1.3 s; never faster, and nothing throttled
    assert elapsed >= 1.2
    assert elapsed < 2.8
    assert emu.throttled_count() == 0


async def test_without_the_limiter_the_same_burst_is_throttled() -> None:
    rates = RateLimits(default=5.0, operations={"GetStage": 20.0})
    unpaced = {"retry": RetryPolicy.none(), "rate_limits": "off"}
    async with Emulator(rate_limits=rates) as emu, emu.client(**unpaced) as ivs:
        arn = await _stage(ivs)
        results = await asyncio.gather(
            *(ivs.api.get_stage(arn=arn) for _ in range(30)), return_exceptions=True
        )
    throttled = [r for r in results if isinstance(r, ThrottlingError)]
    assert throttled
    assert len(throttled) == emu.throttled_count("GetStage")


async def test_uncontended_calls_do_not_wait() -> None:
    roomy = RateLimits(default=2.0, burst=2.0)  # 4 tokens
    async with Emulator() as emu, emu.client(rate_limits=roomy) as ivs:
        arn = await _stage(ivs)
        started = time.monotonic()
        for _ in range(3):
            await ivs.api.get_stage(arn=arn)
        assert time.monotonic() - started < 0.4  # 0.5 s per call if they had waited


# -- cancellation ----------------------------------------------------------------------------


async def test_a_cancelled_wait_sends_nothing_and_holds_no_slot() -> None:
    rates = RateLimits(default=2.0, burst=0.0)  # one token, one more every 0.5 s
    async with Emulator() as emu:
        async with emu.client(rate_limits=rates, retry=RetryPolicy.none()) as ivs:
            arn = await _stage(ivs)
            await ivs.api.get_stage(arn=arn)  # takes the token
            t0 = time.monotonic()
            waiting = asyncio.create_task(ivs.api.get_stage(arn=arn))
            await asyncio.sleep(0.1)
            assert not waiting.done()
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            await ivs.api.get_stage(arn=arn)  # the slot the cancelled call would have had
            took = time.monotonic() - t0
        assert emu.request_count("GetStage") == 2  # the cancelled call sent nothing
    assert took < 0.85  # ~0.5 s: had the cancelled call kept its slot, ~1.0 s


# -- views -----------------------------------------------------------------------------------


async def test_views_share_the_client_buckets_unless_they_opt_out() -> None:
    rates = RateLimits(default=10.0, burst=0.0)  # 1 token, one more every 0.1 s
    async with Emulator() as emu, emu.client(rate_limits=rates) as ivs:
        arn = await _stage(ivs)
        view = ivs.with_options(retry=FAST)
        assert view.rate_limits == rates
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await asyncio.gather(
            *(c.api.get_stage(arn=arn) for c in [ivs, view, ivs.with_options(retry=FAST)] * 3)
        )
        shared = time.monotonic() - started  # 9 calls from one bucket: >= 0.8 s
        same = ivs.with_options(rate_limits=RateLimits(default=10.0, burst=0.0))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await asyncio.gather(*(c.api.get_stage(arn=arn) for c in [ivs, same] * 4))
        equal = time.monotonic() - started  # an equal table shares too: >= 0.7 s
        free = ivs.with_options(rate_limits="off")
        assert free.rate_limits is None
        started = time.monotonic()
        await asyncio.gather(*(free.api.get_stage(arn=arn) for _ in range(9)))
        unpaced = time.monotonic() - started
    assert shared >= 0.75
    assert equal >= 0.65
    assert unpaced < shared


# -- throttling ------------------------------------------------------------------------------


async def test_a_throttled_reply_is_retried_and_slows_the_operation_down() -> None:
    # the service throttles anyway (another process shares the account): the call is
    # retried, and this client's GetStage rate halves (recovering only over 100 s)
    rates = RateLimits(default=10.0, burst=0.0, recovery=100.0)
    async with Emulator() as emu, emu.client(rate_limits=rates, retry=FAST) as ivs:
        arn = await _stage(ivs)
        emu.faults.inject("GetStage", "throttle", count=1)
        await ivs.api.get_stage(arn=arn)  # throttled once, then retried
        assert emu.request_count("GetStage") == 2
        started = time.monotonic()
        for _ in range(5):
            await ivs.api.get_stage(arn=arn)
        slowed = time.monotonic() - started
    # at 10 TPS five calls take ~0.4 s after the retry's token; at the halved 5 TPS ~0.8 s+
    assert slowed >= 0.75


async def test_without_adaptation_a_throttle_does_not_slow_down() -> None:
    rates = RateLimits(default=10.0, burst=0.0, adaptive=False)
    async with Emulator() as emu, emu.client(rate_limits=rates, retry=FAST) as ivs:
        arn = await _stage(ivs)
        emu.faults.inject("GetStage", "throttle", count=1)
        await ivs.api.get_stage(arn=arn)
        await asyncio.sleep(0.3)
        started = time.monotonic()
        for _ in range(5):
            await ivs.api.get_stage(arn=arn)
        steady = time.monotonic() - started
    assert steady < 0.75


async def test_a_shared_quota_converges_without_failures() -> None:
    # the client believes 50 TPS, the account has 10 left for it: every call still succeeds
    # (throttles retried) and the slowdown keeps the throttled requests to about half the
    # calls (without it, about three times the calls are throttled)
    async with Emulator(rate_limits=RateLimits(default=10.0)) as emu:
        believed = RateLimits(default=50.0, recovery=30.0)
        async with emu.client(rate_limits=believed, retry=FAST) as ivs:
            arn = await _stage(ivs)  # CreateStage: a bucket of its own
            results = await asyncio.gather(
                *(ivs.api.get_stage(arn=arn) for _ in range(20)), return_exceptions=True
            )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert emu.throttled_count("GetStage") <= 20
