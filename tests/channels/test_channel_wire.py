"""One wire test per operation of the ivs service (``client.channels``): the request that
reaches a local server (method, path, JSON body with wire names, SigV4 Authorization for service
``ivs``) and the typed response. Wire names are written out here by hand, from the API
reference; method and path come from botocore's model."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from botocore import xform_name

import ivsrt
from ivsrt import channels as c
from tests._model import shipped_model
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import REGION
from tests.typed.test_wire import AUTH, _expected_signature

UTC = datetime.timezone.utc
ACCOUNT = "123456789012"
CH = f"arn:aws:ivs:{REGION}:{ACCOUNT}:channel/Chan0123abcd"
CH2 = f"arn:aws:ivs:{REGION}:{ACCOUNT}:channel/Chan4567efgh"
SK = f"arn:aws:ivs:{REGION}:{ACCOUNT}:stream-key/Key0123abcd"
PK = f"arn:aws:ivs:{REGION}:{ACCOUNT}:playback-key/Pk0123abcd"
PRP = f"arn:aws:ivs:{REGION}:{ACCOUNT}:playback-restriction-policy/Prp0123abcd"
RC = f"arn:aws:ivs:{REGION}:{ACCOUNT}:recording-configuration/Rc0123abcd"
AD = f"arn:aws:ivs:{REGION}:{ACCOUNT}:ad-configuration/Ad0123abcd"
MT = f"arn:aws:mediatailor:{REGION}:{ACCOUNT}:playbackConfiguration/show"
PEM = "-----BEGIN PUBLIC KEY-----\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEexample\n-----END PUBLIC KEY-----\n"
STREAM_ID = "st-1AbCdEfGhIjKlMnOpQrStUv"
FS = f"arn:aws:ivs:{REGION}:{ACCOUNT}:failover-slate-configuration/Fs0123abcd"
SLATE_WIRE = {
    "arn": FS,
    "name": "slate",
    "activationThresholdSeconds": 3,
    "minSlateDisplaySeconds": 5,
    "maxSlateDisplaySeconds": 120,
    "state": "CREATED",
    "tags": {"team": "live"},
}
T1 = "2025-03-01T10:00:00Z"
T1_DT = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=UTC)

_MODEL: dict[str, Any] = shipped_model("ivs")
"""The model ivsrt ships (its botocore release's), not the installed botocore's."""
OPERATIONS: dict[str, Any] = _MODEL["operations"]

CHANNEL_WIRE = {
    "arn": CH,
    "name": "main",
    "latencyMode": "LOW",
    "type": "STANDARD",
    "authorized": False,
    "insecureIngest": False,
    "ingestEndpoint": "f99084460c35.global-contribute.live-video.net",
    "playbackUrl": "https://f99084460c35.us-west-2.playback.live-video.net/api/video/v1/x.m3u8",
    "preset": "",
    "containerFormat": "FRAGMENTED_MP4",
    "multitrackInputConfiguration": {
        "enabled": True,
        "policy": "REQUIRE",
        "maximumResolution": "FULL_HD",
    },
    "srt": {"endpoint": "srt://f99084460c35.srt.live-video.net:9000", "passphrase": "pass-1"},
    "tags": {"team": "live"},
}
STREAM_KEY_WIRE = {"arn": SK, "channelArn": CH, "value": "sk_eu-central-1_wirekey", "tags": {}}
RECORDING_WIRE = {
    "arn": RC,
    "name": "rec",
    "state": "ACTIVE",
    "destinationConfiguration": {"s3": {"bucketName": "my-bucket"}},
    "thumbnailConfiguration": {"recordingMode": "INTERVAL", "targetIntervalSeconds": 30},
    "renditionConfiguration": {"renditionSelection": "CUSTOM", "renditions": ["HD", "SD"]},
}
POLICY_WIRE = {
    "arn": PRP,
    "name": "eu-only",
    "allowedCountries": ["DE", "FR"],
    "allowedOrigins": ["https://example.com"],
    "enableStrictOriginEnforcement": True,
}
KEY_PAIR_WIRE = {"arn": PK, "name": "signer", "fingerprint": "12:34", "tags": {}}
AD_WIRE = {
    "arn": AD,
    "name": "ads",
    "mediaTailorPlaybackConfigurations": [{"playbackConfigurationArn": MT}],
}


@dataclass
class Case:
    wire: dict[str, Any]
    """Request members by wire name (the Python kwargs are their snake_case names)."""
    reply: Any = field(default_factory=dict)
    check: Any = None
    path: str | None = None
    """Expected raw path when it is not the model's requestUri as is."""
    body: dict[str, Any] | None = None
    """Expected body when it is not ``wire``."""
    query: dict[str, list[str]] = field(default_factory=dict)


def _channel(ch: Any) -> bool:
    assert isinstance(ch, c.Channel)
    assert ch.arn == CH
    assert ch.container_format is c.ContainerFormat.FRAGMENTED_MP4
    assert ch.multitrack_input_configuration == c.MultitrackInputConfiguration(
        enabled=True, policy=c.MultitrackPolicy.REQUIRE, maximum_resolution="FULL_HD"
    )
    assert ch.type is c.ChannelType.STANDARD
    assert isinstance(ch.srt, c.Srt)
    assert ch.srt.passphrase == "pass-1"
    return True


def _slate(s: Any) -> bool:
    cls = (
        c.FailoverSlateConfigurationSummary
        if isinstance(s, c.FailoverSlateConfigurationSummary)
        else c.FailoverSlateConfiguration
    )
    assert s == cls(
        arn=FS,
        name="slate",
        activation_threshold_seconds=3,
        min_slate_display_seconds=5,
        max_slate_display_seconds=120,
        state=c.FailoverSlateConfigurationState.CREATED,
        tags={"team": "live"},
    )
    return True


def _stream_key(k: Any) -> bool:
    assert isinstance(k, c.StreamKey)
    assert (k.arn, k.channel_arn, k.value) == (SK, CH, STREAM_KEY_WIRE["value"])
    return True


def _recording(r: Any) -> bool:
    assert isinstance(r, c.RecordingConfiguration)
    assert r.state is c.RecordingConfigurationState.ACTIVE
    assert r.destination_configuration.s3 == c.S3DestinationConfiguration(bucket_name="my-bucket")
    assert r.rendition_configuration is not None
    assert r.rendition_configuration.renditions == (
        c.RenditionConfigurationRendition.HD,
        c.RenditionConfigurationRendition.SD,
    )
    return True


def _policy(p: Any) -> bool:
    assert isinstance(p, c.PlaybackRestrictionPolicy)
    assert p.allowed_countries == ("DE", "FR")
    assert p.enable_strict_origin_enforcement is True
    return True


def _ad(a: Any) -> bool:
    assert isinstance(a, c.AdConfiguration)
    assert a.media_tailor_playback_configurations == (
        c.MediaTailorPlaybackConfiguration(playback_configuration_arn=MT),
    )
    return True


CASES: dict[str, Case] = {
    "BatchGetChannel": Case(
        {"arns": [CH, CH2]},
        {
            "channels": [CHANNEL_WIRE],
            "errors": [{"arn": CH2, "code": "ResourceNotFoundException", "message": "gone"}],
        },
        lambda r: (_channel(r.channels[0]), r.errors[0].code == "ResourceNotFoundException"),
    ),
    "BatchGetStreamKey": Case(
        {"arns": [SK]}, {"streamKeys": [STREAM_KEY_WIRE]}, lambda r: _stream_key(r.stream_keys[0])
    ),
    "BatchStartViewerSessionRevocation": Case(
        {
            "viewerSessions": [
                {
                    "channelArn": CH,
                    "viewerId": "viewer-1",
                    "viewerSessionVersionsLessThanOrEqualTo": 3,
                }
            ]
        },
        {"errors": [{"channelArn": CH, "viewerId": "viewer-1", "code": "x", "message": "y"}]},
        lambda r: r.errors[0].viewer_id == "viewer-1",
    ),
    "CreateAdConfiguration": Case(
        {"name": "ads", "mediaTailorPlaybackConfigurations": [{"playbackConfigurationArn": MT}]},
        {"adConfiguration": AD_WIRE},
        lambda r: _ad(r.ad_configuration),
    ),
    "CreateChannel": Case(
        {
            "name": "main",
            "type": "STANDARD",
            "containerFormat": "FRAGMENTED_MP4",
            "multitrackInputConfiguration": {
                "enabled": True,
                "policy": "REQUIRE",
                "maximumResolution": "FULL_HD",
            },
            "tags": {"team": "live"},
            "failoverSlateConfigurationArn": FS,
        },
        {"channel": CHANNEL_WIRE, "streamKey": STREAM_KEY_WIRE},
        lambda r: (_channel(r.channel), _stream_key(r.stream_key)),
    ),
    "CreateFailoverSlateConfiguration": Case(
        {
            "name": "slate",
            "activationThresholdSeconds": 3,
            "minSlateDisplaySeconds": 5,
            "maxSlateDisplaySeconds": 120,
            "tags": {"team": "live"},
        },
        {"failoverSlateConfiguration": SLATE_WIRE},
        lambda r: _slate(r.failover_slate_configuration),
    ),
    "DeleteFailoverSlateConfiguration": Case({"arn": FS}, None),
    "GetFailoverSlateConfiguration": Case(
        {"arn": FS},
        {"failoverSlateConfiguration": SLATE_WIRE},
        lambda r: _slate(r.failover_slate_configuration),
    ),
    "ListFailoverSlateConfigurations": Case(
        {"maxResults": 5, "nextToken": "n1"},
        {"failoverSlateConfigurations": [SLATE_WIRE], "nextToken": "n2"},
        lambda r: (_slate(r.failover_slate_configurations[0]), r.next_token == "n2"),
    ),
    "UpdateFailoverSlateConfiguration": Case(
        {"arn": FS, "maxSlateDisplaySeconds": 180},
        {"failoverSlateConfiguration": SLATE_WIRE},
        lambda r: _slate(r.failover_slate_configuration),
    ),
    "CreatePlaybackRestrictionPolicy": Case(
        {
            "name": "eu-only",
            "allowedCountries": ["DE", "FR"],
            "enableStrictOriginEnforcement": True,
        },
        {"playbackRestrictionPolicy": POLICY_WIRE},
        lambda r: _policy(r.playback_restriction_policy),
    ),
    "CreateRecordingConfiguration": Case(
        {
            "name": "rec",
            "destinationConfiguration": {"s3": {"bucketName": "my-bucket"}},
            "renditionConfiguration": {"renditionSelection": "CUSTOM", "renditions": ["HD", "SD"]},
            "recordingReconnectWindowSeconds": 30,
        },
        {"recordingConfiguration": RECORDING_WIRE},
        lambda r: _recording(r.recording_configuration),
    ),
    "CreateStreamKey": Case(
        {"channelArn": CH}, {"streamKey": STREAM_KEY_WIRE}, lambda r: _stream_key(r.stream_key)
    ),
    "DeleteAdConfiguration": Case({"arn": AD}, None),
    "DeleteChannel": Case({"arn": CH}, None),
    "DeletePlaybackKeyPair": Case({"arn": PK}),
    "DeletePlaybackRestrictionPolicy": Case({"arn": PRP}, None),
    "DeleteRecordingConfiguration": Case({"arn": RC}, None),
    "DeleteStreamKey": Case({"arn": SK}, None),
    "GetAdConfiguration": Case(
        {"arn": AD}, {"adConfiguration": AD_WIRE}, lambda r: _ad(r.ad_configuration)
    ),
    "GetChannel": Case({"arn": CH}, {"channel": CHANNEL_WIRE}, lambda r: _channel(r.channel)),
    "GetPlaybackKeyPair": Case(
        {"arn": PK}, {"keyPair": KEY_PAIR_WIRE}, lambda r: r.key_pair.fingerprint == "12:34"
    ),
    "GetPlaybackRestrictionPolicy": Case(
        {"arn": PRP},
        {"playbackRestrictionPolicy": POLICY_WIRE},
        lambda r: _policy(r.playback_restriction_policy),
    ),
    "GetRecordingConfiguration": Case(
        {"arn": RC},
        {"recordingConfiguration": RECORDING_WIRE},
        lambda r: _recording(r.recording_configuration),
    ),
    "GetStream": Case(
        {"channelArn": CH},
        {
            "stream": {
                "channelArn": CH,
                "streamId": STREAM_ID,
                "state": "LIVE",
                "health": "HEALTHY",
                "startTime": T1,
                "viewerCount": 7,
            }
        },
        lambda r: (r.stream.start_time == T1_DT, r.stream.state is c.StreamState.LIVE),
    ),
    "GetStreamKey": Case(
        {"arn": SK}, {"streamKey": STREAM_KEY_WIRE}, lambda r: _stream_key(r.stream_key)
    ),
    "GetStreamSession": Case(
        {"channelArn": CH, "streamId": STREAM_ID},
        {
            "streamSession": {
                "streamId": STREAM_ID,
                "startTime": T1,
                "channel": CHANNEL_WIRE,
                "ingestConfigurations": {
                    "videoConfigurations": [
                        {
                            "track": "Track0",
                            "codec": "avc1.64002A",
                            "videoWidth": 1920,
                            "videoHeight": 1080,
                        }
                    ],
                    "audioConfigurations": [
                        {"track": "Track0", "channels": 2, "sampleRate": 48000}
                    ],
                },
                "truncatedEvents": [
                    {"name": "Session Created", "type": "IVS Stream State Change", "eventTime": T1}
                ],
            }
        },
        lambda r: (
            _channel(r.stream_session.channel),
            r.stream_session.start_time == T1_DT,
            r.stream_session.ingest_configurations.video_configurations[0].video_width == 1920,
            r.stream_session.truncated_events[0].event_time == T1_DT,
        ),
    ),
    "ImportPlaybackKeyPair": Case(
        {"publicKeyMaterial": PEM, "name": "signer"},
        {"keyPair": KEY_PAIR_WIRE},
        lambda r: r.key_pair.arn == PK,
    ),
    "InsertAdBreak": Case(
        {
            "channelArn": CH,
            "durationSeconds": 30,
            "adBreakId": "ad0123456789",
            "targetStartAt": T1_DT,
        },
        {"adBreakId": "ad0123456789", "targetStartAt": T1},
        lambda r: (r.ad_break_id == "ad0123456789", r.target_start_at == T1_DT),
        body={
            "channelArn": CH,
            "durationSeconds": 30,
            "adBreakId": "ad0123456789",
            "targetStartAt": T1,
        },
    ),
    "ListAdConfigurations": Case(
        {"maxResults": 10}, {"adConfigurations": [AD_WIRE], "nextToken": "n2"}
    ),
    "ListChannels": Case(
        {"filterByName": "main", "maxResults": 50, "filterByFailoverSlateConfigurationArn": FS},
        {"channels": [{"arn": CH, "name": "main", "type": "STANDARD"}], "nextToken": "n2"},
        lambda r: (r.channels[0].type is c.ChannelType.STANDARD, r.next_token == "n2"),
    ),
    "ListPlaybackKeyPairs": Case({}, {"keyPairs": [{"arn": PK, "name": "signer"}]}),
    "ListPlaybackRestrictionPolicies": Case(
        {"nextToken": "n1"}, {"playbackRestrictionPolicies": []}
    ),
    "ListRecordingConfigurations": Case(
        {},
        {
            "recordingConfigurations": [
                {"arn": RC, "destinationConfiguration": {}, "state": "CREATING"}
            ]
        },
    ),
    "ListStreamKeys": Case({"channelArn": CH}, {"streamKeys": [{"arn": SK, "channelArn": CH}]}),
    "ListStreamSessions": Case(
        {"channelArn": CH},
        {"streamSessions": [{"streamId": STREAM_ID, "startTime": T1, "hasErrorEvent": False}]},
        lambda r: r.stream_sessions[0].start_time == T1_DT,
    ),
    "ListStreams": Case(
        {"filterBy": {"health": "HEALTHY"}},
        {"streams": [{"channelArn": CH, "streamId": STREAM_ID, "state": "LIVE", "startTime": T1}]},
        lambda r: r.streams[0].start_time == T1_DT,
    ),
    "ListTagsForResource": Case(
        {"resourceArn": CH},
        {"tags": {"team": "live"}},
        lambda r: r.tags == {"team": "live"},
        path=f"/tags/{quote(CH, safe='')}",
        body=None,
    ),
    "PutMetadata": Case({"channelArn": CH, "metadata": "cue-1"}, None),
    "StartViewerSessionRevocation": Case({"channelArn": CH, "viewerId": "viewer-1"}),
    "StopStream": Case({"channelArn": CH}),
    "TagResource": Case(
        {"resourceArn": CH, "tags": {"team": "live"}},
        path=f"/tags/{quote(CH, safe='')}",
        body={"tags": {"team": "live"}},
    ),
    "UntagResource": Case(
        {"resourceArn": CH, "tagKeys": ["team", "env"]},
        path=f"/tags/{quote(CH, safe='')}",
        body=None,
        query={"tagKeys": ["team", "env"]},
    ),
    "UpdateAdConfiguration": Case(
        {"arn": AD, "name": "ads2"}, {"adConfiguration": AD_WIRE}, lambda r: _ad(r.ad_configuration)
    ),
    "UpdateChannel": Case(
        {
            "arn": CH,
            "failoverSlateConfigurationArn": "",
            "containerFormat": "FRAGMENTED_MP4",
            "multitrackInputConfiguration": {
                "enabled": True,
                "policy": "ALLOW",
                "maximumResolution": "HD",
            },
        },
        {"channel": CHANNEL_WIRE},
        lambda r: _channel(r.channel),
    ),
    "UpdatePlaybackRestrictionPolicy": Case(
        {"arn": PRP, "allowedOrigins": ["https://example.com"]},
        {"playbackRestrictionPolicy": POLICY_WIRE},
        lambda r: _policy(r.playback_restriction_policy),
    ),
}


def test_the_table_covers_every_operation() -> None:
    assert sorted(CASES) == sorted(OPERATIONS)
    assert len(OPERATIONS) == 46


def _kwargs(wire: Any) -> Any:
    """Wire-named request -> snake_case keyword arguments (nested dicts stay wire-named dicts
    at the top level only; nested structures are passed as models)."""
    return {xform_name(k): v for k, v in wire.items()}


def _models(op_name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Turn nested wire dicts into the channel models by hand, where the method wants one."""
    out = dict(kwargs)
    if "multitrack_input_configuration" in out:
        mt = out["multitrack_input_configuration"]
        out["multitrack_input_configuration"] = c.MultitrackInputConfiguration(
            enabled=mt["enabled"], policy=mt["policy"], maximum_resolution=mt["maximumResolution"]
        )
    if op_name == "BatchStartViewerSessionRevocation":
        out["viewer_sessions"] = [
            c.BatchStartViewerSessionRevocationViewerSession(
                channel_arn=v["channelArn"],
                viewer_id=v["viewerId"],
                viewer_session_versions_less_than_or_equal_to=v[
                    "viewerSessionVersionsLessThanOrEqualTo"
                ],
            )
            for v in out["viewer_sessions"]
        ]
    if op_name == "CreateAdConfiguration":
        out["media_tailor_playback_configurations"] = [
            c.MediaTailorPlaybackConfiguration(playback_configuration_arn=MT)
        ]
    if op_name == "CreateRecordingConfiguration":
        out["destination_configuration"] = c.DestinationConfiguration(
            s3=c.S3DestinationConfiguration(bucket_name="my-bucket")
        )
        out["rendition_configuration"] = c.RenditionConfiguration(
            rendition_selection="CUSTOM", renditions=["HD", "SD"]
        )
    if op_name == "ListStreams":
        out["filter_by"] = c.StreamFilters(health="HEALTHY")
    return out


@pytest.mark.parametrize("op_name", sorted(CASES))
async def test_operation_on_the_wire(
    op_name: str, server: RecordingServer, client: ivsrt.Client
) -> None:
    case = CASES[op_name]
    http = OPERATIONS[op_name]["http"]
    path = case.path or http["requestUri"]
    status = http.get("responseCode", 200)
    server.reply(
        http["method"],
        path.replace("%3A", ":").replace("%2F", "/"),
        Reply(body=case.reply if case.reply is not None else {}, status=status),
    )
    method = getattr(client.channels, xform_name(op_name))
    result = await method(**_models(op_name, _kwargs(case.wire)))

    assert len(server.requests) == 1
    rec = server.requests[0]
    assert rec.method == http["method"]
    assert rec.raw_path == path
    assert rec.query == case.query
    expected_body = case.wire if case.body is None and case.path is None else case.body
    assert rec.json() == expected_body
    match = AUTH.match(rec.headers["Authorization"])
    assert match is not None, rec.headers["Authorization"]
    assert (match["region"], match["service"]) == (REGION, "ivs")
    assert match["sig"] == _expected_signature(server, rec)

    output = OPERATIONS[op_name].get("output")
    if output is None:
        assert result is None
    else:
        assert isinstance(result, getattr(c, output["shape"]))
        if case.check is not None:
            checked = case.check(result)
            if isinstance(checked, tuple):
                assert all(x is not False for x in checked), checked
            else:
                assert checked is not False
