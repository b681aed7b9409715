"""Waiters against the emulator's clock (milliseconds, not minutes)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import ivsrt
from ivsrt import (
    Composition,
    EncoderConfiguration,
    IngestConfiguration,
    Stage,
    StorageConfiguration,
)
from ivsrt import models as m
from ivsrt.emulator import Emulator
from tests.emulator._boto import client_channel

from .conftest import FakeService

FAST: dict[str, Any] = {"min_delay": 0.001, "max_delay": 0.005}


async def _composition(client: ivsrt.Client, *, channel: bool = False) -> Composition:
    stage = await Stage.create(name="show", client=client)
    storage = await StorageConfiguration.create(
        s3=m.S3StorageConfiguration(bucket_name="my-bucket"), client=client
    )
    encoder = await EncoderConfiguration.create(client=client)
    destinations = [
        m.DestinationConfiguration(
            s3=m.S3DestinationConfiguration(
                storage_configuration_arn=storage.arn, encoder_configuration_arns=[encoder.arn]
            )
        )
    ]
    if channel:
        destinations.append(
            m.DestinationConfiguration(
                channel=m.ChannelDestinationConfiguration(channel_arn=await client_channel(client))
            )
        )
    return await stage.start_composition(destinations=destinations)


async def _polls_then(emu: Emulator, op: str, n: int = 3) -> None:
    """Wait (bounded) until the waiter has polled ``op`` at least ``n`` times."""
    for _ in range(2000):
        if emu.request_count(op) >= n:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"{op} was not polled {n} times")


async def test_composition_active_then_stopped(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    comp = await _composition(ivs_client, channel=True)
    assert comp.state == m.CompositionState.STARTING
    waiter = asyncio.create_task(comp.wait_until_active(destinations=True, timeout=10, **FAST))
    await _polls_then(ivs_emulator, "GetComposition")
    assert not waiter.done()  # still STARTING on the emulator's clock
    ivs_emulator.clock.advance(5)
    active = await asyncio.wait_for(waiter, 10)
    assert active.state == m.CompositionState.ACTIVE
    assert all(d.state == m.DestinationState.ACTIVE for d in active.destinations)
    assert active.client is ivs_client

    await active.stop()
    stopping = asyncio.create_task(active.wait_until_stopped(timeout=10, **FAST))
    before = ivs_emulator.request_count("GetComposition")
    await _polls_then(ivs_emulator, "GetComposition", before + 3)
    assert not stopping.done()
    ivs_emulator.clock.advance(2)
    stopped = await asyncio.wait_for(stopping, 10)
    assert stopped is not None
    assert stopped.state == m.CompositionState.STOPPED


async def test_composition_failed_raises_with_last_snapshot(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    comp = await _composition(ivs_client)
    waiter = asyncio.create_task(comp.wait_until_active(timeout=10, **FAST))
    await _polls_then(ivs_emulator, "GetComposition")
    ivs_emulator.fail_composition(comp.arn)
    with pytest.raises(ivsrt.WaiterFailedError, match="FAILED") as info:
        await asyncio.wait_for(waiter, 10)
    last = info.value.last
    assert isinstance(last, Composition)
    assert last.state == m.CompositionState.FAILED


async def test_destination_failed_raises(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    comp = await _composition(ivs_client, channel=True)
    ivs_emulator.clock.advance(5)
    ivs_emulator.fail_destination(comp.arn, comp.destinations[1].id)
    assert (await comp.wait_until_active(timeout=5, **FAST)).state == m.CompositionState.ACTIVE
    with pytest.raises(ivsrt.WaiterFailedError, match=comp.destinations[1].id):
        await comp.wait_until_active(destinations=True, timeout=5, **FAST)


async def test_timeout_carries_last_snapshot(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    comp = await _composition(ivs_client)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ivsrt.WaiterTimeoutError) as info:
        await comp.wait_until_active(timeout=0.5, **FAST)
    assert loop.time() - started < 5.0
    assert isinstance(info.value, TimeoutError)
    assert isinstance(info.value.last, Composition)
    assert info.value.last.state == m.CompositionState.STARTING
    assert ivs_emulator.request_count("GetComposition") >= 2


async def test_cancellation_stops_polling_at_once(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    comp = await _composition(ivs_client)
    waiter = asyncio.create_task(comp.wait_until_active(timeout=30, **FAST))
    await _polls_then(ivs_emulator, "GetComposition")
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    after = ivs_emulator.request_count("GetComposition")
    await asyncio.sleep(0.05)  # ten times the longest delay
    assert ivs_emulator.request_count("GetComposition") == after


async def test_unknown_state_keeps_waiting(fake_service: FakeService) -> None:
    states = iter(["STARTING", "WARMING_UP", "WARMING_UP", "ACTIVE"])
    arn = "arn:aws:ivs:us-west-2:123456789012:composition/abcd1234"

    def get(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "composition": {
                "arn": arn,
                "stageArn": "arn:aws:ivs:us-west-2:123456789012:stage/abcd1234",
                "state": next(states),
                "layout": {},
                "destinations": [],
            }
        }

    fake_service.handlers["GetComposition"] = get
    async with fake_service.client() as client:
        comp = await Composition.get(arn, client=client)
        assert comp.state == m.CompositionState.STARTING
        active = await comp.wait_until_active(timeout=5, **FAST)
    assert active.state == m.CompositionState.ACTIVE
    assert fake_service.count("GetComposition") == 4


async def test_stopped_waiter_accepts_a_deleted_composition(fake_service: FakeService) -> None:
    arn = "arn:aws:ivs:us-west-2:123456789012:composition/abcd1234"
    fake_service.handlers["GetComposition"] = lambda body: {
        "composition": {
            "arn": arn,
            "stageArn": "arn:aws:ivs:us-west-2:123456789012:stage/abcd1234",
            "state": "STOPPING",
            "layout": {},
            "destinations": [],
        }
    }
    async with fake_service.client() as client:
        comp = await Composition.get(arn, client=client)
        del fake_service.handlers["GetComposition"]  # now 404 (ResourceNotFound-like)
        with pytest.raises(ivsrt.WaiterFailedError, match="no longer exists") as info:
            await comp.wait_until_active(timeout=5, **FAST)
        assert info.value.last == comp  # the last snapshot seen before it vanished
        assert await comp.wait_until_stopped(timeout=5, **FAST) is None


async def test_ingest_active_and_inactive(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    stage = await Stage.create(name="rtmp", client=ivs_client)
    ingest = await IngestConfiguration.create(
        ingest_protocol="RTMP", insecure_ingest=True, stage=stage, client=ivs_client
    )
    assert ingest.stream_key not in repr(ingest)
    waiter = asyncio.create_task(ingest.wait_until_active(timeout=10, **FAST))
    await _polls_then(ivs_emulator, "GetIngestConfiguration")
    assert not waiter.done()
    ivs_emulator.start_rtmp(ingest.stream_key)
    active = await asyncio.wait_for(waiter, 10)
    assert active.state == m.IngestConfigurationState.ACTIVE

    with pytest.raises(ivsrt.ConflictError):
        await active.delete()
    ivs_emulator.stop_rtmp(ingest.stream_key)
    inactive = await active.wait_until_inactive(timeout=10, **FAST)
    assert inactive.state == m.IngestConfigurationState.INACTIVE
    await inactive.delete(force=True)
    with pytest.raises(ivsrt.WaiterFailedError, match="no longer exists"):
        await inactive.wait_until_active(timeout=5, **FAST)


async def test_participant_connected_and_published(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="people", client=ivs_client)
    token = await stage.create_participant_token(user_id="dave")
    assert token.token
    ivs_emulator.join(token.token)
    participant = await token.participant()
    assert (await participant.wait_until_connected(timeout=5, **FAST)).state == "CONNECTED"
    waiter = asyncio.create_task(participant.wait_until_published(timeout=10, **FAST))
    await _polls_then(ivs_emulator, "GetParticipant", 4)
    assert not waiter.done()
    ivs_emulator.publish(token.token)
    assert (await asyncio.wait_for(waiter, 10)).published is True

    quiet = await stage.create_participant_token(user_id="erin")
    assert quiet.token
    ivs_emulator.join(quiet.token)
    erin = await quiet.participant()
    ivs_emulator.leave(quiet.token)
    with pytest.raises(ivsrt.WaiterFailedError, match="without publishing") as info:
        await erin.wait_until_published(timeout=5, **FAST)
    assert isinstance(info.value.last, ivsrt.Participant)


async def test_connected_waiter_fails_fast_once_the_session_is_over(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="people", client=ivs_client)
    host = await stage.create_participant_token(user_id="host")
    guest = await stage.create_participant_token(user_id="guest")
    assert host.token
    assert guest.token
    ivs_emulator.join(host.token)
    ivs_emulator.join(guest.token)
    participant = await guest.participant()
    ivs_emulator.leave(guest.token)
    # the session goes on (the host is there): the guest may come back, so the waiter waits
    waiter = asyncio.create_task(participant.wait_until_connected(timeout=10, **FAST))
    await _polls_then(ivs_emulator, "GetParticipant", 4)
    assert not waiter.done()
    ivs_emulator.join(guest.token)
    assert (await asyncio.wait_for(waiter, 10)).state == m.ParticipantState.CONNECTED
    # everyone leaves: the session is over, the participant cannot connect any more
    ivs_emulator.leave(guest.token)
    ivs_emulator.leave(host.token)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ivsrt.WaiterFailedError, match="session") as info:
        await participant.wait_until_connected(timeout=30, **FAST)
    assert loop.time() - started < 5.0  # not the 30 s deadline
    assert isinstance(info.value.last, ivsrt.Participant)
    assert info.value.last.state == m.ParticipantState.DISCONNECTED


async def test_replication_active_and_stopped(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    source = await Stage.create(name="source", client=ivs_client)
    destination = await Stage.create(name="destination", client=ivs_client)
    token = await source.create_participant_token(user_id="star")
    assert token.token
    ivs_emulator.join(token.token)
    ivs_emulator.publish(token.token)
    participant = await token.participant()
    replication = await participant.start_replication(destination, reconnect_window_seconds=30)
    replica = await replication.wait_until_active(timeout=5, **FAST)
    assert replica.replication_state == m.ReplicationState.ACTIVE
    assert replica.destination_stage_arn == destination.arn
    assert [r.destination_stage_arn async for r in participant.replicas()] == [destination.arn]
    await replication.stop()
    stopped = await replication.wait_until_stopped(timeout=5, **FAST)
    assert stopped is not None
    assert stopped.replication_state == m.ReplicationState.STOPPED
    with pytest.raises(ivsrt.WaiterFailedError, match="STOPPED"):
        await replication.wait_until_active(timeout=5, **FAST)


async def test_waiter_arguments_are_checked(ivs_client: ivsrt.Client) -> None:
    comp = await _composition(ivs_client)
    with pytest.raises(ValueError, match="timeout"):
        await comp.wait_until_active(timeout=0)
    with pytest.raises(ValueError, match="min_delay"):
        await comp.wait_until_active(min_delay=2, max_delay=1)


def test_delays_are_jittered_from_the_first_one() -> None:
    """Delay n is drawn in [min * 2**n, min * 2**(n+1)], capped at max; the first one is
    jittered too (it was always exactly min_delay: waiters started together polled in step)."""
    import random

    from ivsrt.waiting import delays

    firsts = set()
    for seed in range(200):
        ds = delays(1.0, 15.0, random.Random(seed))
        firsts.add(ds[0])
        assert 1.0 <= ds[0] <= 2.0
        assert 2.0 <= ds[1] <= 4.0
        assert all(1.0 <= d <= 15.0 for d in ds)
        assert 7.5 <= ds[-1] <= 15.0  # capped: within [max / 2, max]
    assert len(firsts) > 100  # not a constant
    assert min(firsts) < 1.2
    assert max(firsts) > 1.8
    # a max below 2 * min still bounds every delay, the first included
    assert all(0.5 <= d <= 0.6 for d in delays(0.5, 0.6, random.Random(3)))
