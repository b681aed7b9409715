"""The HTTP side: rest-json routing, SigV4 verification, validation, faults, and the control
surface under ``/_emulator/``."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import math
import re
import socket
import struct
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from aiohttp import web
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ivsrt._generated.constraints import ERROR_STATUS, OPERATIONS
from ivsrt.emulator._state import ApiError, ControlError
from ivsrt.validation import request_violations

if TYPE_CHECKING:
    from ivsrt.emulator._emulator import Emulator

__all__ = ["CONTROL_PREFIX", "build_app"]

CONTROL_PREFIX = "/_emulator/"
_SERVICE = "ivs"
_ROUTES: dict[tuple[str, str], str] = {
    (spec["method"], spec["uri"]): name
    for name, spec in OPERATIONS.items()
    if "{" not in spec["uri"]
}
_TAG_ROUTES: dict[str, str] = {
    spec["method"]: name for name, spec in OPERATIONS.items() if spec["uri"].startswith("/tags/")
}
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<sig>[0-9a-f]+)"
)
_STATUS_EXTRA = {"ThrottlingException": 429}
_log = logging.getLogger("ivsrt.emulator")


class _BadBody(Exception):
    """The request body is not one JSON object."""


def _read_json_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw`` (empty body: ``{}``), nulls removed (AWS treats a null member
    as absent). Raises `_BadBody` for anything else, deeply nested documents
    (RecursionError) included."""
    if not raw.strip():
        return {}
    try:
        parsed = _strip_nulls(json.loads(raw))
    except (ValueError, RecursionError):
        raise _BadBody("the request body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise _BadBody("the request body must be a JSON object")
    return parsed


def _strip_nulls(value: Any) -> Any:
    """``value`` without JSON nulls (AWS treats a null member as absent)."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value if v is not None]
    return value


def _wire_time(value: datetime.datetime) -> str:
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return _wire_time(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _dumps(body: Mapping[str, Any]) -> str:
    return json.dumps(body, default=_default, separators=(",", ":"))


def _json(body: Mapping[str, Any], status: int = 200, **headers: str) -> web.Response:
    hdrs = {"x-amzn-RequestId": str(uuid.uuid4())}
    hdrs.update(headers)
    return web.Response(
        text=_dumps(body), status=status, content_type="application/json", headers=hdrs
    )


def error_response(code: str, message: str, status: int | None = None) -> web.Response:
    """An error as the service sends it. Modeled errors carry ``exceptionMessage``; errors of
    the AWS front end (signature, throttling, 5xx) also carry ``message``, as AWS sends them."""
    if status is None:
        status = ERROR_STATUS.get(code) or _STATUS_EXTRA.get(code, 400)
    body = {"exceptionMessage": message}
    if code not in ERROR_STATUS:
        body["message"] = message
    return _json(body, status, **{"x-amzn-ErrorType": code})


def _validation_message(violations: list[Any]) -> str:
    n = len(violations)
    detail = "; ".join(
        f"Value at '{v.path}' failed to satisfy constraint: {v.rule}" if v.path else str(v.rule)
        for v in violations
    )
    return f"{n} validation error{'s' if n != 1 else ''} detected: {detail}"


class _Dropped(Exception):
    """The connection was dropped on purpose (fault injection).

    ``build_app``'s handler turns it into ``asyncio.CancelledError``: that is how an aiohttp
    handler ends without writing a response; the transport is already aborted, so the client
    sees a connection reset and aiohttp logs nothing."""


def _drop(request: web.Request, *, linger: bool = True) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        if not linger:  # SO_LINGER 0: close() sends a TCP RST at once
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    raise _Dropped


def _route(request: web.Request) -> tuple[str | None, str | None]:
    """(operation, resourceArn from the path) for an API request."""
    path = urlsplit(request.raw_path).path
    if path.startswith("/tags/"):
        op = _TAG_ROUTES.get(request.method)
        return op, unquote(path[len("/tags/") :])
    return _ROUTES.get((request.method, path)), None


_MAX_SIGNATURE_SKEW = 15 * 60.0
"""Seconds a SigV4 signature stays valid either side of the server's clock, as on AWS."""


def _verify(emu: Emulator, request: web.Request, body: bytes) -> tuple[str, web.Response | None]:
    """(region, None) when the SigV4 signature is good, else (region, a 403 response)."""
    auth = request.headers.get("Authorization")
    if not auth:
        return emu.region, error_response(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: the request must be signed with AWS Signature Version 4",
            403,
        )
    m = _AUTH_RE.match(auth)
    amz_date = request.headers.get("X-Amz-Date", "")
    if m is None or not amz_date:
        return emu.region, error_response(
            "IncompleteSignatureException",
            "The request signature is malformed: expected an AWS4-HMAC-SHA256 Authorization "
            "header and an X-Amz-Date header",
            403,
        )
    parts = m["cred"].split("/")
    if len(parts) != 5 or parts[3] != _SERVICE or parts[4] != "aws4_request":
        return emu.region, error_response(
            "IncompleteSignatureException",
            f"The credential scope must be <key>/<date>/<region>/{_SERVICE}/aws4_request",
            403,
        )
    access_key, date, region = parts[0], parts[1], parts[2]
    if access_key != emu.access_key:
        return region, error_response(
            "UnrecognizedClientException",
            "The security token included in the request is invalid (unknown access key id)",
            403,
        )
    if not amz_date.startswith(date):
        return region, error_response(
            "InvalidSignatureException", "The credential scope date does not match X-Amz-Date", 403
        )
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
    except ValueError:
        return region, error_response(
            "IncompleteSignatureException", "X-Amz-Date must be of the form YYYYMMDDTHHMMSSZ", 403
        )
    # As AWS: a signature is good for 15 minutes either side of the server's (real) time; the
    # emulator's advanceable clock drives resource states, not signature checks.
    skew = abs((datetime.datetime.now(datetime.timezone.utc) - signed_at).total_seconds())
    if skew > _MAX_SIGNATURE_SKEW:
        return region, error_response(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is more than 15 minutes from the server's time",
            403,
        )
    signed = m["signed"].split(";")
    headers: dict[str, str] = {}
    for name in signed:
        values = request.headers.getall(name, [])
        headers[name] = ",".join(values)
    content_sha = request.headers.get("X-Amz-Content-SHA256")
    if content_sha is not None:
        headers["X-Amz-Content-SHA256"] = content_sha
    host = request.headers.get("Host", "localhost")
    aws = AWSRequest(
        method=request.method, url=f"http://{host}{request.raw_path}", headers=headers, data=body
    )
    aws.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(emu.access_key, emu.secret_key), _SERVICE, region)
    canonical = signer.canonical_request(aws)
    expected = signer.signature(signer.string_to_sign(aws, canonical), aws)
    if expected != m["sig"]:
        return region, error_response(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
            403,
        )
    return region, None


def _params(request: web.Request, op: str, body: bytes, arn: str | None) -> dict[str, Any]:
    method = OPERATIONS[op]["method"]
    params: dict[str, Any] = {}
    if method == "POST":
        try:
            params.update(_read_json_object(body))
        except _BadBody as exc:
            raise ApiError("ValidationException", str(exc)) from None
    if arn is not None:
        params["resourceArn"] = arn
    if op == "UntagResource":
        query = urlsplit(request.raw_path).query
        params["tagKeys"] = [
            v for k, v in parse_qsl(query, keep_blank_values=True) if k == "tagKeys"
        ]
    return params


async def _api(emu: Emulator, request: web.Request) -> web.StreamResponse:
    op, arn = _route(request)
    emu._count(op)
    if op is None and not request.headers.get("Authorization"):
        # as AWS: an unsigned request is refused before routing
        return error_response(
            "MissingAuthenticationTokenException", "Missing Authentication Token", 403
        )
    if op is None:
        return error_response(
            "UnknownOperationException",
            f"No operation matches {request.method} {urlsplit(request.raw_path).path}",
            404,
        )
    invocation = request.headers.get("amz-sdk-invocation-id")
    ordinal: int | None = None
    attempt = 1
    if invocation:
        ordinal, attempt = emu._attempts.record(invocation, op)
    if emu.faults.decide(op, ordinal, attempt, reading=True).kind == "reset_reading":
        _drop(request, linger=False)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return error_response(
            "ValidationException",
            f"the request body is larger than {emu.limits.max_body_bytes} bytes",
            413,
        )
    region, rejected = _verify(emu, request, body)
    if rejected is not None:
        return rejected
    decision = emu.faults.decide(op, ordinal, attempt)
    if decision.latency:
        await asyncio.sleep(decision.latency)
    if decision.kind == "throttle":
        return error_response("ThrottlingException", "Rate exceeded", 429)
    if decision.kind == "server_error":
        code = "InternalServerException" if decision.status == 500 else "ServiceUnavailable"
        return error_response(code, "injected server error", decision.status)
    if decision.kind == "reset_before":
        return _drop(request)
    try:
        params = _params(request, op, body, arn)
        violations = request_violations(op, params, naming="wire")
        if violations:
            raise ApiError("ValidationException", _validation_message(violations))
        with emu._state.lock:
            result = emu._state.handler(op)(params, region)
    except ApiError as exc:
        if decision.kind == "reset_after":
            return _drop(request)
        return error_response(exc.code, exc.message, exc.status)
    if decision.kind == "reset_after":
        return _drop(request)
    return _json(result, OPERATIONS[op]["status"])


# -- control surface ------------------------------------------------------------------------

ControlHandler = Callable[["Emulator", dict[str, Any], web.Request], Any]


def _need(body: Mapping[str, Any], key: str, kind: type = str) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError("BAD_REQUEST", f"'{key}' is required ({kind.__name__})")
    return value


def _clock_body(emu: Emulator) -> dict[str, Any]:
    return {"now": emu.clock.now(), "frozen": emu.clock.frozen}


def _optional(body: Mapping[str, Any], key: str, kinds: tuple[type, ...], what: str) -> Any:
    """``body[key]`` (None when absent or null) if it is one of ``kinds``, else 400."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ControlError("BAD_REQUEST", f"'{key}' must be {what}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ControlError("BAD_REQUEST", f"'{key}' must be a finite number")
    return value


def _fault(emu: Emulator, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    kind = _need(b, "kind")
    operation = _optional(b, "operation", (str,), "an operation name (a string) or null")
    count = _optional(b, "count", (int,), "an integer (the next N calls)")
    probability = _optional(b, "probability", (int, float), "a number from 0 to 1")
    latency = _optional(b, "latency", (int, float), "a number of seconds")
    status = _optional(b, "status", (int,), "an integer HTTP status (5xx)")
    try:
        emu.faults.inject(
            operation,
            kind,
            probability=None if probability is None else float(probability),
            count=count,
            latency=0.0 if latency is None else float(latency),
            status=503 if status is None else status,
        )
    except ValueError as exc:
        raise ControlError("BAD_REQUEST", str(exc)) from None
    return {}


def _advance(emu: Emulator, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    seconds = b.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise ControlError("BAD_REQUEST", "'seconds' is required (a number, not negative)")
    try:
        emu.clock.advance(float(seconds))
    except (ValueError, OverflowError) as exc:
        raise ControlError("BAD_REQUEST", str(exc)) from None
    return _clock_body(emu)


def _freeze(emu: Emulator, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    emu.clock.freeze()
    return _clock_body(emu)


def _resume(emu: Emulator, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    emu.clock.resume()
    return _clock_body(emu)


def _clear_faults(emu: Emulator, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    emu.faults.clear()
    return {}


_CONTROL: dict[tuple[str, str], ControlHandler] = {
    ("POST", "join"): lambda e, b, r: {"participantId": e.join(_need(b, "token"))},
    ("POST", "leave"): lambda e, b, r: e.leave(_need(b, "token")),
    ("POST", "publish"): lambda e, b, r: e.publish(_need(b, "token")),
    ("POST", "unpublish"): lambda e, b, r: e.unpublish(_need(b, "token")),
    ("POST", "subscribe"): lambda e, b, r: e.subscribe(_need(b, "token")),
    ("POST", "unsubscribe"): lambda e, b, r: e.unsubscribe(_need(b, "token")),
    ("POST", "rtmp/start"): lambda e, b, r: e.start_rtmp(_need(b, "streamKey")),
    ("POST", "rtmp/stop"): lambda e, b, r: e.stop_rtmp(_need(b, "streamKey")),
    ("POST", "compositions/fail"): lambda e, b, r: e.fail_composition(
        _need(b, "arn"), str(b.get("reason", "failed by the emulator's control surface"))
    ),
    ("POST", "compositions/fail-destination"): lambda e, b, r: e.fail_destination(
        _need(b, "compositionArn"), _need(b, "destinationId")
    ),
    ("GET", "clock"): lambda e, b, r: _clock_body(e),
    ("POST", "clock/advance"): _advance,
    ("POST", "clock/freeze"): _freeze,
    ("POST", "clock/resume"): _resume,
    ("POST", "faults"): _fault,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "invocations"): lambda e, b, r: {
        "invocations": [
            {"id": i.id, "operation": i.operation, "attempts": i.attempts}
            for i in e.invocations(r.query.get("operation"))
        ]
    },
    ("GET", "requests"): lambda e, b, r: {"count": e.request_count(r.query.get("operation"))},
    ("GET", "health"): lambda e, b, r: {"ok": True, "endpointUrl": e.endpoint_url},
}


async def _control(emu: Emulator, request: web.Request) -> web.StreamResponse:
    path = urlsplit(request.raw_path).path[len(CONTROL_PREFIX) :].rstrip("/")
    handler = _CONTROL.get((request.method, path))
    if handler is None and request.method == "GET" and path.startswith("attempts/"):
        invocation = unquote(path[len("attempts/") :])
        return _json({"attempts": emu.attempts(invocation)})
    if handler is None:
        return _json(
            {"error": "NOT_FOUND", "message": f"no control action {request.method} {path}"}, 404
        )
    try:
        body = _read_json_object(await request.read())
    except _BadBody:
        return _json({"error": "BAD_REQUEST", "message": "body must be a JSON object"}, 400)
    try:
        result = handler(emu, body, request)
    except ControlError as exc:
        status = 404 if exc.code == "NOT_FOUND" else 400
        return _json({"error": exc.code, "message": exc.message}, status)
    return _json(result if isinstance(result, dict) else {})


def build_app(emu: Emulator) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            if request.raw_path.startswith(CONTROL_PREFIX):
                return await _control(emu, request)
            return await _api(emu, request)
        except _Dropped:
            raise asyncio.CancelledError from None
        except web.HTTPException:
            raise
        except Exception:
            # a bug of the emulator: log it here, answer as the service would (no traceback)
            _log.exception("internal error serving %s %s", request.method, request.path)
            return error_response("InternalServerException", "internal error of the emulator", 500)

    app = web.Application(client_max_size=emu.limits.max_body_bytes)
    route: Callable[[web.Request], Awaitable[web.StreamResponse]] = handle
    app.router.add_route("*", "/{tail:.*}", route)
    return app
