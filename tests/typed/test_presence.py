"""Members the service always returns are typed without ``None``; a reply that lacks one (or
sends it as null) is a ``ResponseParseError`` naming the member, over real HTTP from a small
local server, at the typed layer and the resource layer alike."""

from __future__ import annotations

import pytest

from ivsrt import ResponseParseError, Stage
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import make_client

STAGE_ARN = "arn:aws:ivs:eu-central-1:123456789012:stage/abcdABCDefgh"
TOKEN_VALUE = "eyJhbGciOiJFUzM4NCJ9.canary-token-value.sig"


@pytest.mark.parametrize("body", [{}, {"stage": None}], ids=["missing", "null"])
async def test_a_get_stage_reply_without_its_stage_is_a_parse_error(
    server: RecordingServer, body: dict[str, object]
) -> None:
    server.reply("POST", "/GetStage", Reply(body=body))
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match=r"GetStage: .*MissingMemberError at 'stage'"):
            await client.api.get_stage(arn=STAGE_ARN)
        with pytest.raises(ResponseParseError, match="'stage'"):
            await Stage.get(STAGE_ARN, client=client)
    assert len(server.requests) == 2


async def test_an_update_stage_reply_without_its_stage_is_a_parse_error(
    server: RecordingServer,
) -> None:
    server.reply("POST", "/GetStage", Reply(body={"stage": {"arn": STAGE_ARN}}))
    server.reply("POST", "/UpdateStage", Reply(body={}))
    async with make_client(server.url) as client:
        stage = await Stage.get(STAGE_ARN, client=client)
        with pytest.raises(ResponseParseError, match=r"UpdateStage: .*'stage'"):
            await stage.update(name="renamed")
    # No second GetStage to paper over the missing member.
    assert [r.path for r in server.requests] == ["/GetStage", "/UpdateStage"]


async def test_a_stage_without_its_arn_is_a_parse_error(server: RecordingServer) -> None:
    server.reply("POST", "/GetStage", Reply(body={"stage": {"name": "no-arn"}}))
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match="'arn'"):
            await client.api.get_stage(arn=STAGE_ARN)


async def test_a_token_without_its_value_is_a_parse_error_that_quotes_nothing(
    server: RecordingServer,
) -> None:
    server.reply(
        "POST",
        "/CreateParticipantToken",
        Reply(body={"participantToken": {"participantId": "p1", "userId": TOKEN_VALUE}}),
    )
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match="'token'") as caught:
            await client.api.create_participant_token(stage_arn=STAGE_ARN)
    assert TOKEN_VALUE not in str(caught.value)


async def test_a_listed_participant_without_its_id_is_a_parse_error(
    server: RecordingServer,
) -> None:
    good = {"participantId": "p1", "state": "CONNECTED"}
    server.reply(
        "POST",
        "/ListParticipants",
        Reply(body={"participants": [good, {"state": "CONNECTED"}]}),
    )
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match="'participantId'"):
            await client.api.list_participants(stage_arn=STAGE_ARN, session_id="st-0123456789abc")
        stage = Stage(client=client, arn=STAGE_ARN)
        with pytest.raises(ResponseParseError, match=r"ListParticipants: .*'participantId'"):
            async for _ in stage.participants(session_id="st-0123456789abc"):
                pass


async def test_a_reply_with_every_always_present_member_parses(server: RecordingServer) -> None:
    server.reply(
        "POST",
        "/CreateParticipantToken",
        Reply(body={"participantToken": {"participantId": "p1", "token": TOKEN_VALUE}}),
    )
    async with make_client(server.url) as client:
        got = await client.api.create_participant_token(stage_arn=STAGE_ARN)
    assert got.participant_token.participant_id == "p1"
    assert got.participant_token.token == TOKEN_VALUE
    assert got.participant_token.user_id is None


async def test_a_channel_reply_without_its_channel_is_a_parse_error(
    server: RecordingServer,
) -> None:
    server.reply("POST", "/GetChannel", Reply(body={}))
    arn = "arn:aws:ivs:eu-central-1:123456789012:channel/abcdABCDefgh"
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match=r"GetChannel: .*'channel'"):
            await client.channels.get_channel(arn=arn)
