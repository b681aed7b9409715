"""Rules the 2024-11-14 reference states in prose, checked before sending: each rejected call
names the parameter and the rule, and no request reaches the server."""

from __future__ import annotations

from typing import Any

import pytest

import ivsrt
from ivsrt import channels as c
from ivsrt.validation import request_violations
from tests.typed._server import RecordingServer, Reply

ARN = "arn:aws:ivs:eu-central-1:123456789012:channel/Chan0123abcd"


def _mt(**kw: Any) -> c.MultitrackInputConfiguration:
    return c.MultitrackInputConfiguration(**kw)


FULL = {"enabled": True, "policy": "ALLOW", "maximum_resolution": "HD"}

REJECTED: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "create_channel",
        {"multitrack_input_configuration": _mt(**FULL)},
        "container_format",
        "is required (FRAGMENTED_MP4) when multitrack_input_configuration.enabled is true",
    ),
    (
        "create_channel",
        {"multitrack_input_configuration": _mt(**FULL), "container_format": "TS"},
        "container_format",
        "must be FRAGMENTED_MP4 when multitrack_input_configuration.enabled is true",
    ),
    (
        "update_channel",
        {"arn": ARN, "multitrack_input_configuration": _mt(**FULL), "container_format": "TS"},
        "container_format",
        "must be FRAGMENTED_MP4",
    ),
    (
        "create_channel",
        {
            "multitrack_input_configuration": _mt(**FULL),
            "container_format": "FRAGMENTED_MP4",
            "type": "ADVANCED_HD",
        },
        "type",
        "must be STANDARD when multitrack_input_configuration.enabled is true",
    ),
    (
        "create_channel",
        {"multitrack_input_configuration": _mt(enabled=True), "container_format": "FRAGMENTED_MP4"},
        "multitrack_input_configuration.policy",
        "is required when enabled is true",
    ),
    (
        "update_channel",
        {
            "arn": ARN,
            "multitrack_input_configuration": _mt(enabled=True, policy="REQUIRE"),
            "container_format": "FRAGMENTED_MP4",
        },
        "multitrack_input_configuration.maximum_resolution",
        "is required when enabled is true",
    ),
    (
        "create_channel",
        {"preset": "HIGHER_BANDWIDTH_DELIVERY"},
        "preset",
        "is selectable only for ADVANCED_SD and ADVANCED_HD channels (type is STANDARD)",
    ),
    (
        "update_channel",
        {"arn": ARN, "type": "BASIC", "preset": "CONSTRAINED_BANDWIDTH_DELIVERY"},
        "preset",
        "(type is BASIC)",
    ),
    (
        "create_recording_configuration",
        {
            "destination_configuration": c.DestinationConfiguration(
                s3=c.S3DestinationConfiguration(bucket_name="bucket")
            ),
            "rendition_configuration": c.RenditionConfiguration(rendition_selection="CUSTOM"),
        },
        "rendition_configuration.renditions",
        "is required when rendition selection is CUSTOM",
    ),
    (
        "create_recording_configuration",
        {
            "destination_configuration": c.DestinationConfiguration(
                s3=c.S3DestinationConfiguration(bucket_name="bucket")
            ),
            "thumbnail_configuration": c.ThumbnailConfiguration(
                recording_mode="DISABLED", target_interval_seconds=10
            ),
        },
        "thumbnail_configuration.target_interval_seconds",
        "only be set when recording mode is INTERVAL",
    ),
    ("create_channel", {"tags": {"bad*key": "v"}}, "tags['bad*key'] (key)", "must match"),
    ("get_stream_session", {"channel_arn": ARN, "stream_id": "st-1"}, "stream_id", "at least 26"),
]


@pytest.mark.parametrize(("method", "kwargs", "path", "rule"), REJECTED)
async def test_rule_rejects_before_sending(
    method: str,
    kwargs: dict[str, Any],
    path: str,
    rule: str,
    server: RecordingServer,
    client: ivsrt.Client,
) -> None:
    with pytest.raises(ivsrt.ValidationError) as info:
        await getattr(client.channels, method)(**kwargs)
    found = [(v.path, v.rule) for v in info.value.violations]
    assert any(p == path and rule in msg for p, msg in found), found
    assert path in str(info.value)
    assert server.requests == []


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    (
        "create_channel",
        {
            "multitrack_input_configuration": _mt(**FULL),
            "container_format": "FRAGMENTED_MP4",
            "type": "STANDARD",
        },
    ),
    # Disabled multitrack: container format is free.
    (
        "create_channel",
        {"multitrack_input_configuration": _mt(enabled=False), "container_format": "TS"},
    ),
    ("create_channel", {"type": "ADVANCED_SD", "preset": "HIGHER_BANDWIDTH_DELIVERY"}),
    # UpdateChannel without type keeps the channel's type, which only the service knows.
    ("update_channel", {"arn": ARN, "preset": "HIGHER_BANDWIDTH_DELIVERY"}),
    ("create_channel", {"tags": {"équipe 1": "a b/c=d+e-f@g_h.i:j"}}),
]


@pytest.mark.parametrize(("method", "kwargs"), ACCEPTED)
async def test_valid_requests_are_sent(
    method: str, kwargs: dict[str, Any], server: RecordingServer, client: ivsrt.Client
) -> None:
    channel = Reply({"channel": {"arn": ARN}, "streamKey": {"arn": ARN}})
    server.reply("POST", "/CreateChannel", channel)
    server.reply("POST", "/UpdateChannel", channel)
    await getattr(client.channels, method)(**kwargs)
    assert len(server.requests) == 1


def test_wire_naming_and_the_realtime_tables_are_separate() -> None:
    params = {
        "multitrackInputConfiguration": {"enabled": True},
        "containerFormat": "TS",
    }
    found = {
        v.path for v in request_violations("CreateChannel", params, naming="wire", service="ivs")
    }
    assert found == {
        "containerFormat",
        "multitrackInputConfiguration.policy",
        "multitrackInputConfiguration.maximumResolution",
    }
    # ivs-realtime has no CreateChannel: the tables are per service.
    with pytest.raises(KeyError):
        request_violations("CreateChannel", params, naming="wire")
