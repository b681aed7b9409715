"""The client: one aiobotocore session and client, their lifecycle, and the error mapping.

```python
async with ivsrt.Client(region="us-west-2") as ivs:
    stage = (await ivs.api.get_stage(arn=arn)).stage
```

Inside ``async with``, the client is also the *ambient* client of the current task (a
``ContextVar``), which resource classes such as ``Stage.create(...)`` use when no ``client=`` is
given. There is never a process-wide default client.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.parsers import AioResponseParserFactory, AioRestJSONParser
from aiobotocore.session import AioSession, get_session
from botocore import exceptions as bexc
from typing_extensions import Self

from ivsrt import _redact
from ivsrt._exceptions import (
    ConfigurationError,
    IvsrtError,
    OutcomeUnknownError,
    ServiceError,
    ThrottlingError,
    TransportError,
)
from ivsrt._generated.errors import ERRORS_BY_CODE
from ivsrt._generated.operations import RealtimeApi

if TYPE_CHECKING:
    from ivsrt._api_base import OperationSpec

__all__ = ["Client", "current_client"]

SERVICE = "ivs-realtime"
VERSION = "0.1.0"

_current: contextvars.ContextVar[Client | None] = contextvars.ContextVar(
    "ivsrt_current_client", default=None
)


def current_client() -> Client | None:
    """The client of the innermost ``async with ivsrt.Client(...)`` in this task, if any."""
    return _current.get()


def _keep_timestamp(value: Any) -> Any:
    return value


class _Parser(AioRestJSONParser):  # type: ignore[misc]
    """rest-json parser that leaves timestamps to ivsrt's converter and reads IVS's
    ``exceptionMessage`` for errors botocore does not model (throttling, 5xx)."""

    def _do_error_parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        error = super()._do_error_parse(response, shape)
        if not error["Error"].get("Message"):
            body = self._parse_body_as_json(response["body"])
            if isinstance(body, dict) and isinstance(body.get("exceptionMessage"), str):
                error["Error"]["Message"] = body["exceptionMessage"]
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

    Use it as ``async with ivsrt.Client(...) as ivs:``; or call ``await client.open()`` and
    ``await client.close()`` yourself (``close`` is idempotent). botocore's own retries are
    switched off: ivsrt's retry policy is the only retry layer, so attempts never multiply.
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
    ) -> None:
        if session is not None and profile is not None:
            raise ConfigurationError("pass either session= or profile=, not both")
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            raise ConfigurationError(
                "pass aws_access_key_id and aws_secret_access_key together (or neither)"
            )
        if max_pool_connections < 1:
            raise ConfigurationError("max_pool_connections must be at least 1")
        self._requested_region = region
        self._profile = profile
        self._endpoint_url = endpoint_url
        self._session = session
        self._credentials = {
            "aws_access_key_id": aws_access_key_id,
            "aws_secret_access_key": aws_secret_access_key,
            "aws_session_token": aws_session_token,
        }
        self._config = AioConfig(
            retries={"total_max_attempts": 1, "mode": "standard"},
            max_pool_connections=max_pool_connections,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            parameter_validation=False,
            user_agent_extra=f"ivsrt/{VERSION}",
        )
        self._aio: Any = None
        self._exit_stack: Any = None
        self._open_lock = asyncio.Lock()
        self._closed = False
        self._region: str | None = None
        self._tokens: list[contextvars.Token[Client | None]] = []
        self.api = RealtimeApi(self)
        """Every IVS Real-Time operation as a typed async method."""

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._aio is not None else "not opened")
        where = f" endpoint_url={self._endpoint_url!r}" if self._endpoint_url else ""
        return f"<ivsrt.Client region={self.region!r}{where} {state}>"

    @property
    def region(self) -> str | None:
        """The region in use (known once the client is open, or when given explicitly)."""
        return self._region or self._requested_region

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint in use."""
        if self._aio is not None:
            return str(self._aio.meta.endpoint_url)
        return self._endpoint_url

    @property
    def closed(self) -> bool:
        return self._closed

    async def open(self) -> Self:
        """Create the aiobotocore client (done for you by ``async with`` or the first call)."""
        async with self._open_lock:
            if self._closed:
                raise ConfigurationError("this ivsrt.Client is closed; create a new one")
            if self._aio is not None:
                return self
            session = self._session
            if session is None:
                session = AioSession(profile=self._profile) if self._profile else get_session()
                self._session = session
            try:
                region = self._requested_region or session.get_config_variable("region")
            except bexc.ProfileNotFound as exc:
                raise ConfigurationError(f"AWS profile not found: {self._profile!r}") from exc
            if not region:
                raise ConfigurationError(
                    "no AWS region: pass ivsrt.Client(region='us-west-2'), set AWS_REGION or "
                    "AWS_DEFAULT_REGION, or set region in the profile's config"
                )
            self._region = region
            creds = {k: v for k, v in self._credentials.items() if v is not None}
            context = session.create_client(
                SERVICE,
                region_name=region,
                endpoint_url=self._endpoint_url,
                config=self._config,
                **creds,
            )
            try:
                aio = await context.__aenter__()
            except bexc.BotoCoreError as exc:
                raise ConfigurationError(f"cannot create the IVS client: {exc}") from exc
            # Per client, not per session: a session passed in keeps its own parser settings.
            aio._endpoint._response_parser_factory = _PARSER_FACTORY
            self._exit_stack = context
            self._aio = aio
            _redact.install()
            return self

    async def close(self) -> None:
        """Close the HTTP connections. Safe to call more than once."""
        async with self._open_lock:
            self._closed = True
            context, self._exit_stack, self._aio = self._exit_stack, None, None
            if context is not None:
                await context.__aexit__(None, None, None)

    async def __aenter__(self) -> Self:
        await self.open()
        self._tokens.append(_current.set(self))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tokens:
            token = self._tokens.pop()
            try:
                _current.reset(token)
            except ValueError:  # exited in another context than it was entered in
                _current.set(None)
        await self.close()

    # -- the one place that talks to aiobotocore ------------------------------------------------
    async def _send(self, op: OperationSpec[Any], params: dict[str, Any]) -> dict[str, Any]:
        """Send one request; map every failure to an ivsrt exception."""
        aio = self._aio
        if aio is None:
            await self.open()
            aio = self._aio
        try:
            response: dict[str, Any] = await getattr(aio, op.method_name)(**params)
        except bexc.ClientError as exc:
            raise _service_error(op.name, exc) from exc
        except bexc.NoCredentialsError as exc:
            raise ConfigurationError(
                "no AWS credentials found: pass aws_access_key_id/aws_secret_access_key, a "
                "profile, or configure the default chain"
            ) from exc
        except (bexc.ConnectionError, bexc.HTTPClientError) as exc:
            raise _transport_error(op, exc) from exc
        except bexc.BotoCoreError as exc:
            raise IvsrtError(f"{op.name}: {exc}") from exc
        except aiohttp.ClientError as exc:  # pragma: no cover - aiobotocore wraps these
            raise _transport_error(op, exc) from exc
        return response


def _service_error(operation: str, exc: bexc.ClientError) -> ServiceError:
    response = exc.response
    error = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    code = error.get("Code") or "Unknown"
    status = meta.get("HTTPStatusCode")
    message = response.get("exceptionMessage") or error.get("Message") or ""
    cls = ERRORS_BY_CODE.get(code)
    if cls is None:
        cls = ThrottlingError if status == 429 else ServiceError
    return cls(
        message, code=code, status=status, request_id=meta.get("RequestId"), operation=operation
    )


def _sent(exc: BaseException) -> bool:
    """False when the failure happened before the request left (nothing can have happened)."""
    if isinstance(exc, (bexc.ConnectTimeoutError, bexc.ProxyConnectionError, bexc.SSLError)):
        return False
    if isinstance(exc, bexc.EndpointConnectionError):
        cause = getattr(exc, "kwargs", {}).get("error")
        # aiobotocore also maps a reset while reading (ClientOSError) to this class: only a
        # failure to connect means the request was never sent.
        return not isinstance(cause, (aiohttp.ClientConnectorError, OSError)) or (
            isinstance(cause, aiohttp.ClientOSError)
            and not isinstance(cause, aiohttp.ClientConnectorError)
        )
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
