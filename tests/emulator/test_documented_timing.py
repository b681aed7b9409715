"""Documented behaviours that depend on time and on media, checked through plain boto3 and
written from the API reference and the user guide (not from ivsrt's own tables). Time is the
emulator's clock, advanced by the test:

- StartParticipantReplication ``reconnectWindowSeconds``: "If the participant disconnects and
  then reconnects within the specified interval, replication will continue to be ACTIVE";
- StartComposition: "Composition stops and the resource is deleted" (the user guide: a few
  minutes after it stopped; the emulator keeps it readable 180 s);
- the 24-hour maximum of a composition and of a publication (Service Quotas), the latter a
  PUBLISH_ERROR event with error code STREAM_DURATION_EXCEEDED;
- IngestConfiguration ``redundantIngestCredentials``: "present only when redundantIngest is set
  to true";
- Destination state RECONNECTING, and FAILED "when broadcasting is disconnected and all attempts
  to reconnect are exhausted";
- JOIN_ERROR / PUBLISH_ERROR / SUBSCRIBE_ERROR events with the model's error codes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from botocore.exceptions import ClientError

from ivsrt import IngestConfiguration
from ivsrt.emulator import ControlClient, ControlError, Emulator
from tests.emulator._boto import a_channel, boto

T = TypeVar("T")
DAY = 24 * 3600


def _client(emu: Emulator) -> Any:
    # the service model ivsrt ships: an older installed botocore lacks the newest members
    return boto(emu.endpoint_url, "ivs-realtime")


async def _call(fn: Callable[..., T], **kwargs: Any) -> T:
    """One boto3 call off the event loop the emulator serves on."""
    return await asyncio.to_thread(fn, **kwargs)


async def _stage(ivs: Any) -> str:
    return str((await _call(ivs.create_stage, name="t"))["stage"]["arn"])


async def _token(ivs: Any, stage: str, user: str = "u") -> str:
    # 14 days, the longest allowed: the control surface checks the token at every action
    made = await _call(ivs.create_participant_token, stageArn=stage, userId=user, duration=20160)
    return str(made["participantToken"]["token"])


async def _events(ivs: Any, stage: str, pid: str) -> list[dict[str, Any]]:
    session = (await _call(ivs.get_stage, arn=stage))["stage"].get("activeSessionId")
    if session is None:
        sessions = await _call(ivs.list_stage_sessions, stageArn=stage)
        session = sessions["stageSessions"][0]["sessionId"]
    got = await _call(
        ivs.list_participant_events, stageArn=stage, sessionId=session, participantId=pid
    )
    return list(got["events"])


# -- replication reconnect window -----------------------------------------------------------


async def _replica_state(ivs: Any, source: str, pid: str) -> str:
    got = await _call(ivs.list_participant_replicas, sourceStageArn=source, participantId=pid)
    return str(got["replicas"][-1]["replicationState"])


@pytest.mark.parametrize("window", [0, 30])
async def test_replication_survives_a_reconnect_within_its_window(
    ivs_emulator: Emulator, window: int
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    source, dest = await _stage(ivs), await _stage(ivs)
    token = await _token(ivs, source)
    pid = emu.join(token)
    emu.publish(token)
    await _call(
        ivs.start_participant_replication,
        sourceStageArn=source,
        destinationStageArn=dest,
        participantId=pid,
        reconnectWindowSeconds=window,
    )
    emu.leave(token)
    emu.clock.advance(window / 2)
    emu.join(token)
    # within the window: still ACTIVE; with no window the disconnection stopped it
    assert await _replica_state(ivs, source, pid) == ("ACTIVE" if window else "STOPPED")
    if window:
        emu.clock.advance(window * 3)  # connected again: the window no longer runs
        assert await _replica_state(ivs, source, pid) == "ACTIVE"
        session = await _session(ivs, dest)
        got = await _call(ivs.get_participant, stageArn=dest, sessionId=session, participantId=pid)
        assert got["participant"]["state"] == "CONNECTED"
        # the source reconnected in a new stage session: the replica names it, and the
        # source participant there is the replication's SOURCE
        replicas = await _call(
            ivs.list_participant_replicas, sourceStageArn=source, participantId=pid
        )
        now_session = await _session(ivs, source)
        assert replicas["replicas"][-1]["sourceSessionId"] == now_session
        src = await _call(
            ivs.get_participant, stageArn=source, sessionId=now_session, participantId=pid
        )
        assert (src["participant"]["replicationType"], src["participant"]["replicationState"]) == (
            "SOURCE",
            "ACTIVE",
        )


async def _session(ivs: Any, stage: str) -> str:
    """The stage's active session."""
    return str((await _call(ivs.get_stage, arn=stage))["stage"]["activeSessionId"])


async def test_replication_stops_when_the_window_passes_without_a_reconnect(
    ivs_emulator: Emulator,
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    source, dest = await _stage(ivs), await _stage(ivs)
    token = await _token(ivs, source)
    pid = emu.join(token)
    emu.publish(token)
    await _call(
        ivs.start_participant_replication,
        sourceStageArn=source,
        destinationStageArn=dest,
        participantId=pid,
        reconnectWindowSeconds=20,
    )
    emu.leave(token)
    emu.clock.advance(19)
    assert await _replica_state(ivs, source, pid) == "ACTIVE"
    emu.clock.advance(1)
    assert await _replica_state(ivs, source, pid) == "STOPPED"
    names = [e["name"] for e in await _events(ivs, source, pid)]
    assert names[-1] == "REPLICATION_STOPPED"
    # the replica left the destination stage
    assert (await _call(ivs.get_stage, arn=dest))["stage"].get("activeSessionId") is None


# -- compositions: deleted after they end, 24-hour maximum ----------------------------------


async def _composition(ivs: Any, stage: str) -> dict[str, Any]:
    started = await _call(
        ivs.start_composition,
        stageArn=stage,
        destinations=[{"channel": {"channelArn": await a_channel(ivs.meta.endpoint_url)}}],
    )
    return dict(started["composition"])


async def test_a_stopped_composition_is_deleted_a_few_minutes_later(
    ivs_emulator: Emulator,
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    emu.join(await _token(ivs, stage))
    arn = (await _composition(ivs, stage))["arn"]
    emu.clock.advance(10)
    await _call(ivs.stop_composition, arn=arn)
    emu.clock.advance(10)
    assert (await _call(ivs.get_composition, arn=arn))["composition"]["state"] == "STOPPED"
    emu.clock.advance(160)  # still readable for a while after it stopped
    assert (await _call(ivs.get_composition, arn=arn))["composition"]["state"] == "STOPPED"
    emu.clock.advance(30)
    with pytest.raises(ClientError) as caught:
        await _call(ivs.get_composition, arn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert (await _call(ivs.list_compositions))["compositions"] == []


async def test_a_failed_composition_is_deleted_too(ivs_emulator: Emulator) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    emu.join(await _token(ivs, stage))
    arn = (await _composition(ivs, stage))["arn"]
    emu.clock.advance(10)
    emu.fail_composition(arn)
    assert (await _call(ivs.get_composition, arn=arn))["composition"]["state"] == "FAILED"
    emu.clock.advance(600)
    with pytest.raises(ClientError) as caught:
        await _call(ivs.get_composition, arn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


async def test_a_composition_stops_after_24_hours(ivs_emulator: Emulator) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    emu.join(await _token(ivs, stage))  # a participant stays: no idle timeout
    arn = (await _composition(ivs, stage))["arn"]
    emu.clock.advance(3600)
    active = (await _call(ivs.get_composition, arn=arn))["composition"]
    assert active["state"] == "ACTIVE"
    emu.clock.advance(DAY - 3600 - 60)
    assert (await _call(ivs.get_composition, arn=arn))["composition"]["state"] == "ACTIVE"
    emu.clock.advance(120)
    ended = (await _call(ivs.get_composition, arn=arn))["composition"]
    assert ended["state"] in ("STOPPING", "STOPPED")
    emu.clock.advance(10)
    ended = (await _call(ivs.get_composition, arn=arn))["composition"]
    assert ended["state"] == "STOPPED"
    assert (ended["endTime"] - ended["startTime"]).total_seconds() <= DAY + 10


# -- publishing: 24-hour maximum -------------------------------------------------------------


async def test_publishing_stops_after_24_hours_with_stream_duration_exceeded(
    ivs_emulator: Emulator,
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    token = await _token(ivs, stage)
    pid = emu.join(token)
    emu.publish(token)
    emu.clock.advance(DAY - 1)
    assert "PUBLISH_ERROR" not in [e["name"] for e in await _events(ivs, stage, pid)]
    emu.clock.advance(1)
    events = await _events(ivs, stage, pid)
    errors = [e for e in events if e["name"] == "PUBLISH_ERROR"]
    assert [e["errorCode"] for e in errors] == ["STREAM_DURATION_EXCEEDED"]
    assert events[-1]["name"] == "PUBLISH_STOPPED"
    # a new publication starts a new 24 hours
    emu.publish(token)
    emu.clock.advance(DAY / 2)
    events = await _events(ivs, stage, pid)
    assert [e["name"] for e in events].count("PUBLISH_ERROR") == 1


async def test_an_rtmp_publisher_is_disconnected_after_24_hours(ivs_emulator: Emulator) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    ing = (
        await _call(
            ivs.create_ingest_configuration, stageArn=stage, ingestProtocol="RTMPS", name="enc"
        )
    )["ingestConfiguration"]
    emu.start_rtmp(ing["streamKey"])
    emu.clock.advance(DAY)
    got = (await _call(ivs.get_ingest_configuration, arn=ing["arn"]))["ingestConfiguration"]
    assert got["state"] == "INACTIVE"
    codes = [e.get("errorCode") for e in await _events(ivs, stage, ing["participantId"])]
    assert "STREAM_DURATION_EXCEEDED" in codes


# -- redundant ingest ------------------------------------------------------------------------


async def test_redundant_ingest_credentials_only_when_redundant_ingest_is_true(
    ivs_emulator: Emulator,
) -> None:
    ivs = _client(ivs_emulator)
    stage = await _stage(ivs)
    plain = (await _call(ivs.create_ingest_configuration, stageArn=stage, ingestProtocol="RTMPS"))[
        "ingestConfiguration"
    ]
    assert plain["redundantIngest"] is False
    assert "redundantIngestCredentials" not in plain
    redundant = (
        await _call(
            ivs.create_ingest_configuration,
            stageArn=stage,
            ingestProtocol="RTMPS",
            redundantIngest=True,
        )
    )["ingestConfiguration"]
    creds = redundant["redundantIngestCredentials"]
    assert len(creds) == 1
    assert creds[0]["participantId"] not in ("", redundant["participantId"])
    assert creds[0]["streamKey"] not in ("", redundant["streamKey"])
    got = (await _call(ivs.get_ingest_configuration, arn=redundant["arn"]))["ingestConfiguration"]
    assert got["redundantIngestCredentials"] == creds
    # turned on later: present; turned off: absent again
    on = (await _call(ivs.update_ingest_configuration, arn=plain["arn"], redundantIngest=True))[
        "ingestConfiguration"
    ]
    assert len(on["redundantIngestCredentials"]) == 1
    off = (await _call(ivs.update_ingest_configuration, arn=plain["arn"], redundantIngest=False))[
        "ingestConfiguration"
    ]
    assert "redundantIngestCredentials" not in off
    # the summary shape has no credentials
    listed = (await _call(ivs.list_ingest_configurations))["ingestConfigurations"]
    assert all("redundantIngestCredentials" not in x for x in listed)


# -- recording fields the reference gives as "" ----------------------------------------------


async def test_recording_fields_are_empty_strings_when_recording_is_off(
    ivs_emulator: Emulator,
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    stage = (await _call(ivs.create_stage, name="no-rec"))["stage"]
    # "Default: "" (empty string, no storage configuration is specified)"
    assert stage["autoParticipantRecordingConfiguration"]["storageConfigurationArn"] == ""
    token = await _token(ivs, stage["arn"])
    pid = emu.join(token)
    emu.publish(token)
    session = await _session(ivs, stage["arn"])
    got = (
        await _call(
            ivs.get_participant, stageArn=stage["arn"], sessionId=session, participantId=pid
        )
    )["participant"]
    assert (got["recordingS3BucketName"], got["recordingS3Prefix"]) == ("", "")
    assert got["recordingState"] == "DISABLED"


# -- destinations: RECONNECTING, then ACTIVE again or FAILED ---------------------------------


async def _destination(ivs: Any, arn: str) -> tuple[str, str]:
    comp = (await _call(ivs.get_composition, arn=arn))["composition"]
    return str(comp["state"]), str(comp["destinations"][0]["state"])


async def test_a_destination_reconnects(ivs_emulator: Emulator) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    emu.join(await _token(ivs, stage))
    comp = await _composition(ivs, stage)
    emu.clock.advance(10)
    dest = comp["destinations"][0]["id"]
    emu.inject_destination_failure(comp["arn"], dest, recover_after=15)
    assert await _destination(ivs, comp["arn"]) == ("ACTIVE", "RECONNECTING")
    listed = (await _call(ivs.list_compositions))["compositions"][0]
    assert listed["destinations"][0]["state"] == "RECONNECTING"
    emu.clock.advance(15)
    assert await _destination(ivs, comp["arn"]) == ("ACTIVE", "ACTIVE")


async def test_a_destination_fails_when_its_reconnection_attempts_are_exhausted(
    ivs_emulator: Emulator,
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    emu.join(await _token(ivs, stage))
    comp = await _composition(ivs, stage)
    emu.clock.advance(10)
    async with ControlClient(emu.endpoint_url) as control:
        await control.inject_destination_failure(
            comp["arn"], comp["destinations"][0]["id"], retry_for=30
        )
        with pytest.raises(ControlError) as caught:  # not ACTIVE any more
            await control.inject_destination_failure(comp["arn"], comp["destinations"][0]["id"])
        assert caught.value.code == "NOT_ACTIVE"
        with pytest.raises(ControlError) as caught:
            await control.inject_destination_failure(comp["arn"], "nope")
        assert caught.value.code == "NOT_FOUND"
    emu.clock.advance(29)
    assert await _destination(ivs, comp["arn"]) == ("ACTIVE", "RECONNECTING")
    emu.clock.advance(1)
    got = (await _call(ivs.get_composition, arn=comp["arn"]))["composition"]
    assert (got["state"], got["destinations"][0]["state"]) == ("FAILED", "FAILED")
    assert got["destinations"][0]["endTime"] == got["endTime"]


async def test_stopping_while_reconnecting_cancels_the_failure(ivs_emulator: Emulator) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    emu.clock.freeze()
    stage = await _stage(ivs)
    emu.join(await _token(ivs, stage))
    comp = await _composition(ivs, stage)
    emu.clock.advance(10)
    emu.inject_destination_failure(comp["arn"], comp["destinations"][0]["id"], retry_for=30)
    await _call(ivs.stop_composition, arn=comp["arn"])
    emu.clock.advance(60)
    assert await _destination(ivs, comp["arn"]) == ("STOPPED", "STOPPED")


# -- media errors ----------------------------------------------------------------------------


async def test_injected_publish_and_subscribe_errors_are_events_with_their_code(
    ivs_emulator: Emulator,
) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    stage = await _stage(ivs)
    token = await _token(ivs, stage)
    async with ControlClient(emu.endpoint_url) as control:
        pid = await control.join(token)
        await control.inject_media_error(pid, "publish", "BITRATE_EXCEEDED")
        await control.inject_media_error(pid, "subscribe", "PUBLISHER_NOT_FOUND")
        await control.publish(token)  # fails once
        await control.subscribe(token)
        await control.publish(token)  # the injection was used: this one publishes
        with pytest.raises(ControlError) as caught:
            await control.inject_media_error(pid, "publish", "NOT_A_CODE")  # type: ignore[arg-type]
        assert caught.value.code == "BAD_REQUEST"
        with pytest.raises(ControlError) as caught:
            await control.inject_media_error(pid, "dance", "QUOTA_EXCEEDED")  # type: ignore[arg-type]
        assert caught.value.code == "BAD_REQUEST"
    events = await _events(ivs, stage, pid)
    seen = [(e["name"], e.get("errorCode")) for e in events]
    assert seen == [
        ("JOINED", None),
        ("PUBLISH_ERROR", "BITRATE_EXCEEDED"),
        ("SUBSCRIBE_ERROR", "PUBLISHER_NOT_FOUND"),
        ("PUBLISH_STARTED", None),
    ]


async def test_an_injected_join_error(ivs_emulator: Emulator) -> None:
    emu, ivs = ivs_emulator, _client(ivs_emulator)
    stage = await _stage(ivs)
    host, guest = await _token(ivs, stage, "host"), await _token(ivs, stage, "guest")
    emu.join(host)
    made = await _call(ivs.create_participant_token, stageArn=stage, userId="late")
    late = made["participantToken"]
    emu.inject_media_error(late["participantId"], "join", "INVALID_INPUT")
    with pytest.raises(ControlError) as caught:
        emu.join(late["token"])
    assert caught.value.code == "INVALID_INPUT"
    events = await _events(ivs, stage, late["participantId"])
    assert [(e["name"], e.get("errorCode")) for e in events] == [("JOIN_ERROR", "INVALID_INPUT")]
    session = await _session(ivs, stage)
    got = await _call(
        ivs.get_participant,
        stageArn=stage,
        sessionId=session,
        participantId=late["participantId"],
    )
    assert got["participant"]["state"] == "DISCONNECTED"
    # used once: the next join succeeds; other participants were not affected
    assert emu.join(late["token"]) == late["participantId"]
    assert emu.join(guest)


async def test_redundant_credentials_through_ivsrt_keep_their_stream_key_secret(
    ivs_emulator: Emulator,
) -> None:
    async with ivs_emulator.client() as ivs:
        stage = (await ivs.api.create_stage(name="r")).stage
        assert stage is not None
        ing = await IngestConfiguration.create(
            ingest_protocol="RTMPS", stage=stage.arn, redundant_ingest=True, client=ivs
        )
    creds = list(ing.redundant_ingest_credentials or [])
    assert len(creds) == 1
    key = creds[0].stream_key
    assert key
    assert key not in repr(ing)
    assert key not in repr(creds[0])
