"""One wire test per operation: the request that reaches a local server (method, path, query,
JSON body with wire names, SigV4 Authorization) and the typed response built from a canned
wire reply. Expected wire names are written out here by hand, from the API reference."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import ivsrt
from ivsrt import models as m
from tests._model import shipped_model
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import ACCESS_KEY, REGION, SECRET_KEY, SESSION_TOKEN

UTC = datetime.timezone.utc
ACCOUNT = "123456789012"
STAGE_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:stage/AbCdEfGh1234"
STAGE2_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:stage/ZyXwVuTs9876"
SESSION_ID = "st-AbCdEfGh12345"
SESSION2_ID = "st-ZyXwVuTs98765"
COMPOSITION_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:composition/Comp0123abcd"
ENCODER_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:encoder-configuration/Enc0123abcd"
STORAGE_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:storage-configuration/Sto0123abcd"
INGEST_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:ingest-configuration/Ing0123abcd"
PUBLIC_KEY_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:public-key/Key0123abcd"
CHANNEL_ARN = f"arn:aws:ivs:{REGION}:{ACCOUNT}:channel/Chan0123abcd"
PEM = "-----BEGIN PUBLIC KEY-----\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEexample\n-----END PUBLIC KEY-----\n"
T1 = "2025-03-01T10:00:00Z"
T1_DT = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
T2 = "2025-03-01T11:30:15.250+00:00"
T2_DT = datetime.datetime(2025, 3, 1, 11, 30, 15, 250000, tzinfo=UTC)

STAGE_WIRE = {
    "arn": STAGE_ARN,
    "name": "town-hall",
    "activeSessionId": SESSION_ID,
    "tags": {"team": "live"},
    "endpoints": {
        "events": "wss://global.events.live-video.net",
        "whip": "https://f99084460c35.global-bm.whip.live-video.net",
        "rtmp": "rtmp://f99084460c35.channel.global-contribute.live-video.net/app/",
        "rtmps": "rtmps://f99084460c35.channel.global-contribute.live-video.net:443/app/",
    },
    "autoParticipantRecordingConfiguration": {
        "storageConfigurationArn": STORAGE_ARN,
        "mediaTypes": ["AUDIO_VIDEO"],
        "thumbnailConfiguration": {
            "recordingMode": "INTERVAL",
            "targetIntervalSeconds": 60,
            "storage": ["SEQUENTIAL"],
        },
        "recordingReconnectWindowSeconds": 0,
        "hlsConfiguration": {"targetSegmentDurationSeconds": 6},
        "recordParticipantReplicas": True,
    },
}
INGEST_WIRE = {
    "name": "obs-main",
    "arn": INGEST_ARN,
    "ingestProtocol": "RTMPS",
    "streamKey": "sk_eu-central-1_abcdefghijklmnop",
    "stageArn": STAGE_ARN,
    "participantId": "pIng0123abcd",
    "state": "INACTIVE",
    "userId": "encoder-1",
    "redundantIngest": True,
    "redundantIngestCredentials": [{"participantId": "pIng0123bkup", "streamKey": "sk_backup_key"}],
    "attributes": {"role": "host"},
    "tags": {"team": "live"},
}
COMPOSITION_WIRE = {
    "arn": COMPOSITION_ARN,
    "stageArn": STAGE_ARN,
    "state": "ACTIVE",
    "layout": {
        "grid": {
            "videoAspectRatio": "VIDEO",
            "videoFillMode": "COVER",
            "gridGap": 4,
            "omitStoppedVideo": True,
        }
    },
    "destinations": [
        {
            "id": "dest-channel",
            "state": "ACTIVE",
            "startTime": T1,
            "configuration": {
                "name": "to-channel",
                "channel": {"channelArn": CHANNEL_ARN, "encoderConfigurationArn": ENCODER_ARN},
            },
        },
        {
            "id": "dest-s3",
            "state": "RECONNECTING",
            "startTime": T1,
            "endTime": T2,
            "configuration": {
                "s3": {
                    "storageConfigurationArn": STORAGE_ARN,
                    "encoderConfigurationArns": [ENCODER_ARN],
                    "recordingConfiguration": {
                        "format": "HLS",
                        "hlsConfiguration": {"targetSegmentDurationSeconds": 2},
                    },
                }
            },
            "detail": {
                "s3": {"recordingPrefix": "ivs/v1/123456789012/Comp0123abcd/2025/3/1/10/0/x"}
            },
        },
    ],
    "tags": {"env": "prod"},
    "startTime": T1,
}
ENCODER_WIRE = {
    "arn": ENCODER_ARN,
    "name": "hd-720",
    "video": {"width": 1280, "height": 720, "framerate": 30.0, "bitrate": 2500000},
    "tags": {"team": "live"},
}
STORAGE_WIRE = {
    "arn": STORAGE_ARN,
    "name": "recordings",
    "s3": {"bucketName": "my-ivs-recordings"},
    "tags": {},
}
PUBLIC_KEY_WIRE = {
    "arn": PUBLIC_KEY_ARN,
    "name": "signer",
    "publicKeyMaterial": PEM,
    "fingerprint": "12:34:56:78",
    "tags": {"k": "v"},
}


@dataclass
class Case:
    method: str
    kwargs: dict[str, Any]
    http: str
    path: str
    """Expected raw path (percent-encoded as it must appear on the wire)."""
    body: dict[str, Any] | None
    """Expected JSON body; None = no body."""
    reply: Any
    output: type
    check: Callable[[Any], None]
    query: dict[str, list[str]] = field(default_factory=dict)
    reply_headers: dict[str, str] = field(default_factory=dict)


def _stage_checks(stage: Any) -> None:
    assert isinstance(stage, m.Stage)
    assert stage.arn == STAGE_ARN
    assert stage.active_session_id == SESSION_ID
    assert isinstance(stage.endpoints, m.StageEndpoints)
    assert stage.endpoints.whip == STAGE_WIRE["endpoints"]["whip"]  # type: ignore[index]
    rec = stage.auto_participant_recording_configuration
    assert isinstance(rec, m.AutoParticipantRecordingConfiguration)
    assert rec.media_types == (m.ParticipantRecordingMediaType.AUDIO_VIDEO,)
    assert isinstance(rec.thumbnail_configuration, m.ParticipantThumbnailConfiguration)
    assert rec.thumbnail_configuration.recording_mode is m.ThumbnailRecordingMode.INTERVAL
    assert rec.thumbnail_configuration.storage == (m.ThumbnailStorageType.SEQUENTIAL,)
    assert rec.hls_configuration == m.ParticipantRecordingHlsConfiguration(
        target_segment_duration_seconds=6
    )
    assert rec.record_participant_replicas is True
    assert stage.tags == {"team": "live"}


def _ingest_checks(ic: Any) -> None:
    assert isinstance(ic, m.IngestConfiguration)
    assert ic.ingest_protocol is m.IngestProtocol.RTMPS
    assert ic.state is m.IngestConfigurationState.INACTIVE
    assert ic.stream_key == INGEST_WIRE["streamKey"]
    assert ic.participant_id == "pIng0123abcd"
    assert ic.redundant_ingest is True
    assert ic.redundant_ingest_credentials == (
        m.RedundantIngestCredential(participant_id="pIng0123bkup", stream_key="sk_backup_key"),
    )


def _composition_checks(c: Any) -> None:
    assert isinstance(c, m.Composition)
    assert c.state is m.CompositionState.ACTIVE
    assert c.start_time == T1_DT
    assert c.end_time is None
    assert isinstance(c.layout.grid, m.GridConfiguration)
    assert c.layout.grid.video_aspect_ratio is m.VideoAspectRatio.VIDEO
    assert c.layout.grid.video_fill_mode is m.VideoFillMode.COVER
    assert c.layout.grid.grid_gap == 4
    assert c.layout.pip is None
    first, second = c.destinations
    assert isinstance(first, m.Destination)
    assert first.state is m.DestinationState.ACTIVE
    assert first.configuration.channel == m.ChannelDestinationConfiguration(
        channel_arn=CHANNEL_ARN, encoder_configuration_arn=ENCODER_ARN
    )
    assert second.state is m.DestinationState.RECONNECTING
    assert second.start_time == T1_DT
    assert second.end_time == T2_DT
    assert second.configuration.s3 is not None
    assert second.configuration.s3.encoder_configuration_arns == (ENCODER_ARN,)
    assert second.configuration.s3.recording_configuration == m.RecordingConfiguration(
        format=m.RecordingConfigurationFormat.HLS,
        hls_configuration=m.CompositionRecordingHlsConfiguration(target_segment_duration_seconds=2),
    )
    assert second.detail is not None
    assert second.detail.s3 is not None
    assert second.detail.s3.recording_prefix.startswith("ivs/v1/")


def _enc_checks(e: Any) -> None:
    assert isinstance(e, m.EncoderConfiguration)
    assert e.video == m.Video(width=1280, height=720, framerate=30.0, bitrate=2500000)
    assert isinstance(e.video.framerate, float)
    assert e.name == "hd-720"


def _storage_checks(s: Any) -> None:
    assert s == m.StorageConfiguration(
        arn=STORAGE_ARN,
        name="recordings",
        s3=m.S3StorageConfiguration(bucket_name="my-ivs-recordings"),
        tags={},
    )


def _public_key_checks(k: Any) -> None:
    assert k == m.PublicKey(
        arn=PUBLIC_KEY_ARN,
        name="signer",
        public_key_material=PEM,
        fingerprint="12:34:56:78",
        tags={"k": "v"},
    )


def _empty(resp: Any) -> None:
    assert repr(resp).endswith("()")


def _arn_body(arn: str) -> dict[str, Any]:
    return {"arn": arn}


CASES: dict[str, Case] = {}


def case(name: str, c: Case) -> None:
    CASES[name] = c


case(
    "CreateEncoderConfiguration",
    Case(
        "create_encoder_configuration",
        {
            "name": "hd-720",
            "video": m.Video(width=1280, height=720, framerate=30.0),
            "tags": {"team": "live"},
        },
        "POST",
        "/CreateEncoderConfiguration",
        {
            "name": "hd-720",
            "video": {"width": 1280, "height": 720, "framerate": 30.0},
            "tags": {"team": "live"},
        },
        {"encoderConfiguration": ENCODER_WIRE},
        m.CreateEncoderConfigurationResponse,
        lambda r: _enc_checks(r.encoder_configuration),
    ),
)
case(
    "CreateIngestConfiguration",
    Case(
        "create_ingest_configuration",
        {
            "ingest_protocol": m.IngestProtocol.RTMPS,
            "name": "obs-main",
            "stage_arn": STAGE_ARN,
            "user_id": "encoder-1",
            "attributes": {"role": "host"},
            "redundant_ingest": True,
            "tags": {"team": "live"},
        },
        "POST",
        "/CreateIngestConfiguration",
        {
            "ingestProtocol": "RTMPS",
            "name": "obs-main",
            "stageArn": STAGE_ARN,
            "userId": "encoder-1",
            "attributes": {"role": "host"},
            "redundantIngest": True,
            "tags": {"team": "live"},
        },
        {"ingestConfiguration": INGEST_WIRE},
        m.CreateIngestConfigurationResponse,
        lambda r: (_ingest_checks(r.ingest_configuration), _check_eq(r.cache_control, "no-store")),
        reply_headers={"Cache-Control": "no-store"},
    ),
)
case(
    "CreateParticipantToken",
    Case(
        "create_participant_token",
        {
            "stage_arn": STAGE_ARN,
            "duration": 60,
            "user_id": "alice",
            "attributes": {"displayName": "Alice"},
            "capabilities": ["PUBLISH", m.ParticipantTokenCapability.SUBSCRIBE],
        },
        "POST",
        "/CreateParticipantToken",
        {
            "stageArn": STAGE_ARN,
            "duration": 60,
            "userId": "alice",
            "attributes": {"displayName": "Alice"},
            "capabilities": ["PUBLISH", "SUBSCRIBE"],
        },
        {
            "participantToken": {
                "participantId": "pTok0123abcd",
                "token": "eyJhbGciOiJLTVMiLCJ0eXAiOiJKV1QifQ.x.y",
                "userId": "alice",
                "attributes": {"displayName": "Alice"},
                "duration": 60,
                "capabilities": ["PUBLISH", "SUBSCRIBE"],
                "expirationTime": "2025-03-01T11:00:00.000Z",
            }
        },
        m.CreateParticipantTokenResponse,
        lambda r: _check_eq(
            r.participant_token,
            m.ParticipantToken(
                participant_id="pTok0123abcd",
                token="eyJhbGciOiJLTVMiLCJ0eXAiOiJKV1QifQ.x.y",
                user_id="alice",
                attributes={"displayName": "Alice"},
                duration=60,
                capabilities=(
                    m.ParticipantTokenCapability.PUBLISH,
                    m.ParticipantTokenCapability.SUBSCRIBE,
                ),
                expiration_time=datetime.datetime(2025, 3, 1, 11, 0, tzinfo=UTC),
            ),
        ),
    ),
)
case(
    "CreateStage",
    Case(
        "create_stage",
        {
            "name": "town-hall",
            "participant_token_configurations": [
                m.ParticipantTokenConfiguration(
                    user_id="alice", capabilities=["PUBLISH"], duration=120
                ),
                m.ParticipantTokenConfiguration(user_id="bob"),
            ],
            "tags": {"team": "live"},
            "auto_participant_recording_configuration": m.AutoParticipantRecordingConfiguration(
                storage_configuration_arn=STORAGE_ARN,
                media_types=["AUDIO_ONLY"],
                thumbnail_configuration=m.ParticipantThumbnailConfiguration(
                    recording_mode="DISABLED"
                ),
            ),
        },
        "POST",
        "/CreateStage",
        {
            "name": "town-hall",
            "participantTokenConfigurations": [
                {"userId": "alice", "capabilities": ["PUBLISH"], "duration": 120},
                {"userId": "bob"},
            ],
            "tags": {"team": "live"},
            "autoParticipantRecordingConfiguration": {
                "storageConfigurationArn": STORAGE_ARN,
                "mediaTypes": ["AUDIO_ONLY"],
                "thumbnailConfiguration": {"recordingMode": "DISABLED"},
            },
        },
        {
            "stage": STAGE_WIRE,
            "participantTokens": [
                {
                    "participantId": "pA",
                    "token": "tokA",
                    "userId": "alice",
                    "duration": 120,
                    "capabilities": ["PUBLISH"],
                },
                {
                    "participantId": "pB",
                    "token": "tokB",
                    "userId": "bob",
                    "duration": 720,
                    "capabilities": ["PUBLISH", "SUBSCRIBE"],
                },
            ],
        },
        m.CreateStageResponse,
        lambda r: (
            _stage_checks(r.stage),
            _check_eq([t.participant_id for t in r.participant_tokens], ["pA", "pB"]),
            _check_eq(
                r.participant_tokens[0].capabilities, (m.ParticipantTokenCapability.PUBLISH,)
            ),
            _check_eq(r.participant_tokens[1].token, "tokB"),
        ),
    ),
)
case(
    "CreateStorageConfiguration",
    Case(
        "create_storage_configuration",
        {"s3": m.S3StorageConfiguration(bucket_name="my-ivs-recordings"), "name": "recordings"},
        "POST",
        "/CreateStorageConfiguration",
        {"s3": {"bucketName": "my-ivs-recordings"}, "name": "recordings"},
        {"storageConfiguration": STORAGE_WIRE},
        m.CreateStorageConfigurationResponse,
        lambda r: _storage_checks(r.storage_configuration),
    ),
)
for _op, _method, _arn in [
    ("DeleteEncoderConfiguration", "delete_encoder_configuration", ENCODER_ARN),
    ("DeletePublicKey", "delete_public_key", PUBLIC_KEY_ARN),
    ("DeleteStage", "delete_stage", STAGE_ARN),
    ("DeleteStorageConfiguration", "delete_storage_configuration", STORAGE_ARN),
    ("StopComposition", "stop_composition", COMPOSITION_ARN),
]:
    case(
        _op,
        Case(
            _method,
            {"arn": _arn},
            "POST",
            f"/{_op}",
            _arn_body(_arn),
            {},
            getattr(m, f"{_op}Response"),
            _empty,
        ),
    )
case(
    "DeleteIngestConfiguration",
    Case(
        "delete_ingest_configuration",
        {"arn": INGEST_ARN, "force": True},
        "POST",
        "/DeleteIngestConfiguration",
        {"arn": INGEST_ARN, "force": True},
        {},
        m.DeleteIngestConfigurationResponse,
        _empty,
    ),
)
case(
    "DisconnectParticipant",
    Case(
        "disconnect_participant",
        {"stage_arn": STAGE_ARN, "participant_id": "pA1b2C3d4", "reason": "removed by moderator"},
        "POST",
        "/DisconnectParticipant",
        {"stageArn": STAGE_ARN, "participantId": "pA1b2C3d4", "reason": "removed by moderator"},
        {},
        m.DisconnectParticipantResponse,
        _empty,
    ),
)
case(
    "RevokeConnectionToken",
    Case(
        "revoke_connection_token",
        {"token_id": "pA1b2C3d4"},
        "POST",
        "/RevokeConnectionToken",
        {"tokenId": "pA1b2C3d4"},
        {},
        m.RevokeConnectionTokenResponse,
        _empty,
    ),
)
case(
    "GetComposition",
    Case(
        "get_composition",
        {"arn": COMPOSITION_ARN},
        "POST",
        "/GetComposition",
        _arn_body(COMPOSITION_ARN),
        {"composition": COMPOSITION_WIRE},
        m.GetCompositionResponse,
        lambda r: _composition_checks(r.composition),
    ),
)
case(
    "GetEncoderConfiguration",
    Case(
        "get_encoder_configuration",
        {"arn": ENCODER_ARN},
        "POST",
        "/GetEncoderConfiguration",
        _arn_body(ENCODER_ARN),
        {"encoderConfiguration": ENCODER_WIRE},
        m.GetEncoderConfigurationResponse,
        lambda r: _enc_checks(r.encoder_configuration),
    ),
)
case(
    "GetIngestConfiguration",
    Case(
        "get_ingest_configuration",
        {"arn": INGEST_ARN},
        "POST",
        "/GetIngestConfiguration",
        _arn_body(INGEST_ARN),
        {"ingestConfiguration": INGEST_WIRE},
        m.GetIngestConfigurationResponse,
        lambda r: _ingest_checks(r.ingest_configuration),
    ),
)
case(
    "GetParticipant",
    Case(
        "get_participant",
        {"stage_arn": STAGE_ARN, "session_id": SESSION_ID, "participant_id": "pA1b2C3d4"},
        "POST",
        "/GetParticipant",
        {"stageArn": STAGE_ARN, "sessionId": SESSION_ID, "participantId": "pA1b2C3d4"},
        {
            "participant": {
                "participantId": "pA1b2C3d4",
                "userId": "alice",
                "state": "CONNECTED",
                "firstJoinTime": T1,
                "attributes": {"displayName": "Alice"},
                "published": True,
                "ispName": "Comcast",
                "osName": "macOS",
                "osVersion": "14.2",
                "browserName": "Chrome",
                "browserVersion": "121.0",
                "sdkVersion": "1.10.0",
                "recordingS3BucketName": "my-ivs-recordings",
                "recordingS3Prefix": "abc-def",
                "recordingState": "ACTIVE",
                "protocol": "WHIP",
                "replicationType": "SOURCE",
                "replicationState": "ACTIVE",
                "redundantIngest": False,
            }
        },
        m.GetParticipantResponse,
        lambda r: (
            _check_eq(r.participant.state, m.ParticipantState.CONNECTED),
            _check_is(r.participant.state, m.ParticipantState.CONNECTED),
            _check_eq(r.participant.first_join_time, T1_DT),
            _check_is(r.participant.recording_state, m.ParticipantRecordingState.ACTIVE),
            _check_is(r.participant.protocol, m.ParticipantProtocol.WHIP),
            _check_is(r.participant.replication_type, m.ReplicationType.SOURCE),
            _check_is(r.participant.replication_state, m.ReplicationState.ACTIVE),
            _check_eq(
                (r.participant.published, r.participant.redundant_ingest, r.participant.os_version),
                (True, False, "14.2"),
            ),
        ),
    ),
)
case(
    "GetPublicKey",
    Case(
        "get_public_key",
        {"arn": PUBLIC_KEY_ARN},
        "POST",
        "/GetPublicKey",
        _arn_body(PUBLIC_KEY_ARN),
        {"publicKey": PUBLIC_KEY_WIRE},
        m.GetPublicKeyResponse,
        lambda r: _public_key_checks(r.public_key),
    ),
)
case(
    "GetStage",
    Case(
        "get_stage",
        {"arn": STAGE_ARN},
        "POST",
        "/GetStage",
        _arn_body(STAGE_ARN),
        {"stage": STAGE_WIRE},
        m.GetStageResponse,
        lambda r: _stage_checks(r.stage),
    ),
)
case(
    "GetStageSession",
    Case(
        "get_stage_session",
        {"stage_arn": STAGE_ARN, "session_id": SESSION_ID},
        "POST",
        "/GetStageSession",
        {"stageArn": STAGE_ARN, "sessionId": SESSION_ID},
        {"stageSession": {"sessionId": SESSION_ID, "startTime": T1, "endTime": T2}},
        m.GetStageSessionResponse,
        lambda r: _check_eq(
            r.stage_session, m.StageSession(session_id=SESSION_ID, start_time=T1_DT, end_time=T2_DT)
        ),
    ),
)
case(
    "GetStorageConfiguration",
    Case(
        "get_storage_configuration",
        {"arn": STORAGE_ARN},
        "POST",
        "/GetStorageConfiguration",
        _arn_body(STORAGE_ARN),
        {"storageConfiguration": STORAGE_WIRE},
        m.GetStorageConfigurationResponse,
        lambda r: _storage_checks(r.storage_configuration),
    ),
)
case(
    "ImportPublicKey",
    Case(
        "import_public_key",
        {"public_key_material": PEM, "name": "signer", "tags": {"k": "v"}},
        "POST",
        "/ImportPublicKey",
        {"publicKeyMaterial": PEM, "name": "signer", "tags": {"k": "v"}},
        {"publicKey": PUBLIC_KEY_WIRE},
        m.ImportPublicKeyResponse,
        lambda r: _public_key_checks(r.public_key),
    ),
)
case(
    "ListCompositions",
    Case(
        "list_compositions",
        {"filter_by_stage_arn": STAGE_ARN, "max_results": 10},
        "POST",
        "/ListCompositions",
        {"filterByStageArn": STAGE_ARN, "maxResults": 10},
        {
            "compositions": [
                {
                    "arn": COMPOSITION_ARN,
                    "stageArn": STAGE_ARN,
                    "state": "STOPPED",
                    "startTime": T1,
                    "endTime": T2,
                    "destinations": [
                        {"id": "d1", "state": "STOPPED", "startTime": T1, "endTime": T2}
                    ],
                    "tags": {},
                }
            ],
            "nextToken": "bmV4dA==",
        },
        m.ListCompositionsResponse,
        lambda r: (
            _check_eq(r.next_token, "bmV4dA=="),
            _check_is(r.compositions[0].state, m.CompositionState.STOPPED),
            _check_eq(
                r.compositions[0].destinations,
                (
                    m.DestinationSummary(
                        id="d1", state=m.DestinationState.STOPPED, start_time=T1_DT, end_time=T2_DT
                    ),
                ),
            ),
            _check_eq(type(r.compositions[0]), m.CompositionSummary),
        ),
    ),
)
case(
    "ListEncoderConfigurations",
    Case(
        "list_encoder_configurations",
        {"max_results": 5, "next_token": "dG9rMQ=="},
        "POST",
        "/ListEncoderConfigurations",
        {"maxResults": 5, "nextToken": "dG9rMQ=="},
        {"encoderConfigurations": [{"arn": ENCODER_ARN, "name": "hd-720", "tags": {}}]},
        m.ListEncoderConfigurationsResponse,
        lambda r: (
            _check_eq(
                r.encoder_configurations,
                (m.EncoderConfigurationSummary(arn=ENCODER_ARN, name="hd-720", tags={}),),
            ),
            _check_eq(r.next_token, None),
        ),
    ),
)
case(
    "ListIngestConfigurations",
    Case(
        "list_ingest_configurations",
        {"filter_by_state": "ACTIVE", "max_results": 20},
        "POST",
        "/ListIngestConfigurations",
        {"filterByState": "ACTIVE", "maxResults": 20},
        {
            "ingestConfigurations": [
                {
                    "arn": INGEST_ARN,
                    "name": "obs-main",
                    "ingestProtocol": "RTMP",
                    "stageArn": STAGE_ARN,
                    "participantId": "pIng0123abcd",
                    "state": "ACTIVE",
                    "userId": "encoder-1",
                    "redundantIngest": False,
                }
            ]
        },
        m.ListIngestConfigurationsResponse,
        lambda r: (
            _check_is(r.ingest_configurations[0].ingest_protocol, m.IngestProtocol.RTMP),
            _check_is(r.ingest_configurations[0].state, m.IngestConfigurationState.ACTIVE),
            _check_eq(type(r.ingest_configurations[0]), m.IngestConfigurationSummary),
        ),
    ),
)
case(
    "ListParticipantEvents",
    Case(
        "list_participant_events",
        {
            "stage_arn": STAGE_ARN,
            "session_id": SESSION_ID,
            "participant_id": "pA1b2C3d4",
            "max_results": 50,
        },
        "POST",
        "/ListParticipantEvents",
        {
            "stageArn": STAGE_ARN,
            "sessionId": SESSION_ID,
            "participantId": "pA1b2C3d4",
            "maxResults": 50,
        },
        {
            "events": [
                {"name": "JOINED", "participantId": "pA1b2C3d4", "eventTime": T1},
                {
                    "name": "JOIN_ERROR",
                    "participantId": "pA1b2C3d4",
                    "eventTime": T2,
                    "errorCode": "INSUFFICIENT_CAPABILITIES",
                },
                {
                    "name": "TOKEN_EXCHANGED",
                    "participantId": "pA1b2C3d4",
                    "eventTime": T2,
                    "previousToken": {
                        "capabilities": ["SUBSCRIBE"],
                        "userId": "alice",
                        "expirationTime": T1,
                    },
                    "newToken": {
                        "capabilities": ["PUBLISH", "SUBSCRIBE"],
                        "userId": "alice",
                        "attributes": {"a": "b"},
                        "expirationTime": T2,
                    },
                },
                {
                    "name": "REPLICATION_STARTED",
                    "participantId": "pA1b2C3d4",
                    "eventTime": T2,
                    "replica": True,
                    "destinationStageArn": STAGE2_ARN,
                    "destinationSessionId": SESSION2_ID,
                },
            ],
            "nextToken": "ZXZ0",
        },
        m.ListParticipantEventsResponse,
        lambda r: (
            _check_eq(
                [e.name for e in r.events],
                [
                    m.EventName.JOINED,
                    m.EventName.JOIN_ERROR,
                    m.EventName.TOKEN_EXCHANGED,
                    m.EventName.REPLICATION_STARTED,
                ],
            ),
            _check_is(r.events[0].name, m.EventName.JOINED),
            _check_eq(r.events[0].event_time, T1_DT),
            _check_is(r.events[1].error_code, m.EventErrorCode.INSUFFICIENT_CAPABILITIES),
            _check_eq(
                r.events[2].new_token,
                m.ExchangedParticipantToken(
                    capabilities=(
                        m.ParticipantTokenCapability.PUBLISH,
                        m.ParticipantTokenCapability.SUBSCRIBE,
                    ),
                    attributes={"a": "b"},
                    user_id="alice",
                    expiration_time=T2_DT,
                ),
            ),
            _check_eq(
                (r.events[3].replica, r.events[3].destination_session_id), (True, SESSION2_ID)
            ),
        ),
    ),
)
case(
    "ListParticipantReplicas",
    Case(
        "list_participant_replicas",
        {"source_stage_arn": STAGE_ARN, "participant_id": "pA1b2C3d4", "max_results": 50},
        "POST",
        "/ListParticipantReplicas",
        {"sourceStageArn": STAGE_ARN, "participantId": "pA1b2C3d4", "maxResults": 50},
        {
            "replicas": [
                {
                    "sourceStageArn": STAGE_ARN,
                    "participantId": "pA1b2C3d4",
                    "sourceSessionId": SESSION_ID,
                    "destinationStageArn": STAGE2_ARN,
                    "destinationSessionId": SESSION2_ID,
                    "replicationState": "STOPPED",
                }
            ]
        },
        m.ListParticipantReplicasResponse,
        lambda r: _check_eq(
            r.replicas,
            (
                m.ParticipantReplica(
                    source_stage_arn=STAGE_ARN,
                    participant_id="pA1b2C3d4",
                    source_session_id=SESSION_ID,
                    destination_stage_arn=STAGE2_ARN,
                    destination_session_id=SESSION2_ID,
                    replication_state=m.ReplicationState.STOPPED,
                ),
            ),
        ),
    ),
)
case(
    "ListParticipants",
    Case(
        "list_participants",
        {
            "stage_arn": STAGE_ARN,
            "session_id": SESSION_ID,
            "filter_by_state": m.ParticipantState.CONNECTED,
            "max_results": 100,
        },
        "POST",
        "/ListParticipants",
        {
            "stageArn": STAGE_ARN,
            "sessionId": SESSION_ID,
            "filterByState": "CONNECTED",
            "maxResults": 100,
        },
        {
            "participants": [
                {
                    "participantId": "pA",
                    "userId": "alice",
                    "state": "CONNECTED",
                    "firstJoinTime": T1,
                    "published": True,
                    "recordingState": "DISABLED",
                    "replicationType": "NONE",
                },
                {
                    "participantId": "pB",
                    "userId": "bob",
                    "state": "CONNECTED",
                    "firstJoinTime": T2,
                    "published": False,
                },
            ],
            "nextToken": "cGFnZTI=",
        },
        m.ListParticipantsResponse,
        lambda r: (
            _check_eq([p.participant_id for p in r.participants], ["pA", "pB"]),
            _check_is(r.participants[0].state, m.ParticipantState.CONNECTED),
            _check_is(r.participants[0].recording_state, m.ParticipantRecordingState.DISABLED),
            _check_is(r.participants[0].replication_type, m.ReplicationType.NONE),
            _check_eq(r.participants[1].first_join_time, T2_DT),
            _check_eq(type(r.participants[1]), m.ParticipantSummary),
            _check_eq(r.next_token, "cGFnZTI="),
        ),
    ),
)
case(
    "ListPublicKeys",
    Case(
        "list_public_keys",
        {},
        "POST",
        "/ListPublicKeys",
        {},
        {"publicKeys": [{"arn": PUBLIC_KEY_ARN, "name": "signer", "tags": {}}]},
        m.ListPublicKeysResponse,
        lambda r: _check_eq(
            r.public_keys, (m.PublicKeySummary(arn=PUBLIC_KEY_ARN, name="signer", tags={}),)
        ),
    ),
)
case(
    "ListStageSessions",
    Case(
        "list_stage_sessions",
        {"stage_arn": STAGE_ARN, "next_token": "c2Vz"},
        "POST",
        "/ListStageSessions",
        {"stageArn": STAGE_ARN, "nextToken": "c2Vz"},
        {
            "stageSessions": [
                {"sessionId": SESSION_ID, "startTime": T1},
                {"sessionId": SESSION2_ID, "startTime": T1, "endTime": T2},
            ]
        },
        m.ListStageSessionsResponse,
        lambda r: _check_eq(
            r.stage_sessions,
            (
                m.StageSessionSummary(session_id=SESSION_ID, start_time=T1_DT),
                m.StageSessionSummary(session_id=SESSION2_ID, start_time=T1_DT, end_time=T2_DT),
            ),
        ),
    ),
)
case(
    "ListStages",
    Case(
        "list_stages",
        {"max_results": 2},
        "POST",
        "/ListStages",
        {"maxResults": 2},
        {
            "stages": [
                {
                    "arn": STAGE_ARN,
                    "name": "town-hall",
                    "activeSessionId": SESSION_ID,
                    "tags": {"team": "live"},
                },
                {"arn": STAGE2_ARN, "name": "", "tags": {}},
            ],
            "nextToken": "c3Rn",
        },
        m.ListStagesResponse,
        lambda r: (
            _check_eq(r.stages[1], m.StageSummary(arn=STAGE2_ARN, name="", tags={})),
            _check_eq(r.stages[0].active_session_id, SESSION_ID),
            _check_eq(r.next_token, "c3Rn"),
        ),
    ),
)
case(
    "ListStorageConfigurations",
    Case(
        "list_storage_configurations",
        {"max_results": 100},
        "POST",
        "/ListStorageConfigurations",
        {"maxResults": 100},
        {
            "storageConfigurations": [
                {
                    "arn": STORAGE_ARN,
                    "name": "recordings",
                    "s3": {"bucketName": "my-ivs-recordings"},
                    "tags": {},
                }
            ]
        },
        m.ListStorageConfigurationsResponse,
        lambda r: _check_eq(
            r.storage_configurations,
            (
                m.StorageConfigurationSummary(
                    arn=STORAGE_ARN,
                    name="recordings",
                    s3=m.S3StorageConfiguration(bucket_name="my-ivs-recordings"),
                    tags={},
                ),
            ),
        ),
    ),
)
case(
    "ListTagsForResource",
    Case(
        "list_tags_for_resource",
        {"resource_arn": STAGE_ARN},
        "GET",
        "/tags/" + quote(STAGE_ARN, safe=""),
        None,
        {"tags": {"team": "live", "env": "prod"}},
        m.ListTagsForResourceResponse,
        lambda r: _check_eq(r.tags, {"team": "live", "env": "prod"}),
    ),
)
case(
    "StartComposition",
    Case(
        "start_composition",
        {
            "stage_arn": STAGE_ARN,
            "idempotency_token": "my-token-0001",
            "destinations": [
                m.DestinationConfiguration(
                    name="to-channel",
                    channel=m.ChannelDestinationConfiguration(
                        channel_arn=CHANNEL_ARN, encoder_configuration_arn=ENCODER_ARN
                    ),
                ),
                m.DestinationConfiguration(
                    s3=m.S3DestinationConfiguration(
                        storage_configuration_arn=STORAGE_ARN,
                        encoder_configuration_arns=[ENCODER_ARN],
                        recording_configuration=m.RecordingConfiguration(format="HLS"),
                        thumbnail_configurations=[
                            m.CompositionThumbnailConfiguration(
                                target_interval_seconds=30, storage=["LATEST"]
                            )
                        ],
                    )
                ),
            ],
            "layout": m.LayoutConfiguration(
                pip=m.PipConfiguration(
                    pip_position=m.PipPosition.BOTTOM_RIGHT, pip_behavior="DYNAMIC", pip_width=320
                )
            ),
            "tags": {"env": "prod"},
        },
        "POST",
        "/StartComposition",
        {
            "stageArn": STAGE_ARN,
            "idempotencyToken": "my-token-0001",
            "destinations": [
                {
                    "name": "to-channel",
                    "channel": {"channelArn": CHANNEL_ARN, "encoderConfigurationArn": ENCODER_ARN},
                },
                {
                    "s3": {
                        "storageConfigurationArn": STORAGE_ARN,
                        "encoderConfigurationArns": [ENCODER_ARN],
                        "recordingConfiguration": {"format": "HLS"},
                        "thumbnailConfigurations": [
                            {"targetIntervalSeconds": 30, "storage": ["LATEST"]}
                        ],
                    }
                },
            ],
            "layout": {
                "pip": {"pipPosition": "BOTTOM_RIGHT", "pipBehavior": "DYNAMIC", "pipWidth": 320}
            },
            "tags": {"env": "prod"},
        },
        {"composition": COMPOSITION_WIRE},
        m.StartCompositionResponse,
        lambda r: _composition_checks(r.composition),
    ),
)
case(
    "StartParticipantReplication",
    Case(
        "start_participant_replication",
        {
            "source_stage_arn": STAGE_ARN,
            "destination_stage_arn": STAGE2_ARN,
            "participant_id": "pA1b2C3d4",
            "reconnect_window_seconds": 60,
            "attributes": {"replica": "yes"},
        },
        "POST",
        "/StartParticipantReplication",
        {
            "sourceStageArn": STAGE_ARN,
            "destinationStageArn": STAGE2_ARN,
            "participantId": "pA1b2C3d4",
            "reconnectWindowSeconds": 60,
            "attributes": {"replica": "yes"},
        },
        {},
        m.StartParticipantReplicationResponse,
        lambda r: (
            _check_eq(r.access_control_allow_origin, "*"),
            _check_eq(r.x_frame_options, "DENY"),
        ),
        reply_headers={"Access-Control-Allow-Origin": "*", "X-Frame-Options": "DENY"},
    ),
)
case(
    "StopParticipantReplication",
    Case(
        "stop_participant_replication",
        {
            "source_stage_arn": STAGE_ARN,
            "destination_stage_arn": STAGE2_ARN,
            "participant_id": "pA1b2C3d4",
        },
        "POST",
        "/StopParticipantReplication",
        {
            "sourceStageArn": STAGE_ARN,
            "destinationStageArn": STAGE2_ARN,
            "participantId": "pA1b2C3d4",
        },
        {},
        m.StopParticipantReplicationResponse,
        lambda r: _check_eq(r.cache_control, None),
    ),
)
case(
    "TagResource",
    Case(
        "tag_resource",
        {"resource_arn": COMPOSITION_ARN, "tags": {"env": "prod", "cost-center": "42"}},
        "POST",
        "/tags/" + quote(COMPOSITION_ARN, safe=""),
        {"tags": {"env": "prod", "cost-center": "42"}},
        {},
        m.TagResourceResponse,
        _empty,
    ),
)
case(
    "UntagResource",
    Case(
        "untag_resource",
        {"resource_arn": INGEST_ARN, "tag_keys": ["env", "cost center"]},
        "DELETE",
        "/tags/" + quote(INGEST_ARN, safe=""),
        None,
        {},
        m.UntagResourceResponse,
        _empty,
        query={"tagKeys": ["env", "cost center"]},
    ),
)
case(
    "UpdateIngestConfiguration",
    Case(
        "update_ingest_configuration",
        {"arn": INGEST_ARN, "stage_arn": STAGE2_ARN},
        "POST",
        "/UpdateIngestConfiguration",
        {"arn": INGEST_ARN, "stageArn": STAGE2_ARN},
        {"ingestConfiguration": INGEST_WIRE},
        m.UpdateIngestConfigurationResponse,
        lambda r: _ingest_checks(r.ingest_configuration),
    ),
)
case(
    "UpdateStage",
    Case(
        "update_stage",
        {
            "arn": STAGE_ARN,
            "name": "renamed",
            "auto_participant_recording_configuration": m.AutoParticipantRecordingConfiguration(
                storage_configuration_arn=""
            ),
        },
        "POST",
        "/UpdateStage",
        {
            "arn": STAGE_ARN,
            "name": "renamed",
            "autoParticipantRecordingConfiguration": {"storageConfigurationArn": ""},
        },
        {"stage": STAGE_WIRE},
        m.UpdateStageResponse,
        lambda r: _stage_checks(r.stage),
    ),
)


def _check_eq(got: Any, expected: Any) -> None:
    assert got == expected, f"{got!r} != {expected!r}"


def _check_is(got: Any, expected: Any) -> None:
    assert got is expected, f"{got!r} is not {expected!r}"


AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


def test_the_table_covers_every_operation() -> None:
    # The model ivsrt ships (botocore 1.44.8's), not the installed botocore's.
    assert sorted(CASES) == sorted(shipped_model("ivs-realtime")["operations"])
    assert len(CASES) == 40


def _expected_signature(server: RecordingServer, rec: Any) -> str:
    """Recompute the SigV4 signature of the recorded request with botocore's signer."""
    url = server.url + rec.raw_path
    if rec.query:
        url += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, vs in rec.query.items() for v in vs)
    signed = AUTH.match(rec.headers["Authorization"])["signed"].split(";")  # type: ignore[index]
    headers = {k: v for k, v in rec.headers.items() if k.lower() in signed}
    req = AWSRequest(method=rec.method, url=url, data=rec.body, headers=headers)
    req.context["timestamp"] = rec.headers["X-Amz-Date"]
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN), "ivs", REGION)
    canonical = signer.canonical_request(req)
    string_to_sign = signer.string_to_sign(req, canonical)
    return signer.signature(string_to_sign, req)


@pytest.mark.parametrize("op_name", sorted(CASES))
async def test_operation_on_the_wire(
    op_name: str, client: ivsrt.Client, server: RecordingServer
) -> None:
    c = CASES[op_name]
    decoded = c.path.replace("%3A", ":").replace("%2F", "/")
    server.reply(
        c.http,
        decoded,
        Reply(body=c.reply, headers={"x-amzn-RequestId": "rid-1", **c.reply_headers}),
    )

    response = await getattr(client.api, c.method)(**c.kwargs)

    assert len(server.requests) == 1
    rec = server.requests[0]
    assert rec.method == c.http
    assert rec.raw_path == c.path
    assert rec.query == c.query
    if c.body is None:
        assert rec.body == b""
    else:
        assert rec.headers["Content-Type"] == "application/json"
        assert rec.json() == c.body
    match = AUTH.match(rec.headers["Authorization"])
    assert match is not None, rec.headers["Authorization"]
    assert match["key"] == ACCESS_KEY
    assert match["region"] == REGION
    assert match["service"] == "ivs"
    assert match["date"] == rec.headers["X-Amz-Date"][:8]
    assert "host" in match["signed"].split(";")
    assert "x-amz-date" in match["signed"].split(";")
    assert match["sig"] == _expected_signature(server, rec)
    assert rec.headers["X-Amz-Security-Token"] == SESSION_TOKEN

    assert type(response) is c.output
    c.check(response)


async def test_start_composition_fills_an_idempotency_token(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    server.reply("POST", "/StartComposition", Reply({"composition": COMPOSITION_WIRE}))
    dest = [
        m.DestinationConfiguration(
            channel=m.ChannelDestinationConfiguration(channel_arn=CHANNEL_ARN)
        )
    ]
    await client.api.start_composition(stage_arn=STAGE_ARN, destinations=dest)
    await client.api.start_composition(stage_arn=STAGE_ARN, destinations=dest)
    tokens = [r.json()["idempotencyToken"] for r in server.requests]
    assert all(re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", t) for t in tokens)
    assert tokens[0] != tokens[1]
    assert server.requests[0].json()["destinations"] == [{"channel": {"channelArn": CHANNEL_ARN}}]


async def test_list_call_without_arguments_sends_an_empty_object(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    server.reply("POST", "/ListStages", Reply({"stages": []}))
    resp = await client.api.list_stages()
    assert server.requests[0].json() in ({}, None)
    assert resp == m.ListStagesResponse(stages=())
