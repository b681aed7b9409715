"""Token exchange and the tokens that never join again, checked through plain boto3 and
written from the API reference: a TOKEN_EXCHANGED event carries ``previousToken`` and
``newToken`` (ExchangedParticipantToken: capabilities, attributes, userId, expirationTime);
DisconnectParticipant and RevokeConnectionToken keep a participant out, and its refused join
is a JOIN_ERROR event with an ``errorCode`` of the model's EventErrorCode."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import ivsrt
from ivsrt import Stage
from ivsrt.emulator import ControlError, Emulator
from ivsrt.events import StageUpdate, parse_event
from ivsrt.tokens import TokenSigner, generate_key_pair
from tests.emulator._boto import Boto


async def signer_and_stage(boto: Boto) -> tuple[TokenSigner, str, dict[str, Any]]:
    keys = generate_key_pair()
    imported = await boto("import_public_key", publicKeyMaterial=keys.public_pem)
    stage = (await boto("create_stage", name="exchange"))["stage"]
    return keys.signer(imported["publicKey"]["arn"]), stage["arn"], stage


async def participant_events(boto: Boto, stage: str, pid: str) -> list[dict[str, Any]]:
    session = (await boto("list_stage_sessions", stageArn=stage))["stageSessions"][0]
    found = await boto(
        "list_participant_events",
        stageArn=stage,
        sessionId=session["sessionId"],
        participantId=pid,
    )
    events: list[dict[str, Any]] = found["events"]
    return events


async def test_an_exchanged_token_keeps_the_participant(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client, boto: Boto
) -> None:
    signer, arn, _ = await signer_and_stage(boto)
    stage = await Stage.get(arn, client=ivs_client)
    guest = signer.mint(stage, user_id="guest", capabilities=["SUBSCRIBE"], duration=60)
    pid = ivs_emulator.join(guest.token or "")
    ivs_emulator.publish(guest.token or "")  # a PUBLISH_ERROR: not allowed yet
    host = signer.exchange(
        guest, capabilities=["PUBLISH", "SUBSCRIBE"], attributes={"role": "host"}, user_id="h"
    )
    assert ivs_emulator.join(host.token or "") == pid
    ivs_emulator.publish(host.token or "")
    with pytest.raises(ControlError) as again:
        ivs_emulator.join(host.token or "")  # the same token again is not an exchange
    assert again.value.code == "ALREADY_CONNECTED"

    session = (await boto("list_stage_sessions", stageArn=arn))["stageSessions"]
    assert len(session) == 1
    participants = await boto("list_participants", stageArn=arn, sessionId=session[0]["sessionId"])
    assert [p["participantId"] for p in participants["participants"]] == [pid]
    got = await boto(
        "get_participant", stageArn=arn, sessionId=session[0]["sessionId"], participantId=pid
    )
    assert got["participant"]["userId"] == "h"
    assert got["participant"]["attributes"] == {"role": "host"}

    events = await participant_events(boto, arn, pid)
    assert [e["name"] for e in events] == [
        "JOINED",
        "PUBLISH_ERROR",
        "TOKEN_EXCHANGED",
        "PUBLISH_STARTED",
    ]
    exchanged = events[2]
    assert exchanged["previousToken"] == {
        "capabilities": ["SUBSCRIBE"],
        "attributes": {},
        "userId": "guest",
        "expirationTime": guest.expiration_time,
    }
    assert exchanged["newToken"] == {
        "capabilities": ["PUBLISH", "SUBSCRIBE"],
        "attributes": {"role": "host"},
        "userId": "h",
        "expirationTime": host.expiration_time,
    }
    assert isinstance(exchanged["newToken"]["expirationTime"], datetime.datetime)

    (update,) = ivs_emulator.events(event_name="Token Exchanged")
    parsed = parse_event(update)
    assert isinstance(parsed, StageUpdate)
    assert (parsed.stage_arn, parsed.participant_id, parsed.user_id) == (arn, pid, "h")


async def test_an_exchange_that_takes_publish_away_stops_publishing(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client, boto: Boto
) -> None:
    signer, arn, _ = await signer_and_stage(boto)
    stage = await Stage.get(arn, client=ivs_client)
    speaker = signer.mint(stage, user_id="s")
    pid = ivs_emulator.join(speaker.token or "")
    ivs_emulator.publish(speaker.token or "")
    ivs_emulator.subscribe(speaker.token or "")
    ivs_emulator.join(signer.exchange(speaker, capabilities=[]).token or "")
    names = [e["name"] for e in await participant_events(boto, arn, pid)]
    assert names[-3:] == ["PUBLISH_STOPPED", "SUBSCRIBE_STOPPED", "TOKEN_EXCHANGED"]
    assert ivs_emulator.events(event_name="Participant Unpublished") != []


async def test_a_disconnected_participant_never_joins_again(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client, boto: Boto
) -> None:
    signer, arn, _ = await signer_and_stage(boto)
    stage = await Stage.get(arn, client=ivs_client)
    troll, other = signer.mint(stage), signer.mint(stage)
    pid = ivs_emulator.join(troll.token or "")
    ivs_emulator.join(other.token or "")
    await boto("disconnect_participant", stageArn=arn, participantId=pid, reason="rude")
    for token in (troll, signer.exchange(troll, duration=30)):
        with pytest.raises(ControlError, match="DisconnectParticipant") as refused:
            ivs_emulator.join(token.token or "")
        assert refused.value.code == "TOKEN_REVOKED"
    events = await participant_events(boto, arn, pid)
    assert [e["name"] for e in events] == ["JOINED", "LEFT", "JOIN_ERROR", "JOIN_ERROR"]
    assert events[-1]["errorCode"] == "INSUFFICIENT_CAPABILITIES"
    # another participant of the stage, and the same participant id elsewhere, are not affected
    ivs_emulator.leave(other.token or "")
    ivs_emulator.join(other.token or "")
    elsewhere = (await boto("create_stage", name="elsewhere"))["stage"]["arn"]
    fresh = (await boto("create_participant_token", stageArn=elsewhere))["participantToken"]
    ivs_emulator.join(fresh["token"])


async def test_a_revoked_token_is_a_join_error_too(ivs_emulator: Emulator, boto: Boto) -> None:
    arn = (await boto("create_stage", name="revoked"))["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
    pid = ivs_emulator.join(token["token"])
    await boto("revoke_connection_token", tokenId=pid)
    with pytest.raises(ControlError, match="RevokeConnectionToken") as refused:
        ivs_emulator.join(token["token"])
    assert refused.value.code == "TOKEN_REVOKED"
    events = await participant_events(boto, arn, pid)
    assert [e["name"] for e in events][-1] == "JOIN_ERROR"
    assert events[-1]["errorCode"] == "INSUFFICIENT_CAPABILITIES"


async def test_disconnections_survive_a_snapshot(ivs_emulator: Emulator, boto: Boto) -> None:
    arn = (await boto("create_stage", name="kept"))["stage"]["arn"]
    token = (await boto("create_participant_token", stageArn=arn))["participantToken"]
    pid = ivs_emulator.join(token["token"])
    await boto("disconnect_participant", stageArn=arn, participantId=pid)
    saved = ivs_emulator.snapshot()
    ivs_emulator.reset()
    ivs_emulator.restore(saved)
    with pytest.raises(ControlError) as refused:
        ivs_emulator.join(token["token"])
    assert refused.value.code == "TOKEN_REVOKED"
