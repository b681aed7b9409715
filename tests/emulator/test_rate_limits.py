"""The emulator enforcing the service's API call rate quotas, through plain boto3, with the
expectations from the IVS Real-Time user guide's "API Call Rate Quotas" table: 50 TPS
CreateParticipantToken, 3 TPS for the public key operations, 10 TPS for the tag operations,
5 TPS for every other operation; over them, HTTP 429 ThrottlingException."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ivsrt.emulator import ControlClient, Emulator, Limits
from ivsrt.emulator.__main__ import _parser
from ivsrt.emulator.state.limits import parse_limits

PEM = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"


def _client(emu: Emulator, region: str = "us-west-2") -> Any:
    return boto3.client(
        "ivs-realtime",
        region_name=region,
        endpoint_url=emu.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )


def _burst(call: Any, n: int) -> list[Any]:
    """``call()`` ``n`` times: each result, or (error code, HTTP status, message)."""
    out: list[Any] = []
    for _ in range(n):
        try:
            out.append(call())
        except ClientError as exc:
            err = exc.response["Error"]
            status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
            out.append((err["Code"], status, err.get("Message")))
    return out


def _throttled(results: list[Any]) -> int:
    return sum(1 for r in results if isinstance(r, tuple) and r[0] == "ThrottlingException")


@pytest.fixture
async def frozen() -> Any:
    async with Emulator(rate_limits="service", rate_clock="emulator") as emu:
        emu.clock.freeze()  # the buckets refill only when the test advances the clock
        yield emu


async def test_the_published_rates_on_a_frozen_clock(frozen: Emulator) -> None:
    def run() -> dict[str, list[Any]]:
        c = _client(frozen)
        arn = c.create_stage(name="q")["stage"]["arn"]
        return {
            "token": _burst(lambda: c.create_participant_token(stageArn=arn), 51),
            "get": _burst(lambda: c.get_stage(arn=arn), 6),
            "tags": _burst(lambda: c.list_tags_for_resource(resourceArn=arn), 11),
            "keys": _burst(lambda: c.list_public_keys(), 4),
        }

    got = await asyncio.to_thread(run)
    assert _throttled(got["token"][:50]) == 0
    assert got["token"][50] == ("ThrottlingException", 429, "Rate exceeded")
    assert _throttled(got["get"][:5]) == 0
    assert got["get"][5][:2] == ("ThrottlingException", 429)
    assert _throttled(got["tags"][:10]) == 0
    assert _throttled(got["tags"]) == 1
    assert _throttled(got["keys"][:3]) == 0
    assert _throttled(got["keys"]) == 1
    stats = frozen.stats()
    assert stats["rateLimits"] == "on"
    assert stats["throttled"] == {
        "CreateParticipantToken": 1,
        "GetStage": 1,
        "ListTagsForResource": 1,
        "ListPublicKeys": 1,
    }
    assert stats["throttledTotal"] == frozen.throttled_count() == 4


async def test_advancing_the_clock_refills_and_regions_are_separate(frozen: Emulator) -> None:
    def run() -> list[int]:
        west, east = _client(frozen), _client(frozen, "us-east-1")
        first = _throttled(_burst(west.list_stages, 6))
        other_region = _throttled(_burst(east.list_stages, 5))
        still = _throttled(_burst(west.list_stages, 1))
        frozen.clock.advance(0.3)  # one call's worth at 5 TPS (and a bit)
        refilled = _throttled(_burst(west.list_stages, 2))
        return [first, other_region, still, refilled]

    assert await asyncio.to_thread(run) == [1, 0, 1, 1]


async def test_a_throttled_call_changes_nothing_and_stats_are_on_the_control_surface(
    frozen: Emulator,
) -> None:
    def run() -> int:
        c = _client(frozen)
        created = _burst(lambda: c.create_stage(name="n"), 7)
        return sum(1 for r in created if isinstance(r, dict))

    made = await asyncio.to_thread(run)
    assert made == 5
    assert len(await asyncio.to_thread(lambda: _client(frozen).list_stages()["stages"])) == 5
    async with ControlClient(frozen.endpoint_url) as control:
        stats = await control.stats()
        assert stats["throttled"]["CreateStage"] == 2
        await control.reset()
        assert (await control.stats())["throttledTotal"] == 0


async def test_off_by_default_and_on_wall_time() -> None:
    async with Emulator() as emu:
        results = await asyncio.to_thread(lambda: _burst(_client(emu).list_stages, 12))
        assert _throttled(results) == 0
        assert emu.stats()["rateLimits"] == "off"
    async with Emulator(rate_limits="service") as emu:  # wall time: 12 at once exceed 5 TPS
        results = await asyncio.to_thread(lambda: _burst(_client(emu).list_stages, 12))
        assert _throttled(results) >= 1
        await asyncio.sleep(1.1)
        assert _throttled(await asyncio.to_thread(lambda: _burst(_client(emu).list_stages, 4))) == 0


@pytest.mark.ivsrt_limits(rate_limits="service", rate_clock="emulator")
async def test_the_pytest_plugin_marker_turns_it_on(ivs_emulator: Emulator) -> None:
    ivs_emulator.clock.freeze()
    results = await asyncio.to_thread(lambda: _burst(_client(ivs_emulator).list_stages, 6))
    assert _throttled(results) == 1


def test_limits_the_command_line_and_the_ini_option() -> None:
    assert parse_limits(["rate_limits=service", "rate_clock=emulator"]) == Limits(
        rate_limits="service", rate_clock="emulator"
    )
    with pytest.raises(ValueError, match="rate_limits must be 'off' or 'service'"):
        parse_limits(["rate_limits=fast"])
    with pytest.raises(ValueError, match="rate_clock"):
        Limits(rate_clock="cpu")  # type: ignore[arg-type]
    args = _parser().parse_args(["--rate-limits", "service", "--rate-clock", "emulator"])
    assert (args.rate_limits, args.rate_clock) == ("service", "emulator")
    with pytest.raises(SystemExit):
        _parser().parse_args(["--rate-limits", "fast"])
