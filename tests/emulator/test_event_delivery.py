"""The emulator's EventBridge events read over HTTP (``/_emulator/events``, `ControlClient`),
POSTed to a local target as an API destination receives them, and kept or cleared by reset
and restore; the pytest plugin's `EventWaiter`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from ivsrt.emulator import ControlClient, Emulator
from ivsrt.emulator.__main__ import main
from ivsrt.emulator._delivery import ATTEMPTS
from ivsrt.emulator.pytest_plugin import EventWaiter
from ivsrt.events import StageEventName, StageUpdate
from tests.emulator._boto import Boto, a_channel


class Target:
    """A local HTTP endpoint (127.0.0.1) that records what is POSTed to it, answering 500 to
    the first ``fail`` requests."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.content_types: list[str] = []
        self.requests = 0
        self.fail = 0
        self.url = ""
        self.received = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.read()
        if self.fail > 0:
            self.fail -= 1
            return web.Response(status=500)
        self.bodies.append(json.loads(body))
        self.content_types.append(request.content_type)
        self.received.set()
        return web.Response(status=200)


@pytest_asyncio.fixture
async def target() -> AsyncIterator[Target]:
    t = Target()
    app = web.Application()
    app.router.add_post("/events", t.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    t.url = f"http://127.0.0.1:{port}/events"
    try:
        yield t
    finally:
        await runner.cleanup()


async def publish_once(emu: Emulator) -> str:
    boto = Boto(emu)
    arn: str = (await boto("create_stage", name="delivered"))["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
    emu.join(token["token"])
    emu.publish(token["token"])
    return arn


async def wait_until(check: Any, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not reached in time")


async def test_events_are_posted_to_the_target(target: Target) -> None:
    async with Emulator(event_target=target.url) as emu:
        await publish_once(emu)
        await wait_until(lambda: len(target.bodies) == 1)
        assert target.bodies == emu.events()
        assert target.content_types == ["application/json"]
        assert emu.event_delivery == (1, 0)


async def test_a_failing_target_is_retried_then_skipped(target: Target) -> None:
    target.fail = ATTEMPTS  # the first event fails every attempt
    async with Emulator(event_target=target.url) as emu:
        arn = await publish_once(emu)
        await wait_until(lambda: emu.event_delivery == (0, 1))
        assert target.requests == ATTEMPTS
        boto = Boto(emu)
        token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
        emu.join(token["token"])
        emu.publish(token["token"])
        await wait_until(lambda: emu.event_delivery == (1, 1))
        assert target.bodies == emu.events()[1:]


async def test_an_unreachable_target_never_breaks_the_emulator() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(event_target="http://example.com/events")
    with pytest.raises(ValueError, match="http"):
        Emulator(event_target="ftp://127.0.0.1/events")
    async with Emulator(event_target="http://127.0.0.1:9/nothing-listens") as emu:
        await publish_once(emu)
        await wait_until(lambda: emu.event_delivery == (0, 1))
        async with emu.client() as ivs:
            assert (await ivs.api.list_stages()).stages


def test_the_command_line_refuses_a_remote_target(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--event-target", "http://10.0.0.1/events"])
    assert exited.value.code == 2
    assert "loopback" in capsys.readouterr().err


async def test_events_over_http(ivs_emulator: Emulator, boto: Boto) -> None:
    arn = (await boto("create_stage", name="http"))["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
    async with ControlClient(ivs_emulator.endpoint_url) as control:
        assert await control.events() == []
        waiting = asyncio.create_task(
            control.wait_for_event(resource=arn, event_name="Participant Published", timeout=5)
        )
        await asyncio.sleep(0.1)
        await control.join(token["token"])
        await control.publish(token["token"])
        event = await waiting
        assert event == ivs_emulator.events()[0]
        found, last = await control.events_after(0, detail_type="IVS Stage Update")
        assert (found, last) == ([event], 1)
        assert await control.events_after(last) == ([], 1)
        assert await control.events(resource="arn:aws:ivs:us-west-2:123456789012:stage/x") == []
        with pytest.raises(TimeoutError):
            await control.wait_for_event(after=last, timeout=0.2)
    async with aiohttp.ClientSession() as http:
        for query in ("after=-1", "after=x", "wait=21", "wait=nan"):
            url = f"{ivs_emulator.control_url}events?{query}"
            async with http.get(url, headers={"X-Ivsrt-Control": "1"}) as resp:
                assert resp.status == 400, query
                assert (await resp.json())["error"] == "BAD_REQUEST"


async def test_reset_and_restore_empty_the_log_and_keep_the_cursor(
    ivs_emulator: Emulator, boto: Boto
) -> None:
    ivs_emulator.clock.freeze()
    arn = (await boto("create_stage", name="s"))["stage"]["arn"]
    channel = await a_channel(boto.endpoint_url)
    comp = await boto(
        "start_composition", stageArn=arn, destinations=[{"channel": {"channelArn": channel}}]
    )
    ivs_emulator.clock.advance(5)
    assert len(ivs_emulator.events()) == 2  # Session Start, Destination Start
    cursor = ivs_emulator.event_cursor
    saved = ivs_emulator.snapshot()
    ivs_emulator.reset()
    assert (ivs_emulator.events(), ivs_emulator.event_cursor) == ([], cursor)
    ivs_emulator.restore(saved)
    ivs_emulator.clock.advance(1)
    assert ivs_emulator.events() == []  # what happened before the snapshot is not emitted again
    await boto("stop_composition", arn=comp["composition"]["arn"])
    ivs_emulator.clock.advance(2)
    ended = ivs_emulator.events(after=cursor)
    assert [e["detail"]["event_name"] for e in ended] == ["Destination End", "Session End"]


@pytest.mark.ivsrt_limits(max_eventbridge_events=3)
async def test_the_log_is_bounded(ivs_emulator: Emulator, boto: Boto) -> None:
    arn = (await boto("create_stage", name="bounded"))["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
    ivs_emulator.join(token["token"])
    for _ in range(3):
        ivs_emulator.publish(token["token"])
        ivs_emulator.unpublish(token["token"])
    events = ivs_emulator.events()
    assert [e["detail"]["event_name"] for e in events] == [
        "Participant Unpublished",
        "Participant Published",
        "Participant Unpublished",
    ]
    assert ivs_emulator.event_cursor == 6


async def test_the_event_waiter_returns_each_event_once(
    ivs_emulator: Emulator, ivs_events: EventWaiter, boto: Boto
) -> None:
    arn = (await boto("create_stage", name="waited"))["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
    ivs_emulator.join(token["token"])
    ivs_emulator.publish(token["token"])
    ivs_emulator.unpublish(token["token"])
    unpublished = await ivs_events.next("IVS Stage Update", event_name="Participant Unpublished")
    first = await ivs_events.next(resource=arn)
    assert isinstance(first, StageUpdate)
    assert first.event_name is StageEventName.PARTICIPANT_PUBLISHED
    with pytest.raises(TimeoutError, match="resource="):
        await ivs_events.next(resource=arn, timeout=0.1)  # both were returned already
    assert [e.id for e in ivs_events.all()] == [first.id, unpublished.id]
    later = asyncio.create_task(ivs_events.next(event_name="Participant Published", timeout=5))
    await asyncio.sleep(0.05)
    ivs_emulator.publish(token["token"])
    assert (await later).id == ivs_events.all()[-1].id
