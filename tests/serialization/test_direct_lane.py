"""The direct lane of ``ivsrt._runtime.direct`` sends exactly the request botocore sends and
gives exactly the outcome botocore gives.

- For every operation of both services, on hypothesis-generated inputs (any value of the
  model's types, unvalidated), the request a client sends by the lane and the one an identical
  client sends through botocore are the same bytes on the wire: method, path and query, body,
  every header in order (the date, signature and invocation ids aside); the lane's signature is
  the one botocore's ``SigV4Auth`` computes for the request as received.
- Error replies end in the same ivsrt exception either way.
- botocore takes the calls back when a handler is registered on the client (and the lane
  resumes when it is unregistered), when botocore logs DEBUG, and refreshed credentials sign
  the lane's requests.
"""

from __future__ import annotations

import logging
import types
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiobotocore.credentials import AioRefreshableCredentials
from aiobotocore.session import AioSession
from aiohttp import web
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import CredentialProvider, Credentials
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import ivsrt
from ivsrt._generated import operations as realtime_operations
from ivsrt._generated.channels import operations as channel_operations
from ivsrt._runtime.spec import OperationSpec
from ivsrt._runtime.transport import Attempt

_SECRET = "lane-secret"
_PER_REQUEST = {
    "x-amz-date",
    "authorization",
    "x-amz-security-token",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
}


def _specs(module: types.ModuleType) -> list[OperationSpec[Any]]:
    return [v for v in vars(module).values() if isinstance(v, OperationSpec)]


_SPECS = _specs(realtime_operations) + _specs(channel_operations)


class _Wire:
    """Records each request as it arrived (raw path and query, headers in order, body) and
    answers with ``self.reply`` (200 ``{}`` unless a test sets another)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        self.reply: Callable[[], web.Response] = lambda: web.json_response({})
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        headers = [(k.decode(), v.decode()) for k, v in request.raw_headers]
        self.requests.append((request.method, request.raw_path, headers, await request.read()))
        return self.reply()


@pytest.fixture
async def wire() -> AsyncIterator[_Wire]:
    recorder = _Wire()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server: Any = site._server
    recorder.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    yield recorder
    await runner.cleanup()


def _client(url: str, **options: Any) -> ivsrt.Client:
    return ivsrt.Client(
        region="us-west-2",
        endpoint_url=url,
        aws_access_key_id="AKIDLANE",
        aws_secret_access_key=_SECRET,
        retry=ivsrt.RetryPolicy(max_attempts=1),
        **options,
    )


def _through_botocore(aio: Any) -> Callable[..., None]:
    """Register a handler that changes nothing: the lane then leaves the client's calls to
    botocore. Returns the handler (it counts its calls)."""

    def handler(**_: Any) -> None:
        handler.calls += 1  # type: ignore[attr-defined]

    handler.calls = 0  # type: ignore[attr-defined]
    aio.meta.events.register("before-send", handler)
    return handler


def _comparable(request: tuple[str, str, list[tuple[str, str]], bytes]) -> tuple[Any, ...]:
    method, path, headers, body = request
    return (
        method,
        path,
        [(k.lower(), "" if k.lower() in _PER_REQUEST else v) for k, v in headers],
        body,
    )


def _botocore_signature(url: str, request: tuple[str, str, list[tuple[str, str]], bytes]) -> str:
    return _signature_with(url, request, _SECRET)


def _signature_with(
    url: str, request: tuple[str, str, list[tuple[str, str]], bytes], secret: str
) -> str:
    """The ``Authorization`` botocore's ``SigV4Auth`` computes for the request as received
    (its headers named in ``SignedHeaders``, at its ``X-Amz-Date``)."""
    method, path, headers, body = request
    sent = {k.lower(): v for k, v in headers}
    fields = dict(
        part.strip().partition("=")[::2]
        for part in sent["authorization"].split(" ", 1)[1].split(",")
    )
    _, _, region, service, _ = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    aws = AWSRequest(method=method, url=url + path, data=body, headers={k: sent[k] for k in signed})
    aws.context["timestamp"] = sent["x-amz-date"]
    auth = SigV4Auth(
        Credentials("AKIDLANE", secret, sent.get("x-amz-security-token")), service, region
    )
    canonical = auth.canonical_request(aws)
    signature = auth.signature(auth.string_to_sign(aws, canonical), aws)
    auth._inject_signature_to_request(aws, signature)
    return str(aws.headers["Authorization"])


def _value(shapes: Any, shape: Any, depth: int) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth > 3:
            return st.just({})
        members = {n: _value(shapes, s, depth + 1) for n, s in shape.members.items()}
        required = {n: members[n] for n in shape.required_members}
        optional = {n: m for n, m in members.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        return st.lists(_value(shapes, shape.member, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(
            _value(shapes, shape.key, depth + 1), _value(shapes, shape.value, depth + 1), max_size=3
        )
    if kind == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        return st.text(max_size=12)
    if kind in ("integer", "long"):
        return st.integers(-(2**40), 2**40)
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(timezones=st.just(timezone.utc))
    if kind == "blob":
        return st.binary(max_size=12)
    raise AssertionError(f"no strategy for {kind}")  # pragma: no cover - the models have none


def _inputs(aio: Any, spec: OperationSpec[Any]) -> st.SearchStrategy[dict[str, Any]]:
    model = aio.meta.service_model.operation_model(spec.name)
    if model.input_shape is None:
        return st.just({})
    return _value(None, model.input_shape, 0)


_ATTEMPT = Attempt("invocation-id", 1, 1)


async def _outcome(
    client: ivsrt.Client, spec: OperationSpec[Any], params: dict[str, Any]
) -> tuple[Any, ...]:
    """What one attempt returned, or the type and text of what it raised."""
    try:
        answer = await client._core.send(spec, params, _ATTEMPT)
    except ClientError as exc:  # compared between the two ways
        return ("raised", type(exc), _metadata_compared(exc.response))
    except Exception as exc:
        return ("raised", type(exc), str(exc))
    return ("returned", _metadata_compared(answer))


def _metadata_compared(response: dict[str, Any]) -> dict[str, Any]:
    """``response`` without its Date header and without ``MaxAttemptsReached``: botocore's
    retry handler (retries off) marks some replies so (and then names it in the error's
    text); the lane runs no retry handler. Nothing of ivsrt reads either."""
    response["ResponseMetadata"]["HTTPHeaders"].pop("date", None)
    response["ResponseMetadata"].pop("MaxAttemptsReached", None)
    return response


def _examples(strategy: st.SearchStrategy[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` inputs drawn by hypothesis (the calls themselves are async)."""
    drawn: list[dict[str, Any]] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(params: dict[str, Any]) -> None:
        drawn.append(params)

    collect()
    return drawn


@pytest.mark.parametrize("spec", _SPECS, ids=lambda s: f"{s.service}:{s.name}")
async def test_the_lane_sends_botocores_bytes(wire: _Wire, spec: OperationSpec[Any]) -> None:
    async with _client(wire.url) as lane_client, _client(wire.url) as botocore_client:
        lane_aio = await lane_client._core.open_service(spec.service)
        plain_aio = await botocore_client._core.open_service(spec.service)
        counter = _through_botocore(plain_aio)
        lane = lane_aio._ivsrt_lane
        for params in _examples(_inputs(lane_aio, spec), 15):
            if spec.name not in lane._profiles:
                await _outcome(lane_client, spec, params)  # learned from botocore's request
                assert spec.name in lane._profiles
            before = counter.calls  # type: ignore[attr-defined]
            wire.requests.clear()
            by_lane_outcome = await _outcome(lane_client, spec, params)
            assert by_lane_outcome == await _outcome(botocore_client, spec, params)
            assert counter.calls == before + 1  # type: ignore[attr-defined]
            if not wire.requests:
                continue  # both refused to send it (an URL aiohttp cannot send), alike
            by_lane, by_botocore = wire.requests
            assert _comparable(by_lane) == _comparable(by_botocore)
            sent = {k.lower(): v for k, v in by_lane[2]}
            assert sent["authorization"] == _botocore_signature(wire.url, by_lane)
            assert sent["amz-sdk-invocation-id"] == "invocation-id"


_GET_STAGE = realtime_operations._GET_STAGE
_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdEFGH1234"
_STAGE = {"stage": {"arn": _ARN, "name": "lane"}}


def _ivs_error(status: int, code: str | None, body: bytes) -> Callable[[], web.Response]:
    headers = {"x-amzn-RequestId": "rid-lane"}
    if code is not None:
        headers["x-amzn-ErrorType"] = f"{code}:http://internal.amazon.com/"
    return lambda: web.Response(
        status=status, body=body, headers=headers, content_type="application/json"
    )


_REPLIES = {
    "modeled 404": _ivs_error(404, "ResourceNotFoundException", b'{"exceptionMessage": "gone"}'),
    "validation 400": _ivs_error(400, "ValidationException", b'{"exceptionMessage": "bad"}'),
    "bare 429": _ivs_error(429, None, b"{}"),
    "500 with code": _ivs_error(500, "InternalServerException", b'{"exceptionMessage": "x"}'),
    "503 not JSON": _ivs_error(503, None, b"<html>busy</html>"),
    "error body a list": _ivs_error(400, None, b"[1, 2]"),
    "200 not an object": lambda: web.Response(status=200, body=b"[]"),
    "200 not JSON": lambda: web.Response(status=200, body=b"\xff\xfe"),
    "200 wrong type": lambda: web.json_response({"stage": {"arn": 5, "name": "x"}}),
    "307 redirect": lambda: web.Response(status=307, headers={"Location": "http://127.0.0.1:9/"}),
}


def _described(exc: BaseException) -> tuple[Any, ...]:
    return (
        type(exc),
        str(exc),
        {k: v for k, v in vars(exc).items() if not k.startswith("_")},
        type(exc.__cause__),
    )


@pytest.mark.parametrize("reply", list(_REPLIES), ids=list(_REPLIES))
async def test_error_replies_end_the_same_either_way(wire: _Wire, reply: str) -> None:
    async with _client(wire.url) as lane_client, _client(wire.url) as botocore_client:
        wire.reply = lambda: web.json_response(_STAGE)
        await lane_client.api.get_stage(arn=_ARN)  # learned: later calls take the lane
        assert "GetStage" in lane_client._core.aio._ivsrt_lane._profiles
        counter = _through_botocore(botocore_client._core.aio)
        wire.reply = _REPLIES[reply]
        outcomes = []
        for client in (lane_client, botocore_client):
            with pytest.raises(ivsrt.IvsrtError) as caught:
                await client.api.get_stage(arn=_ARN)
            outcomes.append(_described(caught.value))
        assert counter.calls == 1  # type: ignore[attr-defined]
        assert outcomes[0] == outcomes[1]


async def test_a_registered_handler_takes_the_calls_back_until_unregistered(wire: _Wire) -> None:
    wire.reply = lambda: web.json_response(_STAGE)
    async with _client(wire.url) as client:
        await client.api.get_stage(arn=_ARN)
        await client.api.get_stage(arn=_ARN)
        lane = client._core.aio._ivsrt_lane
        assert "GetStage" in lane._profiles
        seen: list[Any] = []

        def add_header(request: Any, **_: Any) -> None:
            seen.append(request)
            request.headers["x-added-by-handler"] = "yes"

        client._core.aio.meta.events.register("before-sign.ivs-realtime", add_header)
        wire.requests.clear()
        await client.api.get_stage(arn=_ARN)
        await client.api.get_stage(arn=_ARN)
        assert len(seen) == 2
        assert all(("x-added-by-handler", "yes") in r[2] for r in wire.requests)
        assert "GetStage" not in lane._profiles

        client._core.aio.meta.events.unregister("before-sign.ivs-realtime", add_header)
        await client.api.get_stage(arn=_ARN)  # learned again
        wire.requests.clear()
        await client.api.get_stage(arn=_ARN)
        assert "GetStage" in lane._profiles
        assert len(seen) == 2
        assert not any(k == "x-added-by-handler" for k, _ in wire.requests[0][2])


async def test_botocore_debug_logging_sends_through_botocore(
    wire: _Wire, caplog: pytest.LogCaptureFixture
) -> None:
    wire.reply = lambda: web.json_response(_STAGE)
    async with _client(wire.url) as client:
        await client.api.get_stage(arn=_ARN)
        await client.api.get_stage(arn=_ARN)
        with caplog.at_level(logging.DEBUG, logger="botocore.endpoint"):
            await client.api.get_stage(arn=_ARN)
        assert any("Sending http request" in r.getMessage() for r in caplog.records)
        caplog.clear()
        await client.api.get_stage(arn=_ARN)
        assert not any("Sending http request" in r.getMessage() for r in caplog.records)


class _Rotating:
    """A credential source whose every refresh brings a new secret key (the credentials
    expire within botocore's mandatory refresh window, so each use refreshes them)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []

    async def __call__(self) -> dict[str, str]:
        self.secrets.append(f"rotated-{len(self.secrets)}")
        expiry = datetime.now(timezone.utc) + timedelta(minutes=1)
        return {
            "access_key": "AKIDLANE",
            "secret_key": self.secrets[-1],
            "token": f"token-{len(self.secrets)}",
            "expiry_time": expiry.isoformat(),
        }


async def test_refreshed_credentials_sign_the_lanes_requests(wire: _Wire) -> None:
    source = _Rotating()
    credentials = AioRefreshableCredentials.create_from_metadata(
        await source(), refresh_using=source, method="lane-test"
    )
    session = AioSession()
    resolver = session.get_component("credential_provider")

    class _Provider(CredentialProvider):  # type: ignore[misc]
        METHOD = "lane-test"

        async def load(self) -> Any:
            return credentials

    resolver.insert_before(resolver.providers[0].METHOD, _Provider())
    wire.reply = lambda: web.json_response(_STAGE)
    client = ivsrt.Client(
        region="us-west-2",
        endpoint_url=wire.url,
        session=session,
        retry=ivsrt.RetryPolicy(max_attempts=1),
    )
    async with client:
        await client.api.get_stage(arn=_ARN)
        assert "GetStage" in client._core.aio._ivsrt_lane._profiles
        for _ in range(3):
            wire.requests.clear()
            await client.api.get_stage(arn=_ARN)
            sent = {k.lower(): v for k, v in wire.requests[0][2]}
            assert sent["x-amz-security-token"] == f"token-{len(source.secrets)}"
            expected = _signature_with(wire.url, wire.requests[0], source.secrets[-1])
            assert sent["authorization"] == expected
        assert len(set(source.secrets)) >= 4
