"""Resource hashing, events bound to their client, and the same-account/region rule of
StartComposition (checked by ivsrt.validation, for the typed layer and the resources alike)."""

from __future__ import annotations

import pytest

import ivsrt
from ivsrt import (
    Composition,
    EncoderConfiguration,
    IngestConfiguration,
    Stage,
    StorageConfiguration,
)
from ivsrt import models as m
from ivsrt.emulator import Emulator

FOREIGN_CHANNEL = "arn:aws:ivs:eu-west-1:123456789012:channel/abcd1234"
OTHER_ACCOUNT_ENCODER = "arn:aws:ivs:us-west-2:210987654321:encoder-configuration/abcd1234"


async def test_resources_hash_on_their_identity(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="x", tags={"team": "live"}, client=ivs_client)
    first, second = await Stage.get(stage.arn), await Stage.get(stage.arn, client=ivs_client)
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1
    # another snapshot of the same stage: unequal, same hash; another stage: another hash
    renamed = await stage.update(name="y")
    assert renamed != stage
    assert hash(renamed) == hash(stage)
    assert len({stage, renamed}) == 2
    other = await Stage.create(name="x", tags={"team": "live"}, client=ivs_client)
    assert hash(other) != hash(stage)
    assert {s.arn: s for s in {stage, other, first}}.keys() == {stage.arn, other.arn}

    token = await stage.create_participant_token(attributes={"role": "host"})
    assert token.token
    ivs_emulator.join(token.token)
    participant = await token.participant()
    session = await stage.session()
    storage = await StorageConfiguration.create(
        s3=m.S3StorageConfiguration(bucket_name="bucket"), tags={"a": "b"}, client=ivs_client
    )
    encoder = await EncoderConfiguration.create(tags={"a": "b"}, client=ivs_client)
    ingest = await IngestConfiguration.create(
        ingest_protocol="RTMPS", stage=stage, attributes={"a": "b"}, client=ivs_client
    )
    comp = await stage.start_composition(
        destinations=[
            m.DestinationConfiguration(
                s3=m.S3DestinationConfiguration(
                    storage_configuration_arn=storage.arn,
                    encoder_configuration_arns=[encoder.arn],
                )
            )
        ],
        tags={"a": "b"},
    )
    [summary] = await stage.compositions().to_list()
    [ingest_summary] = await IngestConfiguration.list(stage=stage, client=ivs_client).to_list()
    events = await participant.events().to_list()
    objects = [
        stage,
        token,
        participant,
        session,
        storage,
        encoder,
        ingest,
        comp,
        summary,
        ingest_summary,
        *events,
    ]
    for obj in objects:
        assert hash(obj) == hash(obj), type(obj).__name__  # none raises TypeError
    assert len(set(objects)) == len(objects)
    assert await participant.refresh() in {participant}  # refreshed fields, same identity


async def test_participant_events_keep_their_client(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="events", client=ivs_client)
    alice = await stage.create_participant_token(user_id="alice")
    bob = await stage.create_participant_token(user_id="bob")
    assert alice.token
    assert bob.token
    ivs_emulator.join(alice.token)
    ivs_emulator.join(bob.token)
    ivs_emulator.publish(alice.token)
    ivs_emulator.subscribe(bob.token)
    for token, user in ((alice, "alice"), (bob, "bob")):
        participant = await token.participant()
        events = await participant.events().to_list()
        assert len(events) == 2
        assert all(e.client is ivs_client for e in events)
        for event in events:
            fetched = await event.participant()
            assert fetched.user_id == user
            assert fetched.client is ivs_client


def _channel_destination(arn: str) -> m.DestinationConfiguration:
    return m.DestinationConfiguration(channel=m.ChannelDestinationConfiguration(channel_arn=arn))


async def test_same_place_rule_in_the_typed_layer(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = (await ivs_client.api.create_stage(name="x")).stage
    assert stage is not None
    before = ivs_emulator.request_count()
    destinations = [
        _channel_destination(FOREIGN_CHANNEL),
        m.DestinationConfiguration(
            s3=m.S3DestinationConfiguration(
                storage_configuration_arn=(
                    "arn:aws:ivs:us-west-2:123456789012:storage-configuration/abcd1234"
                ),
                encoder_configuration_arns=[OTHER_ACCOUNT_ENCODER],
            )
        ),
    ]
    with pytest.raises(ivsrt.ValidationError) as raised:
        await ivs_client.api.start_composition(stage_arn=stage.arn, destinations=destinations)
    assert raised.value.paths == (
        "destinations[0].channel.channel_arn",
        "destinations[1].s3.encoder_configuration_arns[0]",
    )
    assert "(eu-west-1, 123456789012)" in str(raised.value)
    assert "(us-west-2, 210987654321)" in str(raised.value)
    assert ivs_emulator.request_count() == before  # nothing reached the server


async def test_same_place_rule_in_the_resource_layer(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="x", client=ivs_client)
    encoder_elsewhere = "arn:aws:ivs:eu-west-1:123456789012:encoder-configuration/abcd1234"
    destination = m.DestinationConfiguration(
        channel=m.ChannelDestinationConfiguration(
            channel_arn="arn:aws:ivs:us-west-2:123456789012:channel/abcd1234",
            encoder_configuration_arn=encoder_elsewhere,
        )
    )
    with pytest.raises(ivsrt.ValidationError, match="stage's region and account") as raised:
        await Composition.start(stage=stage, destinations=[destination])
    assert raised.value.operation == "StartComposition"
    assert raised.value.paths == ("destinations[0].channel.encoder_configuration_arn",)
    with pytest.raises(ivsrt.ValidationError):
        await stage.start_composition(destinations=[_channel_destination(FOREIGN_CHANNEL)])
    assert ivs_emulator.request_count("StartComposition") == 0


async def test_token_participant_fetches_the_stage_once(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="x", client=ivs_client)
    token = await stage.create_participant_token(user_id="u")
    assert token.token
    before = ivs_emulator.request_count("GetStage")
    with pytest.raises(ivsrt.NoActiveSessionError):
        await token.participant()
    ivs_emulator.join(token.token)
    participant = await token.participant()
    assert participant.user_id == "u"
    assert participant.session_id == (await stage.refresh()).active_session_id
    assert ivs_emulator.request_count("GetStage") - before == 3  # 1 + 1 + the refresh above
    # with a session id: no GetStage at all
    again = await token.participant(session_id=participant.session_id)
    assert again.participant_id == participant.participant_id
    assert ivs_emulator.request_count("GetStage") - before == 3


async def test_every_way_to_stop_a_replication(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    source = await Stage.create(name="source", client=ivs_client)
    token = await source.create_participant_token(user_id="star")
    assert token.token
    ivs_emulator.join(token.token)
    ivs_emulator.publish(token.token)
    participant = await token.participant()
    fast = {"timeout": 5, "min_delay": 0.001, "max_delay": 0.005}
    stoppers = ("participant", "replica", "handle")
    for how in stoppers:
        destination = await Stage.create(name=how, client=ivs_client)
        replication = await participant.start_replication(destination)
        replica = await replication.wait_until_active(**fast)
        if how == "participant":
            await participant.stop_replication(destination)
        elif how == "replica":
            await replica.stop()
        else:
            await replication.stop()
        status = await replication.status()
        assert status is not None
        assert status.replication_state == m.ReplicationState.STOPPED, how
    assert ivs_emulator.request_count("StopParticipantReplication") == len(stoppers)
