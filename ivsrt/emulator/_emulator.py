"""The `Emulator`: a local IVS Real-Time server with a Python control surface."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web
from typing_extensions import Self

from ivsrt.emulator._clock import Clock
from ivsrt.emulator._faults import Faults, Invocation
from ivsrt.emulator._http.app import build_app
from ivsrt.emulator._http.control import CONTROL_PREFIX
from ivsrt.emulator._service import Service
from ivsrt.emulator.state.limits import Limits
from ivsrt.emulator.state.media import CLIENT_FIELDS

if TYPE_CHECKING:
    from ivsrt.client import Client

__all__ = ["Emulator"]


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
        control_token: when set, control requests over HTTP must carry
            ``Authorization: Bearer <control_token>`` (`ControlClient` ``control_token=``);
            the Python methods need nothing.

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
    ) -> None:
        if not account_id.isdigit() or len(account_id) != 12:
            raise ValueError("account_id must be 12 digits")
        self.limits: Limits = limits or Limits()
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
            shutdown_timeout=1.0,
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
        return self

    async def stop(self) -> None:
        """Stop serving and close every connection (``endpoint_url`` is unset until the next
        `start`). Safe to call more than once."""
        runner, self._runner = self._runner, None
        self._endpoint_url = None
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
        return Client(**kwargs)

    # -- reset and snapshot ------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the state of a new emulator with the same options: no resources, no
        injected faults, no request log, the clock at real time and running. The key that signs
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

    def attempts(self, invocation_id: str) -> int:
        """HTTP attempts seen for one botocore invocation (``amz-sdk-invocation-id``)."""
        return self._service.attempts(invocation_id)

    def invocations(self, operation: str | None = None) -> list[Invocation]:
        """Invocations seen (oldest first), optionally for one operation."""
        return self._service.invocations(operation)

    def request_count(self, operation: str | None = None) -> int:
        """API requests received, rejected ones included (None: every operation, and requests
        that matched no operation)."""
        return self._service.request_count(operation)
