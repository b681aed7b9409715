"""`ControlClient` drives an emulator over HTTP: the same actions as the Emulator methods."""

from __future__ import annotations

from typing import Any

import pytest

from ivsrt.emulator import ControlClient, ControlError, Emulator


async def _stage_with_token(aio: Any, user_id: str = "alice") -> tuple[str, dict[str, Any]]:
    created = await aio.create_stage(
        name="remote", participantTokenConfigurations=[{"userId": user_id}]
    )
    return created["stage"]["arn"], created["participantTokens"][0]


async def test_participants_clock_and_request_log_over_http(
    ivs_emulator: Emulator, aio: Any
) -> None:
    arn, token = await _stage_with_token(aio)
    async with ControlClient(ivs_emulator.endpoint_url) as control:
        assert (await control.health())["ok"] is True
        assert await control.join(token["token"]) == token["participantId"]
        await control.publish(token["token"])
        await control.subscribe(token["token"])
        stage = (await aio.get_stage(arn=arn))["stage"]
        session_id = stage["activeSessionId"]
        events = await aio.list_participant_events(
            stageArn=arn, sessionId=session_id, participantId=token["participantId"]
        )
        assert [e["name"] for e in events["events"]] == [
            "JOINED",
            "PUBLISH_STARTED",
            "SUBSCRIBE_STARTED",
        ]
        await control.unsubscribe(token["token"])
        await control.unpublish(token["token"])
        await control.leave(token["token"])
        assert "activeSessionId" not in (await aio.get_stage(arn=arn))["stage"]

        before = await control.now()
        after = await control.advance_clock(90)
        assert (after - before).total_seconds() >= 90
        frozen = await control.freeze_clock()
        assert await control.now() == frozen
        await control.resume_clock()

        assert await control.request_count("GetStage") == 2
        assert await control.request_count() == ivs_emulator.request_count()
        calls = await control.invocations("GetStage")
        assert [c.attempts for c in calls] == [1, 1]
        assert await control.attempts(calls[0].id) == 1


async def test_faults_rtmp_and_failures_over_http(ivs_emulator: Emulator, aio: Any) -> None:
    arn, _ = await _stage_with_token(aio)
    ingest = (await aio.create_ingest_configuration(ingestProtocol="RTMPS", stageArn=arn))[
        "ingestConfiguration"
    ]
    async with ControlClient(ivs_emulator.endpoint_url) as control:
        await control.start_rtmp(ingest["streamKey"])
        got = await aio.get_ingest_configuration(arn=ingest["arn"])
        assert got["ingestConfiguration"]["state"] == "ACTIVE"
        await control.stop_rtmp(ingest["streamKey"])
        got = await aio.get_ingest_configuration(arn=ingest["arn"])
        assert got["ingestConfiguration"]["state"] == "INACTIVE"

        await control.inject_fault("ListStages", "throttle", count=1)
        with pytest.raises(Exception, match="ThrottlingException"):
            await aio.list_stages()
        await aio.list_stages()
        await control.inject_fault("ListStages", "throttle")
        await control.clear_faults()
        await aio.list_stages()

        with pytest.raises(ControlError) as info:
            await control.fail_composition("arn:aws:ivs:us-west-2:123456789012:composition/x")
        assert info.value.code == "NOT_FOUND"


async def test_refusals_are_control_errors_without_secrets(ivs_emulator: Emulator) -> None:
    async with ControlClient(ivs_emulator.endpoint_url) as control:
        with pytest.raises(ControlError) as info:
            await control.start_rtmp("rt_secret_stream_key")
        assert info.value.code == "INVALID_STREAM_KEY"
        assert "rt_secret_stream_key" not in str(info.value)
        with pytest.raises(ControlError) as bad_token:
            await control.join("not.a.token")
        assert bad_token.value.code == "INVALID_TOKEN"
        with pytest.raises(ValueError, match="token"):
            await control.join("")
