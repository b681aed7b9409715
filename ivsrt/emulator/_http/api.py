"""The rest-json API: routing, parameters, validation, faults, dispatch to the service."""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from ivsrt._generated.channels.constraints import OPERATIONS as CHANNEL_OPERATIONS
from ivsrt._generated.constraints import OPERATIONS
from ivsrt.emulator._http.sigv4 import verify
from ivsrt.emulator._http.wire import (
    BadBody,
    BodyTimeout,
    error_response,
    json_response,
    read_body,
    read_json_object,
    split_target,
    timeout_response,
    validation_message,
)
from ivsrt.emulator._rates import RATE_EXCEEDED
from ivsrt.emulator._service import Service
from ivsrt.emulator.state.arns import CHANNEL_KINDS, parse_arn
from ivsrt.emulator.state.errors import ApiError
from ivsrt.validation import request_violations

__all__ = ["Dropped", "serve_api"]

_SERVICES: dict[str, dict[str, dict[str, Any]]] = {
    "ivs-realtime": OPERATIONS,
    "ivs": CHANNEL_OPERATIONS,
}
"""The operations of each service the emulator serves. Both sign as ``ivs``; their paths
differ (``/CreateStage``, ``/CreateChannel``) but for ``/tags/{resourceArn}``, which is
routed by the ARN's resource type."""

ROUTES: dict[tuple[str, str], tuple[str, str]] = {
    (spec["method"], spec["uri"]): (service, name)
    for service, operations in _SERVICES.items()
    for name, spec in operations.items()
    if "{" not in spec["uri"]
}
"""(method, path) -> (service, operation)."""
_TAG_ROUTES: dict[str, str] = {
    spec["method"]: name for name, spec in OPERATIONS.items() if spec["uri"].startswith("/tags/")
}


class Dropped(Exception):
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
    raise Dropped


def _route(request: web.Request) -> tuple[str, str | None, str | None]:
    """(service, operation, resourceArn from the path) for an API request."""
    path, _ = split_target(request.raw_path)
    if path.startswith("/tags/"):
        arn = unquote(path[len("/tags/") :])
        parsed = parse_arn(arn)
        channel = parsed is not None and parsed.resource_type in CHANNEL_KINDS
        return ("ivs" if channel else "ivs-realtime"), _TAG_ROUTES.get(request.method), arn
    service, op = ROUTES.get((request.method, path), ("ivs-realtime", None))
    return service, op, None


def _params(
    request: web.Request, service: str, op: str, body: bytes, arn: str | None
) -> dict[str, Any]:
    method = _SERVICES[service][op]["method"]
    params: dict[str, Any] = {}
    if body.strip():
        # restJson1: a body is JSON, said so by its Content-Type (415 otherwise), and one
        # that does not parse is a SerializationException
        content_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip()
        if content_type.lower() != "application/json":
            raise ApiError(
                "UnsupportedMediaTypeException",
                f"the request body must be JSON with Content-Type application/json, "
                f"not {content_type[:100]!r}",
                415,
            )
    if method == "POST":
        try:
            params.update(read_json_object(body))
        except BadBody as exc:
            raise ApiError("SerializationException", str(exc)) from None
    if arn is not None:
        params["resourceArn"] = arn
    if op == "UntagResource":
        _, query = split_target(request.raw_path)
        params["tagKeys"] = [
            v for k, v in parse_qsl(query, keep_blank_values=True) if k == "tagKeys"
        ]
    return params


async def serve_api(svc: Service, request: web.Request) -> web.StreamResponse:
    service, op, arn = _route(request)
    svc.count(op)
    if op is None and not request.headers.get("Authorization"):
        # as AWS: an unsigned request is refused before routing
        return error_response(
            "MissingAuthenticationTokenException", "Missing Authentication Token", 403
        )
    if op is None:
        return error_response(
            "UnknownOperationException",
            f"No operation matches {request.method} {split_target(request.raw_path)[0]}",
            404,
        )
    invocation = request.headers.get("amz-sdk-invocation-id")
    if invocation and request.headers.get("Authorization"):
        # reset_reading: the head has arrived, the body is not read. The signature cannot be
        # checked without the body, so a signed-looking request is the attempt it claims to be.
        next_ordinal, next_attempt = svc.attempt_log.peek(invocation)
        reading = svc.faults.decide(op, next_ordinal, next_attempt, reading=True)
        if reading.kind == "reset_reading":
            svc.attempt_log.record(invocation, op)
            _drop(request, linger=False)
    try:
        body = await read_body(request, svc.limits.request_body_timeout)
    except BodyTimeout:
        return await timeout_response(request, svc.limits.request_body_timeout)
    except web.HTTPRequestEntityTooLarge:
        return error_response(
            "ValidationException",
            f"the request body is larger than {svc.limits.max_body_bytes} bytes",
            413,
        )
    region, rejected = verify(svc, request, body)
    if rejected is not None:
        return rejected
    # only a request that passed authentication is an attempt of its invocation
    ordinal: int | None = None
    attempt = 1
    if invocation:
        ordinal, attempt = svc.attempt_log.record(invocation, op)
    decision = svc.faults.decide(op, ordinal, attempt)
    if decision.latency:
        await asyncio.sleep(decision.latency)
    if decision.kind == "throttle":
        return error_response("ThrottlingException", "Rate exceeded", 429)
    if not svc.rates.admit(region, op):  # the service's call rate quotas, when enforced
        return error_response("ThrottlingException", RATE_EXCEEDED, 429)
    if decision.kind == "server_error":
        code = "InternalServerException" if decision.status == 500 else "ServiceUnavailable"
        return error_response(code, "injected server error", decision.status)
    if decision.kind == "reset_before":
        return _drop(request)
    try:
        params = _params(request, service, op, body, arn)
        violations = request_violations(op, params, naming="wire", service=service)
        if violations:
            raise ApiError("ValidationException", validation_message(violations))
        result = svc.call(op, params, region, service)
    except ApiError as exc:
        if decision.kind == "reset_after":
            return _drop(request)
        return error_response(exc.code, exc.message, exc.status)
    if decision.kind == "reset_after":
        return _drop(request)
    return json_response(result, _SERVICES[service][op]["status"])
