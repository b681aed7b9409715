"""No input makes the emulator answer 500, and nothing a request creates is impossible to clean
up: hostile targets and headers, bad tokens, credential scopes that are not regions, slow
clients. Written from the wire protocol (plain HTTP, SigV4 signed with botocore's signer) and
boto3."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import time
from typing import Any

import aiohttp
import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from ivsrt.emulator import ControlError, Emulator, Limits


def _port(emu: Emulator) -> int:
    return int(emu.endpoint_url.rsplit(":", 1)[1])


async def _raw(emu: Emulator, data: bytes, wait: float = 5.0) -> bytes:
    """Send ``data`` on a fresh connection; everything the server answers before closing."""
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(emu))
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def _auth_headers(region: str = "us-west-2") -> bytes:
    """A syntactically valid SigV4 Authorization (wrong signature) with a fresh date."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return (
        f"Authorization: AWS4-HMAC-SHA256 Credential=test/{now[:8]}/{region}/ivs/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature=00ff\r\nX-Amz-Date: {now}\r\n"
    ).encode()


def _boto(emu: Emulator, **kw: Any) -> Any:
    """A plain boto3 client (call it with ``asyncio.to_thread``: the emulator serves on this
    event loop)."""
    return boto3.client(
        "ivs-realtime",
        region_name="us-west-2",
        endpoint_url=emu.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
        **kw,
    )


async def _signed(
    emu: Emulator,
    op: str,
    body: dict[str, Any],
    *,
    region: str = "us-west-2",
    extra: dict[str, str] | None = None,
) -> tuple[int, str | None]:
    """POST ``op`` signed with botocore's SigV4 signer (every header in ``extra`` signed)."""
    url = f"{emu.endpoint_url}/{op}"
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **(extra or {})}
    req = AWSRequest(method="POST", url=url, data=data, headers=headers)
    SigV4Auth(Credentials("test", "test"), "ivs", region).add_auth(req)
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=data, headers=dict(req.headers.items())) as resp,
    ):
        await resp.read()
        return resp.status, resp.headers.get("x-amzn-ErrorType")


@pytest.mark.parametrize("signed", [False, True])
async def test_a_host_header_that_is_not_a_host_is_a_400(
    ivs_emulator: Emulator, signed: bool
) -> None:
    auth = _auth_headers() if signed else b""
    reply = await _raw(
        ivs_emulator,
        b"POST /ListStages HTTP/1.1\r\nHost: [\r\n" + auth + b"Content-Length: 0\r\n"
        b"Connection: close\r\n\r\n",
    )
    assert _status(reply) == 400
    assert b"x-amzn-ErrorType: BadRequestException" in reply


@pytest.mark.parametrize("target", [b"//[/ListStages", b"//x:99999/ListStages", b"//x:bad/"])
async def test_targets_that_look_like_authorities_are_paths(
    ivs_emulator: Emulator, target: bytes
) -> None:
    unsigned = await _raw(
        ivs_emulator,
        b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    assert _status(unsigned) == 403  # MissingAuthenticationToken, before routing
    signed = await _raw(
        ivs_emulator,
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + _auth_headers()
        + b"Connection: close"
        b"\r\n\r\n",
    )
    assert _status(signed) == 404  # no operation has that path
    assert b"UnknownOperationException" in signed


async def test_a_token_with_a_non_ascii_signature_is_a_control_error(
    ivs_emulator: Emulator,
) -> None:
    token = "eyJhbGciOiJFUzM4NCJ9.eyJqdGkiOiJ4In0.\u00e9\u00e9"
    with pytest.raises(ControlError) as info:
        ivs_emulator.join(token)
    assert info.value.code == "INVALID_TOKEN"
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            ivs_emulator.control_url + "join",
            json={"token": token},
            headers={"X-Ivsrt-Control": "1"},
        ) as resp,
    ):
        assert resp.status == 400
        assert (await resp.json())["error"] == "INVALID_TOKEN"


@pytest.mark.parametrize(
    "region", ["us-west-2:999999999999", "us-west-2x", "US-WEST-2", "west", "a" * 300]
)
async def test_the_credential_scope_must_name_a_region(ivs_emulator: Emulator, region: str) -> None:
    status, code = await _signed(ivs_emulator, "CreateStage", {"name": "x"}, region=region)
    assert (status, code) == (403, "InvalidSignatureException")
    # nothing was created, in any region
    assert (await asyncio.to_thread(_boto(ivs_emulator).list_stages))["stages"] == []
    assert ivs_emulator.invocations("CreateStage") == []


async def test_region_names_of_every_partition_are_accepted(ivs_emulator: Emulator) -> None:
    for region in ("eu-central-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"):
        status, _ = await _signed(ivs_emulator, "ListStages", {}, region=region)
        assert status == 200, region


async def test_a_signed_x_amz_content_sha256_is_accepted(ivs_emulator: Emulator) -> None:
    body = {"name": "hashed"}
    good = hashlib.sha256(json.dumps(body).encode()).hexdigest()
    status, _ = await _signed(
        ivs_emulator, "CreateStage", body, extra={"X-Amz-Content-SHA256": good}
    )
    assert status == 200
    # a claimed hash that is not the body's cannot pass
    status, code = await _signed(
        ivs_emulator, "CreateStage", body, extra={"X-Amz-Content-SHA256": "0" * 64}
    )
    assert (status, code) == (403, "InvalidSignatureException")
    stages = (await asyncio.to_thread(_boto(ivs_emulator).list_stages))["stages"]
    assert [s["name"] for s in stages] == ["hashed"]


async def test_unsigned_requests_are_not_attempts(ivs_emulator: Emulator) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{ivs_emulator.endpoint_url}/ListStages",
            json={},
            headers={"amz-sdk-invocation-id": "inv-1", "amz-sdk-request": "attempt=1"},
        ) as resp,
    ):
        assert resp.status == 403
    assert ivs_emulator.invocations() == []
    assert ivs_emulator.attempts("inv-1") == 0
    await asyncio.to_thread(_boto(ivs_emulator).list_stages)
    assert [i.attempts for i in ivs_emulator.invocations("ListStages")] == [1]


async def test_slow_headers_are_cut_off() -> None:
    async with Emulator(limits=Limits(request_header_timeout=0.5)) as emu:
        started = time.monotonic()
        # headers never finish: the server closes the connection without answering
        reply = await _raw(
            emu, b"POST /ListStages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", wait=10
        )
        assert reply == b""
        assert time.monotonic() - started < 5


async def test_slow_bodies_are_a_408() -> None:
    async with Emulator(limits=Limits(request_body_timeout=0.5)) as emu:
        started = time.monotonic()
        reply = await _raw(
            emu,
            b"POST /ListStages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n" + _auth_headers() + b"\r\n{",
            wait=10,
        )
        assert _status(reply) == 408
        assert b"RequestTimeoutException" in reply
        assert time.monotonic() - started < 5
