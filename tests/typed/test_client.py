"""The client: where its region comes from, its lifecycle, session reuse, botocore's retries
being off, and no leaked connections over many open/close cycles."""

from __future__ import annotations

import gc
import logging
import re
import time
import warnings

import pytest
from aiobotocore.session import get_session

import ivsrt
from ivsrt.retry import RetryPolicy
from tests.typed._server import RecordingServer, Reply, error_reply
from tests.typed.conftest import ACCESS_KEY, SECRET_KEY, make_client

STAGE_ARN = "arn:aws:ivs:eu-central-1:123456789012:stage/AbCdEfGh1234"
STAGE_REPLY = Reply({"stage": {"arn": STAGE_ARN, "name": "town-hall"}})


def _scope(server: RecordingServer) -> str:
    """``<key>/<date>/<region>/<service>`` of the last request's SigV4 credential."""
    auth = server.requests[-1].headers["Authorization"]
    match = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
    assert match is not None, auth
    return "/".join(match.groups())


def _env_client(server: RecordingServer) -> ivsrt.Client:
    return ivsrt.Client(
        endpoint_url=server.url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        retry=RetryPolicy.none(),
    )


async def test_region_from_the_argument(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    server.reply("POST", "/GetStage", STAGE_REPLY)
    async with make_client(server.url, region="ap-northeast-2") as ivs:
        await ivs.api.get_stage(arn=STAGE_ARN)
        assert ivs.region == "ap-northeast-2"
    assert _scope(server) == f"{ACCESS_KEY}/ap-northeast-2/ivs"


async def test_region_from_aws_default_region(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "sa-east-1")
    server.reply("POST", "/GetStage", STAGE_REPLY)
    async with _env_client(server) as ivs:
        await ivs.api.get_stage(arn=STAGE_ARN)
        assert ivs.region == "sa-east-1"
    assert _scope(server) == f"{ACCESS_KEY}/sa-east-1/ivs"


async def test_region_from_aws_region(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Client docstring promises AWS_REGION (as every other AWS SDK reads it); botocore
    # itself only reads AWS_DEFAULT_REGION.
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    server.reply("POST", "/GetStage", STAGE_REPLY)
    async with _env_client(server) as ivs:
        await ivs.api.get_stage(arn=STAGE_ARN)
        assert ivs.region == "ap-south-1"
    assert _scope(server) == f"{ACCESS_KEY}/ap-south-1/ivs"


async def test_no_region_is_a_clear_configuration_error(server: RecordingServer) -> None:
    client = _env_client(server)
    with pytest.raises(ivsrt.ConfigurationError, match="region") as info:
        async with client:
            pass
    assert "AWS_REGION" in str(info.value) or "region=" in str(info.value)
    with pytest.raises(ivsrt.ConfigurationError, match="region"):
        await client.api.get_stage(arn=STAGE_ARN)
    await client.close()
    assert server.requests == []


async def test_async_with_and_idempotent_close(server: RecordingServer) -> None:
    server.reply("POST", "/GetStage", STAGE_REPLY)
    client = make_client(server.url)
    async with client as entered:
        assert entered is client
        assert ivsrt.current_client() is client
        assert not client.closed
        await client.api.get_stage(arn=STAGE_ARN)
    assert client.closed
    assert ivsrt.current_client() is None
    await client.close()
    await client.close()
    with pytest.raises(ivsrt.ConfigurationError, match="closed"):
        await client.api.get_stage(arn=STAGE_ARN)
    assert len(server.requests) == 1


async def test_first_call_opens_a_client_used_without_async_with(server: RecordingServer) -> None:
    server.reply("POST", "/GetStage", STAGE_REPLY)
    client = make_client(server.url)
    try:
        stage = (await client.api.get_stage(arn=STAGE_ARN)).stage
        assert stage is not None
        assert stage.name == "town-hall"
    finally:
        await client.close()
    assert client.closed


async def test_a_passed_in_session_is_reused(server: RecordingServer) -> None:
    session = get_session()
    session.set_credentials("AKIDFROMTHESESSION01", "session-secret")
    session.set_config_variable("region", "ca-central-1")
    server.reply("POST", "/GetStage", STAGE_REPLY)
    async with ivsrt.Client(
        session=session, endpoint_url=server.url, retry=RetryPolicy.none()
    ) as ivs:
        await ivs.api.get_stage(arn=STAGE_ARN)
    # Credentials and region came from that session, not from the (empty) environment.
    assert _scope(server) == "AKIDFROMTHESESSION01/ca-central-1/ivs"


async def test_botocore_retries_are_off(server: RecordingServer) -> None:
    server.reply(
        "POST", "/GetStage", error_reply("InternalServerException", "boom", 500, "rid-500")
    )
    async with make_client(server.url) as ivs:  # ivsrt retry policy: one attempt
        with pytest.raises(ivsrt.InternalServerError):
            await ivs.api.get_stage(arn=STAGE_ARN)
    assert len(server.requests) == 1


async def test_attempts_never_multiply(server: RecordingServer) -> None:
    server.reply(
        "POST", "/GetStage", error_reply("InternalServerException", "boom", 500, "rid-500")
    )
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    async with make_client(server.url, retry=policy) as ivs:
        with pytest.raises(ivsrt.InternalServerError):
            await ivs.api.get_stage(arn=STAGE_ARN)
    assert len(server.requests) == 3  # ivsrt's 3 attempts, each exactly one HTTP request


async def test_many_open_close_cycles_leak_nothing(
    server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply("POST", "/GetStage", STAGE_REPLY)
    caplog.set_level(logging.DEBUG, logger="asyncio")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    session = get_session()  # shared, so the cycles measure the client, not model loading
    session.set_credentials(ACCESS_KEY, SECRET_KEY)
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(200):
            client = ivsrt.Client(
                "eu-central-1", session=session, endpoint_url=server.url, retry=RetryPolicy.none()
            )
            async with client as ivs:
                await ivs.api.get_stage(arn=STAGE_ARN)
            assert time.monotonic() - started < 60, "open/close cycles took too long"
        gc.collect()
    assert len(server.requests) == 200
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert [str(w.message) for w in caught if "nclosed" in str(w.message)] == []
    assert [r.getMessage() for r in caplog.records if "nclosed" in r.getMessage()] == []
