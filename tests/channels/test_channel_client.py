"""``client.channels``: the lazily created ``ivs`` aiobotocore client (shared by views, closed
with the client), the per-service error mapping, the retry policy, and the multitrack fields
round-tripping through CreateChannel / UpdateChannel / GetChannel."""

from __future__ import annotations

from typing import Any

import pytest

import ivsrt
from ivsrt import channels as c
from ivsrt.retry import RetryPolicy
from tests.typed._server import Recorded, RecordingServer, Reply, error_reply
from tests.typed.conftest import make_client

ARN = "arn:aws:ivs:eu-central-1:123456789012:channel/Chan0123abcd"
STAGE_ARN = "arn:aws:ivs:eu-central-1:123456789012:stage/AbCdEfGh1234"


def _echo_channel(rec: Recorded) -> Reply:
    """A channel built from the request: what was sent comes back."""
    sent: dict[str, Any] = rec.json()
    channel = {"arn": ARN, "name": sent.get("name", "main"), "type": "STANDARD"}
    for key in ("containerFormat", "multitrackInputConfiguration", "type"):
        if key in sent:
            channel[key] = sent[key]
    return Reply({"channel": channel, "streamKey": {"arn": ARN, "value": "sk_x"}})


async def test_multitrack_fields_round_trip(server: RecordingServer, client: ivsrt.Client) -> None:
    server.reply("POST", "/CreateChannel", _echo_channel)
    server.reply("POST", "/UpdateChannel", _echo_channel)
    multitrack = c.MultitrackInputConfiguration(
        enabled=True, policy="REQUIRE", maximum_resolution=c.MultitrackMaximumResolution.FULL_HD
    )
    created = await client.channels.create_channel(
        name="main",
        type="STANDARD",
        container_format="FRAGMENTED_MP4",
        multitrack_input_configuration=multitrack,
    )
    assert server.requests[-1].json()["multitrackInputConfiguration"] == {
        "enabled": True,
        "policy": "REQUIRE",
        "maximumResolution": "FULL_HD",
    }
    assert created.channel is not None
    assert created.channel.multitrack_input_configuration == multitrack
    assert created.channel.container_format is c.ContainerFormat.FRAGMENTED_MP4

    relaxed = c.MultitrackInputConfiguration(enabled=True, policy="ALLOW", maximum_resolution="SD")
    updated = await client.channels.update_channel(
        arn=ARN, container_format="FRAGMENTED_MP4", multitrack_input_configuration=relaxed
    )
    assert server.requests[-1].json()["multitrackInputConfiguration"]["policy"] == "ALLOW"
    assert updated.channel is not None
    assert updated.channel.multitrack_input_configuration == relaxed

    # GetChannel returns what the service stored, including a value this SDK does not know yet.
    stored = {
        "arn": ARN,
        "containerFormat": "TS",
        "multitrackInputConfiguration": {
            "enabled": False,
            "policy": "ALLOW",
            "maximumResolution": "UHD_8K",
        },
    }
    server.reply("POST", "/GetChannel", Reply({"channel": stored}))
    got = (await client.channels.get_channel(arn=ARN)).channel
    assert got.container_format is c.ContainerFormat.TS
    assert got.multitrack_input_configuration is not None
    assert got.multitrack_input_configuration.enabled is False
    assert got.multitrack_input_configuration.maximum_resolution == "UHD_8K"
    assert got.multitrack_input_configuration.maximum_resolution.known is False


async def test_ivs_client_is_created_on_first_channel_call_and_shared(
    server: RecordingServer,
) -> None:
    server.reply("POST", "/GetStage", Reply({"stage": {"arn": STAGE_ARN}}))
    server.reply("POST", "/GetChannel", Reply({"channel": {"arn": ARN}}))
    client = make_client(server.url)
    async with client:
        assert client._core.extra == {}
        await client.api.get_stage(arn=STAGE_ARN)
        assert client._core.extra == {}, "a real-time call must not create the ivs client"
        view = client.with_options(retry=RetryPolicy(max_attempts=2, base_delay=0.01))
        await view.channels.get_channel(arn=ARN)
        ivs_client, _ = client._core.extra["ivs"]
        assert ivs_client is not client._aio
        assert ivs_client.meta.service_model.service_name == "ivs"
        assert ivs_client.meta.region_name == client.region
        assert ivs_client.meta.endpoint_url == server.url
        await client.channels.get_channel(arn=ARN)
        assert client._core.extra["ivs"][0] is ivs_client, "views share one ivs client"
        await view.close()  # a view never closes the connections
        server.reply("POST", "/ListChannels", Reply({"channels": []}))
        assert (await client.channels.list_channels()).channels == ()
    assert client.closed
    assert client._core.extra == {}
    with pytest.raises(ivsrt.ConfigurationError, match="closed"):
        await client.channels.get_channel(arn=ARN)
    paths = [r.path for r in server.requests]
    assert paths == ["/GetStage", "/GetChannel", "/GetChannel", "/ListChannels"]


async def test_errors_map_to_the_channel_classes(
    server: RecordingServer, client: ivsrt.Client
) -> None:
    server.reply(
        "POST", "/StopStream", error_reply("ChannelNotBroadcasting", "not live", 404, "rid-1")
    )
    server.reply("POST", "/GetChannel", error_reply("ResourceNotFoundException", "gone", 404, "r2"))
    with pytest.raises(c.ChannelNotBroadcastingError) as info:
        await client.channels.stop_stream(channel_arn=ARN)
    assert (info.value.code, info.value.message, info.value.status) == (
        "ChannelNotBroadcasting",
        "not live",
        404,
    )
    assert info.value.request_id == "rid-1"
    with pytest.raises(ivsrt.ResourceNotFoundError) as missing:
        await client.channels.get_channel(arn=ARN)
    assert type(missing.value) is c.ResourceNotFoundError
    assert missing.value.message == "gone"
    assert not isinstance(missing.value, c.ChannelNotBroadcastingError)


async def test_retry_policy_applies_to_channel_calls(server: RecordingServer) -> None:
    replies = iter(
        [
            error_reply("ThrottlingException", "slow down", 429, "r1"),
            error_reply("InternalServerException", "oops", 500, "r2"),
            Reply({"channel": {"arn": ARN, "name": "main"}}),
        ]
    )
    server.reply("POST", "/GetChannel", lambda _rec: next(replies))
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    async with make_client(server.url, retry=policy) as client:
        got = await client.channels.get_channel(arn=ARN)
    assert got.channel is not None
    assert got.channel.name == "main"
    assert len(server.requests) == 3
    ids = {r.headers["amz-sdk-invocation-id"] for r in server.requests}
    assert len(ids) == 1
    assert [r.headers["amz-sdk-request"] for r in server.requests] == [
        "attempt=1; max=3",
        "attempt=2; max=3",
        "attempt=3; max=3",
    ]


async def test_throttling_on_a_channel_call_is_the_retryable_error(
    server: RecordingServer, client: ivsrt.Client
) -> None:
    server.reply("POST", "/ListChannels", error_reply("ThrottlingException", "slow", 429, "r"))
    with pytest.raises(ivsrt.ThrottlingError) as info:
        await client.channels.list_channels()
    assert type(info.value) is ivsrt.ThrottlingError
    assert len(server.requests) == 1  # the client fixture does not retry
