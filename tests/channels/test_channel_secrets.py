"""Channel secrets (stream key values, SRT passphrases, timed metadata) appear in no repr, str
or DEBUG log record of a channel call, botocore's response-body logs included."""

from __future__ import annotations

import ivsrt
from ivsrt import channels as c
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import SECRET_KEY, SESSION_TOKEN
from tests.typed.test_secrets import _Capture, debug_logs

__all__ = ["debug_logs"]

ARN = "arn:aws:ivs:eu-central-1:123456789012:channel/Chan0123abcd"
KEY = "sk_eu-central-1_CANARYCHANNELKEY1"
PASS = "CANARYPASSPHRASE1"
META = "CANARYMETADATA1"
CANARIES = [KEY, PASS, META, SECRET_KEY, SESSION_TOKEN]


async def test_no_channel_secret_in_logs_or_reprs(
    debug_logs: _Capture, server: RecordingServer, client: ivsrt.Client
) -> None:
    channel = {
        "arn": ARN,
        "name": "main",
        "srt": {"endpoint": "srt://x.srt.live-video.net:9000", "passphrase": PASS},
    }
    key = {"arn": ARN.replace("channel/", "stream-key/"), "channelArn": ARN, "value": KEY}
    server.reply("POST", "/CreateChannel", Reply({"channel": channel, "streamKey": key}))
    server.reply("POST", "/GetStreamKey", Reply({"streamKey": key}))
    created = await client.channels.create_channel(name="main")
    got = await client.channels.get_stream_key(arn=key["arn"])
    await client.channels.put_metadata(channel_arn=ARN, metadata=META)
    # The values are there for the caller...
    assert created.stream_key is not None
    assert created.stream_key.value == KEY
    assert created.channel is not None
    assert created.channel.srt is not None
    assert created.channel.srt.passphrase == PASS
    assert got.stream_key is not None
    assert got.stream_key.value == KEY
    # ...and nowhere else.
    texts = {
        "repr(created)": repr(created),
        "str(got)": str(got),
        "repr(request model)": repr(c.PutMetadataRequest(channel_arn=ARN, metadata=META)),
        "DEBUG logs": "\n".join(debug_logs.lines),
    }
    assert any("Response body" in line for line in debug_logs.lines), "botocore logged no body"
    assert any("ivs" in line for line in debug_logs.lines)
    for where, text in texts.items():
        for canary in CANARIES:
            assert canary not in text, f"{canary[:10]}... in {where}"
    assert "***" in texts["DEBUG logs"]
