"""Listed resources are built once, straight from the wire (``_convert.make_builder`` through
``ivsrt._runtime.pipeline.invoke``): they must be the same objects the typed layer's models would give,
bound to their client and context, frozen, and checked like any other call."""

from __future__ import annotations

import datetime
from typing import Any

import attrs
import pytest

import ivsrt
from ivsrt import Stage
from ivsrt import models as m
from ivsrt._convert import make_builder
from ivsrt.emulator import Emulator
from ivsrt.resources._base import model_fields

from .conftest import FakeService

STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCD1234"


async def test_listed_participants_match_the_typed_layer(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="listed", client=ivs_client)
    for i in range(7):
        token = await stage.create_participant_token(user_id=f"user-{i}", attributes={"i": str(i)})
        assert token.token
        ivs_emulator.join(token.token)
    fresh = await stage.refresh()
    sid = fresh.active_session_id
    assert sid

    listed = [p async for p in stage.participants(page_size=3)]
    typed = await ivs_client.api.list_participants(
        stage_arn=stage.arn, session_id=sid, max_results=100
    )
    assert len(listed) == len(typed.participants) == 7
    by_id = {s.participant_id: s for s in typed.participants}
    for p in listed:
        assert type(p) is ivsrt.Participant
        assert p._client is ivs_client
        assert (p.stage_arn, p.session_id) == (stage.arn, sid)
        summary = by_id[p.participant_id]
        # every listed member as the typed layer structures it, every other field None
        assert model_fields(summary) == {n: getattr(p, n) for n in model_fields(summary)}
        assert p.attributes is None
        assert p.os_name is None
        assert p.protocol is None
        assert isinstance(p.first_join_time, datetime.datetime)
        assert p.first_join_time.tzinfo is not None
        assert isinstance(p.state, m.ParticipantState)
        # the same object as the one built through the constructor
        built = ivsrt.Participant(
            stage_arn=stage.arn, session_id=sid, client=ivs_client, **model_fields(summary)
        )
        assert p == built
        assert hash(p) == hash(built)
        assert repr(p) == repr(built)
        assert "client" not in repr(p).lower()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            p.user_id = "changed"  # type: ignore[misc]
    # bound to its client: acting on a listed participant works
    refreshed = await listed[0].refresh()
    assert refreshed.attributes == {"i": listed[0].user_id.split("-")[1]}  # type: ignore[union-attr]


async def test_every_listed_resource_keeps_its_client(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="bound", client=ivs_client)
    token = await stage.create_participant_token(user_id="u")
    assert token.token
    ivs_emulator.join(token.token)
    [listed_stage] = [s async for s in Stage.list(client=ivs_client) if s.arn == stage.arn]
    assert type(listed_stage) is Stage
    assert listed_stage.client is ivs_client
    assert listed_stage.name == "bound"
    assert listed_stage.endpoints is None
    [session] = await listed_stage.sessions().to_list()
    assert session.stage_arn == stage.arn
    assert session._client is ivs_client
    [participant] = await session.participants().to_list()
    assert participant.session_id == session.session_id
    events = await participant.events().to_list()
    assert events
    assert all((e.stage_arn, e.session_id) == (stage.arn, session.session_id) for e in events)
    assert all(isinstance(e, ivsrt.ParticipantEvent) for e in events)


async def test_a_listing_the_model_does_not_match_is_a_parse_error(
    fake_service: FakeService,
) -> None:
    # ListStages without its required "stages" member
    fake_service.handlers["ListStages"] = lambda body: {"nextToken": None}
    async with fake_service.client() as client:
        with pytest.raises(ivsrt.ResponseParseError, match="ListStages"):
            await Stage.list(client=client).to_list()


async def test_listed_items_are_converted_like_the_typed_layer(fake_service: FakeService) -> None:
    participant: dict[str, Any] = {
        "participantId": "p1",
        "userId": "u-42",
        "state": "SOMETHING_NEW",  # an enum value this ivsrt does not know is kept
        "firstJoinTime": "2025-03-01T12:00:00.123Z",
        "published": True,
        "unknownMember": "ignored",
    }
    fake_service.handlers["ListParticipants"] = lambda body: {"participants": [participant]}
    async with fake_service.client() as client:
        stage = Stage(arn=STAGE_ARN, client=client)
        [listed] = await stage.participants(session_id="st-0123456789abc").to_list()
        typed = await client.api.list_participants(
            stage_arn=STAGE_ARN, session_id="st-0123456789abc"
        )
    [summary] = typed.participants
    assert listed.user_id == summary.user_id == "u-42"
    assert listed.state == summary.state
    assert listed.state is not None
    assert listed.state.value == "SOMETHING_NEW"
    assert listed.first_join_time == summary.first_join_time
    assert listed.first_join_time == datetime.datetime(
        2025, 3, 1, 12, 0, 0, 123000, tzinfo=datetime.timezone.utc
    )
    # the request carried the wire names the typed layer sends
    (_, body), (_, typed_body) = fake_service.requests
    assert body == typed_body == {"stageArn": STAGE_ARN, "sessionId": "st-0123456789abc"}


async def test_listed_items_reject_wrong_types_like_the_typed_layer(
    fake_service: FakeService,
) -> None:
    participant = {"participantId": "p1", "userId": 42}  # a number is not a string
    fake_service.handlers["ListParticipants"] = lambda body: {"participants": [participant]}
    async with fake_service.client() as client:
        stage = Stage(arn=STAGE_ARN, client=client)
        with pytest.raises(ivsrt.ResponseParseError, match="userId"):
            await stage.participants(session_id="st-0123456789abc").to_list()
        with pytest.raises(ivsrt.ResponseParseError, match="userId"):
            await client.api.list_participants(stage_arn=STAGE_ARN, session_id="st-0123456789abc")


async def test_invoke_rejects_unknown_parameters(fake_service: FakeService) -> None:
    from ivsrt._generated.operations import _LIST_STAGES
    from ivsrt._runtime.pipeline import invoke

    async with fake_service.client() as client:
        with pytest.raises(TypeError, match="no parameter 'stage'"):
            await invoke(client, _LIST_STAGES, dict, stage="x")
    assert fake_service.requests == []


def test_make_builder_refuses_what_it_cannot_build() -> None:
    @attrs.frozen(kw_only=True)
    class Checked(m.StageSummary):
        extra: int = attrs.field(validator=attrs.validators.instance_of(int))

    with pytest.raises(TypeError, match="validator"):
        make_builder(Checked, m.StageSummary, ("extra",))

    @attrs.frozen(kw_only=True)
    class Required(m.StageSummary):
        extra: int

    with pytest.raises(TypeError, match="neither on the wire nor extra"):
        make_builder(Required, m.StageSummary)
    with pytest.raises(TypeError, match="no field"):
        make_builder(Required, m.StageSummary, ("extra", "missing"))
    build = make_builder(Required, m.StageSummary, ("extra",))
    built = build({"arn": STAGE_ARN, "name": "n", "tags": {"k": "v"}}, (7,))
    assert built == Required(arn=STAGE_ARN, name="n", tags={"k": "v"}, extra=7)
