"""Service errors map to their classes with code, message, status and request id; transport
failures become TransportError / OutcomeUnknownError; no botocore or aiohttp exception escapes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import botocore.exceptions
import pytest

import ivsrt
from tests.typed._server import DroppingServer, RecordingServer, Reply, error_reply
from tests.typed.conftest import make_client

STAGE_ARN = "arn:aws:ivs:eu-central-1:123456789012:stage/AbCdEfGh1234"
FOREIGN = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, aiohttp.ClientError)


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("ValidationException", 400, ivsrt.ServiceValidationError),
        ("AccessDeniedException", 403, ivsrt.AccessDeniedError),
        ("ConflictException", 409, ivsrt.ConflictError),
        ("ServiceQuotaExceededException", 402, ivsrt.ServiceQuotaExceededError),
        ("InternalServerException", 500, ivsrt.InternalServerError),
        ("PendingVerification", 403, ivsrt.PendingVerificationError),
        ("ResourceNotFoundException", 404, ivsrt.ResourceNotFoundError),
        ("ThrottlingException", 429, ivsrt.ThrottlingError),
        ("TooManyRequestsException", 429, ivsrt.ThrottlingError),
    ],
)
async def test_modeled_errors_map_to_their_class(
    code: str,
    status: int,
    cls: type[ivsrt.ServiceError],
    client: ivsrt.Client,
    server: RecordingServer,
) -> None:
    message = f"{code}: stage {STAGE_ARN} says no"
    server.reply(
        "POST", "/GetStage", error_reply(code, message, status, f"req-{status}-{code[:6]}")
    )
    with pytest.raises(ivsrt.ServiceError) as info:
        await client.api.get_stage(arn=STAGE_ARN)
    err = info.value
    assert type(err) is cls
    assert err.code == code
    assert err.message == message
    assert err.status == status
    assert err.request_id == f"req-{status}-{code[:6]}"
    assert err.operation == "GetStage"
    assert message in str(err)
    assert isinstance(err.__cause__, botocore.exceptions.ClientError)
    assert not isinstance(err, FOREIGN)
    assert len(server.requests) == 1


async def test_an_unmodeled_error_is_a_plain_service_error(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    server.reply(
        "POST", "/GetStage", error_reply("ServiceUnavailableException", "try later", 503, "rid-503")
    )
    with pytest.raises(ivsrt.ServiceError) as info:
        await client.api.get_stage(arn=STAGE_ARN)
    assert type(info.value) is ivsrt.ServiceError
    assert (info.value.code, info.value.status, info.value.message) == (
        "ServiceUnavailableException",
        503,
        "try later",
    )


async def test_a_response_that_breaks_the_model_is_a_parse_error(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    # `stage.arn` is required by the model.
    server.reply("POST", "/GetStage", Reply({"stage": {"name": "no-arn"}}))
    with pytest.raises(ivsrt.ResponseParseError) as info:
        await client.api.get_stage(arn=STAGE_ARN)
    assert "GetStage" in str(info.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_connection_refused_is_a_transport_error_nothing_applied() -> None:
    async with make_client(f"http://127.0.0.1:{_closed_port()}") as ivs:
        with pytest.raises(ivsrt.TransportError) as info:
            await ivs.api.create_stage(name="never-sent")
    err = info.value
    assert type(err) is ivsrt.TransportError
    assert err.may_have_been_applied is False
    assert err.operation == "CreateStage"
    assert isinstance(err.__cause__, botocore.exceptions.BotoCoreError)
    assert not isinstance(err, FOREIGN)


@pytest.fixture
async def dropping() -> AsyncIterator[DroppingServer]:
    srv = DroppingServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


async def test_dropped_read_may_have_been_applied(dropping: DroppingServer) -> None:
    async with make_client(dropping.url) as ivs:
        with pytest.raises(ivsrt.TransportError) as info:
            await ivs.api.get_stage(arn=STAGE_ARN)
    err = info.value
    assert type(err) is ivsrt.TransportError
    assert err.may_have_been_applied is True
    assert err.__cause__ is not None
    assert not isinstance(err, FOREIGN)
    assert dropping.requests == 1


async def test_dropped_create_has_an_unknown_outcome(dropping: DroppingServer) -> None:
    async with make_client(dropping.url) as ivs:
        with pytest.raises(ivsrt.OutcomeUnknownError) as info:
            await ivs.api.create_stage(name="maybe-created")
    err = info.value
    assert err.may_have_been_applied is True
    assert err.operation == "CreateStage"
    assert isinstance(err, ivsrt.TransportError)
    assert err.__cause__ is not None
    assert not isinstance(err, FOREIGN)
    assert dropping.requests == 1
