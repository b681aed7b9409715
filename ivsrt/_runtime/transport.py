"""The aiobotocore side of a call: creating and closing the aiobotocore clients, the parser
ivsrt installs in them, the per-attempt headers, and sending one attempt.

`create_aio_client` is the one function that makes an aiobotocore client; `Transport` holds a
client's aiobotocore clients (``ivs-realtime`` at open, ``ivs`` on first use) and their
lifecycle, shared by a client and its ``with_options`` views.
"""

from __future__ import annotations

import asyncio
import contextvars
import http.client
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from aiobotocore.config import AioConfig
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.parsers import AioResponseParserFactory, AioRestJSONParser
from aiobotocore.session import AioSession, get_session
from botocore import exceptions as bexc

from ivsrt import _model_data, _redact
from ivsrt._exceptions import ConfigurationError
from ivsrt._runtime import shortcuts
from ivsrt._runtime.errors import NotAJsonObject
from ivsrt._runtime.spec import OperationSpec
from ivsrt.retry import RetryBudget

if TYPE_CHECKING:
    from ivsrt._runtime import direct

__all__ = ["SERVICE", "Attempt", "Transport", "create_aio_client", "make_config"]

SERVICE = "ivs-realtime"


@attrs.frozen
class Attempt:
    """Which attempt of which call is being sent: put in the ``amz-sdk-*`` headers."""

    invocation: str
    """One ``amz-sdk-invocation-id`` for every attempt of one call."""
    number: int
    limit: int

    def headers(self) -> dict[str, str]:
        """The ``amz-sdk-*`` headers of this attempt."""
        return {
            "amz-sdk-invocation-id": self.invocation,
            "amz-sdk-request": f"attempt={self.number}; max={self.limit}",
        }


# The attempt being sent in this task: read by the ``request-created`` handler.
_attempt: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar(
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
    headers = request.headers  # an email.message.Message: assignment appends, so delete first
    del headers["amz-sdk-invocation-id"]
    del headers["amz-sdk-request"]
    for name, value in current.headers().items():
        headers[name] = value
    from ivsrt._runtime import direct  # loaded with the first client (see create_aio_client)

    direct.record(request)


def _keep_timestamp(value: Any) -> Any:
    return value


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
            raise NotAJsonObject(
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


_SESSIONS: dict[tuple[str | None, frozenset[tuple[str, str]]], AioSession] = {}
"""The sessions ivsrt makes for clients that bring none, by profile and AWS environment."""


def _shared_session(profile: str | None) -> AioSession:
    """One session (so one loader, with its parsed service models) shared by every client that
    brings no session, per profile and per value of the ``AWS_*`` environment variables (which
    a session reads once: config files, credentials, region)."""
    key = (profile, frozenset((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    session = _SESSIONS.get(key)
    if session is None:
        session = AioSession(profile=profile) if profile else get_session()
        _model_data.own_session_uses_model(session)
        _SESSIONS[key] = session
    return session


class Transport:
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
        "loop",
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
        self.loop: asyncio.AbstractEventLoop | None = None
        """The event loop the aiobotocore clients were opened in (their connections live in
        it); None until opened."""

    def check_loop(self) -> None:
        """Raise ``ConfigurationError`` when the running event loop is not the one this client
        was opened in (an earlier ``asyncio.run``): its connections cannot be used from here."""
        if self.loop is not None and self.loop is not asyncio.get_running_loop():
            raise ConfigurationError(
                "this client belongs to another event loop: it was opened in an event loop "
                "that is not the running one (e.g. an earlier asyncio.run); create an "
                "ivsrt.Client in the event loop that uses it"
            )

    async def open(self) -> Any:
        if self.aio is not None and not self.closed:
            self.check_loop()
        async with self.open_lock:
            if self.closed:
                raise ConfigurationError("this ivsrt.Client is closed; create a new one")
            if self.aio is not None:
                return self.aio
            session = self.session
            if session is None:
                session = self.session = self.model_session = _shared_session(self.profile)
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
            self.loop = asyncio.get_running_loop()
            _redact.install()
            return aio

    async def _create(self, service: str) -> tuple[Any, Any]:
        """An aiobotocore client of ``service`` with this transport's session, region, endpoint,
        credentials and config (called under ``open_lock``, once the region is known)."""
        assert self.model_session is not None  # set by open()
        return await create_aio_client(
            self.model_session,
            service,
            region=self.region,
            endpoint_url=self.endpoint_url,
            config=self.config,
            credentials=self.credentials,
        )

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

    async def send(
        self, spec: OperationSpec[Any], params: dict[str, Any], attempt: Attempt
    ) -> dict[str, Any]:
        """One attempt: one botocore call (botocore's retries are off), one HTTP request.
        Raises what botocore raises (`ivsrt._runtime.errors` maps it)."""
        aio = self.aio if spec.service == SERVICE else None
        if aio is None:
            aio = await self.open_service(spec.service)
        if self.closed:
            raise ConfigurationError("this ivsrt.Client is closed; create a new one")
        lane: direct.Lane = aio._ivsrt_lane
        profile = lane.profile(spec.name)
        if profile is not None:
            answer = await lane.send(profile, params, attempt.headers())
            if answer is not None:
                return answer
        learning = profile is None and lane.should_learn(spec.name)
        if learning:
            seen, recording = lane.learning()
        token = _attempt.set(attempt)
        try:
            response: dict[str, Any] = await getattr(aio, spec.method_name)(**params)
        finally:
            _attempt.reset(token)
            if learning:
                lane.stop_learning(recording)
        if learning:
            try:
                await lane.learn(spec.name, params, attempt.headers(), seen)
            except Exception:  # the call succeeded: a failure to learn only keeps botocore's way
                lane.refuse(spec.name)
        return response


class _NoRedirects:
    """An ``aiohttp.ClientSession`` as aiobotocore uses it (``request``), with redirects off: a
    3xx comes back to botocore as an error answer, and the request (its body, its
    ``X-Amz-Security-Token``) is never sent to another URL."""

    __slots__ = ("_session",)

    def __init__(self, session: Any) -> None:
        self._session = session

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        return self._session.request(method, url, allow_redirects=False, **kwargs)


class _HTTPSession(AIOHTTPSession):  # type: ignore[misc]
    """aiobotocore's aiohttp session whose requests never follow redirects."""

    async def _get_session(self, proxy_url: Any) -> Any:
        return _NoRedirects(await super()._get_session(proxy_url))


def make_config(
    *, max_pool_connections: int, connect_timeout: float, read_timeout: float, user_agent: str
) -> AioConfig:
    """The aiobotocore config of every ivsrt client: botocore's retries off (ivsrt's retry
    policy is the only retry layer), botocore's parameter validation off (ivsrt validates),
    redirects never followed."""
    return AioConfig(
        retries={"total_max_attempts": 1, "mode": "standard"},
        max_pool_connections=max_pool_connections,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        parameter_validation=False,
        user_agent_extra=user_agent,
        http_session_cls=_HTTPSession,
    )


async def create_aio_client(
    session: AioSession,
    service: str,
    *,
    region: str | None,
    endpoint_url: str | None,
    config: AioConfig,
    credentials: Mapping[str, str | None],
) -> tuple[Any, Any]:
    """The one place an aiobotocore client is made: (the entered client, its context to exit).

    The client gets ivsrt's response parser, the attempt-headers handler and the caches of
    `ivsrt._runtime.shortcuts`."""
    creds = {k: v for k, v in credentials.items() if v is not None}
    try:
        context = session.create_client(
            service, region_name=region, endpoint_url=endpoint_url, config=config, **creds
        )
        aio = await context.__aenter__()
    except (bexc.BotoCoreError, ValueError) as exc:
        # ValueError: an endpoint_url botocore cannot use ("Invalid endpoint: ...").
        raise ConfigurationError(f"cannot create the {service} client: {exc}") from exc
    # Per client, not per session: a session passed in keeps its own parser settings.
    aio._endpoint._response_parser_factory = _PARSER_FACTORY
    shortcuts.install(aio)
    # After botocore's own add_retry_headers (registered on the less specific name, so it runs
    # after the more specific ones such as the signer).
    aio.meta.events.register_last(
        "request-created", _attempt_headers, unique_id="ivsrt-attempt-headers"
    )
    # The direct lane and its serializers are imported here, with the first client opened, not
    # at ``import ivsrt``.
    from ivsrt._runtime import direct

    aio._ivsrt_lane = direct.Lane(aio)
    return aio, context
