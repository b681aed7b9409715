"""JSON in and out, and the service's error shape."""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from ivsrt._generated.channels.constraints import ERROR_STATUS as _CHANNEL_ERROR_STATUS
from ivsrt._generated.constraints import ERROR_STATUS as _REALTIME_ERROR_STATUS

__all__ = [
    "BadBody",
    "BodyTimeout",
    "error_response",
    "host_is_valid",
    "json_response",
    "read_body",
    "read_json_object",
    "split_target",
    "timeout_response",
    "validation_message",
]

_STATUS_EXTRA = {"ThrottlingException": 429}
ERROR_STATUS = {**_CHANNEL_ERROR_STATUS, **_REALTIME_ERROR_STATUS}
"""The HTTP status of every error either model defines (the same where both do)."""


class BadBody(Exception):
    """The request body is not one JSON object."""


def read_json_object(raw: bytes, *, strip_nulls: bool = True) -> dict[str, Any]:
    """The JSON object in ``raw`` (empty body: ``{}``), nulls removed (AWS treats a null member
    as absent). Raises `BadBody` for anything else, deeply nested documents
    (RecursionError) included."""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
        if strip_nulls:
            parsed = _strip_nulls(parsed)
    except (ValueError, RecursionError):
        raise BadBody("the request body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise BadBody("the request body must be a JSON object")
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


@functools.lru_cache(maxsize=8192)
def _utc_wire_time(value: datetime.datetime) -> str:
    """`_wire_time` of a UTC datetime, remembered: a list page formats the same times on every
    request (each participant's ``firstJoinTime``...), and formatting is most of its cost.
    Only plain UTC datetimes come here: for them equal means the same instant and the same
    text (another zone's fold could make equal datetimes different instants)."""
    return _wire_time(value)


def _default(value: Any) -> Any:
    if type(value) is datetime.datetime and value.tzinfo is datetime.timezone.utc:
        return _utc_wire_time(value)
    if isinstance(value, datetime.datetime):
        return _wire_time(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


_ENCODER = json.JSONEncoder(default=_default, separators=(",", ":"), check_circular=False)
"""One encoder for every reply. A reply body is a tree the handlers build (never circular),
so the per-container circularity bookkeeping is skipped."""


def _dumps(body: Mapping[str, Any]) -> str:
    return _ENCODER.encode(body)


def json_response(body: Mapping[str, Any], status: int = 200, **headers: str) -> web.Response:
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
    if code not in ERROR_STATUS or code in _STATUS_EXTRA:  # the channel model has throttling
        body["message"] = message
    return json_response(body, status, **{"x-amzn-ErrorType": code})


def validation_message(violations: list[Any]) -> str:
    n = len(violations)
    detail = "; ".join(
        f"Value at '{v.path}' failed to satisfy constraint: {v.rule}" if v.path else str(v.rule)
        for v in violations
    )
    return f"{n} validation error{'s' if n != 1 else ''} detected: {detail}"


def split_target(raw_path: str) -> tuple[str, str]:
    """(path, query) of a request target. Not `urlsplit`: a target starting with ``//`` is a
    path, not an authority, and nothing in it can make this fail."""
    path, _, query = raw_path.partition("?")
    return path, query


def host_is_valid(host: str | None) -> bool:
    """True for a ``Host`` header of the form ``name[:port]`` or ``[v6][:port]``."""
    if not host:
        return False
    try:
        parts = urlsplit(f"//{host}")
        _ = parts.port
    except ValueError:
        return False
    return bool(parts.hostname) and parts.netloc == host and "@" not in host


class BodyTimeout(Exception):
    """The request body did not arrive in time."""


async def read_body(request: web.Request, timeout: float) -> bytes:
    """The request body, within ``timeout`` seconds (`BodyTimeout` beyond)."""
    if request.content.is_eof():
        # all of it has arrived (the usual case: a small body comes with the head): reading
        # cannot wait, so no timeout task is needed
        return await request.read()
    try:
        return await asyncio.wait_for(request.read(), timeout)
    except asyncio.TimeoutError:
        raise BodyTimeout from None


async def timeout_response(request: web.Request, timeout: float) -> web.StreamResponse:
    """408 for a body that did not arrive in time, then the connection is closed (rather than
    waiting for the rest of the body)."""
    response = error_response(
        "RequestTimeoutException",
        f"the request body did not arrive within {timeout:g} seconds",
        408,
    )
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()
    return response
