"""Stage, tokens, sessions and participants against the emulator; client resolution."""

from __future__ import annotations

import asyncio

import pytest

import ivsrt
from ivsrt import Participant, ParticipantToken, Stage, StageSession
from ivsrt import models as m
from ivsrt.emulator import ControlError, Emulator


async def test_create_get_update_refresh_delete(ivs_client: ivsrt.Client) -> None:
    stage = await Stage.create(name="town-hall", tags={"team": "live"}, client=ivs_client)
    assert isinstance(stage, Stage)
    assert isinstance(stage, m.Stage)  # built on the generated model
    assert stage.name == "town-hall"
    assert stage.tags == {"team": "live"}
    assert stage.client is ivs_client

    fetched = await Stage.get(stage.arn, client=ivs_client)
    assert fetched == stage  # the client is not part of equality
    assert fetched.endpoints is not None

    renamed = await stage.update(name="renamed")
    assert renamed.name == "renamed"
    assert stage.name == "town-hall"  # snapshots are immutable
    assert (await stage.refresh()).name == "renamed"

    await stage.delete()
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await stage.refresh()


async def test_repr_hides_client_and_secrets(ivs_client: ivsrt.Client) -> None:
    stage = await Stage.create(name="secret-check", client=ivs_client)
    token = await stage.create_participant_token(user_id="alice", capabilities=["PUBLISH"])
    assert isinstance(token, ParticipantToken)
    assert token.token
    assert token.token not in repr(token)
    assert token.token not in str(token)
    assert "alice" in repr(token)
    assert "client" not in repr(stage).lower()
    assert token.capabilities == (m.ParticipantTokenCapability.PUBLISH,)


async def test_create_with_tokens(ivs_client: ivsrt.Client) -> None:
    configs = [m.ParticipantTokenConfiguration(user_id=f"u{i}") for i in range(3)]
    stage, tokens = await Stage.create_with_tokens(
        name="with-tokens", participant_token_configurations=configs, client=ivs_client
    )
    assert [t.user_id for t in tokens] == ["u0", "u1", "u2"]
    assert all(t.stage_arn == stage.arn for t in tokens)


async def test_more_than_12_token_configurations_rejected_before_sending(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    configs = [m.ParticipantTokenConfiguration(user_id=f"u{i}") for i in range(13)]
    with pytest.raises(ivsrt.ValidationError) as info:
        await Stage.create_with_tokens(participant_token_configurations=configs, client=ivs_client)
    assert info.value.paths == ("participant_token_configurations",)
    assert "at most 12" in str(info.value)
    assert ivs_emulator.request_count("CreateStage") == 0


async def test_ambient_client_is_used(ivs_emulator: Emulator) -> None:
    async with ivs_emulator.client() as ivs:
        stage = await Stage.create(name="ambient")
        assert stage.client is ivs
        assert (await Stage.get(stage.arn)).arn == stage.arn
        names = [s.name async for s in Stage.list()]
        assert names == ["ambient"]


async def test_innermost_client_wins_and_explicit_client_beats_ambient(
    ivs_emulator: Emulator,
) -> None:
    async with ivs_emulator.client() as outer, ivs_emulator.client() as inner:
        stage = await Stage.create(name="inner")
        assert stage.client is inner
        explicit = await Stage.get(stage.arn, client=outer)
        assert explicit.client is outer
    assert ivsrt.current_client() is None


async def test_no_client_is_a_clear_error() -> None:
    with pytest.raises(ivsrt.ConfigurationError) as info:
        await Stage.create(name="nowhere")
    message = str(info.value)
    assert "client=" in message
    assert "async with ivsrt.Client" in message
    with pytest.raises(ivsrt.ConfigurationError):
        Stage.list()


async def test_ambient_client_is_task_local(ivs_emulator: Emulator) -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    seen: list[ivsrt.Client | None] = []

    async def other_task() -> None:
        started.set()
        await release.wait()
        seen.append(ivsrt.current_client())
        with pytest.raises(ivsrt.ConfigurationError):
            await Stage.get("arn:aws:ivs:us-west-2:123456789012:stage/abc")

    task = asyncio.create_task(other_task())  # created before the `async with`
    await started.wait()
    async with ivs_emulator.client() as ivs:
        await Stage.create(name="mine")
        release.set()
        await task
        assert ivsrt.current_client() is ivs
    assert seen == [None]


async def test_participants_of_the_active_session(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="room", client=ivs_client)  # no session yet in this snapshot
    alice = await stage.create_participant_token(user_id="alice")
    bob = await stage.create_participant_token(user_id="bob")
    assert alice.token
    assert bob.token
    alice_id = ivs_emulator.join(alice.token)
    ivs_emulator.join(bob.token)
    ivs_emulator.publish(alice.token)
    ivs_emulator.leave(bob.token)

    everyone = [p async for p in stage.participants()]
    assert all(isinstance(p, Participant) for p in everyone)
    assert sorted(p.user_id or "" for p in everyone) == ["alice", "bob"]
    connected = [p.user_id async for p in stage.participants(state="CONNECTED")]
    assert connected == ["alice"]
    published = [p.user_id async for p in stage.participants(published=True)]
    assert published == ["alice"]
    by_user = [p.participant_id async for p in stage.participants(user_id="alice")]
    assert by_user == [alice_id]

    listed = next(p for p in everyone if p.participant_id == alice_id)
    full = await listed.refresh()
    assert full.participant_id == alice_id
    assert full.stage_arn == stage.arn
    assert full.session_id == listed.session_id
    assert await alice.participant() == full

    names = [e.name async for e in full.events()]
    assert m.EventName.JOINED in names
    assert m.EventName.PUBLISH_STARTED in names

    await full.disconnect(reason="bye")
    assert (await full.refresh()).state == m.ParticipantState.DISCONNECTED


async def test_participants_without_active_session_is_a_clear_error(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="empty", client=ivs_client)
    pager = stage.participants()
    with pytest.raises(ivsrt.NoActiveSessionError, match="no active session"):
        await pager.to_list()
    assert ivs_emulator.request_count("ListParticipants") == 0


async def test_only_one_participant_filter_checked_before_sending(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="filters", client=ivs_client)
    sent = ivs_emulator.request_count()
    with pytest.raises(ivsrt.ValidationError) as info:
        stage.participants(session_id="st-abcdef0123456", user_id="alice", state="CONNECTED")
    assert "only one of user_id, published, state, recording_state" in str(info.value)
    assert set(info.value.paths[0].split(", ")) == {"user_id", "state"}
    assert ivs_emulator.request_count() == sent


async def test_sessions_and_session_waiter(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="sessions", client=ivs_client)
    token = await stage.create_participant_token(user_id="carol")
    assert token.token
    ivs_emulator.join(token.token)
    session = await stage.session()
    assert isinstance(session, StageSession)
    assert not session.ended
    listed = [s async for s in stage.sessions()]
    assert [s.session_id for s in listed] == [session.session_id]
    assert [p.user_id async for p in session.participants()] == ["carol"]

    waiter = asyncio.create_task(session.wait_until_ended(min_delay=0.001, max_delay=0.005))
    await asyncio.sleep(0.02)
    assert not waiter.done()
    ivs_emulator.leave(token.token)
    ended = await asyncio.wait_for(waiter, 5)
    assert ended.ended
    assert ended.session_id == session.session_id


async def test_tags(ivs_client: ivsrt.Client) -> None:
    stage = await Stage.create(name="tagged", tags={"a": "1"}, client=ivs_client)
    await stage.tag({"b": "2"})
    assert await stage.fetch_tags() == {"a": "1", "b": "2"}
    await stage.untag(["a"])
    assert await stage.fetch_tags() == {"b": "2"}
    assert stage.tags == {"a": "1"}  # the snapshot keeps what it saw


async def test_per_call_retry_policy(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    stage = await Stage.create(name="retry", client=ivs_client)
    patient = ivsrt.RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002)
    ivs_emulator.faults.inject("GetStage", "throttle", count=2)
    fetched = await Stage.get(stage.arn, client=ivs_client, retry=patient)
    assert fetched == stage
    assert ivs_emulator.request_count("GetStage") == 3

    ivs_emulator.faults.inject("GetStage", "throttle", count=1)
    impatient = stage.with_options(retry=ivsrt.RetryPolicy.none())
    assert impatient == stage
    with pytest.raises(ivsrt.ThrottlingError):
        await impatient.refresh()
    assert ivs_emulator.request_count("GetStage") == 4
    assert (await stage.refresh()).arn == stage.arn  # the original keeps its client's policy


async def test_token_revoke_disconnects_and_bars_the_token(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="revoke", client=ivs_client)
    token = await stage.create_participant_token(user_id="carol")
    ivs_emulator.join(token.token or "")
    participant = await token.participant()
    assert participant.state == m.ParticipantState.CONNECTED

    await token.revoke()

    assert (await participant.refresh()).state == m.ParticipantState.DISCONNECTED
    with pytest.raises(ControlError) as err:
        ivs_emulator.join(token.token or "")
    assert err.value.code == "TOKEN_REVOKED"


async def test_participant_revoke_token_uses_the_participant_id(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="revoke-p", client=ivs_client)
    token = await stage.create_participant_token(user_id="dave")
    ivs_emulator.join(token.token or "")
    (participant,) = [p async for p in stage.participants(state="CONNECTED")]

    await participant.revoke_token()

    assert (await participant.refresh()).state == m.ParticipantState.DISCONNECTED
    with pytest.raises(ControlError):
        ivs_emulator.join(token.token or "")
