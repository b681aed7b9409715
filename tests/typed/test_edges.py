"""The edges of one call over real HTTP to small local servers: redirects, an attempt that
drips, a wait for a pooled connection, wrong-typed response values, values that are not JSON or
out of range, and the SigV4 signature in DEBUG logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time

import pytest

import ivsrt
from ivsrt import (
    OutcomeUnknownError,
    ResponseParseError,
    RetryPolicy,
    ServiceError,
    TransportError,
    ValidationError,
)
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import SESSION_TOKEN, make_client

STAGE_ARN = "arn:aws:ivs:eu-central-1:123456789012:stage/abcdABCDefgh"
RETRYING = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)


@contextlib.asynccontextmanager
async def _server() -> object:
    srv = RecordingServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


# -- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_a_service_error_and_nothing_goes_elsewhere(
    server: RecordingServer, status: int
) -> None:
    async with _server() as other:
        assert isinstance(other, RecordingServer)
        server.reply(
            "POST",
            "/CreateStage",
            Reply(status=status, headers={"Location": f"{other.url}/CreateStage"}, raw=b""),
        )
        async with make_client(server.url, retry=RETRYING) as client:
            with pytest.raises(ServiceError) as caught:
                await client.api.create_stage(name="redirected")
        assert other.requests == [], "the request (and its security token) went elsewhere"
    assert caught.value.status == status
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert len(server.requests) == 1, "a 3xx is not retried"


async def test_a_redirect_to_an_unreachable_url_is_not_retried_as_nothing_sent(
    server: RecordingServer,
) -> None:
    server.reply(
        "POST",
        "/CreateStage",
        Reply(status=307, headers={"Location": "http://127.0.0.1:9/CreateStage"}, raw=b""),
    )
    async with make_client(server.url, retry=RETRYING) as client:
        with pytest.raises(ServiceError) as caught:
            await client.api.create_stage(name="redirected")
    assert caught.value.status == 307
    assert len(server.requests) == 1


# -- attempt timeout and deadline ---------------------------------------------------------------


class _Dripping:
    """Answers with headers, then one body byte every ``gap`` seconds (never finishing soon)."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self.requests = 0
        self._server: asyncio.Server | None = None
        self.url = ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"
            )
            for _ in range(399):  # bounded: 399 * gap seconds at most
                await writer.drain()
                await asyncio.sleep(self.gap)
                writer.write(b" ")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> _Dripping:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


async def test_the_attempt_timeout_bounds_a_server_dripping_bytes() -> None:
    async with _Dripping(gap=0.1) as drip:
        policy = RetryPolicy(max_attempts=1, attempt_timeout=0.5, deadline=None)
        async with make_client(drip.url, retry=policy, read_timeout=2.0) as client:
            started = time.monotonic()
            with pytest.raises(TransportError) as caught:
                await client.api.get_stage(arn=STAGE_ARN)
            elapsed = time.monotonic() - started
    assert 0.45 < elapsed < 1.5, "read_timeout=2 never fires: only the attempt timeout does"
    assert caught.value.may_have_been_applied
    assert "ivsrt: ended by the attempt timeout (0.5 s)" in caught.value.__notes__


async def test_a_create_cut_by_the_attempt_timeout_is_outcome_unknown() -> None:
    async with _Dripping(gap=0.1) as drip:
        policy = RetryPolicy(max_attempts=3, attempt_timeout=0.3, deadline=None, base_delay=0)
        async with make_client(drip.url, retry=policy) as client:
            with pytest.raises(OutcomeUnknownError):
                await client.api.create_stage(name="slow")
        assert drip.requests == 1


async def test_the_deadline_covers_an_attempt_in_flight() -> None:
    async with _Dripping(gap=0.1) as drip:
        policy = RetryPolicy(max_attempts=5, attempt_timeout=None, deadline=0.6, base_delay=0)
        async with make_client(drip.url, retry=policy, read_timeout=2.0) as client:
            started = time.monotonic()
            with pytest.raises(TransportError) as caught:
                await client.api.get_stage(arn=STAGE_ARN)
            elapsed = time.monotonic() - started
    assert elapsed < 1.2
    assert "ivsrt: ended by the retry deadline (0.6 s)" in caught.value.__notes__


async def test_the_deadline_covers_a_wait_for_a_pooled_connection(server: RecordingServer) -> None:
    server.reply("POST", "/GetStage", Reply(body={"stage": {"arn": STAGE_ARN}}, delay=2.0))
    async with make_client(
        server.url, max_pool_connections=1, retry=RetryPolicy(max_attempts=1, deadline=None)
    ) as client:
        holder = asyncio.ensure_future(client.api.get_stage(arn=STAGE_ARN))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if server.requests:
                break
        waiting = client.with_options(retry=RetryPolicy(max_attempts=3, deadline=0.4))
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            await waiting.api.get_stage(arn=STAGE_ARN)
        elapsed = time.monotonic() - started
        holder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await holder
    assert elapsed < 1.0
    assert "ivsrt: ended by the retry deadline (0.4 s)" in caught.value.__notes__
    assert len(server.requests) == 1, "the waiting call never got a connection"


# -- wrong-typed response values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("name", {"an": "object"}),
        ("name", 12),
        ("tags", {"k": 1}),
        ("tags", ["k"]),
    ],
)
async def test_a_wrong_typed_value_in_a_stage_is_a_parse_error(
    server: RecordingServer, member: str, value: object
) -> None:
    server.reply("POST", "/GetStage", Reply(body={"stage": {"arn": STAGE_ARN, member: value}}))
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match=re.escape(repr(member))):
            await client.api.get_stage(arn=STAGE_ARN)


@pytest.mark.parametrize(
    ("member", "value"),
    [("published", "false"), ("published", 0), ("recordingS3BucketName", 3)],
)
async def test_a_wrong_typed_value_in_a_participant_is_a_parse_error(
    server: RecordingServer, member: str, value: object
) -> None:
    server.reply(
        "POST",
        "/GetParticipant",
        Reply(body={"participant": {"participantId": "p", member: value}}),
    )
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match=member):
            await client.api.get_participant(
                stage_arn=STAGE_ARN, session_id="st-0123456789abc", participant_id="p"
            )


async def test_a_fraction_where_an_integer_belongs_is_a_parse_error(
    server: RecordingServer,
) -> None:
    config = {"arn": "arn:aws:ivs:eu-central-1:123456789012:encoder-configuration/abcd"}
    server.reply(
        "POST",
        "/GetEncoderConfiguration",
        Reply(body={"encoderConfiguration": {**config, "video": {"width": 1.9}}}),
    )
    async with make_client(server.url) as client:
        with pytest.raises(ResponseParseError, match="width"):
            await client.api.get_encoder_configuration(arn=config["arn"])
    # an integer where the model has a float is a number, and accepted
    server.reply(
        "POST",
        "/GetEncoderConfiguration",
        Reply(body={"encoderConfiguration": {**config, "video": {"framerate": 30}}}),
    )
    async with make_client(server.url) as client:
        got = await client.api.get_encoder_configuration(arn=config["arn"])
    assert got.encoder_configuration is not None
    assert got.encoder_configuration.video is not None
    assert got.encoder_configuration.video.framerate == 30.0


# -- values that are not JSON or out of range: rejected before sending -------------------------


@pytest.mark.parametrize("framerate", [math.nan, math.inf, -math.inf])
async def test_a_framerate_that_is_not_a_finite_number_is_rejected(
    server: RecordingServer, framerate: float
) -> None:
    async with make_client(server.url) as client:
        with pytest.raises(ValidationError) as caught:
            await client.api.create_encoder_configuration(
                video=ivsrt.models.Video(framerate=framerate)
            )
    assert caught.value.paths == ("video.framerate",)
    assert server.requests == []


@pytest.mark.parametrize("gap", [2**31, 10**30, -1])
async def test_an_integer_outside_the_service_range_is_rejected(
    server: RecordingServer, gap: int
) -> None:
    async with make_client(server.url) as client:
        with pytest.raises(ValidationError) as caught:
            await client.api.start_composition(
                stage_arn=STAGE_ARN,
                destinations=[
                    ivsrt.models.DestinationConfiguration(
                        channel=ivsrt.models.ChannelDestinationConfiguration(
                            channel_arn="arn:aws:ivs:eu-central-1:123456789012:channel/abcd"
                        )
                    )
                ],
                layout=ivsrt.models.LayoutConfiguration(
                    grid=ivsrt.models.GridConfiguration(grid_gap=gap)
                ),
            )
    assert caught.value.paths == ("layout.grid.grid_gap",)
    assert server.requests == []


# -- DEBUG logs ---------------------------------------------------------------------------------


async def test_debug_logs_hold_no_signature_and_no_security_token(
    server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply("POST", "/GetStage", Reply(body={"stage": {"arn": STAGE_ARN}}))
    with caplog.at_level(logging.DEBUG):
        async with make_client(server.url) as client:
            await client.api.get_stage(arn=STAGE_ARN)
    (request,) = server.requests
    authorization = request.headers["Authorization"]
    signature = authorization.rsplit("Signature=", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{64}", signature)
    text = caplog.text
    assert "Signature=***" in text, "the Authorization header was not logged as expected"
    assert signature not in text
    assert SESSION_TOKEN not in text
