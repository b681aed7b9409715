"""A minimal HTTP/1.1 server for the overhead benchmark, meant to run in its own process.

It answers two IVS Real-Time operations with canned wire replies built once at start-up:

- ``POST /GetStage``: a stage with every member filled (tags, endpoints, auto-recording
  configuration);
- ``POST /CreateStage``: the same stage and ``--tokens`` participant tokens (what a CreateStage
  with that many ``participantTokenConfigurations`` returns);
- ``POST /ListParticipants``: pages of ``--page-size`` realistic participant summaries (with
  ``firstJoinTime`` timestamps), ``--participants`` in all, chained by ``nextToken``.

Anything else gets a 404 in the way IVS reports errors. It is written directly on asyncio's
protocol layer (keep-alive, ``Content-Length`` bodies) so that the server's own CPU is as small as
possible: the benchmark measures the client. Nothing here imports ivsrt or botocore.

Run ``python bench/server.py --port 0``: it prints ``PORT <n>`` on stdout once it is listening and
serves until its stdin closes or it is terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import signal
import sys
from typing import Any

STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdEFGH1234"
SESSION_ID = "st-a1b2C3d4E5f6g"
_STORAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:storage-configuration/ABCdef123456"


def stage_reply() -> dict[str, Any]:
    """A GetStage reply with every member of ``Stage`` present."""
    return {
        "stage": {
            "arn": STAGE_ARN,
            "name": "town-hall",
            "activeSessionId": SESSION_ID,
            "tags": {"team": "live", "env": "bench"},
            "autoParticipantRecordingConfiguration": {
                "storageConfigurationArn": _STORAGE_ARN,
                "mediaTypes": ["AUDIO_VIDEO"],
                "thumbnailConfiguration": {
                    "targetIntervalSeconds": 60,
                    "storage": ["SEQUENTIAL"],
                    "recordingMode": "INTERVAL",
                },
                "recordingReconnectWindowSeconds": 30,
                "hlsConfiguration": {"targetSegmentDurationSeconds": 6},
                "recordParticipantReplicas": False,
            },
            "endpoints": {
                "events": "wss://global.events.live-video.net",
                "whip": "https://1a2b3c4d5e6f.global-bm.whip.live-video.net",
                "rtmp": "rtmp://1a2b3c4d5e6f.global-contribute-staging.live-video.net/app/",
                "rtmps": "rtmps://1a2b3c4d5e6f.global-contribute-staging.live-video.net:443/app/",
            },
        }
    }


def create_stage_reply(tokens: int) -> dict[str, Any]:
    """A CreateStage reply: the stage and ``tokens`` participant tokens."""
    return {
        **stage_reply(),
        "participantTokens": [
            {
                "participantId": f"p{i:07d}AbCdEfGh",
                "token": "eyJhbGciOiJLTVMiLCJ0eXAiOiJKV1QifQ." + "x" * 600 + f".sig{i:04d}",
                "userId": f"user-{i}",
                "attributes": {"role": "speaker", "seat": str(i)},
                "duration": 720,
                "capabilities": ["PUBLISH", "SUBSCRIBE"],
                "expirationTime": "2025-03-02T00:00:00Z",
            }
            for i in range(tokens)
        ],
    }


_STATES = ("CONNECTED", "DISCONNECTED")
_RECORDING = ("DISABLED", "ACTIVE", "STOPPED")


def participant(i: int) -> dict[str, Any]:
    """The i-th participant summary, as IVS sends it (timestamps as ISO-8601 strings)."""
    joined = datetime.datetime(2025, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    joined += datetime.timedelta(seconds=i * 7, microseconds=(i * 7919) % 1000 * 1000)
    return {
        "participantId": f"p{i:07d}AbCdEfGh",
        "userId": f"user-{i}@example.com",
        "state": _STATES[i % 2],
        "firstJoinTime": joined.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "published": i % 3 == 0,
        "recordingState": _RECORDING[i % 3],
        "replicationType": "NONE",
        "replicationState": "STOPPED" if i % 5 == 0 else "ACTIVE",
        "redundantIngest": False,
    }


def participant_pages(total: int, page_size: int) -> list[bytes]:
    """The JSON body of every ListParticipants page, in order."""
    pages: list[bytes] = []
    count = (total + page_size - 1) // page_size
    for n in range(count):
        body: dict[str, Any] = {
            "participants": [
                participant(i) for i in range(n * page_size, min(total, (n + 1) * page_size))
            ]
        }
        if n + 1 < count:
            body["nextToken"] = f"page-{n + 1:05d}"
        pages.append(json.dumps(body, separators=(",", ":")).encode())
    return pages


def _response(status: int, reason: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "x-amzn-RequestId: 0c8e5a36-0000-4000-8000-000000000000\r\n"
        f"{extra}"
        "\r\n"
    )
    return head.encode() + body


class _Replies:
    def __init__(self, total: int, page_size: int, tokens: int) -> None:
        self.stage = _response(200, "OK", json.dumps(stage_reply()).encode())
        self.created = _response(200, "OK", json.dumps(create_stage_reply(tokens)).encode())
        self.pages = [_response(200, "OK", p) for p in participant_pages(total, page_size)]
        self.not_found = _response(
            404,
            "Not Found",
            b'{"exceptionMessage":"no such operation in the benchmark server"}',
            "x-amzn-ErrorType: ResourceNotFoundException:http://internal.amazon.com/\r\n",
        )

    def answer(self, path: bytes, body: bytes) -> bytes:
        if path == b"/GetStage":
            return self.stage
        if path == b"/CreateStage":
            return self.created
        if path == b"/ListParticipants":
            token = json.loads(body or b"{}").get("nextToken")
            index = int(token.removeprefix("page-")) if token else 0
            if 0 <= index < len(self.pages):
                return self.pages[index]
        return self.not_found


class _Http(asyncio.Protocol):
    """HTTP/1.1 keep-alive with Content-Length bodies: what aiobotocore sends."""

    def __init__(self, replies: _Replies) -> None:
        self.replies = replies
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            request_line = head.split(b"\r\n", 1)[0].split(b" ")
            path = request_line[1].split(b"?", 1)[0] if len(request_line) > 1 else b""
            assert self.transport is not None
            self.transport.write(self.replies.answer(path, body))


async def serve(port: int, total: int, page_size: int, tokens: int) -> None:
    replies = _Replies(total, page_size, tokens)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Http(replies), "127.0.0.1", port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Stop when the parent goes away (our stdin is its pipe).
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--tokens", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.participants, args.page_size, args.tokens))


if __name__ == "__main__":
    main()
