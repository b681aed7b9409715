"""The `Emulator`: a local IVS Real-Time server with a Python control surface."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import attrs
from aiohttp import web
from typing_extensions import Self

from ivsrt._generated.models import EventErrorCodeLiteral
from ivsrt.emulator._clock import Clock
from ivsrt.emulator._delivery import Delivery, check_event_target
from ivsrt.emulator._faults import Faults, Invocation
from ivsrt.emulator._http.app import build_app
from ivsrt.emulator._http.control import CONTROL_PREFIX
from ivsrt.emulator._rates import RateClock, RateLimitsSetting
from ivsrt.emulator._service import Service
from ivsrt.emulator.state.compositions import DESTINATION_RETRY_SECONDS
from ivsrt.emulator.state.limits import Limits
from ivsrt.emulator.state.media import CLIENT_FIELDS
from ivsrt.emulator.state.media_faults import MediaAction

if TYPE_CHECKING:
    from ivsrt.client import Client

__all__ = ["Emulator", "EventDetailType"]

EventDetailType = Literal[
    "IVS Stage Update", "IVS Composition State Change", "IVS Participant Recording State Change"
]
"""The ``detail-type`` of the events the emulator emits."""
_FOREVER = 3600.0

_SHUTDOWN_GRACE = 0.1
"""Seconds `Emulator.stop` lets a request still being handled finish before cutting it."""


class Emulator:
    """A local Amazon IVS Real-Time service speaking the real wire protocol (rest-json, SigV4).

    ```python
    async with Emulator() as emu:
        async with emu.client() as ivs:
            stage = (await ivs.api.create_stage(name="demo")).stage
    ```

    Args:
        host: interface to listen on (loopback by default).
        port: TCP port; 0 picks a free one.
        seed: seeds ids, tokens and fault probabilities (None: not deterministic).
        access_key: the only access key id accepted in SigV4 signatures.
        secret_key: its secret.
        account_id: the account in every ARN.
        region: default region of `client` (any region is accepted on the wire; ARNs
            use the region of the request's signature).
        composition_start_delay: emulator-clock seconds a composition stays STARTING.
        composition_stop_delay: emulator-clock seconds a composition stays STOPPING.
        limits: quotas and memory bounds (see `Limits`), e.g.
            ``Limits(max_stages=3)``.
        allowed_hosts: host names requests may be addressed to (the ``Host`` header) besides
            IP addresses, ``localhost`` and ``host``, e.g. a container's name; any other name
            is refused (403), which defeats DNS rebinding.
        state_file: a JSON file of `snapshot` form: loaded now if it exists, written (by
            `stop`) with the state at that time.
        rate_limits: the API call rates enforced, answering excess calls with HTTP 429
            ``ThrottlingException`` as the service does: ``"service"`` (the service's published
            table, `ivsrt.limits`), an `ivsrt.RateLimits`, or ``"off"``; None takes
            ``limits.rate_limits`` (``"off"`` by default). Throttled calls are counted in
            `stats`. `client` paces its calls to the same table.
        rate_clock: what the rate buckets refill on: ``"wall"`` time or the ``"emulator"``
            clock (freeze and advance it for deterministic tests); None takes
            ``limits.rate_clock``.
        control_token: when set, control requests over HTTP must carry
            ``Authorization: Bearer <control_token>`` (`ControlClient` ``control_token=``);
            the Python methods need nothing.
        event_target: a loopback ``http://`` URL every EventBridge event is POSTed to while
            the emulator serves, as an EventBridge API destination receives it (the body is
            the event JSON); a failed delivery is retried a few times, then dropped and
            counted (`event_delivery`). Any other host is refused (``ValueError``).
        frozen_clock: start with `clock` frozen at real time (and `reset` freezes it there
            again), so that time moves only when a test advances it.

    Everything that depends on time is computed from `clock` when read: advance or freeze
    it to make state changes deterministic.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = 0,
        access_key: str = "test",
        secret_key: str = "test",
        account_id: str = "123456789012",
        region: str = "us-west-2",
        composition_start_delay: float = 5.0,
        composition_stop_delay: float = 2.0,
        limits: Limits | None = None,
        allowed_hosts: Iterable[str] = (),
        control_token: str | None = None,
        state_file: str | os.PathLike[str] | None = None,
        event_target: str | None = None,
        frozen_clock: bool = False,
        rate_limits: RateLimitsSetting | None = None,
        rate_clock: RateClock | None = None,
    ) -> None:
        if not account_id.isdigit() or len(account_id) != 12:
            raise ValueError("account_id must be 12 digits")
        if event_target is not None:
            check_event_target(event_target)
        limits = limits or Limits()
        if rate_limits is not None:
            limits = attrs.evolve(limits, rate_limits=rate_limits)
        if rate_clock is not None:
            limits = attrs.evolve(limits, rate_clock=rate_clock)
        self.limits: Limits = limits
        """Quotas and memory bounds in force."""
        self.host = host
        self.port = port
        self.access_key = access_key
        self.secret_key = secret_key
        self.account_id = account_id
        self.region = region
        """Default region for `client`."""
        self._service = Service(
            seed=seed,
            access_key=access_key,
            secret_key=secret_key,
            account_id=account_id,
            region=region,
            composition_start_delay=composition_start_delay,
            composition_stop_delay=composition_stop_delay,
            limits=self.limits,
            allowed_hosts=frozenset([*allowed_hosts, host]),
            control_token=control_token,
            frozen_clock=frozen_clock,
        )
        self.clock: Clock = self._service.clock
        """Emulator time: ``now()``, ``advance(seconds)``, ``freeze()``, ``resume()``."""
        self.faults: Faults = self._service.faults
        """Fault injection: ``inject(operation, kind, ...)`` and ``clear()``."""
        self._state_file = None if state_file is None else Path(state_file)
        if self._state_file is not None and self._state_file.exists():
            try:
                saved = json.loads(self._state_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(f"state_file {str(self._state_file)!r}: {exc}") from None
            try:
                self._service.restore(saved)
            except ValueError as exc:
                raise ValueError(f"state_file {str(self._state_file)!r}: {exc}") from None
        self._delivery = None if event_target is None else Delivery(self._service, event_target)
        self._runner: web.AppRunner | None = None
        self._endpoint_url: str | None = None
        self._bound_port: int | None = None

    def __repr__(self) -> str:
        where = self._endpoint_url or "not started"
        return f"<ivsrt.emulator.Emulator {where}>"

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        """``http://host:port`` of the running emulator."""
        if self._endpoint_url is None:
            raise RuntimeError("the emulator is not started (use `async with Emulator() as emu`)")
        return self._endpoint_url

    @property
    def control_url(self) -> str:
        """Base URL of the HTTP control surface (``{endpoint_url}/_emulator/``)."""
        return self.endpoint_url + CONTROL_PREFIX

    async def start(self) -> Self:
        """Start serving (done by ``async with``). After `stop`, starting again serves
        the same state on the same port (raises ``OSError`` if it was taken meanwhile)."""
        if self._runner is not None:
            return self
        runner = web.AppRunner(
            build_app(self._service),
            handle_signals=False,
            access_log=None,
            # aiohttp waits this long twice for a request still in its handler (a latency
            # fault): `stop`, and so Ctrl-C on the command line, stays well under half a second
            shutdown_timeout=_SHUTDOWN_GRACE,
            keepalive_timeout=self.limits.request_header_timeout,
        )
        await runner.setup()
        port = self._bound_port if self._bound_port is not None else self.port
        site = web.TCPSite(runner, self.host, port, backlog=1024)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address: Any = runner.addresses[0]
        self._bound_port = int(address[1])
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self._endpoint_url = f"http://{host}:{self._bound_port}"
        self._service.endpoint_url = self._endpoint_url
        if self._delivery is not None:
            self._delivery.start()
        return self

    async def stop(self) -> None:
        """Stop serving and close every connection (``endpoint_url`` is unset until the next
        `start`); a request still being handled (a latency fault) is cut after 0.1 s. Safe to
        call more than once."""
        runner, self._runner = self._runner, None
        self._endpoint_url = None
        if self._delivery is not None:
            await self._delivery.stop()
        self._service.endpoint_url = None
        if runner is not None:
            await runner.cleanup()
            if self._state_file is not None:
                self._save_state(self._state_file)

    def _save_state(self, path: Path) -> None:
        """Write `snapshot` to ``path`` atomically (a temporary file renamed over it)."""
        text = json.dumps(self.snapshot(), separators=(",", ":"))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds secrets
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def token_public_key_pem(self) -> str:
        """PEM (SubjectPublicKeyInfo) of the P-384 key that signs the participant tokens this
        emulator issues: verify its tokens with it (ES384)."""
        return self._service.token_public_key_pem

    def client(self, **kwargs: Any) -> Client:
        """An `ivsrt.Client` for this emulator (not yet opened): its region, endpoint
        and credentials; ``kwargs`` go to ``ivsrt.Client``."""
        from ivsrt.client import Client

        kwargs.setdefault("region", self.region)
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        kwargs.setdefault("aws_access_key_id", self.access_key)
        kwargs.setdefault("aws_secret_access_key", self.secret_key)
        kwargs.setdefault("rate_limits", self._service.rates.table or "off")
        return Client(**kwargs)

    # -- reset and snapshot ------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the state of a new emulator with the same options: no resources, no
        injected faults, no request log, the clock at real time (running, unless
        ``frozen_clock``). The key that signs
        participant tokens stays (`token_public_key_pem` is unchanged)."""
        self._service.reset()

    def snapshot(self) -> dict[str, Any]:
        """Every resource (stage sessions, participants and their events included) and the
        clock, as plain JSON (``json.dumps`` takes it as is). It holds stream keys and the
        token-signing private key: treat it as a secret of your tests. Faults and the request
        log are not part of it."""
        return self._service.snapshot()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Replace every resource and the clock with ``snapshot`` (from `snapshot`, maybe of
        another emulator of the same account). Tokens and page tokens issued before the
        snapshot stay valid. Raises ``ValueError`` for anything else, changing nothing."""
        self._service.restore(dict(snapshot) if isinstance(snapshot, Mapping) else snapshot)

    # -- EventBridge events ------------------------------------------------------------------
    def events(
        self,
        *,
        detail_type: EventDetailType | None = None,
        resource: str | None = None,
        event_name: str | None = None,
        after: int = 0,
    ) -> list[dict[str, Any]]:
        """Every EventBridge event emitted so far (oldest first, at most
        ``Limits.max_eventbridge_events``), as IVS sends them: the JSON objects a rule
        delivers (`ivsrt.events.parse_event` reads them). Filters: the ``detail-type``, an ARN
        in ``resources`` (a stage, or a composition), the ``detail.event_name``; ``after``:
        only the events that follow an `event_cursor`."""
        return self._service.events_after(after, detail_type, resource, event_name)[0]

    @property
    def event_cursor(self) -> int:
        """The sequence number of the latest event: `watch_events` ``after=`` it waits for
        the ones that follow. It goes on across `reset` and `restore`."""
        return self._service.events_after(0)[1]

    @property
    def event_delivery(self) -> tuple[int, int]:
        """``(delivered, dropped)`` events of ``event_target`` (``(0, 0)`` without one)."""
        d = self._delivery
        return (0, 0) if d is None else (d.delivered, d.failed)

    async def watch_events(
        self,
        *,
        detail_type: EventDetailType | None = None,
        resource: str | None = None,
        event_name: str | None = None,
        after: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """The matching events as they are emitted (filters as `events`), from those after
        ``after`` (an `event_cursor`; None: from now on, 0: from the first kept)::

            async for event in emu.watch_events(resource=composition.arn, timeout=10):
                if event["detail"]["event_name"] == "Session End":
                    break

        ``timeout``: seconds to wait for each next event; ``TimeoutError`` when none comes
        (None: wait for ever). Changes made by time alone (a composition becoming ACTIVE)
        are seen while it waits."""
        cursor = self.event_cursor if after is None else after
        wait = _FOREVER if timeout is None else timeout
        while True:
            found, last = await self._service.wait_events(
                cursor, wait, detail_type, resource, event_name
            )
            if not found and timeout is not None:
                raise TimeoutError(f"no matching event within {timeout} seconds")
            cursor = last
            for event in found:
                yield event

    # -- control surface ---------------------------------------------------------------------
    def join(
        self,
        token: str,
        *,
        isp_name: str | None = None,
        os_name: str | None = None,
        os_version: str | None = None,
        browser_name: str | None = None,
        browser_version: str | None = None,
        sdk_version: str | None = None,
    ) -> str:
        """A participant joins the token's stage with a participant token (one the emulator
        issued, or one self-signed with the private key of an imported public key). Starts a
        stage session if none is active. Returns the participant id (the token's ``jti``).

        The keyword arguments are what the participant's client reports, and GetParticipant
        returns (``osName``, ``browserName``, ...).

        Raises `ControlError` for an invalid or expired token or an unknown stage."""
        given = {
            "isp_name": isp_name,
            "os_name": os_name,
            "os_version": os_version,
            "browser_name": browser_name,
            "browser_version": browser_version,
            "sdk_version": sdk_version,
        }
        client = {CLIENT_FIELDS[k]: v for k, v in given.items() if v is not None}
        return self._service.join(token, client)

    def leave(self, token: str) -> None:
        """The participant leaves (stops publishing and subscribing first). The stage session
        ends when its last participant leaves."""
        self._service.leave(token)

    def publish(self, token: str) -> None:
        """The participant starts publishing. Without the PUBLISH capability (or beyond the
        publisher quota) this records a PUBLISH_ERROR event instead, as the service does; it
        does not raise."""
        self._service.publish(token)

    def unpublish(self, token: str) -> None:
        """The participant stops publishing."""
        self._service.unpublish(token)

    def subscribe(self, token: str) -> None:
        """The participant starts subscribing (a SUBSCRIBE_ERROR event without the SUBSCRIBE
        capability)."""
        self._service.subscribe(token)

    def unsubscribe(self, token: str) -> None:
        """The participant stops subscribing."""
        self._service.unsubscribe(token)

    def start_rtmp(self, stream_key: str) -> None:
        """An RTMP(S) publisher goes live with ``stream_key``: its ingest configuration becomes
        ACTIVE and its participant joins the stage and publishes."""
        self._service.start_rtmp(stream_key)

    def stop_rtmp(self, stream_key: str) -> None:
        """The RTMP(S) publisher stops: the ingest configuration goes back to INACTIVE."""
        self._service.stop_rtmp(stream_key)

    def start_stream(self, channel_or_stream_key: str, *, multitrack: bool = False) -> str:
        """An encoder goes live on an IVS channel (its ARN, or its stream key's value): the
        channel's stream is LIVE (GetStream, ListStreams) until `stop_stream` or StopStream.
        Returns the stream id.

        ``multitrack``: the encoder sends multitrack video. As the service does, a channel
        whose multitrack policy is REQUIRE refuses single-track input, and a channel without
        multitrack input enabled refuses multitrack input: the stream session ends at once
        with the documented code (``MultitrackInputRequired``, ``MultitrackInputNotAllowed``)
        and this raises `ControlError`. Also `ControlError` for an unknown channel or stream
        key, or a channel already live."""
        return self._service.start_stream(channel_or_stream_key, multitrack)

    def stop_stream(self, channel_or_stream_key: str) -> None:
        """The encoder on the IVS channel (its ARN, or its stream key's value) stops: the
        stream session ends."""
        self._service.stop_stream(channel_or_stream_key)

    def fail_composition(
        self, arn: str, reason: str = "failed by the emulator's control surface"
    ) -> None:
        """The composition (and every destination) goes to FAILED now."""
        self._service.fail_composition(arn, reason)

    def fail_destination(self, composition_arn: str, destination_id: str) -> None:
        """One destination of the composition goes to FAILED (the composition too, once every
        destination failed)."""
        self._service.fail_destination(composition_arn, destination_id)

    def inject_destination_failure(
        self,
        composition_arn: str,
        destination_id: str,
        *,
        recover_after: float | None = None,
        retry_for: float = DESTINATION_RETRY_SECONDS,
    ) -> None:
        """The destination's broadcast is disconnected now: it is RECONNECTING, then ACTIVE
        again ``recover_after`` emulator-clock seconds later, or, without ``recover_after``,
        FAILED once ``retry_for`` seconds of reconnection attempts are exhausted (the
        composition too, once every destination failed).

        Raises `ControlError` ``NOT_FOUND`` / ``NOT_ACTIVE`` (the destination is not ACTIVE)."""
        self._service.disconnect_destination(
            composition_arn, destination_id, recover_after, retry_for
        )

    def inject_media_error(
        self, participant_id: str, action: MediaAction, code: EventErrorCodeLiteral
    ) -> None:
        """The participant's next ``action`` fails with the event error ``code``:

        - ``"join"``: `join` raises `ControlError` ``code`` and the participant (kept
          DISCONNECTED in the stage's active session, if one is live) gets a JOIN_ERROR event;
        - ``"publish"``: `publish` (or `start_rtmp` for an ingest participant, which then
          raises) records a PUBLISH_ERROR event and the participant does not publish;
        - ``"subscribe"``: `subscribe` records a SUBSCRIBE_ERROR event.

        ``participant_id`` is the participant token's id (``participant_id``, the JWT ``jti``)
        or an ingest configuration's ``participantId``. Each injection is used once;
        `reset` clears pending ones (they are not part of a `snapshot`)."""
        self._service.inject_media_error(participant_id, action, code)

    def attempts(self, invocation_id: str) -> int:
        """HTTP attempts seen for one botocore invocation (``amz-sdk-invocation-id``)."""
        return self._service.attempts(invocation_id)

    def invocations(self, operation: str | None = None) -> list[Invocation]:
        """Invocations seen (oldest first), optionally for one operation."""
        return self._service.invocations(operation)

    def stats(self) -> dict[str, Any]:
        """``{"requests": n, "byOperation": {operation: n}, "rateLimits": "on" | "off",
        "throttled": {operation: n}, "throttledTotal": n}``: API requests received and those
        answered 429 by the enforced rate limits (control ``GET /_emulator/stats``)."""
        return self._service.stats()

    def throttled_count(self, operation: str | None = None) -> int:
        """Requests the enforced rate limits answered with 429 (None: every operation)."""
        return self._service.rates.throttled_count(operation)

    def request_count(self, operation: str | None = None) -> int:
        """API requests received, rejected ones included (None: every operation, and requests
        that matched no operation)."""
        return self._service.request_count(operation)
