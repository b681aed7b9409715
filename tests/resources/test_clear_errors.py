"""Clear errors before anything is sent: list filters checked when the pager is made, errors in
the caller's argument names, and resources accepted wherever an ARN is."""

from __future__ import annotations

from typing import Any

import pytest

import ivsrt
from ivsrt import (
    Composition,
    EncoderConfiguration,
    IngestConfiguration,
    Participant,
    PublicKey,
    Stage,
    StageSession,
)
from ivsrt.emulator import Emulator
from ivsrt.tokens import TokenSigner, generate_key_pair

EXPECTED = "expected an ARN string or an object with .arn"
BAD_ARN = "arn:aws:ivs:us-west-2:123456789012:channel/abcd1234"  # not a stage ARN
SESSION_ID = "st-abcdef0123456"


@pytest.mark.parametrize(
    ("kwargs", "path", "rule"),
    [
        ({"state": "GONE"}, "state", "must be one of CONNECTED, DISCONNECTED (got 'GONE')"),
        ({"recording_state": "PAUSED"}, "recording_state", "must be one of STARTING"),
        ({"published": "yes"}, "published", "must be a boolean, got str"),
        ({"user_id": "u" * 200}, "user_id", "at most 128 characters"),
        (
            {"state": "CONNECTED", "published": False},
            "published, state",
            "only one of user_id, published, state, recording_state can be given",
        ),
        ({"session_id": "xx-1"}, "session_id", "must match the pattern"),
    ],
)
async def test_stage_participants_filters_checked_before_get_stage(
    ivs_emulator: Emulator,
    ivs_client: ivsrt.Client,
    kwargs: dict[str, Any],
    path: str,
    rule: str,
) -> None:
    stage = await Stage.create(name="filters", client=ivs_client)
    sent = ivs_emulator.request_count()
    with pytest.raises(ivsrt.ValidationError) as info:
        stage.participants(**kwargs)
    assert set(info.value.paths) == {path}
    assert rule in str(info.value)
    assert "filter_by" not in str(info.value)
    # not even the GetStage that finds the active session
    assert ivs_emulator.request_count() == sent


async def test_session_participants_filters_use_the_callers_names(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="session-filters", client=ivs_client)
    token = await stage.create_participant_token(user_id="ann")
    assert token.token
    ivs_emulator.join(token.token)
    session = await stage.session()
    sent = ivs_emulator.request_count()
    with pytest.raises(ivsrt.ValidationError, match=r"state: must be one of") as info:
        session.participants(state="GONE")  # type: ignore[arg-type]
    assert info.value.paths == ("state",)
    assert ivs_emulator.request_count() == sent
    # valid filters, with or without a session id, still list
    assert [p.user_id async for p in session.participants(state="CONNECTED")] == ["ann"]
    assert [p.user_id async for p in stage.participants(user_id="ann")] == ["ann"]


async def test_other_list_filters_checked_when_the_pager_is_made(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="lists", client=ivs_client)
    sent = ivs_emulator.request_count()
    with pytest.raises(ivsrt.ValidationError, match="only one of stage, state") as info:
        IngestConfiguration.list(stage=stage, state="ACTIVE", client=ivs_client)
    assert info.value.paths == ("stage, state",)
    with pytest.raises(ivsrt.ValidationError) as info:
        IngestConfiguration.list(state="ON", client=ivs_client)  # type: ignore[arg-type]
    assert info.value.paths == ("state",)
    with pytest.raises(ivsrt.ValidationError) as info:
        Composition.list(encoder_configuration="not-an-arn", client=ivs_client)
    assert info.value.paths == ("encoder_configuration",)
    assert "pattern" in str(info.value)
    with pytest.raises(ivsrt.ValidationError) as info:
        Composition.list(stage={"arn": stage.arn}, client=ivs_client)  # type: ignore[arg-type]
    assert str(info.value).endswith(f"stage: {EXPECTED}, got dict")
    assert ivs_emulator.request_count() == sent


async def test_resource_methods_name_the_callers_arguments(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="names", client=ivs_client)
    sent = ivs_emulator.request_count()
    cases: list[tuple[Any, str]] = []
    for call, path in (
        (lambda: Participant.get(BAD_ARN, SESSION_ID, "p1", client=ivs_client), "stage"),
        (lambda: StageSession.get(BAD_ARN, SESSION_ID, client=ivs_client), "stage"),
        (
            lambda: IngestConfiguration.create(
                ingest_protocol="RTMPS", stage=BAD_ARN, client=ivs_client
            ),
            "stage",
        ),
        (lambda: Composition.start(stage=BAD_ARN, destinations=[], client=ivs_client), "stage"),
        (lambda: stage.untag(["k" * 129]), "keys[0]"),
        (lambda: stage.untag("env"), "keys"),
    ):
        with pytest.raises(ivsrt.ValidationError) as info:
            await call()
        cases.append((info.value.paths, path))
    for paths, path in cases:
        assert path in paths, (paths, path)
    assert ivs_emulator.request_count() == sent


async def test_typed_layer_keeps_the_service_names(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="typed", client=ivs_client)
    with pytest.raises(ivsrt.ValidationError) as info:
        await ivs_client.api.list_participants(
            stage_arn=stage,
            session_id=SESSION_ID,
            filter_by_state="GONE",  # type: ignore[arg-type]
        )
    assert info.value.paths == ("filter_by_state",)
    with pytest.raises(ivsrt.ValidationError) as info:
        await ivs_client.api.untag_resource(resource_arn=stage, tag_keys=["k" * 129])
    assert info.value.paths == ("tag_keys[0]",)


async def test_resources_accepted_where_an_arn_is(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="objects", tags={"a": "1"}, client=ivs_client)
    # the typed layer: a resource or a model in place of an ARN
    assert (await ivs_client.api.get_stage(arn=stage)).stage == (
        await ivs_client.api.get_stage(arn=stage.arn)
    ).stage
    token = await ivs_client.api.create_participant_token(stage_arn=stage)
    assert token.participant_token is not None
    tags = await ivs_client.api.list_tags_for_resource(resource_arn=stage)
    assert tags.tags == {"a": "1"}
    # the resource layer: get() takes the resource or a listed summary
    listed = [s async for s in Stage.list(client=ivs_client)]
    assert (await Stage.get(listed[0])).arn == stage.arn  # the summary's client is used
    keys = generate_key_pair()
    key = await PublicKey.import_key(public_key_material=keys.public_pem, client=ivs_client)
    assert (await PublicKey.get(key)).arn == key.arn
    assert (await ivs_client.api.get_public_key(arn=key)).public_key is not None
    assert TokenSigner(private_key=keys.private_pem, public_key_arn=key).public_key_arn == key.arn
    assert keys.signer(key).public_key_arn == key.arn
    with pytest.raises(ivsrt.ValidationError, match=f"public_key_arn: {EXPECTED}, got dict"):
        TokenSigner(private_key=keys.private_pem, public_key_arn={})  # type: ignore[arg-type]
    enc = await EncoderConfiguration.create(client=ivs_client)
    assert (await EncoderConfiguration.get(enc)).arn == enc.arn
    assert [c async for c in Composition.list(stage=stage, encoder_configuration=enc)] == []


class _NoArn:
    arn = None


@pytest.mark.parametrize(
    ("value", "got"),
    [({"arn": "x"}, "dict"), (42, "int"), (_NoArn(), "_NoArn whose .arn is None")],
)
async def test_anything_else_is_a_validation_error_before_sending(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client, value: Any, got: str
) -> None:
    sent = ivs_emulator.request_count()
    with pytest.raises(ivsrt.ValidationError) as info:
        await ivs_client.api.get_stage(arn=value)
    assert str(info.value) == f"invalid GetStage request: arn: {EXPECTED}, got {got}"
    with pytest.raises(ivsrt.ValidationError) as info:
        await ivs_client.api.list_participants(stage_arn=value, session_id=SESSION_ID)
    assert info.value.paths == ("stage_arn",)
    with pytest.raises(ivsrt.ValidationError) as info:
        await ivs_client.channels.get_channel(arn=value)
    assert str(info.value) == f"invalid GetChannel request: arn: {EXPECTED}, got {got}"
    with pytest.raises(ivsrt.ValidationError) as info:
        await Stage.get(value, client=ivs_client)
    assert info.value.paths == ("arn",)
    with pytest.raises(ivsrt.ValidationError) as info:
        await Participant.get(value, SESSION_ID, "p1", client=ivs_client)
    assert str(info.value).endswith(f"stage: {EXPECTED}, got {got}")
    assert ivs_emulator.request_count() == sent
