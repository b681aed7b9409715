"""One table from what an attempt can raise (botocore, aiohttp, asyncio) to ivsrt exceptions.

`translate` walks `_TABLE` top to bottom; the first row whose type matches builds the ivsrt
exception. The transport rows answer "was it sent?": a failure before the request left (connect
refused or timed out, proxy, TLS) is ``may_have_been_applied=False`` and always retryable; after
it left, only a retry-safe operation may be sent again, any other call is an
`OutcomeUnknownError`. The same rule holds for a 500/502/504 answer: the service may have
applied the call before failing, so a state-changing call that is not retry-safe gets an
`OutcomeUnknownError` (503 and 429 mean "not applied, try later" and stay retryable).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from botocore import exceptions as bexc
from botocore.parsers import ResponseParserError

from ivsrt._exceptions import (
    ConfigurationError,
    IvsrtError,
    OutcomeUnknownError,
    ResponseParseError,
    ServiceError,
    ThrottlingError,
    TransportError,
)
from ivsrt._generated.channels.errors import ERRORS_BY_CODE as _CHANNEL_ERRORS_BY_CODE
from ivsrt._generated.errors import ERRORS_BY_CODE
from ivsrt._runtime.spec import OperationSpec

__all__ = ["NotAJsonObject", "outcome_unknown_statuses", "sent", "translate"]

_ERRORS_BY_SERVICE: dict[str, Mapping[str, type[ServiceError]]] = {
    "ivs-realtime": ERRORS_BY_CODE,
    "ivs": _CHANNEL_ERRORS_BY_CODE,
}
"""Error code -> class, per service: a channel call's ``ConflictException`` raises
``ivsrt.channels.ConflictError`` (a subclass of ``ivsrt.ConflictError``)."""

outcome_unknown_statuses = frozenset({500, 502, 504})
"""5xx statuses after which a call may have been applied (503 means it was not)."""


class NotAJsonObject(ResponseParserError):  # type: ignore[misc]
    """A success response whose body is not a JSON object (its text names no wire value)."""


def sent(exc: BaseException) -> bool:
    """False when the failure happened before the request left (nothing can have happened)."""
    if isinstance(exc, (bexc.ConnectTimeoutError, bexc.ProxyConnectionError, bexc.SSLError)):
        return False
    if isinstance(exc, bexc.EndpointConnectionError):
        # aiobotocore maps both a failure to connect and a reset while reading (ClientOSError,
        # an OSError too) to this class: only the former means the request was never sent.
        cause = getattr(exc, "kwargs", {}).get("error")
        if isinstance(cause, aiohttp.ClientConnectorError):
            return False
        return not isinstance(cause, OSError) or isinstance(cause, aiohttp.ClientOSError)
    return True


def _service_error(spec: OperationSpec[Any], exc: bexc.ClientError) -> IvsrtError:
    response = exc.response
    error = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    code = error.get("Code") or "Unknown"
    status = meta.get("HTTPStatusCode")
    message = response.get("exceptionMessage") or error.get("Message") or ""
    cls = _ERRORS_BY_SERVICE.get(spec.service, ERRORS_BY_CODE).get(code)
    if cls is None:
        # The throttling codes are in ERRORS_BY_CODE (tools/codegen/config.py throttling_codes).
        cls = ThrottlingError if status == 429 else ServiceError
    found = cls(
        message, code=code, status=status, request_id=meta.get("RequestId"), operation=spec.name
    )
    if status in outcome_unknown_statuses and not spec.retry_safe:
        # The service error (its code, status, request id) is the cause of the outcome error.
        found.__cause__ = exc
        unknown = OutcomeUnknownError(str(found), operation=spec.name)
        unknown.__cause__ = found
        return unknown
    return found


def _transport_error(spec: OperationSpec[Any], exc: BaseException) -> TransportError:
    reason = type(exc).__name__
    cause = getattr(exc, "kwargs", {}).get("error")
    if cause is not None:
        reason += f" ({type(cause).__name__}: {cause})"
    if not sent(exc):
        return TransportError(
            f"could not reach the endpoint, nothing was sent: {reason}",
            operation=spec.name,
            may_have_been_applied=False,
        )
    if spec.retry_safe:
        return TransportError(
            f"the request failed after it was sent: {reason}",
            operation=spec.name,
            may_have_been_applied=True,
        )
    return OutcomeUnknownError(reason, operation=spec.name)


def _no_credentials(spec: OperationSpec[Any], exc: BaseException) -> IvsrtError:
    return ConfigurationError(
        "no AWS credentials found: pass aws_access_key_id/aws_secret_access_key, a "
        "profile, or configure the default chain"
    )


def _parse_failure(spec: OperationSpec[Any], exc: BaseException) -> IvsrtError:
    # Other parser errors may quote the body: their text stays in __cause__.
    detail = str(exc) if isinstance(exc, NotAJsonObject) else type(exc).__name__
    return ResponseParseError(f"{spec.name}: {detail}")


def _other_botocore(spec: OperationSpec[Any], exc: BaseException) -> IvsrtError:
    return IvsrtError(f"{spec.name}: {exc}")


def _unexpected(spec: OperationSpec[Any], exc: BaseException) -> IvsrtError:
    # Last resort (never BaseException: cancellation passes through): whatever else botocore
    # lets out (a bug, a reply it cannot handle) is still an ivsrt error, not retried; its
    # text stays in __cause__ (it may quote the response).
    return IvsrtError(f"{spec.name}: unexpected {type(exc).__name__} from botocore")


_TABLE: tuple[tuple[type[BaseException], Callable[[OperationSpec[Any], Any], IvsrtError]], ...] = (
    (bexc.ClientError, _service_error),
    (bexc.NoCredentialsError, _no_credentials),
    (bexc.ConnectionError, _transport_error),
    (bexc.HTTPClientError, _transport_error),
    (ResponseParserError, _parse_failure),
    (bexc.BotoCoreError, _other_botocore),
    (aiohttp.ClientError, _transport_error),  # aiobotocore wraps these; kept as a safety net
    (Exception, _unexpected),
)
"""What an attempt raised -> the ivsrt exception, first match wins."""


def translate(spec: OperationSpec[Any], exc: Exception) -> IvsrtError:
    """The ivsrt exception for ``exc``, raised by one attempt of ``spec`` (raise it ``from``
    ``exc``). An ivsrt exception is returned unchanged."""
    if isinstance(exc, IvsrtError):
        return exc
    for kind, build in _TABLE:
        if isinstance(exc, kind):
            return build(spec, exc)
    raise AssertionError("unreachable: the table ends with Exception")  # pragma: no cover
