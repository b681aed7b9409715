"""The EventBridge events the emulator emits, checked through plain boto3 and written from the
IVS Real-Time User Guide, "Using Amazon EventBridge with IVS Real-Time Streaming": the
envelope (``version`` "0", ``id``, ``detail-type``, ``source`` "aws.ivs", ``account``,
``time``, ``region``, ``resources``, ``detail``), the detail-types ``IVS Stage Update``,
``IVS Composition State Change`` and ``IVS Participant Recording State Change``, and their
``event_name`` values and detail fields. Every emitted event also parses with
``ivsrt.events.parse_event`` into its typed model."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from ivsrt.emulator import Emulator
from ivsrt.events import (
    CompositionEventName,
    CompositionStateChange,
    ParticipantRecordingStateChange,
    StageUpdate,
    parse_event,
)
from tests.emulator._boto import ACCOUNT, REGION, Boto, a_channel

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
STAGE, COMPOSITION = "IVS Stage Update", "IVS Composition State Change"
RECORDING = "IVS Participant Recording State Change"


def check_envelope(event: dict[str, Any], detail_type: str, resource: str) -> None:
    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert event["version"] == "0"
    assert uuid.UUID(event["id"]).version == 4
    assert event["detail-type"] == detail_type
    assert event["source"] == "aws.ivs"
    assert (event["account"], event["region"]) == (ACCOUNT, REGION)
    assert TIME.fullmatch(event["time"]), event["time"]
    assert event["resources"] == [resource]


async def stage_with_token(boto: Boto, **token: Any) -> tuple[str, dict[str, Any]]:
    stage = (await boto("create_stage", name="events"))["stage"]["arn"]
    created = await boto("create_participant_token", stageArn=stage, **token)
    return stage, created["participantToken"]


async def test_stage_updates_of_a_publisher(ivs_emulator: Emulator, boto: Boto) -> None:
    stage, token = await stage_with_token(boto, userId="alice")
    ivs_emulator.join(token["token"])
    ivs_emulator.publish(token["token"])
    ivs_emulator.subscribe(token["token"])
    ivs_emulator.unpublish(token["token"])
    session = (await boto("list_stage_sessions", stageArn=stage))["stageSessions"][0]
    events = ivs_emulator.events()
    assert [e["detail"]["event_name"] for e in events] == [
        "Participant Published",
        "Participant Unpublished",
    ]
    for event in events:
        check_envelope(event, STAGE, stage)
        detail = dict(event["detail"])
        detail.pop("event_name")
        assert detail == {
            "session_id": session["sessionId"],
            "participant_id": token["participantId"],
            "user_id": "alice",
        }
        parsed = parse_event(event)
        assert isinstance(parsed, StageUpdate)
        assert parsed.event_name.known
        assert (parsed.stage_arn, parsed.participant_id) == (stage, token["participantId"])
    assert len({e["id"] for e in events}) == 2


async def test_publish_errors_carry_the_error_code(ivs_emulator: Emulator, boto: Boto) -> None:
    stage, viewer = await stage_with_token(boto, capabilities=["SUBSCRIBE"])
    ivs_emulator.join(viewer["token"])
    ivs_emulator.publish(viewer["token"])
    (event,) = ivs_emulator.events()
    check_envelope(event, STAGE, stage)
    assert event["detail"]["event_name"] == "Participant Publish Error"
    assert event["detail"]["error_code"] == "INSUFFICIENT_CAPABILITIES"
    parsed = parse_event(event)
    assert isinstance(parsed, StageUpdate)
    assert parsed.error_code == "INSUFFICIENT_CAPABILITIES"


async def test_replication_started_and_stopped(ivs_emulator: Emulator, boto: Boto) -> None:
    source, token = await stage_with_token(boto)
    dest = (await boto("create_stage", name="dest"))["stage"]["arn"]
    ivs_emulator.join(token["token"])
    ivs_emulator.publish(token["token"])
    pid = token["participantId"]
    await boto(
        "start_participant_replication",
        sourceStageArn=source,
        destinationStageArn=dest,
        participantId=pid,
    )
    await boto(
        "stop_participant_replication",
        sourceStageArn=source,
        destinationStageArn=dest,
        participantId=pid,
    )
    source_session = (await boto("list_stage_sessions", stageArn=source))["stageSessions"][0]
    dest_session = (await boto("list_stage_sessions", stageArn=dest))["stageSessions"][0]
    names = ["Participant Replication Started", "Participant Replication Stopped"]
    replication = [e for e in ivs_emulator.events() if e["detail"]["event_name"] in names]
    assert [e["detail"]["event_name"] for e in replication] == names
    for event in replication:
        check_envelope(event, STAGE, source)
        assert event["detail"]["source_stage_arn"] == source
        assert event["detail"]["source_session_id"] == source_session["sessionId"]
        assert event["detail"]["destination_stage_arn"] == dest
        assert event["detail"]["destination_session_id"] == dest_session["sessionId"]
        assert event["detail"]["participant_id"] == pid
        parsed = parse_event(event)
        assert isinstance(parsed, StageUpdate)
        assert parsed.destination_stage_arn == dest
    # the replica publishes in the destination stage: a Stage Update there
    published = ivs_emulator.events(resource=dest, event_name="Participant Published")
    assert [e["detail"]["participant_id"] for e in published] == [pid]


async def test_participant_recording_start_and_end(ivs_emulator: Emulator, boto: Boto) -> None:
    storage = (await boto("create_storage_configuration", s3={"bucketName": "recordings"}))[
        "storageConfiguration"
    ]["arn"]
    stage = (
        await boto(
            "create_stage",
            name="recorded",
            autoParticipantRecordingConfiguration={"storageConfigurationArn": storage},
        )
    )["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=stage, userId="bob"))[
        "participantToken"
    ]
    ivs_emulator.clock.freeze()
    ivs_emulator.join(token["token"])
    ivs_emulator.publish(token["token"])
    ivs_emulator.clock.advance(3)
    ivs_emulator.unpublish(token["token"])
    session = (await boto("list_stage_sessions", stageArn=stage))["stageSessions"][0]
    participant = (
        await boto(
            "get_participant",
            stageArn=stage,
            sessionId=session["sessionId"],
            participantId=token["participantId"],
        )
    )["participant"]
    start, end = ivs_emulator.events(detail_type=RECORDING)
    for event, name in ((start, "Recording Start"), (end, "Recording End")):
        check_envelope(event, RECORDING, stage)
        assert event["detail"]["event_name"] == name
        assert event["detail"]["session_id"] == session["sessionId"]
        assert event["detail"]["participant_id"] == token["participantId"]
        assert event["detail"]["recording_s3_bucket_name"] == "recordings"
        assert event["detail"]["recording_s3_key_prefix"] == participant["recordingS3Prefix"]
        assert isinstance(parse_event(event), ParticipantRecordingStateChange)
    assert "recording_duration_ms" not in start["detail"]
    assert end["detail"]["recording_duration_ms"] == 3000
    parsed = parse_event(end)
    assert isinstance(parsed, ParticipantRecordingStateChange)
    assert parsed.recording_duration_ms == 3000
    assert parsed.recording_s3_bucket_name == "recordings"


async def start_composition(boto: Boto, destinations: int = 1) -> tuple[str, str, list[str]]:
    stage, _ = await stage_with_token(boto)
    channel = await a_channel(boto.endpoint_url)
    dests: list[dict[str, Any]] = [{"channel": {"channelArn": channel}}]
    if destinations == 2:
        created = await boto("create_storage_configuration", s3={"bucketName": "composites"})
        encoder = (await boto("create_encoder_configuration"))["encoderConfiguration"]["arn"]
        s3 = {
            "storageConfigurationArn": created["storageConfiguration"]["arn"],
            "encoderConfigurationArns": [encoder],
        }
        dests.append({"s3": s3})
    comp = (await boto("start_composition", stageArn=stage, destinations=dests))["composition"]
    return stage, comp["arn"], [d["id"] for d in comp["destinations"]]


def names_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["detail"]["event_name"] for e in events]


async def test_composition_session_and_destination_events(
    ivs_emulator: Emulator, boto: Boto
) -> None:
    ivs_emulator.clock.freeze()
    stage, arn, (dest,) = await start_composition(boto)
    assert ivs_emulator.events(detail_type=COMPOSITION) == []  # still STARTING
    ivs_emulator.clock.advance(5)  # the default composition_start_delay: ACTIVE by time alone
    started = ivs_emulator.events(detail_type=COMPOSITION)
    assert names_of(started) == ["Session Start", "Destination Start"]
    assert started[1]["detail"]["destination_id"] == dest
    await boto("stop_composition", arn=arn)
    ivs_emulator.clock.advance(2)
    events = ivs_emulator.events(resource=arn)
    assert names_of(events) == [
        "Session Start",
        "Destination Start",
        "Destination End",
        "Session End",
    ]
    composition = (await boto("get_composition", arn=arn))["composition"]
    assert composition["state"] == "STOPPED"
    for event in events:
        check_envelope(event, COMPOSITION, arn)
        assert event["detail"]["stage_arn"] == stage
        parsed = parse_event(event)
        assert isinstance(parsed, CompositionStateChange)
        assert parsed.event_name.known
    # dated when the state changed, not when it was looked at
    assert events[2]["time"] == events[3]["time"] != events[0]["time"]
    assert ivs_emulator.events(resource=arn) == events  # emitted once


async def test_a_disconnected_destination_reconnects_or_fails(
    ivs_emulator: Emulator, boto: Boto
) -> None:
    ivs_emulator.clock.freeze()
    _, arn, (first, second) = await start_composition(boto, destinations=2)
    ivs_emulator.clock.advance(5)
    ivs_emulator.inject_destination_failure(arn, first, recover_after=10)
    ivs_emulator.inject_destination_failure(arn, second, retry_for=30)
    reconnecting = ivs_emulator.events(resource=arn, event_name="Destination Reconnecting")
    assert sorted(e["detail"]["destination_id"] for e in reconnecting) == sorted([first, second])
    for event in reconnecting:
        check_envelope(event, COMPOSITION, arn)
        parsed = parse_event(event)
        assert isinstance(parsed, CompositionStateChange)
        assert parsed.event_name is CompositionEventName.DESTINATION_RECONNECTING
    ivs_emulator.clock.advance(10)  # the first reconnects: it starts again
    restarted = ivs_emulator.events(resource=arn, event_name="Destination Start")
    assert [e["detail"]["destination_id"] for e in restarted] == [first, second, first]
    ivs_emulator.clock.advance(20)  # the second's reconnection attempts are exhausted
    failed = ivs_emulator.events(resource=arn, event_name="Destination Failure")
    assert [e["detail"]["destination_id"] for e in failed] == [second]
    assert len(ivs_emulator.events(resource=arn, event_name="Destination Reconnecting")) == 2


async def test_composition_failures(ivs_emulator: Emulator, boto: Boto) -> None:
    _, arn, (first, second) = await start_composition(boto, destinations=2)
    ivs_emulator.clock.advance(5)
    ivs_emulator.fail_destination(arn, first)
    failed = ivs_emulator.events(resource=arn, event_name="Destination Failure")
    assert [e["detail"]["destination_id"] for e in failed] == [first]
    ivs_emulator.fail_composition(arn, reason="the stage went away")
    events = ivs_emulator.events(resource=arn)
    assert names_of(events)[-2:] == ["Destination Failure", "Session Failure"]
    assert events[-2]["detail"]["destination_id"] == second
    assert events[-1]["detail"]["reason"] == "the stage went away"
    parsed = parse_event(events[-1])
    assert isinstance(parsed, CompositionStateChange)
    assert parsed.reason == "the stage went away"
    assert "Session End" not in names_of(events)


async def test_watch_events_sees_changes_made_by_time_alone(boto: Boto) -> None:
    async with Emulator(composition_start_delay=0.2) as emu:
        client = Boto(emu)
        _, arn, _ = await start_composition(client)
        seen = []
        async for event in emu.watch_events(resource=arn, timeout=5):
            seen.append(event["detail"]["event_name"])
            if len(seen) == 2:
                break
        assert seen == ["Session Start", "Destination Start"]
        with pytest.raises(TimeoutError):
            async for _ in emu.watch_events(resource=arn, timeout=0.1):
                pass
        # after=0: from the first event kept
        first = await anext(aiter(emu.watch_events(after=0, timeout=1)))
        assert first == emu.events()[0]


async def test_a_destination_that_failed_before_the_start_never_starts(
    ivs_emulator: Emulator, boto: Boto
) -> None:
    ivs_emulator.clock.freeze()
    _, arn, (channel, s3) = await start_composition(boto, destinations=2)
    ivs_emulator.fail_destination(arn, s3)  # while STARTING
    ivs_emulator.clock.advance(5)
    events = ivs_emulator.events(resource=arn)
    assert [(e["detail"]["event_name"], e["detail"].get("destination_id")) for e in events] == [
        ("Destination Failure", s3),
        ("Session Start", None),
        ("Destination Start", channel),
    ]
    await boto("stop_composition", arn=arn)
    ivs_emulator.clock.advance(2)
    ended = ivs_emulator.events(resource=arn, event_name="Destination End")
    assert [e["detail"]["destination_id"] for e in ended] == [channel]
