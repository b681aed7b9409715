"""Every operation's happy path and error paths, through the typed layer (ivsrt.Client)."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import ivsrt
from ivsrt import models as m
from ivsrt._generated.constraints import OPERATIONS
from ivsrt.emulator import ControlError, Emulator
from tests.emulator._boto import client_channel

STAGE_ARN_RE = r"arn:aws:ivs:us-west-2:123456789012:stage/[a-zA-Z0-9]{12}"


async def _stage(ivs: ivsrt.Client, *caps: list[str]) -> m.CreateStageResponse:
    return await ivs.api.create_stage(
        name="s",
        participant_token_configurations=[
            m.ParticipantTokenConfiguration(user_id=f"u{i}", capabilities=c)
            for i, c in enumerate(caps)
        ],
    )


def _tok(t: m.ParticipantToken) -> str:
    assert t.token is not None
    return t.token


async def test_every_operation_is_routed(ivs_emulator: Emulator, aio: Any) -> None:
    # every operation of the model is routed (none answers "unknown operation")
    assert len(OPERATIONS) == 40  # the model ivsrt ships (botocore 1.44.8)
    codes: dict[str, str] = {}
    for name, spec in OPERATIONS.items():
        method = getattr(aio, spec["python_name"])
        kwargs = {"resourceArn": "arn:aws:ivs:us-west-2:123456789012:stage/nope"}
        try:
            await method(**(kwargs if "{resourceArn}" in spec["uri"] else {}))
            codes[name] = "OK"
        except ClientError as exc:
            codes[name] = exc.response["Error"]["Code"]
    # empty List* requests succeed; everything else names what is missing or unknown
    assert set(codes.values()) == {"OK", "ValidationException", "ResourceNotFoundException"}
    assert codes["ListStages"] == "OK"
    assert codes["GetStage"] == "ValidationException"
    assert codes["ListTagsForResource"] == "ResourceNotFoundException"
    assert ivs_emulator.request_count() == len(OPERATIONS)
    assert all(ivs_emulator.request_count(op) == 1 for op in OPERATIONS)


async def test_stage_crud_and_tokens(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    created = await api.create_stage(
        name="town-hall",
        tags={"team": "live"},
        participant_token_configurations=[
            m.ParticipantTokenConfiguration(user_id="alice", duration=30, attributes={"a": "1"}),
        ],
    )
    stage = created.stage
    assert stage is not None
    assert stage.arn.startswith("arn:aws:ivs:us-west-2:123456789012:stage/")
    assert stage.endpoints is not None
    assert stage.endpoints.whip
    assert stage.endpoints.rtmps
    assert stage.auto_participant_recording_configuration is not None
    assert stage.auto_participant_recording_configuration.storage_configuration_arn == ""
    tok = created.participant_tokens[0]
    assert tok.duration == 30
    assert list(tok.capabilities or []) == ["PUBLISH", "SUBSCRIBE"]
    # a real ES384 JWT, verifiable with the emulator's public key
    pem = ivs_emulator.token_public_key_pem
    claims = jwt.decode(_tok(tok), pem, algorithms=["ES384"])
    assert jwt.get_unverified_header(_tok(tok))["alg"] == "ES384"
    assert claims["jti"] == tok.participant_id
    assert claims["resource"] == stage.arn
    assert claims["user_id"] == "alice"
    assert claims["attributes"] == {"a": "1"}
    assert tok.expiration_time is not None
    assert claims["exp"] == int(tok.expiration_time.timestamp())
    now = ivs_emulator.clock.now().timestamp()
    assert 29 * 60 < claims["exp"] - now <= 30 * 60
    # the token's repr hides the secret
    assert _tok(tok) not in repr(created)

    more = await api.create_participant_token(stage_arn=stage.arn, capabilities=["SUBSCRIBE"])
    assert more.participant_token is not None
    assert more.participant_token.duration == 720

    got = (await api.get_stage(arn=stage.arn)).stage
    assert got is not None
    assert got.name == "town-hall"
    assert got.tags == {"team": "live"}
    updated = (await api.update_stage(arn=stage.arn, name="renamed")).stage
    assert updated is not None
    assert updated.name == "renamed"
    listed = await api.list_stages()
    assert [s.arn for s in listed.stages] == [stage.arn]
    await api.delete_stage(arn=stage.arn)
    with pytest.raises(ivsrt.ResourceNotFoundError, match="Stage not found"):
        await api.get_stage(arn=stage.arn)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.update_stage(arn=stage.arn, name="x")
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.delete_stage(arn=stage.arn)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.create_participant_token(stage_arn=stage.arn)


async def test_sessions_participants_and_events(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    api = ivs_client.api
    created = await _stage(ivs_client, ["PUBLISH", "SUBSCRIBE"], ["SUBSCRIBE"])
    stage = created.stage
    assert stage is not None
    assert stage.active_session_id is None
    pub, sub = (_tok(t) for t in created.participant_tokens)
    pid = ivs_emulator.join(pub)
    assert pid == created.participant_tokens[0].participant_id
    ivs_emulator.publish(pub)
    sid_ = ivs_emulator.join(sub)
    ivs_emulator.subscribe(sub)
    ivs_emulator.publish(sub)  # SUBSCRIBE-only: an error event, not a publish
    with pytest.raises(ControlError, match="already connected"):
        ivs_emulator.join(pub)

    stage = (await api.get_stage(arn=stage.arn)).stage
    assert stage is not None
    assert stage.active_session_id is not None
    session_id = stage.active_session_id
    assert len(session_id) == 16
    assert session_id.startswith("st-")
    session = await api.get_stage_session(stage_arn=stage.arn, session_id=session_id)
    assert session.stage_session.end_time is None
    parts = (await api.list_participants(stage_arn=stage.arn, session_id=session_id)).participants
    assert {(p.participant_id, p.published) for p in parts} == {(pid, True), (sid_, False)}
    only_pub = await api.list_participants(
        stage_arn=stage.arn, session_id=session_id, filter_by_published=True
    )
    assert [p.participant_id for p in only_pub.participants] == [pid]
    got = await api.get_participant(stage_arn=stage.arn, session_id=session_id, participant_id=pid)
    assert got.participant is not None
    assert str(got.participant.state) == "CONNECTED"
    assert str(got.participant.protocol) == "WHIP"

    ev = await api.list_participant_events(
        stage_arn=stage.arn, session_id=session_id, participant_id=sid_
    )
    names = [(str(e.name), e.error_code and str(e.error_code)) for e in ev.events]
    assert names == [
        ("JOINED", None),
        ("SUBSCRIBE_STARTED", None),
        ("PUBLISH_ERROR", "INSUFFICIENT_CAPABILITIES"),
    ]
    assert ev.events[1].remote_participant_id == pid

    await api.disconnect_participant(stage_arn=stage.arn, participant_id=sid_, reason="bye")
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.disconnect_participant(stage_arn=stage.arn, participant_id=sid_)
    ivs_emulator.unpublish(pub)
    ivs_emulator.leave(pub)
    with pytest.raises(ControlError):
        ivs_emulator.leave(pub)
    ended = await api.get_stage_session(stage_arn=stage.arn, session_id=session_id)
    assert ended.stage_session.end_time is not None
    stage = (await api.get_stage(arn=stage.arn)).stage
    assert stage is not None
    assert stage.active_session_id is None
    ev = await api.list_participant_events(
        stage_arn=stage.arn, session_id=session_id, participant_id=pid
    )
    assert [str(e.name) for e in ev.events] == [
        "JOINED",
        "PUBLISH_STARTED",
        "PUBLISH_STOPPED",
        "LEFT",
    ]
    # a new join starts a new session
    ivs_emulator.join(pub)
    sessions = (await api.list_stage_sessions(stage_arn=stage.arn)).stage_sessions
    assert len(sessions) == 2
    assert sessions[1].session_id == session_id
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_stage_session(stage_arn=stage.arn, session_id="st-AAAAAAAAAAAAA")
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_participant(stage_arn=stage.arn, session_id=session_id, participant_id="x")


async def test_token_expiry_and_bad_tokens(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    created = await ivs_client.api.create_stage(
        participant_token_configurations=[m.ParticipantTokenConfiguration(duration=1)]
    )
    token = _tok(created.participant_tokens[0])
    ivs_emulator.clock.advance(61)
    with pytest.raises(ControlError, match="expired") as info:
        ivs_emulator.join(token)
    assert info.value.code == "TOKEN_EXPIRED"
    with pytest.raises(ControlError, match="not a JWT"):
        ivs_emulator.join("garbage")
    other = ec.generate_private_key(ec.SECP384R1())
    forged = jwt.encode(
        {"jti": "x", "exp": 2**40, "resource": "r"}, other, algorithm="ES384", headers={"kid": "k"}
    )
    with pytest.raises(ControlError, match="signature"):
        ivs_emulator.join(forged)
    header, payload, _ = token.split(".")
    bad_signature = base64.urlsafe_b64encode(b"x" * 96).rstrip(b"=").decode()
    with pytest.raises(ControlError, match="signature"):
        ivs_emulator.join(f"{header}.{payload}.{bad_signature}")


async def test_public_keys_and_self_signed_tokens(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    api = ivs_client.api
    key = ec.generate_private_key(ec.SECP384R1())
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    imported = (await api.import_public_key(public_key_material=pem, name="mine")).public_key
    assert imported is not None
    assert imported.arn is not None
    assert imported.fingerprint
    assert (await api.get_public_key(arn=imported.arn)).public_key == imported
    assert [k.arn for k in (await api.list_public_keys()).public_keys] == [imported.arn]
    with pytest.raises(ivsrt.ConflictError, match="already imported"):
        await api.import_public_key(public_key_material=pem)
    p256 = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ivsrt.ServiceValidationError, match="P-384"):
        await api.import_public_key(public_key_material=p256)
    rsa_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ivsrt.ServiceValidationError, match="EC key"):
        await api.import_public_key(public_key_material=rsa_pem)

    stage = (await api.create_stage(name="self-signed")).stage
    assert stage is not None
    exp = ivs_emulator.clock.now() + datetime.timedelta(hours=1)
    token = jwt.encode(
        {
            "jti": "my-own-id",
            "resource": stage.arn,
            "exp": int(exp.timestamp()),
            "capabilities": {"allow_publish": True},
        },
        key,
        algorithm="ES384",
    )
    assert ivs_emulator.join(token) == "my-own-id"
    ivs_emulator.leave(token)
    await api.delete_public_key(arn=imported.arn)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_public_key(arn=imported.arn)
    with pytest.raises(ControlError, match="signature"):
        ivs_emulator.join(token)  # the key is gone


async def test_compositions(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    ivs_emulator.clock.freeze()
    stage = (await api.create_stage()).stage
    assert stage is not None
    enc = (await api.create_encoder_configuration(name="e")).encoder_configuration
    sto = (
        await api.create_storage_configuration(s3=m.S3StorageConfiguration(bucket_name="bkt"))
    ).storage_configuration
    assert enc is not None
    assert sto is not None
    assert enc.video is not None
    assert enc.video.width == 1280
    channel = await client_channel(ivs_client)
    dests = [
        m.DestinationConfiguration(
            channel=m.ChannelDestinationConfiguration(
                channel_arn=channel, encoder_configuration_arn=enc.arn
            )
        ),
        m.DestinationConfiguration(
            s3=m.S3DestinationConfiguration(
                storage_configuration_arn=sto.arn, encoder_configuration_arns=[enc.arn]
            )
        ),
    ]
    comp = (
        await api.start_composition(stage_arn=stage.arn, destinations=dests, idempotency_token="t1")
    ).composition
    assert comp is not None
    assert str(comp.state) == "STARTING"
    again = (
        await api.start_composition(stage_arn=stage.arn, destinations=dests, idempotency_token="t1")
    ).composition
    assert again is not None
    assert again.arn == comp.arn
    assert len((await api.list_compositions()).compositions) == 1

    ivs_emulator.clock.advance(4.9)
    got = (await api.get_composition(arn=comp.arn)).composition
    assert got is not None
    assert str(got.state) == "STARTING"
    ivs_emulator.clock.advance(0.2)
    got = (await api.get_composition(arn=comp.arn)).composition
    assert got is not None
    assert str(got.state) == "ACTIVE"
    assert got.start_time is not None
    assert {str(d.state) for d in got.destinations} == {"ACTIVE"}
    s3dest = next(d for d in got.destinations if d.configuration.s3 is not None)
    assert s3dest.detail is not None
    assert s3dest.detail.s3 is not None

    # in use: cannot delete the encoder or storage configuration
    with pytest.raises(ivsrt.ConflictError, match="used by composition"):
        await api.delete_encoder_configuration(arn=enc.arn)
    with pytest.raises(ivsrt.ConflictError, match="used by composition"):
        await api.delete_storage_configuration(arn=sto.arn)
    by_enc = await api.list_compositions(filter_by_encoder_configuration_arn=enc.arn)
    assert [c.arn for c in by_enc.compositions] == [comp.arn]

    await api.stop_composition(arn=comp.arn)
    got = (await api.get_composition(arn=comp.arn)).composition
    assert got is not None
    assert str(got.state) == "STOPPING"
    ivs_emulator.clock.advance(2)
    got = (await api.get_composition(arn=comp.arn)).composition
    assert got is not None
    assert str(got.state) == "STOPPED"
    assert got.end_time is not None
    await api.delete_encoder_configuration(arn=enc.arn)
    await api.delete_storage_configuration(arn=sto.arn)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_encoder_configuration(arn=enc.arn)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_storage_configuration(arn=sto.arn)

    # failing on demand
    c2 = (
        await api.start_composition(
            stage_arn=stage.arn,
            destinations=[
                m.DestinationConfiguration(
                    channel=m.ChannelDestinationConfiguration(
                        channel_arn=await client_channel(ivs_client)
                    )
                )
            ],
        )
    ).composition
    assert c2 is not None
    ivs_emulator.fail_destination(c2.arn, c2.destinations[0].id)
    got = (await api.get_composition(arn=c2.arn)).composition
    assert got is not None
    assert str(got.state) == "FAILED"
    assert str(got.destinations[0].state) == "FAILED"
    with pytest.raises(ControlError):
        ivs_emulator.fail_composition(c2.arn)
    c3 = (
        await api.start_composition(
            stage_arn=stage.arn,
            destinations=[
                m.DestinationConfiguration(
                    channel=m.ChannelDestinationConfiguration(
                        channel_arn=await client_channel(ivs_client)
                    )
                )
            ],
        )
    ).composition
    assert c3 is not None
    ivs_emulator.fail_composition(c3.arn, "broadcast failed")
    got = (await api.get_composition(arn=c3.arn)).composition
    assert got is not None
    assert str(got.state) == "FAILED"

    # missing references
    with pytest.raises(ivsrt.ResourceNotFoundError, match="Stage"):
        await api.start_composition(stage_arn=stage.arn + "x", destinations=dests[:1])
    with pytest.raises(ivsrt.ResourceNotFoundError, match="EncoderConfiguration"):
        await api.start_composition(stage_arn=stage.arn, destinations=dests[:1])
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_composition(arn=comp.arn.replace("composition/", "composition/zz"))
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.stop_composition(arn=comp.arn.replace("composition/", "composition/zz"))


async def test_encoder_storage_lists(ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    enc = (
        await api.create_encoder_configuration(
            name="hd", video=m.Video(width=1920, height=1080, framerate=60, bitrate=6000000)
        )
    ).encoder_configuration
    assert enc is not None
    got = (await api.get_encoder_configuration(arn=enc.arn)).encoder_configuration
    assert got is not None
    assert got.video is not None
    assert got.video.bitrate == 6000000
    assert [e.arn for e in (await api.list_encoder_configurations()).encoder_configurations] == [
        enc.arn
    ]
    sto = (
        await api.create_storage_configuration(
            name="rec", s3=m.S3StorageConfiguration(bucket_name="my-bucket")
        )
    ).storage_configuration
    assert sto is not None
    got_s = (await api.get_storage_configuration(arn=sto.arn)).storage_configuration
    assert got_s is not None
    assert got_s.s3 is not None
    assert got_s.s3.bucket_name == "my-bucket"
    listed = (await api.list_storage_configurations()).storage_configurations
    assert [s.arn for s in listed] == [sto.arn]
    # a stage that records to it keeps it in use
    stage = (
        await api.create_stage(
            auto_participant_recording_configuration=m.AutoParticipantRecordingConfiguration(
                storage_configuration_arn=sto.arn
            )
        )
    ).stage
    assert stage is not None
    with pytest.raises(ivsrt.ConflictError, match="participant recording"):
        await api.delete_storage_configuration(arn=sto.arn)
    await api.update_stage(
        arn=stage.arn,
        auto_participant_recording_configuration=m.AutoParticipantRecordingConfiguration(
            storage_configuration_arn=""
        ),
    )
    await api.delete_storage_configuration(arn=sto.arn)


async def test_participant_recording_state(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    api = ivs_client.api
    sto = (
        await api.create_storage_configuration(s3=m.S3StorageConfiguration(bucket_name="rec"))
    ).storage_configuration
    assert sto is not None
    created = await api.create_stage(
        auto_participant_recording_configuration=m.AutoParticipantRecordingConfiguration(
            storage_configuration_arn=sto.arn
        ),
        participant_token_configurations=[m.ParticipantTokenConfiguration()],
    )
    assert created.stage is not None
    token = _tok(created.participant_tokens[0])
    pid = ivs_emulator.join(token)
    ivs_emulator.publish(token)
    stage = (await api.get_stage(arn=created.stage.arn)).stage
    assert stage is not None
    assert stage.active_session_id is not None
    part = (
        await api.get_participant(
            stage_arn=stage.arn, session_id=stage.active_session_id, participant_id=pid
        )
    ).participant
    assert part is not None
    assert str(part.recording_state) == "ACTIVE"
    assert part.recording_s3_bucket_name == "rec"
    with pytest.raises(ivsrt.ConflictError, match="recording"):
        await api.update_stage(
            arn=stage.arn,
            auto_participant_recording_configuration=m.AutoParticipantRecordingConfiguration(
                storage_configuration_arn=""
            ),
        )


async def test_ingest_configurations(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    stage = (await api.create_stage()).stage
    assert stage is not None
    ing = (
        await api.create_ingest_configuration(
            stage_arn=stage.arn, ingest_protocol="RTMP", insecure_ingest=True, user_id="obs"
        )
    ).ingest_configuration
    assert ing is not None
    assert ing.stream_key is not None
    stage_id = stage.arn.rsplit("/", 1)[1]
    assert ing.stream_key.startswith(f"rt_123456789012_us-west-2_{stage_id}_")
    assert ing.stream_key not in repr(ing)
    assert str(ing.state) == "INACTIVE"
    with pytest.raises(ControlError, match="stream key") as info:
        ivs_emulator.start_rtmp("rt_123456789012_us-west-2_x_wrong")
    assert info.value.code == "INVALID_STREAM_KEY"
    ivs_emulator.start_rtmp(ing.stream_key)
    with pytest.raises(ControlError, match="already publishing"):
        ivs_emulator.start_rtmp(ing.stream_key)
    got = (await api.get_ingest_configuration(arn=ing.arn)).ingest_configuration
    assert got is not None
    assert str(got.state) == "ACTIVE"
    active = await api.list_ingest_configurations(filter_by_state="ACTIVE")
    assert [i.arn for i in active.ingest_configurations] == [ing.arn]
    stage = (await api.get_stage(arn=stage.arn)).stage
    assert stage is not None
    assert stage.active_session_id is not None
    part = (
        await api.get_participant(
            stage_arn=stage.arn,
            session_id=stage.active_session_id,
            participant_id=ing.participant_id,
        )
    ).participant
    assert part is not None
    assert str(part.protocol) == "RTMP"
    assert part.published
    assert part.ingest_configuration_arn == ing.arn

    with pytest.raises(ivsrt.ConflictError, match="active"):
        await api.update_ingest_configuration(arn=ing.arn, stage_arn="")
    with pytest.raises(ivsrt.ConflictError, match="force"):
        await api.delete_ingest_configuration(arn=ing.arn)
    ivs_emulator.stop_rtmp(ing.stream_key)
    upd = (await api.update_ingest_configuration(arn=ing.arn, stage_arn="")).ingest_configuration
    assert upd is not None
    assert upd.stage_arn == ""
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.update_ingest_configuration(arn=ing.arn, stage_arn=stage.arn + "x")
    await api.update_ingest_configuration(arn=ing.arn, stage_arn=stage.arn)
    ivs_emulator.start_rtmp(ing.stream_key)
    await api.delete_ingest_configuration(arn=ing.arn, force=True)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.get_ingest_configuration(arn=ing.arn)
    ev = await api.list_participant_events(
        stage_arn=stage.arn, session_id=stage.active_session_id, participant_id=ing.participant_id
    )
    assert [str(e.name) for e in ev.events][-2:] == ["PUBLISH_STOPPED", "LEFT"]
    with pytest.raises(ivsrt.ServiceValidationError, match="stage not found"):
        await api.create_ingest_configuration(stage_arn=stage.arn + "x", ingest_protocol="RTMPS")


async def test_participant_replication(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    src = await _stage(ivs_client, ["PUBLISH"])
    dst = (await api.create_stage(name="dst")).stage
    assert src.stage is not None
    assert dst is not None
    token = _tok(src.participant_tokens[0])
    pid = ivs_emulator.join(token)
    with pytest.raises(ivsrt.ConflictError, match="not publishing"):
        await api.start_participant_replication(
            source_stage_arn=src.stage.arn, destination_stage_arn=dst.arn, participant_id=pid
        )
    ivs_emulator.publish(token)
    await api.start_participant_replication(
        source_stage_arn=src.stage.arn,
        destination_stage_arn=dst.arn,
        participant_id=pid,
        attributes={"replica": "yes"},
    )
    with pytest.raises(ivsrt.ConflictError, match="already replicated"):
        await api.start_participant_replication(
            source_stage_arn=src.stage.arn, destination_stage_arn=dst.arn, participant_id=pid
        )
    with pytest.raises(ivsrt.ServiceValidationError):
        await api.start_participant_replication(
            source_stage_arn=src.stage.arn, destination_stage_arn=src.stage.arn, participant_id=pid
        )
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.start_participant_replication(
            source_stage_arn=src.stage.arn, destination_stage_arn=dst.arn, participant_id="nobody"
        )
    replicas = (
        await api.list_participant_replicas(source_stage_arn=src.stage.arn, participant_id=pid)
    ).replicas
    assert len(replicas) == 1
    assert str(replicas[0].replication_state) == "ACTIVE"
    dst = (await api.get_stage(arn=dst.arn)).stage
    assert dst is not None
    assert dst.active_session_id == replicas[0].destination_session_id
    rep = (
        await api.get_participant(
            stage_arn=dst.arn, session_id=dst.active_session_id, participant_id=pid
        )
    ).participant
    assert rep is not None
    assert str(rep.replication_type) == "REPLICA"
    assert rep.source_stage_arn == src.stage.arn
    assert rep.attributes == {"replica": "yes"}

    await api.stop_participant_replication(
        source_stage_arn=src.stage.arn, destination_stage_arn=dst.arn, participant_id=pid
    )
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.stop_participant_replication(
            source_stage_arn=src.stage.arn, destination_stage_arn=dst.arn, participant_id=pid
        )
    replicas = (
        await api.list_participant_replicas(source_stage_arn=src.stage.arn, participant_id=pid)
    ).replicas
    assert str(replicas[0].replication_state) == "STOPPED"
    src_stage = (await api.get_stage(arn=src.stage.arn)).stage
    assert src_stage is not None
    assert src_stage.active_session_id is not None
    ev = await api.list_participant_events(
        stage_arn=src.stage.arn, session_id=src_stage.active_session_id, participant_id=pid
    )
    assert [str(e.name) for e in ev.events] == [
        "JOINED",
        "PUBLISH_STARTED",
        "REPLICATION_STARTED",
        "REPLICATION_STOPPED",
    ]
    assert ev.events[2].destination_stage_arn == dst.arn


async def test_tags(ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    stage = (await api.create_stage(tags={"a": "1"})).stage
    enc = (await api.create_encoder_configuration()).encoder_configuration
    assert stage is not None
    assert enc is not None
    for arn in (stage.arn, enc.arn):
        await api.tag_resource(resource_arn=arn, tags={"b": "2"})
        await api.untag_resource(resource_arn=arn, tag_keys=["a", "missing"])
        assert (await api.list_tags_for_resource(resource_arn=arn)).tags == {"b": "2"}
    await api.tag_resource(resource_arn=stage.arn, tags={f"k{i}": "v" for i in range(49)})
    with pytest.raises(ivsrt.ServiceValidationError, match="at most 50 tags"):
        await api.tag_resource(resource_arn=stage.arn, tags={"one-too-many": "v"})
    assert len((await api.list_tags_for_resource(resource_arn=stage.arn)).tags) == 50
    gone = stage.arn[:-1] + ("x" if stage.arn[-1] != "x" else "y")
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.tag_resource(resource_arn=gone, tags={"a": "b"})
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.untag_resource(resource_arn=gone, tag_keys=["a"])
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await api.list_tags_for_resource(resource_arn=gone)


async def test_delete_stage_disconnects_everyone(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    api = ivs_client.api
    created = await _stage(ivs_client, ["PUBLISH"])
    assert created.stage is not None
    ing = (
        await api.create_ingest_configuration(stage_arn=created.stage.arn, ingest_protocol="RTMPS")
    ).ingest_configuration
    assert ing is not None
    assert ing.stream_key is not None
    token = _tok(created.participant_tokens[0])
    ivs_emulator.join(token)
    ivs_emulator.start_rtmp(ing.stream_key)
    await api.delete_stage(arn=created.stage.arn)
    got = (await api.get_ingest_configuration(arn=ing.arn)).ingest_configuration
    assert got is not None
    assert got.stage_arn == ""
    assert str(got.state) == "INACTIVE"
    with pytest.raises(ControlError, match="stage does not exist"):
        ivs_emulator.join(token)


async def test_revoke_connection_token_disconnects_and_bars_the_token(
    ivs_emulator: Emulator, aio: Any
) -> None:
    """RevokeConnectionToken (the API reference): "Revokes the specified connection token so
    that it can no longer connect to a stage. This operation disconnects any participant
    currently connected with the revoked token." The token's id is its participant id."""
    stage = (await aio.create_stage(name="revoke"))["stage"]
    token = (await aio.create_participant_token(stageArn=stage["arn"], userId="bob"))[
        "participantToken"
    ]
    ivs_emulator.join(token["token"])
    await aio.revoke_connection_token(tokenId=token["participantId"])
    participant = (
        await aio.get_participant(
            stageArn=stage["arn"],
            sessionId=(await aio.list_stage_sessions(stageArn=stage["arn"]))["stageSessions"][0][
                "sessionId"
            ],
            participantId=token["participantId"],
        )
    )["participant"]
    assert participant["state"] == "DISCONNECTED"
    with pytest.raises(ControlError) as err:
        ivs_emulator.join(token["token"])
    assert err.value.code == "TOKEN_REVOKED"
    # an id no token carries is not an error
    await aio.revoke_connection_token(tokenId="neverIssued0")
