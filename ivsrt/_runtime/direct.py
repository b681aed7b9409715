"""The direct lane: one attempt sent with botocore's own parts (serializer, endpoint, SigV4
signer, aiobotocore's HTTP session and response parser) but without the per-call event
machinery of ``BaseClient._make_api_call``, when nothing can make the request differ from the
one botocore would send.

botocore runs about a dozen events per call (``provide-client-params``, ``before-call``,
``request-created``, ``choose-signer``, ``before-sign``, ``before-send``, ``needs-retry``,
``after-call``...), builds the request twice (``AWSRequest`` and its prepared copy, each with an
``email.message``-based header map) and signs through a freshly resolved signer. On an ivsrt
client those events only reach handlers whose effect is fixed per client and operation (the
signer, the User-Agent, the retry headers ivsrt replaces, botocore's retry handler with
retries off), so the lane does the same steps directly:

1. the operation's serializer compiled by `ivsrt._runtime.serializer` (botocore's own
   ``serialize_to_request`` where it does not apply) and ``prepare_request_dict``: the method,
   URL, headers and body, exactly as botocore builds them;
2. the ``X-Amzn-Trace-Id`` header of ``add_recursion_detection_header`` (in AWS Lambda);
3. SigV4 with the client's credentials (refreshed as botocore refreshes them) and signing key;
4. the ``amz-sdk-*`` headers of the attempt, and ``Content-Length`` as botocore's preparer sets it;
5. aiobotocore's ``http_session.send``, ``convert_to_response_dict`` and the client's parser; an
   error status raises the client's modeled ``ClientError`` class, as botocore does.

**When the lane is used.** Per client and operation, the first call goes through botocore and
the request it sends is recorded. The lane then builds the same call's request itself; only if
every part matches (method, URL, body, each header but the date, signature and invocation ids,
the signed header names and the signing scope) does it take that operation's later calls. It
gives them back to botocore whenever something could make a difference: a handler other than
the known ones registered on the client (a session's or the caller's: checked again on every
register or unregister), botocore DEBUG logging (its log lines stay botocore's), no
credentials, or a signer other than SigV4. ``tests/serialization/test_direct_lane.py`` checks
the requests of both ways against each other, operation by operation.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

import attrs
from aiobotocore.endpoint import convert_to_response_dict
from botocore import handlers as bhandlers
from botocore.awsrequest import prepare_request_dict
from botocore.history import get_global_history_recorder

from ivsrt._runtime import serializer, shortcuts

__all__ = ["Lane", "record"]

_DEBUG_LOGGERS = tuple(
    logging.getLogger(name)
    for name in (
        "botocore",
        "botocore.auth",
        "botocore.client",
        "botocore.endpoint",
        "botocore.hooks",
        "botocore.parsers",
        "botocore.retries.standard",
        "aiobotocore",
    )
)
"""The loggers of botocore's call path: when one logs DEBUG, calls go through botocore so
its log lines (redacted by ``ivsrt._redact``) are written as before."""

_EVENTS = (
    "provide-client-params",
    "before-parameter-build",
    "before-endpoint-resolution",
    "before-call",
    "request-created",
    "choose-signer",
    "before-sign",
    "before-send",
    "response-received",
    "before-parse",
    "needs-retry",
    "after-call",
    "after-call-error",
)
"""The events botocore emits while making one call."""

_KNOWN_HANDLERS = frozenset(
    {
        # before-call: reproduced by the lane (step 2).
        "botocore.handlers.add_recursion_detection_header",
        # request-created: signing, the User-Agent, the retry headers (ivsrt's replace them).
        "aiobotocore.signers.AioRequestSigner.handler",
        "botocore.useragent.UserAgentString.rebuild_and_replace_user_agent_handler",
        "botocore.handlers.add_retry_headers",
        "ivsrt._runtime.transport._attempt_headers",
        # choose-signer: their answer is the signing scope the lane learns.
        "botocore.handlers.set_operation_specific_signer",
        "botocore.handlers._set_auth_scheme_preference_signer",
        # needs-retry / after-call: botocore's retries are off on ivsrt's clients.
        "aiobotocore.retries.standard.AioRetryHandler.needs_retry",
        "botocore.retries.standard.RetryHandler.needs_retry",
        "aiobotocore.retries.standard.AioRetryQuotaChecker.release_retry_quota",
        "botocore.retries.standard.RetryQuotaChecker.release_retry_quota",
    }
)
"""The handlers an ivsrt client's events may reach for the lane to be used, by module and
qualified name."""

_PER_REQUEST = frozenset(
    {
        "x-amz-date",
        "authorization",
        "x-amz-security-token",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
    }
)
"""Headers whose values may differ from one request to the next (compared by name only): the
date, the signature, the session token (a refresh may come between two requests) and the
invocation ids."""


def _handler_name(handler: Any) -> str:
    function = getattr(handler, "__func__", handler)
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


class _Request:
    """A request as botocore's signer and aiobotocore's HTTP session read one
    (``AWSPreparedRequest``'s fields), with a plain dict of headers. Its repr shows no header
    (the signature and security token are in them)."""

    __slots__ = ("body", "context", "headers", "method", "params", "stream_output", "url")

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes | None):
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.params: dict[str, Any] = {}
        self.context: dict[str, Any] = {}
        self.stream_output = False

    def reset_stream(self) -> None:
        """Nothing to rewind: the body is bytes."""

    def __repr__(self) -> str:
        return f"<ivsrt request {self.method} {self.url}>"


@attrs.frozen
class _Seen:
    """The request botocore sent for one call: method, URL, body and headers in order."""

    method: str
    url: str
    body: bytes | None
    headers: tuple[tuple[str, str], ...] = attrs.field(repr=False)


_recording: contextvars.ContextVar[list[_Seen] | None] = contextvars.ContextVar(
    "ivsrt_recording", default=None
)


def record(request: Any) -> None:
    """Keep ``request`` (botocore's, signed) when the current call is being learned from. Called
    by the last ``request-created`` handler of ivsrt's clients."""
    seen = _recording.get()
    if seen is not None:
        body = request.body
        seen.append(
            _Seen(request.method, request.url, body or None, tuple(request.headers.items()))
        )


@attrs.frozen
class _Profile:
    """What the lane needs to send one operation, learned from botocore's first request."""

    operation: Any
    """botocore's ``OperationModel``."""
    endpoint_url: str
    user_agent: str | None
    region: str
    service: str
    """The SigV4 signing scope's region and service."""
    serialize: serializer.Request | None
    """The operation's compiled serializer (None: botocore's)."""


def _scope(authorization: str) -> tuple[str, str, str] | None:
    """(region, service, SignedHeaders) of a SigV4 ``Authorization`` header; None if it is not
    one."""
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        return None
    fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return None
    return scope[2], scope[3], fields.get("SignedHeaders", "")


class Lane:
    """The direct lane of one aiobotocore client made by ivsrt (see the module docstring)."""

    __slots__ = ("_aio", "_emitter", "_lookup", "_profiles", "_refused", "_service_id")

    def __init__(self, aio: Any) -> None:
        self._aio = aio
        self._emitter = getattr(aio.meta.events, "_emitter", None)
        self._service_id = aio.meta.service_model.service_id.hyphenize()
        self._lookup: object = None
        self._profiles: dict[str, _Profile] = {}
        self._refused: set[str] = set()
        """Operations whose lane request did not match botocore's: always through botocore."""

    # -- when --------------------------------------------------------------------------------

    def _current(self) -> bool:
        """Whether what was learned still holds (no handler registered or unregistered since;
        botocore replaces its handler-lookup dict on each) and nothing else needs botocore."""
        emitter = self._emitter
        if emitter is None:
            return False
        if emitter._lookup_cache is not self._lookup:
            self._profiles = {}
            self._refused = set()
            self._lookup = emitter._lookup_cache
        if any(logger.isEnabledFor(logging.DEBUG) for logger in _DEBUG_LOGGERS):
            return False
        return not get_global_history_recorder()._enabled

    def profile(self, operation: str) -> _Profile | None:
        """The lane for ``operation``, or None: send it through botocore (with `learning`)."""
        if not self._current():
            return None
        return self._profiles.get(operation)

    def refuse(self, operation: str) -> None:
        """Send ``operation`` through botocore from now on (its lane could not be checked)."""
        self._refused.add(operation)

    def should_learn(self, operation: str) -> bool:
        return self._emitter is not None and operation not in self._refused

    def learning(self) -> tuple[list[_Seen], contextvars.Token[list[_Seen] | None]]:
        """Start recording botocore's requests in this task (undo with ``_recording.reset``)."""
        seen: list[_Seen] = []
        return seen, _recording.set(seen)

    @staticmethod
    def stop_learning(token: contextvars.Token[list[_Seen] | None]) -> None:
        _recording.reset(token)

    def _known_handlers_only(self, operation: str) -> bool:
        emitter = self._emitter
        assert emitter is not None  # should_learn checked it
        alias = self._aio.meta.events._alias_event_name
        for event in _EVENTS:
            name = alias(f"{event}.{self._service_id}.{operation}")
            for handler in emitter._handlers.prefix_search(name):
                if _handler_name(handler) not in _KNOWN_HANDLERS:
                    return False
        return True

    async def learn(
        self, operation: str, params: dict[str, Any], headers: dict[str, str], seen: list[_Seen]
    ) -> None:
        """Compare botocore's request for ``params`` (``seen``: exactly one) with the lane's;
        on a match, later calls of ``operation`` take the lane. ``headers`` are the attempt's
        ``amz-sdk-*`` headers."""
        if not self._current() or len(seen) != 1 or operation in self._profiles:
            return
        lookup = self._lookup  # a handler registered while this awaits voids what it learns
        if not self._known_handlers_only(operation):
            self._refused.add(operation)
            return
        botocore_request = seen[0]
        sent = dict((k.lower(), v) for k, v in botocore_request.headers)
        scope = _scope(sent.get("authorization", ""))
        profile = self._first_profile(operation, botocore_request, sent, scope)
        if profile is None or scope is None:
            self._refused.add(operation)
            return
        mine = self._build(profile, params, headers)
        if mine is None or not await self._sign(profile, mine):
            self._refused.add(operation)
            return
        mine_scope = _scope(mine.headers.get("Authorization", ""))
        if (
            (mine.method, mine.url, mine.body)
            != (botocore_request.method, botocore_request.url, botocore_request.body)
            or _comparable(mine.headers.items()) != _comparable(botocore_request.headers)
            or mine_scope != scope
        ):
            self._refused.add(operation)
            return
        if self._emitter is not None and self._emitter._lookup_cache is lookup:
            self._profiles[operation] = profile

    def _first_profile(
        self,
        operation: str,
        request: _Seen,
        sent: dict[str, str],
        scope: tuple[str, str, str] | None,
    ) -> _Profile | None:
        aio = self._aio
        model = aio.meta.service_model.operation_model(operation)
        if model.http_checksum or model.request_compression or model.endpoint:
            return None  # checksums, compression, host prefixes: botocore's handling
        if model.has_streaming_input or model.has_streaming_output:
            return None
        if type(aio._request_signer) is not shortcuts.RequestSigner:
            return None
        endpoint = shortcuts.cached_endpoint(aio, operation)
        if endpoint is None or endpoint.headers or scope is None:
            return None
        compiled = serializer.compile_request(aio._serializer, model)
        return _Profile(model, endpoint.url, sent.get("user-agent"), scope[0], scope[1], compiled)

    # -- how ---------------------------------------------------------------------------------

    def _build(
        self, profile: _Profile, params: dict[str, Any], attempt_headers: dict[str, str]
    ) -> _Request | None:
        """Steps 1 and 2: botocore's request for ``params``, unsigned."""
        aio = self._aio
        if profile.serialize is not None:
            request_dict = profile.serialize(params)
        else:
            request_dict = aio._serializer.serialize_to_request(params, profile.operation)
        if request_dict.get("host_prefix"):
            return None
        prepare_request_dict(
            request_dict, endpoint_url=profile.endpoint_url, user_agent=profile.user_agent
        )
        bhandlers.add_recursion_detection_header(request_dict)
        body = request_dict["body"]
        if isinstance(body, str):  # pragma: no cover - rest-json serializes to bytes
            body = body.encode("utf-8")
        request = _Request(
            request_dict["method"], request_dict["url"], dict(request_dict["headers"]), body or None
        )
        request.context["ivsrt_attempt_headers"] = attempt_headers
        return request

    async def _sign(self, profile: _Profile, request: _Request) -> bool:
        """Steps 3 and 4. False when the client has no credentials (botocore then raises)."""
        signer = self._aio._request_signer
        credentials = signer._credentials
        if credentials is None:
            return False
        frozen = await credentials.get_frozen_credentials()
        if frozen is None or not frozen.access_key:  # pragma: no cover - botocore refuses
            return False
        auth = shortcuts.SigV4Auth(frozen, profile.service, profile.region, signer._ivsrt_key)
        auth.add_auth(request)
        headers = request.headers
        headers.update(request.context.pop("ivsrt_attempt_headers"))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            headers["Content-Length"] = str(len(request.body or b""))
        return True

    async def send(
        self, profile: _Profile, params: dict[str, Any], attempt_headers: dict[str, str]
    ) -> dict[str, Any] | None:
        """One attempt through the lane: what ``aio.<operation>(**params)`` returns or raises.
        None when it cannot be sent this way (no credentials): send it through botocore."""
        request = self._build(profile, params, attempt_headers)
        if request is None or not await self._sign(profile, request):
            return None
        aio = self._aio
        endpoint = aio._endpoint
        operation = profile.operation
        http_response = await endpoint.http_session.send(request)
        response = await convert_to_response_dict(http_response, operation)
        parser = endpoint._response_parser_factory.create_parser("rest-json")
        parsed: dict[str, Any] = await parser.parse(response, operation.output_shape)
        status = http_response.status_code
        if status >= 300:
            await endpoint._add_modeled_error_fields(response, parsed, operation, parser)
        metadata = parsed.get("ResponseMetadata")
        if metadata is not None:
            metadata["RetryAttempts"] = 0
        if status >= 300:
            code = parsed.get("Error", {}).get("Code")
            raise aio.exceptions.from_code(code)(parsed, operation.name)
        return parsed


def _comparable(headers: Any) -> list[tuple[str, str]]:
    """Headers in order, lower-cased names, per-request values left out. ``Content-Length``
    is left out too: botocore adds it after ``request-created``, where its request is seen
    (the lane sets it as botocore's preparer does)."""
    return [
        (lname, "" if lname in _PER_REQUEST else value)
        for lname, value in ((name.lower(), value) for name, value in headers)
        if lname != "content-length"
    ]
