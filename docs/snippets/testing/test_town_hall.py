"""Tests of an application's IVS code, run against the bundled emulator."""

import pytest

import ivsrt
from ivsrt import ParticipantToken, Stage
from ivsrt.emulator import Emulator
from ivsrt.models import ParticipantTokenConfiguration


# The code under test: your application's own function.
async def open_town_hall(ivs: ivsrt.Client, host: str) -> tuple[Stage, ParticipantToken]:
    """Create a stage with a publish token for the host."""
    stage, (token,) = await Stage.create_with_tokens(
        name="town-hall",
        participant_token_configurations=[
            ParticipantTokenConfiguration(user_id=host, capabilities=["PUBLISH", "SUBSCRIBE"]),
        ],
        client=ivs,
    )
    return stage, token


async def test_host_can_join_and_publish(ivs_client: ivsrt.Client, ivs_emulator: Emulator) -> None:
    stage, token = await open_town_hall(ivs_client, host="alice")

    participant_id = ivs_emulator.join(token.token)  # what the host's browser would do
    ivs_emulator.publish(token.token)

    session = await stage.session()  # the first join started a session
    assert not session.ended
    participant = await stage.participant(participant_id)
    assert participant.user_id == "alice"
    assert participant.state == "CONNECTED"
    assert participant.published


async def test_survives_throttling(ivs_client: ivsrt.Client, ivs_emulator: Emulator) -> None:
    ivs_emulator.faults.inject("CreateStage", "throttle", count=2)  # the next 2 calls: 429
    stage, _ = await open_town_hall(ivs_client, host="bob")  # retried, then succeeds
    assert stage.arn.startswith("arn:aws:ivs:us-west-2:123456789012:stage/")
    [call] = ivs_emulator.invocations("CreateStage")
    assert call.attempts == 3


async def test_reports_an_outage(ivs_client: ivsrt.Client, ivs_emulator: Emulator) -> None:
    ivs_emulator.faults.inject(None, "server_error", status=503)  # every call fails
    with pytest.raises(ivsrt.ServiceError) as failure:
        await open_town_hall(ivs_client, host="carol")
    assert failure.value.status == 503
