"""The control surface under ``/_emulator/``: media, failures, clock, faults, request log."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from ivsrt.emulator._http.guard import control_refusal
from ivsrt.emulator._http.wire import (
    BadBody,
    BodyTimeout,
    json_response,
    read_body,
    read_json_object,
    split_target,
    timeout_response,
)
from ivsrt.emulator._service import Service
from ivsrt.emulator.state.compositions import DESTINATION_RETRY_SECONDS
from ivsrt.emulator.state.errors import ControlError

__all__ = ["CONTROL_PREFIX", "serve_control"]

CONTROL_PREFIX = "/_emulator/"

ControlHandler = Callable[[Service, dict[str, Any], web.Request], Any]


def _query(request: web.Request, key: str) -> str | None:
    """One query parameter (None when absent)."""
    _, query = split_target(request.raw_path)
    return next((v for k, v in parse_qsl(query) if k == key), None)


def _need(body: Mapping[str, Any], key: str, kind: type = str) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError("BAD_REQUEST", f"'{key}' is required ({kind.__name__})")
    return value


def _clock_body(svc: Service) -> dict[str, Any]:
    return {"now": svc.clock.now(), "frozen": svc.clock.frozen}


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


def _flag(body: Mapping[str, Any], key: str) -> bool:
    """``body[key]`` (False when absent or null) if it is a boolean, else 400."""
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ControlError("BAD_REQUEST", f"'{key}' must be a boolean")
    return value


def _fault(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    kind = _need(b, "kind")
    operation = _optional(b, "operation", (str,), "an operation name (a string) or null")
    count = _optional(b, "count", (int,), "an integer (the next N calls)")
    probability = _optional(b, "probability", (int, float), "a number from 0 to 1")
    latency = _optional(b, "latency", (int, float), "a number of seconds")
    status = _optional(b, "status", (int,), "an integer HTTP status (5xx)")
    try:
        svc.faults.inject(
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


def _advance(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    seconds = b.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise ControlError("BAD_REQUEST", "'seconds' is required (a number, not negative)")
    try:
        svc.clock.advance(float(seconds))
    except (ValueError, OverflowError) as exc:
        raise ControlError("BAD_REQUEST", str(exc)) from None
    return _clock_body(svc)


def _freeze(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    svc.clock.freeze()
    return _clock_body(svc)


def _resume(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    svc.clock.resume()
    return _clock_body(svc)


def _restore(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    try:
        svc.restore(b)
    except ValueError as exc:
        raise ControlError("BAD_REQUEST", str(exc)) from None
    return {}


def _clear_faults(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    svc.faults.clear()
    return {}


def _disconnect_destination(svc: Service, b: dict[str, Any], r: web.Request) -> dict[str, Any]:
    recover = _optional(b, "recoverAfter", (int, float), "a number of seconds or null")
    retry = _optional(b, "retryFor", (int, float), "a number of seconds")
    svc.disconnect_destination(
        _need(b, "compositionArn"),
        _need(b, "destinationId"),
        None if recover is None else float(recover),
        DESTINATION_RETRY_SECONDS if retry is None else float(retry),
    )
    return {}


_CONTROL: dict[tuple[str, str], ControlHandler] = {
    ("POST", "join"): lambda e, b, r: {"participantId": e.join(_need(b, "token"), b)},
    ("POST", "leave"): lambda e, b, r: e.leave(_need(b, "token")),
    ("POST", "publish"): lambda e, b, r: e.publish(_need(b, "token")),
    ("POST", "unpublish"): lambda e, b, r: e.unpublish(_need(b, "token")),
    ("POST", "subscribe"): lambda e, b, r: e.subscribe(_need(b, "token")),
    ("POST", "unsubscribe"): lambda e, b, r: e.unsubscribe(_need(b, "token")),
    ("POST", "rtmp/start"): lambda e, b, r: e.start_rtmp(_need(b, "streamKey")),
    ("POST", "rtmp/stop"): lambda e, b, r: e.stop_rtmp(_need(b, "streamKey")),
    ("POST", "streams/start"): lambda e, b, r: {
        "streamId": e.start_stream(_need(b, "channel"), _flag(b, "multitrack"))
    },
    ("POST", "streams/stop"): lambda e, b, r: e.stop_stream(_need(b, "channel")),
    ("POST", "compositions/fail"): lambda e, b, r: e.fail_composition(
        _need(b, "arn"), str(b.get("reason", "failed by the emulator's control surface"))
    ),
    ("POST", "compositions/fail-destination"): lambda e, b, r: e.fail_destination(
        _need(b, "compositionArn"), _need(b, "destinationId")
    ),
    ("POST", "compositions/disconnect-destination"): _disconnect_destination,
    ("POST", "media-errors"): lambda e, b, r: e.inject_media_error(
        _need(b, "participantId"), _need(b, "action"), _need(b, "code")
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
            for i in e.invocations(_query(r, "operation"))
        ]
    },
    ("GET", "requests"): lambda e, b, r: {"count": e.request_count(_query(r, "operation"))},
    ("GET", "stats"): lambda e, b, r: e.stats(),
    ("POST", "reset"): lambda e, b, r: e.reset(),
    ("GET", "snapshot"): lambda e, b, r: e.snapshot(),
    ("POST", "restore"): _restore,
    ("GET", "health"): lambda e, b, r: {"ok": True, "endpointUrl": e.endpoint_url},
}


_MAX_EVENTS_WAIT = 20.0
"""Longest ``wait`` of ``GET events`` (seconds): a long poll, bounded."""


def _number(request: web.Request, key: str, default: float, low: float, high: float) -> float:
    text = _query(request, key)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise ControlError("BAD_REQUEST", f"'{key}' must be a number from {low:g} to {high:g}")
    return value


async def _events(svc: Service, request: web.Request) -> web.StreamResponse:
    """``GET events?after=N&wait=S&detailType=..&resource=..&eventName=..``: the events after
    sequence number N (waiting up to S seconds for one), and ``last``, the cursor for the next
    call."""
    try:
        after = int(_number(request, "after", 0, 0, 2**53))
        wait = _number(request, "wait", 0, 0, _MAX_EVENTS_WAIT)
    except ControlError as exc:
        return json_response({"error": exc.code, "message": exc.message}, 400)
    filters = (_query(request, "detailType"), _query(request, "resource"))
    found, last = await svc.wait_events(after, wait, *filters, _query(request, "eventName"))
    return json_response({"events": found, "last": last})


async def serve_control(svc: Service, request: web.Request) -> web.StreamResponse:
    refusal = control_refusal(svc, request)
    if refusal is not None:
        status, code, message = refusal
        return json_response({"error": code, "message": message}, status)
    path = split_target(request.raw_path)[0][len(CONTROL_PREFIX) :].rstrip("/")
    handler = _CONTROL.get((request.method, path))
    if handler is None and request.method == "GET" and path == "events":
        return await _events(svc, request)
    if handler is None and request.method == "GET" and path.startswith("attempts/"):
        invocation = unquote(path[len("attempts/") :])
        return json_response({"attempts": svc.attempts(invocation)})
    if handler is None:
        return json_response(
            {"error": "NOT_FOUND", "message": f"no control action {request.method} {path}"}, 404
        )
    try:
        raw = await read_body(request, svc.limits.request_body_timeout)
        # a snapshot is taken as it is (its nulls mean "none", as in `snapshot`)
        body = read_json_object(raw, strip_nulls=path != "restore")
    except BodyTimeout:
        return await timeout_response(request, svc.limits.request_body_timeout)
    except web.HTTPRequestEntityTooLarge:
        return json_response(
            {"error": "BAD_REQUEST", "message": "the request body is too large"}, 413
        )
    except BadBody:
        return json_response({"error": "BAD_REQUEST", "message": "body must be a JSON object"}, 400)
    try:
        result = handler(svc, body, request)
    except ControlError as exc:
        status = 404 if exc.code == "NOT_FOUND" else 400
        return json_response({"error": exc.code, "message": exc.message}, status)
    return json_response(result if isinstance(result, dict) else {})
