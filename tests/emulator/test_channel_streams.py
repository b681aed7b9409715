"""Live streams of IVS channels, through plain boto3 against the emulator, written from the API
reference:

- GetStream "gets information about the active (live) stream on a specified channel"; a
  channel that is not live is ChannelNotBroadcasting (404);
- StartComposition: the destination channel "must be offline (not broadcasting)";
- UpdateChannel: "Live channels cannot be updated"; DeleteChannel: "If you try to delete a live
  channel, you will get an error (409 ConflictException)";
- PutMetadata: "At most 5 requests per second per channel are allowed, each with a maximum 1 KB
  payload";
- multitrack stream events: MultitrackInputNotAllowed ("multitrack input was not enabled on the
  channel"), MultitrackInputRequired ("single-track video, but multitrack input is required").
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

import ivsrt
from ivsrt.emulator import ControlError, Emulator
from tests.emulator._boto import boto, code

MULTITRACK = {"enabled": True, "policy": "ALLOW", "maximumResolution": "FULL_HD"}


def _error(call: Any, **kwargs: Any) -> tuple[str, int]:
    try:
        call(**kwargs)
    except ClientError as exc:
        return code(exc)
    raise AssertionError(f"{call.__name__} succeeded")


def _control(url: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{url}/_emulator/{action}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        reply: dict[str, Any] = json.loads(resp.read())
    return reply


def _composition_makes_it_live(url: str) -> None:
    ivs, rt = boto(url), boto(url, "ivs-realtime")
    channel = ivs.create_channel(
        name="main", containerFormat="FRAGMENTED_MP4", multitrackInputConfiguration=MULTITRACK
    )["channel"]
    arn = channel["arn"]
    assert [c["arn"] for c in ivs.list_channels()["channels"]] == [arn]
    assert ivs.get_channel(arn=arn)["channel"]["multitrackInputConfiguration"] == MULTITRACK
    assert _error(ivs.get_stream, channelArn=arn) == ("ChannelNotBroadcasting", 404)

    stage = rt.create_stage(name="show")["stage"]["arn"]
    dest = [{"channel": {"channelArn": arn}}]
    comp = rt.start_composition(stageArn=stage, destinations=dest)["composition"]
    _control(url, "clock/advance", {"seconds": 10})  # past STARTING
    assert rt.get_composition(arn=comp["arn"])["composition"]["state"] == "ACTIVE"
    stream = ivs.get_stream(channelArn=arn)["stream"]
    assert (stream["channelArn"], stream["state"]) == (arn, "LIVE")
    assert stream["streamId"].startswith("st-")
    assert len(stream["streamId"]) == 26
    assert stream["playbackUrl"] == channel["playbackUrl"]
    assert [s["channelArn"] for s in ivs.list_streams()["streams"]] == [arn]
    # a live channel takes no second composition, no update and no delete
    assert _error(rt.start_composition, stageArn=stage, destinations=dest) == (
        "ConflictException",
        409,
    )
    assert _error(ivs.update_channel, arn=arn, name="x") == ("ConflictException", 409)
    assert _error(ivs.delete_channel, arn=arn) == ("ConflictException", 409)
    missing = arn[:-4] + "zzzz"
    assert _error(
        rt.start_composition, stageArn=stage, destinations=[{"channel": {"channelArn": missing}}]
    ) == ("ResourceNotFoundException", 404)

    rt.stop_composition(arn=comp["arn"])
    assert _error(ivs.get_stream, channelArn=arn) == ("ChannelNotBroadcasting", 404)
    assert ivs.list_streams()["streams"] == []
    (session,) = ivs.list_stream_sessions(channelArn=arn)["streamSessions"]
    assert session["streamId"] == stream["streamId"]
    assert "endTime" in session
    got = ivs.get_stream_session(channelArn=arn)["streamSession"]  # the most recent one
    assert got["streamId"] == stream["streamId"]
    assert got["channel"]["arn"] == arn
    names = [e["name"] for e in got["truncatedEvents"]]
    assert names[0] == "Session Ended"
    assert "Stream Start" in names
    ivs.delete_channel(arn=arn)


async def test_a_composition_makes_its_channel_live_against_the_command_line() -> None:
    # the done criterion: python -m ivsrt.emulator, plain boto3 on both APIs
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        url = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode().strip()
        await asyncio.to_thread(_composition_makes_it_live, url)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), timeout=30)


def _encoder(emu: Emulator) -> None:
    url = emu.endpoint_url
    ivs = boto(url)
    created = ivs.create_channel(name="enc", adConfigurationArn="")
    arn, key = created["channel"]["arn"], created["streamKey"]["value"]
    stream_id = emu.start_stream(key)  # OBS goes live with the stream key
    with pytest.raises(ControlError) as twice:
        emu.start_stream(arn)
    assert twice.value.code == "CHANNEL_LIVE"
    assert ivs.get_stream(channelArn=arn)["stream"]["streamId"] == stream_id
    ivs.put_metadata(channelArn=arn, metadata="hello")
    assert _error(ivs.put_metadata, channelArn=arn, metadata="x" * 1025) == (
        "ValidationException",
        400,
    )
    emu.clock.freeze()
    for _ in range(4):  # 5 in this second with the one above... the clock is frozen now
        ivs.put_metadata(channelArn=arn, metadata="tick")
    frozen_now = emu.clock.now()
    results = []
    for _ in range(2):
        try:
            ivs.put_metadata(channelArn=arn, metadata="tick")
            results.append("ok")
        except ClientError as exc:
            results.append(code(exc)[0])
    assert "ThrottlingException" in results
    assert emu.clock.now() == frozen_now
    emu.clock.advance(1.5)
    ivs.put_metadata(channelArn=arn, metadata="next second")
    emu.clock.resume()

    assert _error(ivs.insert_ad_break, channelArn=arn, durationSeconds=30) == (
        "ValidationException",
        400,
    )  # the channel has no ad configuration
    ivs.stop_stream(channelArn=arn)
    assert _error(ivs.stop_stream, channelArn=arn) == ("ChannelNotBroadcasting", 404)
    assert _error(ivs.put_metadata, channelArn=arn, metadata="late") == (
        "ChannelNotBroadcasting",
        404,
    )
    with pytest.raises(ControlError) as gone:
        emu.stop_stream(key)
    assert gone.value.code == "NOT_CONNECTED"
    with pytest.raises(ControlError) as bad_key:
        emu.start_stream("sk_us-west-2_not-a-key")
    assert bad_key.value.code == "INVALID_STREAM_KEY"

    # ad breaks: a live channel with an ad configuration
    mediatailor = "arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/x"
    ad = ivs.create_ad_configuration(
        mediaTailorPlaybackConfigurations=[{"playbackConfigurationArn": mediatailor}]
    )["adConfiguration"]
    ivs.update_channel(arn=arn, adConfigurationArn=ad["arn"])
    assert _error(ivs.insert_ad_break, channelArn=arn, durationSeconds=30) == (
        "ChannelNotBroadcasting",
        404,
    )
    emu.start_stream(arn)
    inserted = ivs.insert_ad_break(channelArn=arn, durationSeconds=30, adBreakId="abcdefABCDEF")
    assert inserted["adBreakId"] == "abcdefABCDEF"
    emu.stop_stream(arn)
    assert len(ivs.list_stream_sessions(channelArn=arn)["streamSessions"]) == 2

    # viewer session revocation: channels that exist
    ivs.start_viewer_session_revocation(channelArn=arn, viewerId="viewer-1")
    missing = arn[:-4] + "zzzz"
    assert _error(ivs.start_viewer_session_revocation, channelArn=missing, viewerId="v") == (
        "ResourceNotFoundException",
        404,
    )
    batch = ivs.batch_start_viewer_session_revocation(
        viewerSessions=[
            {"channelArn": arn, "viewerId": "v1"},
            {"channelArn": missing, "viewerId": "v2"},
        ]
    )
    assert [(e["channelArn"], e["viewerId"]) for e in batch["errors"]] == [(missing, "v2")]


async def test_an_encoder_goes_live_through_the_control_surface(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ivsrt")
    async with Emulator() as emu:
        await asyncio.to_thread(_encoder, emu)
        keys = [
            k["value"]
            for k in emu.snapshot()["ivs"]["streamKeys"]  # the snapshot is a secret itself
        ]
        state = repr(emu) + repr(emu._service.store.ivs)
    assert keys
    assert not any(k in caplog.text or k in state for k in keys)


def _multitrack_input(emu: Emulator) -> None:
    ivs = boto(emu.endpoint_url)
    required = ivs.create_channel(
        containerFormat="FRAGMENTED_MP4",
        multitrackInputConfiguration=dict(MULTITRACK, policy="REQUIRE"),
    )["channel"]["arn"]
    plain = ivs.create_channel()["channel"]["arn"]
    with pytest.raises(ControlError) as single:
        emu.start_stream(required)  # single-track input on a REQUIRE channel
    assert single.value.code == "MULTITRACK_INPUT_REQUIRED"
    with pytest.raises(ControlError) as multi:
        emu.start_stream(plain, multitrack=True)  # multitrack input, not enabled
    assert multi.value.code == "MULTITRACK_INPUT_NOT_ALLOWED"
    for arn, expected in (
        (required, "MultitrackInputRequired"),
        (plain, "MultitrackInputNotAllowed"),
    ):
        (summary,) = ivs.list_stream_sessions(channelArn=arn)["streamSessions"]
        assert summary["hasErrorEvent"] is True
        assert "endTime" in summary
        events = ivs.get_stream_session(channelArn=arn)["streamSession"]["truncatedEvents"]
        assert next((e["name"], e.get("code")) for e in events) == ("Session Ended", expected)
        assert _error(ivs.get_stream, channelArn=arn) == ("ChannelNotBroadcasting", 404)
    emu.start_stream(required, multitrack=True)
    session = ivs.get_stream_session(channelArn=required)["streamSession"]
    assert len(session["ingestConfigurations"]["videoConfigurations"]) > 1
    emu.start_stream(plain)
    assert "ingestConfiguration" in ivs.get_stream_session(channelArn=plain)["streamSession"]


async def test_multitrack_input_rules_when_an_encoder_connects() -> None:
    async with Emulator() as emu:
        await asyncio.to_thread(_multitrack_input, emu)


def _stop_a_composition_stream(url: str) -> None:
    ivs, rt = boto(url), boto(url, "ivs-realtime")
    arn = ivs.create_channel()["channel"]["arn"]
    stage = rt.create_stage()["stage"]["arn"]
    comp = rt.start_composition(stageArn=stage, destinations=[{"channel": {"channelArn": arn}}])
    _control(url, "clock/advance", {"seconds": 10})
    ivs.stop_stream(channelArn=arn)  # the composition's broadcast is disconnected
    state = rt.get_composition(arn=comp["composition"]["arn"])["composition"]
    assert state["destinations"][0]["state"] == "FAILED"
    assert state["state"] == "FAILED"
    assert _error(ivs.get_stream, channelArn=arn) == ("ChannelNotBroadcasting", 404)
    # a control action over HTTP too
    reply = _control(url, "streams/start", {"channel": arn})
    assert ivs.get_stream(channelArn=arn)["stream"]["streamId"] == reply["streamId"]
    _control(url, "streams/stop", {"channel": arn})
    assert ivs.list_streams()["streams"] == []


async def test_stop_stream_disconnects_a_composition() -> None:
    async with Emulator() as emu:
        await asyncio.to_thread(_stop_a_composition_stream, emu.endpoint_url)


async def test_control_client_starts_and_stops_streams() -> None:
    from ivsrt.emulator import ControlClient

    async with Emulator() as emu, emu.client() as ivs, ControlClient(emu.endpoint_url) as control:
        created = await ivs.channels.create_channel(name="cc")
        assert created.channel is not None
        assert created.stream_key is not None
        assert created.stream_key.value is not None
        arn = created.channel.arn
        assert arn is not None
        stream_id = await control.start_stream(created.stream_key.value)
        stream = (await ivs.channels.get_stream(channel_arn=arn)).stream
        assert stream is not None
        assert stream.stream_id == stream_id
        with pytest.raises(ControlError) as refused:
            await control.start_stream(arn, multitrack=True)
        assert refused.value.code == "CHANNEL_LIVE"
        await control.stop_stream(arn)
        with pytest.raises(ivsrt.channels.ChannelNotBroadcastingError):
            await ivs.channels.get_stream(channel_arn=arn)
        with pytest.raises(ValueError, match="channel_or_stream_key"):
            await control.start_stream("")
