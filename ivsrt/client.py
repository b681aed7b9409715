"""The client: one aiobotocore session and client, their lifecycle, and the error mapping.

```python
async with ivsrt.Client(region="us-west-2") as ivs:
    stage = (await ivs.api.get_stage(arn=arn)).stage
    channel = (await ivs.channels.get_channel(arn=channel_arn)).channel
```

``client.api`` holds the IVS Real-Time operations (service ``ivs-realtime``); ``client.channels``
the IVS channel operations (service ``ivs``) that compositions publish to. The ``ivs``
aiobotocore client is created on the first channel call, from the same session, region,
endpoint, credentials and config, and closed with the client.

Inside ``async with``, the client is also the *ambient* client of the current task (a
``ContextVar``), which resource classes such as ``Stage.create(...)`` use when no ``client=`` is
given. There is never a process-wide default client.
"""

from __future__ import annotations

import asyncio
import contextvars
import http.client
import json
import os
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.parsers import AioResponseParserFactory, AioRestJSONParser
from aiobotocore.session import AioSession, get_session
from botocore import exceptions as bexc
from botocore.parsers import ResponseParserError
from typing_extensions import Self

from ivsrt import _model_data, _redact
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
from ivsrt._generated.channels.operations import ChannelsApi
from ivsrt._generated.errors import ERRORS_BY_CODE
from ivsrt._generated.operations import RealtimeApi
from ivsrt._version import __version__ as VERSION
from ivsrt.retry import RetryBudget, RetryPolicy

if TYPE_CHECKING:
    from ivsrt._api_base import OperationSpec

__all__ = ["Client", "current_client"]

SERVICE = "ivs-realtime"
CHANNELS_SERVICE = "ivs"

_ERRORS_BY_SERVICE: dict[str, Mapping[str, type[ServiceError]]] = {
    SERVICE: ERRORS_BY_CODE,
    CHANNELS_SERVICE: _CHANNEL_ERRORS_BY_CODE,
}
"""Error code -> class, per service: a channel call's ``ConflictException`` raises
``ivsrt.channels.ConflictError`` (a subclass of ``ivsrt.ConflictError``)."""

_current: contextvars.ContextVar[Client | None] = contextvars.ContextVar(
    "ivsrt_current_client", default=None
)


# (invocation id, attempt number, max attempts) of the attempt being sent in this task: read by
# the ``before-sign`` handler, which puts them in the amz-sdk-* headers.
_attempt: contextvars.ContextVar[tuple[str, int, int] | None] = contextvars.ContextVar(
    "ivsrt_attempt", default=None
)


def _attempt_headers(request: Any, **_: Any) -> None:
    """Keep one ``amz-sdk-invocation-id`` across ivsrt's attempts of one call (botocore makes a
    new one per attempt, since each attempt is a fresh botocore call) and number the attempts in
    ``amz-sdk-request``, as botocore does when it retries itself. Runs last on
    ``request-created``, right after botocore's ``add_retry_headers`` (which, like this, runs
    after signing: these headers are not signed)."""
    current = _attempt.get()
    if current is None:
        return
    invocation, number, limit = current
    headers = request.headers  # an email.message.Message: assignment appends, so delete first
    del headers["amz-sdk-invocation-id"]
    del headers["amz-sdk-request"]
    headers["amz-sdk-invocation-id"] = invocation
    headers["amz-sdk-request"] = f"attempt={number}; max={limit}"


_entered: contextvars.ContextVar[tuple[tuple[Client, Client | None], ...]] = contextvars.ContextVar(
    "ivsrt_entered_clients", default=()
)
"""This context's ``async with`` entries, innermost last: (client, the ambient client before)."""


def current_client() -> Client | None:
    """The client of the innermost ``async with ivsrt.Client(...)`` in this task, if any."""
    return _current.get()


def _keep_timestamp(value: Any) -> Any:
    return value


class _NotAJsonObject(ResponseParserError):  # type: ignore[misc]
    """A success response whose body is not a JSON object (its text names no wire value)."""


def _json_object(raw: bytes) -> dict[str, Any] | None:
    """``raw`` as a JSON object (``{}`` when empty); None when it is not UTF-8 JSON or not an
    object."""
    if not raw:
        return {}
    try:
        value = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is one too
        return None
    return value if isinstance(value, dict) else None


def _readable_error_body(raw: bytes) -> bool:
    """Whether botocore's JSON error parsing can read ``raw``: UTF-8 that is empty, a JSON
    object, or not JSON at all (botocore then makes the text the message)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    try:
        return not text or isinstance(json.loads(text), dict)
    except ValueError:
        return True


class _Parser(AioRestJSONParser):  # type: ignore[misc]
    """rest-json parser that leaves timestamps to ivsrt's converter, reads IVS's
    ``exceptionMessage`` for errors botocore does not model (throttling, 5xx), and turns bodies
    that are not JSON objects into a generic error (an error status) or a
    ``ResponseParserError`` (a success status) instead of crashing inside botocore."""

    def _parse_payload(
        self,
        response: Mapping[str, Any],
        shape: Any,
        member_shapes: Mapping[str, Any],
        final_parsed: dict[str, Any],
    ) -> None:
        if "payload" in shape.serialization:  # pragma: no cover - no IVS output has one
            super()._parse_payload(response, shape, member_shapes, final_parsed)
            return
        if shape.metadata.get("exception"):
            # A modeled error whose body botocore cannot read: the generic error built by
            # _do_error_parse (code from the header, message from the status) stands.
            if _readable_error_body(response["body"]):
                super()._parse_payload(response, shape, member_shapes, final_parsed)
            return
        # The JSON body as it came: ivsrt's converter maps the wire names, ignores unknown keys
        # and nulls and parses timestamps, so botocore's walk over every member of every item
        # (most of the CPU of a ListParticipants page once timestamps are left alone) is not
        # needed. No IVS output has a payload member, a blob or a document. Members bound to
        # headers (none in IVS outputs today) would have been parsed by botocore's
        # _parse_non_payload_attrs before this runs; a body key never overrides them.
        body = _json_object(response["body"])
        if body is None:
            # botocore would make a body that is not JSON a {"message": ...} dict, which
            # looks like a success with every member missing.
            raise _NotAJsonObject(
                f"the {response.get('status_code')} response body is not a JSON object"
            )
        for key, value in body.items():
            if key not in final_parsed:
                final_parsed[key] = value

    def _do_error_parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        if not _readable_error_body(response["body"]):
            return self._unreadable_error(response)
        error = super()._do_error_parse(response, shape)
        if not error["Error"].get("Message"):
            body = self._parse_body_as_json(response["body"])
            if isinstance(body.get("exceptionMessage"), str):
                error["Error"]["Message"] = body["exceptionMessage"]
        return error

    def _unreadable_error(self, response: Mapping[str, Any]) -> dict[str, Any]:
        """An error status whose body is not a JSON object: the code from ``x-amzn-ErrorType``
        or else the HTTP status, the status's reason phrase as the message."""
        status = response["status_code"]
        headers = response["headers"]
        code = headers.get("x-amzn-errortype") or str(status)
        error: dict[str, Any] = {
            "Error": {
                "Code": code.split(":", 1)[0].rsplit("#", 1)[-1],
                "Message": http.client.responses.get(status, ""),
            },
            "ResponseMetadata": {},
        }
        self._inject_response_metadata(error, headers)
        return error


class _ParserFactory(AioResponseParserFactory):  # type: ignore[misc]
    """Hands out one shared parser (parsers are stateless) instead of one per response."""

    def __init__(self) -> None:
        super().__init__()
        self._parser = _Parser(timestamp_parser=_keep_timestamp)

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name != "rest-json":  # pragma: no cover - IVS is rest-json only
            return super().create_parser(protocol_name)
        return self._parser


_PARSER_FACTORY = _ParserFactory()


class _Core:
    """What a client and all its ``with_options`` views share: the aiobotocore client and its
    connection pool, the retry budget, and the lifecycle (open once, closed by the owner)."""

    __slots__ = (
        "aio",
        "budget",
        "closed",
        "config",
        "credentials",
        "endpoint_url",
        "exit_stack",
        "extra",
        "model_session",
        "open_lock",
        "profile",
        "region",
        "requested_region",
        "session",
    )

    def __init__(
        self,
        *,
        requested_region: str | None,
        profile: str | None,
        endpoint_url: str | None,
        session: AioSession | None,
        credentials: dict[str, str | None],
        config: AioConfig,
        budget: RetryBudget,
    ) -> None:
        self.requested_region = requested_region
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.session = session
        self.model_session: AioSession | None = None
        """The session clients are created from: ``session`` when ivsrt made it, else a copy
        of the caller's that loads ivsrt's service models (see ``ivsrt._model_data``)."""
        self.credentials = credentials
        self.config = config
        self.budget = budget
        self.aio: Any = None
        self.exit_stack: Any = None
        self.extra: dict[str, tuple[Any, Any]] = {}
        """Other services' aiobotocore clients (``ivs``), by service: (client, context)."""
        self.open_lock = asyncio.Lock()
        self.closed = False
        self.region: str | None = None

    async def open(self) -> Any:
        async with self.open_lock:
            if self.closed:
                raise ConfigurationError("this ivsrt.Client is closed; create a new one")
            if self.aio is not None:
                return self.aio
            session = self.session
            if session is None:
                session = AioSession(profile=self.profile) if self.profile else get_session()
                _model_data.own_session_uses_model(session)
                self.session = session
                self.model_session = session
            elif self.model_session is None:
                # The caller's session is not changed: clients come from a copy of it that
                # loads ivsrt's service models.
                self.model_session = _model_data.with_model(session)
            try:
                region = (
                    self.requested_region
                    # a region set on a session passed in, then AWS_REGION (which botocore
                    # itself does not read), then AWS_DEFAULT_REGION and the profile's config
                    or session.get_config_variable("region", methods=("instance",))
                    or os.environ.get("AWS_REGION")
                    or session.get_config_variable("region")
                )
            except bexc.ProfileNotFound as exc:
                raise ConfigurationError(f"AWS profile not found: {self.profile!r}") from exc
            if not region:
                raise ConfigurationError(
                    "no AWS region: pass ivsrt.Client(region='us-west-2'), set AWS_REGION or "
                    "AWS_DEFAULT_REGION, or set region in the profile's config"
                )
            self.region = region
            aio, context = await self._create(SERVICE)
            self.exit_stack = context
            self.aio = aio
            _redact.install()
            return aio

    async def _create(self, service: str) -> tuple[Any, Any]:
        """An aiobotocore client of ``service`` with this core's session, region, endpoint,
        credentials and config (called under ``open_lock``, once the region is known)."""
        creds = {k: v for k, v in self.credentials.items() if v is not None}
        session = self.model_session
        assert session is not None  # set by open()
        try:
            context = session.create_client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=self.config,
                **creds,
            )
            aio = await context.__aenter__()
        except (bexc.BotoCoreError, ValueError) as exc:
            # ValueError: an endpoint_url botocore cannot use ("Invalid endpoint: ...").
            raise ConfigurationError(f"cannot create the {service} client: {exc}") from exc
        # Per client, not per session: a session passed in keeps its own parser settings.
        aio._endpoint._response_parser_factory = _PARSER_FACTORY
        # After botocore's own add_retry_headers (registered on the less specific name, so
        # it runs after the more specific ones such as the signer).
        aio.meta.events.register_last(
            "request-created", _attempt_headers, unique_id="ivsrt-attempt-headers"
        )
        return aio, context

    async def open_service(self, service: str) -> Any:
        """The aiobotocore client of ``service``, created on first use (``ivs``)."""
        if service == SERVICE:
            return self.aio if self.aio is not None else await self.open()
        found = self.extra.get(service)
        if found is not None:
            return found[0]
        await self.open()
        async with self.open_lock:
            if self.closed:
                raise ConfigurationError("this ivsrt.Client is closed; create a new one")
            found = self.extra.get(service)
            if found is None:
                found = self.extra[service] = await self._create(service)
                _redact.install()
            return found[0]

    async def close(self) -> None:
        async with self.open_lock:
            self.closed = True
            context, self.exit_stack, self.aio = self.exit_stack, None, None
            extra, self.extra = self.extra, {}
            try:
                for _, other in extra.values():
                    await other.__aexit__(None, None, None)
            finally:
                if context is not None:
                    await context.__aexit__(None, None, None)


class Client:
    """An IVS Real-Time client.

    Args:
        region: AWS region. Defaults to the usual chain (``AWS_REGION``, ``AWS_DEFAULT_REGION``,
            the profile's config); with none, opening the client raises ``ConfigurationError``.
        profile: named profile of the shared AWS config/credentials files.
        endpoint_url: another endpoint, e.g. the bundled emulator's ``emu.endpoint_url``.
        session: an existing ``aiobotocore`` session to reuse (its credentials and config).
        aws_access_key_id: explicit credentials (otherwise the default chain is used).
        aws_secret_access_key: explicit credentials.
        aws_session_token: explicit credentials.
        max_pool_connections: HTTP connections kept open to the endpoint.
        connect_timeout: seconds to establish a connection.
        read_timeout: seconds to wait for a response.
        retry: the default [`RetryPolicy`][ivsrt.RetryPolicy] of every call
            (``RetryPolicy()``: 3 attempts within 20 s, full-jitter backoff from 0.1 s capped at
            5 s). Override it for some calls with
            [`with_options`][ivsrt.Client.with_options]. ``RetryPolicy.none()`` disables
            retrying.
        retry_budget: the [`RetryBudget`][ivsrt.retry.RetryBudget] (token bucket) that limits
            retries across all calls of this client, so an outage fails fast; a fresh one by default
            (500 tokens, see [`ivsrt.retry`][ivsrt.retry]).

    Use it as ``async with ivsrt.Client(...) as ivs:``; or call ``await client.open()`` and
    ``await client.close()`` yourself (``close`` is idempotent). botocore's own retries are
    switched off: ivsrt's retry policy is the only retry layer, so each attempt is one HTTP
    request and attempts never multiply.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        profile: str | None = None,
        endpoint_url: str | None = None,
        session: AioSession | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        max_pool_connections: int = 10,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        retry_budget: RetryBudget | None = None,
    ) -> None:
        if session is not None and profile is not None:
            raise ConfigurationError("pass either session= or profile=, not both")
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            raise ConfigurationError(
                "pass aws_access_key_id and aws_secret_access_key together (or neither)"
            )
        if aws_session_token is not None and aws_access_key_id is None:
            raise ConfigurationError(
                "aws_session_token needs aws_access_key_id and aws_secret_access_key"
            )
        if max_pool_connections < 1:
            raise ConfigurationError("max_pool_connections must be at least 1")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError(f"retry must be an ivsrt.RetryPolicy, not {retry!r}")
        self._core = _Core(
            requested_region=region,
            profile=profile,
            endpoint_url=endpoint_url,
            session=session,
            credentials={
                "aws_access_key_id": aws_access_key_id,
                "aws_secret_access_key": aws_secret_access_key,
                "aws_session_token": aws_session_token,
            },
            config=AioConfig(
                retries={"total_max_attempts": 1, "mode": "standard"},
                max_pool_connections=max_pool_connections,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                parameter_validation=False,
                user_agent_extra=f"ivsrt/{VERSION}",
            ),
            budget=retry_budget if retry_budget is not None else RetryBudget(),
        )
        self._retry = retry if retry is not None else _DEFAULT_RETRY
        self._parent: Client | None = None
        self.api = RealtimeApi(self)
        """Every IVS Real-Time operation as a typed async method."""
        self.channels = ChannelsApi(self)
        """Every IVS channel operation (service ``ivs``: channels, stream keys, playback keys,
        recording configurations, ...) as a typed async method, multitrack fields included.

        With ``endpoint_url`` set, channel calls go to the same URL. The bundled emulator is
        IVS Real-Time only: it answers channel calls with an ``UnknownOperationException``
        (a plain [`ServiceError`][ivsrt.ServiceError])."""

    def with_options(self, *, retry: RetryPolicy | None = None) -> Client:
        """A view of this client with other options (None keeps this client's).

        The view shares this client's aiobotocore client, connection pool, retry budget and
        lifecycle: closing this client closes the view; entering or closing the view never closes
        this client's connections. Cheap enough to make per call::

            await ivs.with_options(retry=RetryPolicy(max_attempts=8)).api.get_stage(arn=arn)
        """
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError(f"retry must be an ivsrt.RetryPolicy, not {retry!r}")
        view = object.__new__(Client)
        view._core = self._core
        view._retry = retry if retry is not None else self._retry
        view._parent = self._parent if self._parent is not None else self
        view.api = RealtimeApi(view)
        view.channels = ChannelsApi(view)
        return view

    def __repr__(self) -> str:
        core = self._core
        state = "closed" if core.closed else ("open" if core.aio is not None else "not opened")
        where = f" endpoint_url={core.endpoint_url!r}" if core.endpoint_url else ""
        view = " view" if self._parent is not None else ""
        return f"<ivsrt.Client{view} region={self.region!r}{where} {state}>"

    @property
    def region(self) -> str | None:
        """The region in use (known once the client is open, or when given explicitly)."""
        return self._core.region or self._core.requested_region

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint in use."""
        aio = self._core.aio
        if aio is not None:
            return str(aio.meta.endpoint_url)
        return self._core.endpoint_url

    @property
    def closed(self) -> bool:
        """Whether the client (for a view: the client it came from) is closed."""
        return self._core.closed

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of this client's calls."""
        return self._retry

    @property
    def retry_budget(self) -> RetryBudget:
        """The retry budget shared by this client and its views."""
        return self._core.budget

    @property
    def _aio(self) -> Any:
        """The aiobotocore client (None until opened)."""
        return self._core.aio

    async def open(self) -> Self:
        """Create the aiobotocore client (done for you by ``async with`` or the first call)."""
        await self._core.open()
        return self

    async def close(self) -> None:
        """Close the HTTP connections. Safe to call more than once.

        On a view (from [`with_options`][ivsrt.Client.with_options]) this does nothing: the
        connections belong to the client the view came from, and closing that one closes them.
        """
        if self._parent is None:
            await self._core.close()

    async def __aenter__(self) -> Self:
        await self.open()
        _entered.set((*_entered.get(), (self, _current.get())))
        _current.set(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Undo this task's own entry: tasks that entered the same client (or view) concurrently
        # each have their own context, so one leaving never changes what another sees.
        stack = _entered.get()
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] is self:
                _current.set(stack[i][1])
                _entered.set(stack[:i] + stack[i + 1 :])
                break
        await self.close()

    # -- the one place that talks to aiobotocore ------------------------------------------------
    async def _send(self, op: OperationSpec[Any], params: dict[str, Any]) -> dict[str, Any]:
        """Send one call under the retry policy; map every failure to an ivsrt exception.

        ``params`` (with any idempotency token already filled) is sent unchanged by every
        attempt, and every attempt carries the same ``amz-sdk-invocation-id``.
        """
        core = self._core
        if op.service == SERVICE:
            aio = core.aio
            if aio is None:
                aio = await core.open()
        else:
            aio = await core.open_service(op.service)
        policy = self._retry
        invocation = str(uuid.uuid4())
        limit = policy.max_attempts
        method = getattr(aio, op.method_name)

        async def attempt(number: int) -> dict[str, Any]:
            if core.closed:
                raise ConfigurationError("this ivsrt.Client is closed; create a new one")
            token = _attempt.set((invocation, number, limit))
            try:
                return await _send_once(method, op, params)
            finally:
                _attempt.reset(token)

        return await policy._run(op, attempt, budget=core.budget)


_DEFAULT_RETRY = RetryPolicy()


async def _send_once(method: Any, op: OperationSpec[Any], params: dict[str, Any]) -> dict[str, Any]:
    """One attempt: one botocore call (botocore's retries are off), one HTTP request."""
    try:
        response: dict[str, Any] = await method(**params)
    except bexc.ClientError as exc:
        raise _service_error(
            op.name, exc, _ERRORS_BY_SERVICE.get(op.service, ERRORS_BY_CODE)
        ) from exc
    except bexc.NoCredentialsError as exc:
        raise ConfigurationError(
            "no AWS credentials found: pass aws_access_key_id/aws_secret_access_key, a "
            "profile, or configure the default chain"
        ) from exc
    except (bexc.ConnectionError, bexc.HTTPClientError) as exc:
        raise _transport_error(op, exc) from exc
    except ResponseParserError as exc:
        # Other parser errors may quote the body: their text stays in __cause__.
        detail = str(exc) if isinstance(exc, _NotAJsonObject) else type(exc).__name__
        raise ResponseParseError(f"{op.name}: {detail}") from exc
    except bexc.BotoCoreError as exc:
        raise IvsrtError(f"{op.name}: {exc}") from exc
    except aiohttp.ClientError as exc:  # pragma: no cover - aiobotocore wraps these
        raise _transport_error(op, exc) from exc
    except Exception as exc:
        # Last resort (never BaseException: cancellation passes through): whatever else
        # botocore lets out (a bug, a reply it cannot handle) is still an ivsrt error, not
        # retried; its text stays in __cause__ (it may quote the response).
        raise IvsrtError(f"{op.name}: unexpected {type(exc).__name__} from botocore") from exc
    return response


def _service_error(
    operation: str,
    exc: bexc.ClientError,
    errors: Mapping[str, type[ServiceError]] = ERRORS_BY_CODE,
) -> ServiceError:
    response = exc.response
    error = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    code = error.get("Code") or "Unknown"
    status = meta.get("HTTPStatusCode")
    message = response.get("exceptionMessage") or error.get("Message") or ""
    cls = errors.get(code)
    if cls is None:
        # The throttling codes are in ERRORS_BY_CODE (tools/codegen/config.py throttling_codes).
        cls = ThrottlingError if status == 429 else ServiceError
    return cls(
        message, code=code, status=status, request_id=meta.get("RequestId"), operation=operation
    )


def _sent(exc: BaseException) -> bool:
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


def _transport_error(op: OperationSpec[Any], exc: BaseException) -> TransportError:
    reason = type(exc).__name__
    cause = getattr(exc, "kwargs", {}).get("error")
    if cause is not None:
        reason += f" ({type(cause).__name__}: {cause})"
    if not _sent(exc):
        return TransportError(
            f"could not reach the endpoint, nothing was sent: {reason}",
            operation=op.name,
            may_have_been_applied=False,
        )
    if op.retry_safe:
        return TransportError(
            f"the request failed after it was sent: {reason}",
            operation=op.name,
            may_have_been_applied=True,
        )
    return OutcomeUnknownError(reason, operation=op.name)
