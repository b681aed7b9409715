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

import contextvars
import sys
import warnings
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Literal

from aiobotocore.session import AioSession
from typing_extensions import Self

from ivsrt._exceptions import ConfigurationError
from ivsrt._runtime.limiting import Limiter, Limiters, resolve
from ivsrt._runtime.spec import OperationSpec
from ivsrt._runtime.transport import Attempt, Transport, make_config
from ivsrt._version import __version__ as VERSION
from ivsrt.limits import RateLimits, RateLimitsOption
from ivsrt.retry import RetryBudget, RetryPolicy

if TYPE_CHECKING:
    from ivsrt._generated.channels.operations import ChannelsApi
    from ivsrt._generated.operations import RealtimeApi

__all__ = ["Client", "current_client"]


_current: contextvars.ContextVar[Client | None] = contextvars.ContextVar(
    "ivsrt_current_client", default=None
)

_entered: contextvars.ContextVar[tuple[tuple[Client, Client | None], ...]] = contextvars.ContextVar(
    "ivsrt_entered_clients", default=()
)
"""This context's ``async with`` entries, innermost last: (client, the ambient client before)."""


def current_client() -> Client | None:
    """The client of the innermost ``async with ivsrt.Client(...)`` in this task, if any."""
    return _current.get()


def _caller_outside_ivsrt(frame: FrameType | None) -> tuple[str, int] | None:
    """(file, line) of the first frame from ``frame`` outwards that is not ivsrt's own code:
    where the caller created the client (also through ``Emulator.client()``)."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != "ivsrt" and not module.startswith("ivsrt."):
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back
    return None


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
        read_timeout: seconds to wait for each read of a response (the retry policy's
            ``attempt_timeout`` bounds an attempt's total time, its ``deadline`` the call's).
        retry: the default [`RetryPolicy`][ivsrt.RetryPolicy] of every call
            (``RetryPolicy()``: 3 attempts within 20 s, full-jitter backoff from 0.1 s capped at
            5 s). Override it for some calls with
            [`with_options`][ivsrt.Client.with_options]. ``RetryPolicy.none()`` disables
            retrying.
        retry_budget: the [`RetryBudget`][ivsrt.retry.RetryBudget] (token bucket) that limits
            retries across all calls of this client, so an outage fails fast; a fresh one by default
            (500 tokens, see [`ivsrt.retry`][ivsrt.retry]).
        rate_limits: the call rates to keep to (see [`ivsrt.limits`][ivsrt.limits]):
            ``"auto"`` (the default) paces calls to the service's published table
            (``RateLimits.service()``) except for a loopback ``endpoint_url`` (the emulator),
            where it is off; ``"off"``; or a [`RateLimits`][ivsrt.RateLimits]. Shared by
            the client's views; override it for some calls with
            [`with_options`][ivsrt.Client.with_options].

    Use it as ``async with ivsrt.Client(...) as ivs:``; or call ``await client.open()`` and
    ``await client.close()`` yourself (``close`` is idempotent). botocore's own retries are
    switched off: ivsrt's retry policy is the only retry layer, so each attempt is one HTTP
    request and attempts never multiply.

    A client belongs to the event loop it was opened in: using it from another one (a second
    ``asyncio.run``) raises ``ConfigurationError`` before anything is sent. A client opened
    and garbage-collected without being closed emits a ``ResourceWarning`` naming the file and
    line where it was created.
    """

    _created_at: tuple[str, int] | None = None
    """(file, line) of the caller's ``Client(...)``, named by the unclosed-client warning."""

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
        rate_limits: RateLimitsOption = "auto",
    ) -> None:
        self._created_at = _caller_outside_ivsrt(sys._getframe(1))
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
        _check_rate_limits(rate_limits)
        self._core = Transport(
            requested_region=region,
            profile=profile,
            endpoint_url=endpoint_url,
            session=session,
            credentials={
                "aws_access_key_id": aws_access_key_id,
                "aws_secret_access_key": aws_secret_access_key,
                "aws_session_token": aws_session_token,
            },
            config=make_config(
                max_pool_connections=max_pool_connections,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                user_agent=f"ivsrt/{VERSION}",
            ),
            budget=retry_budget if retry_budget is not None else RetryBudget(),
        )
        self._retry = retry if retry is not None else _DEFAULT_RETRY
        self._limiters = Limiters()
        self._rate_limits = resolve(rate_limits, endpoint_url)
        self._limiter = self._limiters.get(self._rate_limits)
        self._parent: Client | None = None
        self._api: RealtimeApi | None = None
        self._channels: ChannelsApi | None = None

    @property
    def api(self) -> RealtimeApi:
        """Every IVS Real-Time operation as a typed async method.

        The operations and their models are imported on first use: ``import ivsrt`` and
        ``ivsrt.Client(...)`` do not pay for them."""
        api = self._api
        if api is None:
            from ivsrt._generated.operations import RealtimeApi

            api = self._api = RealtimeApi(self)
        return api

    @property
    def channels(self) -> ChannelsApi:
        """Every IVS channel operation (service ``ivs``: channels, stream keys, playback keys,
        recording configurations, ...) as a typed async method, multitrack fields included.

        With ``endpoint_url`` set, channel calls go to the same URL; the bundled emulator
        serves both APIs there.

        The channel models are imported on first use, so ``import ivsrt`` does not pay for
        them."""
        api = self._channels
        if api is None:
            from ivsrt.channels import ChannelsApi

            api = self._channels = ChannelsApi(self)
        return api

    def with_options(
        self,
        *,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimits | Literal["off"] | None = None,
    ) -> Client:
        """A view of this client with other options (None keeps this client's).

        The view shares this client's aiobotocore client, connection pool, retry budget, rate
        limiter and lifecycle: closing this client closes the view; entering or closing the view
        never closes this client's connections. Cheap enough to make per call::

            await ivs.with_options(retry=RetryPolicy(max_attempts=8)).api.get_stage(arn=arn)

        ``rate_limits``: ``"off"`` for calls that are not paced, or another
        [`RateLimits`][ivsrt.RateLimits] (views with equal ones share their buckets).
        """
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError(f"retry must be an ivsrt.RetryPolicy, not {retry!r}")
        if rate_limits is not None and not (
            isinstance(rate_limits, RateLimits) or rate_limits == "off"
        ):
            raise ConfigurationError(
                f"with_options(rate_limits=...) takes an ivsrt.RateLimits or 'off', not "
                f"{rate_limits!r} ('auto' is decided once, by the client)"
            )
        view = object.__new__(Client)
        view._core = self._core
        view._retry = retry if retry is not None else self._retry
        view._limiters = self._limiters
        if rate_limits is None:
            view._rate_limits, view._limiter = self._rate_limits, self._limiter
        else:
            view._rate_limits = resolve(rate_limits, None)
            view._limiter = self._limiters.get(view._rate_limits)
        view._parent = self._parent if self._parent is not None else self
        view._api = None
        view._channels = None
        return view

    def __del__(self) -> None:
        core: Transport | None = self.__dict__.get("_core")
        if core is None or self.__dict__.get("_parent") is not None:
            return  # never set up, or a view (the client it came from owns the connections)
        if core.aio is not None and not core.closed:
            file, line = self._created_at or ("<unknown>", 0)
            warnings.warn(
                f"unclosed ivsrt.Client created at {file}:{line}: close it with "
                "`await client.close()` or use `async with ivsrt.Client(...)`",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

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
    def rate_limits(self) -> RateLimits | None:
        """The call rates this client's calls keep to (None: not paced)."""
        return self._rate_limits

    @property
    def _rate_limiter(self) -> Limiter | None:
        """The buckets of `rate_limits` (the pipeline's rate-limit stage uses them)."""
        return self._limiter

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
        # each have their own context, so one leaving never changes what another sees. Blocks
        # may be exited in any order: the entry above the one removed inherits what was ambient
        # before it, and the ambient client is the innermost block still open.
        stack = _entered.get()
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] is self:
                before = stack[i][1]
                rest = list(stack[:i] + stack[i + 1 :])
                if i < len(rest):
                    rest[i] = (rest[i][0], before)
                _entered.set(tuple(rest))
                _current.set(rest[-1][0] if rest else before)
                break
        await self.close()

    async def _send_attempt(
        self, spec: OperationSpec[Any], params: dict[str, Any], attempt: Attempt
    ) -> dict[str, Any]:
        """One attempt of a call (the pipeline's `Sender`): one HTTP request."""
        core = self._core
        if core.loop is not None:
            core.check_loop()
        return await core.send(spec, params, attempt)


_DEFAULT_RETRY = RetryPolicy()


def _check_rate_limits(value: object) -> None:
    if not isinstance(value, RateLimits) and value not in ("auto", "off"):
        raise ConfigurationError(
            f"rate_limits must be an ivsrt.RateLimits, 'auto' or 'off', not {value!r}"
        )
