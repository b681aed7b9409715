"""`ControlClient`: the HTTP client of an emulator's control surface (``/_emulator/``)."""

from __future__ import annotations

import asyncio
import datetime
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import aiohttp
from typing_extensions import Self

from ivsrt._generated.models import EventErrorCodeLiteral
from ivsrt.emulator._faults import FaultKind, Invocation
from ivsrt.emulator._http.guard import CONTROL_HEADER
from ivsrt.emulator.state.errors import ControlError
from ivsrt.emulator.state.media_faults import MediaAction

__all__ = ["ControlClient"]

_LONG_POLL = 5.0
"""Seconds one ``GET events`` waits at most (the request timeout must exceed it)."""


class _HasToken(Protocol):
    @property
    def token(self) -> str | None: ...


class _HasStreamKey(Protocol):
    @property
    def stream_key(self) -> str | None: ...


TokenLike = str | _HasToken
"""A participant token: its value, or anything with a ``token`` attribute (such as
`ivsrt.ParticipantToken`)."""
StreamKeyLike = str | _HasStreamKey
"""A stream key: its value, or anything with a ``stream_key`` attribute (such as
`ivsrt.IngestConfiguration`)."""


def _token(value: TokenLike, argument: str) -> str:
    text = value if isinstance(value, str) else value.token
    if not isinstance(text, str) or not text:
        raise ValueError(f"{argument}: a participant token (a string, or an object with .token)")
    return text


def _stream_key(value: StreamKeyLike) -> str:
    text = value if isinstance(value, str) else value.stream_key
    if not isinstance(text, str) or not text:
        raise ValueError("stream_key: a stream key (a string, or an object with .stream_key)")
    return text


def _channel(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("channel_or_stream_key: a channel ARN or a stream key value (a string)")
    return value


def _time(text: Any) -> datetime.datetime:
    return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


class ControlClient:
    """Drive an emulator over HTTP, from any process: what real media would do (participants
    joining and publishing, RTMP encoders going live), failures, the clock, fault injection
    and the request log. The same actions as the `Emulator` methods of the same names.

    ```python
    async with ControlClient(emu.endpoint_url) as control:
        participant_id = await control.join(token)       # a ParticipantToken, or its value
        await control.publish(token)
        await control.advance_clock(10)
    ```

    Args:
        endpoint_url: the emulator's ``endpoint_url`` (``http://127.0.0.1:PORT``).
        session: an aiohttp session to use (not closed by `close`); None: one of its own.
        control_token: the emulator's ``--control-token`` / ``control_token``, if it has one.
        timeout: seconds one control request may take.

    A refused action raises `ControlError` with the emulator's ``code`` and message (which
    never contain a token or a stream key).
    """

    def __init__(
        self,
        endpoint_url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        control_token: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._base = endpoint_url.rstrip("/") + "/_emulator/"
        self._session = session
        self._own_session = session is None
        self._headers = {CONTROL_HEADER: "1"}
        if control_token is not None:
            self._headers["Authorization"] = f"Bearer {control_token}"
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    def __repr__(self) -> str:
        return f"<ivsrt.emulator.ControlClient {self._base}>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session this client opened (a session passed in is left open)."""
        if self._own_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def request(
        self, method: str, action: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One control action (``POST join``, ``GET clock``, ...): its JSON reply."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        async with self._session.request(
            method,
            self._base + action,
            json={} if body is None else body,
            headers=self._headers,
            timeout=self._timeout,
        ) as resp:
            try:
                data = await resp.json(content_type=None)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ControlError("BAD_REPLY", f"{method} {action}: HTTP {resp.status}")
            if resp.status != 200:
                raise ControlError(
                    str(data.get("error", "ERROR")),
                    f"{action}: {data.get('message', f'HTTP {resp.status}')}",
                )
            return data

    # -- participants ------------------------------------------------------------------------
    async def join(
        self,
        token: TokenLike,
        *,
        isp_name: str | None = None,
        os_name: str | None = None,
        os_version: str | None = None,
        browser_name: str | None = None,
        browser_version: str | None = None,
        sdk_version: str | None = None,
    ) -> str:
        """A participant joins the token's stage; returns its participant id. The keyword
        arguments are what its client reports (GetParticipant's ``osName``, ...)."""
        body: dict[str, Any] = {"token": _token(token, "token")}
        for wire, value in (
            ("ispName", isp_name),
            ("osName", os_name),
            ("osVersion", os_version),
            ("browserName", browser_name),
            ("browserVersion", browser_version),
            ("sdkVersion", sdk_version),
        ):
            if value is not None:
                body[wire] = value
        data = await self.request("POST", "join", body)
        return str(data["participantId"])

    async def leave(self, token: TokenLike) -> None:
        await self.request("POST", "leave", {"token": _token(token, "token")})

    async def publish(self, token: TokenLike) -> None:
        await self.request("POST", "publish", {"token": _token(token, "token")})

    async def unpublish(self, token: TokenLike) -> None:
        await self.request("POST", "unpublish", {"token": _token(token, "token")})

    async def subscribe(self, token: TokenLike) -> None:
        await self.request("POST", "subscribe", {"token": _token(token, "token")})

    async def unsubscribe(self, token: TokenLike) -> None:
        await self.request("POST", "unsubscribe", {"token": _token(token, "token")})

    # -- RTMP ingest, failures ---------------------------------------------------------------
    async def start_rtmp(self, stream_key: StreamKeyLike) -> None:
        """An RTMP(S) encoder goes live with this stream key."""
        await self.request("POST", "rtmp/start", {"streamKey": _stream_key(stream_key)})

    async def stop_rtmp(self, stream_key: StreamKeyLike) -> None:
        await self.request("POST", "rtmp/stop", {"streamKey": _stream_key(stream_key)})

    # -- IVS channel streams -----------------------------------------------------------------
    async def start_stream(self, channel_or_stream_key: str, *, multitrack: bool = False) -> str:
        """An encoder goes live on an IVS channel (its ARN or its stream key's value); returns
        the stream id (see `Emulator.start_stream`)."""
        body = {"channel": _channel(channel_or_stream_key), "multitrack": multitrack}
        reply = await self.request("POST", "streams/start", body)
        return str(reply["streamId"])

    async def stop_stream(self, channel_or_stream_key: str) -> None:
        """The encoder on the IVS channel stops."""
        await self.request("POST", "streams/stop", {"channel": _channel(channel_or_stream_key)})

    async def fail_composition(self, arn: str, reason: str | None = None) -> None:
        body: dict[str, Any] = {"arn": arn}
        if reason is not None:
            body["reason"] = reason
        await self.request("POST", "compositions/fail", body)

    async def fail_destination(self, composition_arn: str, destination_id: str) -> None:
        await self.request(
            "POST",
            "compositions/fail-destination",
            {"compositionArn": composition_arn, "destinationId": destination_id},
        )

    # -- EventBridge events ------------------------------------------------------------------
    async def events_after(
        self,
        after: int = 0,
        *,
        detail_type: str | None = None,
        resource: str | None = None,
        event_name: str | None = None,
        wait: float = 0.0,
    ) -> tuple[list[dict[str, Any]], int]:
        """The matching events with a sequence number above ``after`` (waiting up to ``wait``
        seconds, at most 20, for one), and the cursor to pass as ``after`` next time."""
        query: dict[str, str] = {"after": str(after), "wait": str(wait)}
        for key, value in (
            ("detailType", detail_type),
            ("resource", resource),
            ("eventName", event_name),
        ):
            if value is not None:
                query[key] = value
        data = await self.request("GET", "events?" + urlencode(query))
        return list(data["events"]), int(data["last"])

    async def events(
        self,
        *,
        detail_type: str | None = None,
        resource: str | None = None,
        event_name: str | None = None,
    ) -> list[dict[str, Any]]:
        """As `Emulator.events`: every EventBridge event kept, oldest first, filtered."""
        found, _ = await self.events_after(
            detail_type=detail_type, resource=resource, event_name=event_name
        )
        return found

    async def wait_for_event(
        self,
        *,
        detail_type: str | None = None,
        resource: str | None = None,
        event_name: str | None = None,
        after: int = 0,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """The first matching event after ``after`` (0: the first kept), waiting up to
        ``timeout`` seconds for it (``TimeoutError`` then)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            found, after = await self.events_after(
                after,
                detail_type=detail_type,
                resource=resource,
                event_name=event_name,
                wait=max(0.0, min(remaining, _LONG_POLL, (self._timeout.total or 10.0) / 2)),
            )
            if found:
                return found[0]
            if remaining <= 0:
                raise TimeoutError(f"no matching event within {timeout} seconds")

    async def inject_destination_failure(
        self,
        composition_arn: str,
        destination_id: str,
        *,
        recover_after: float | None = None,
        retry_for: float | None = None,
    ) -> None:
        """As `Emulator.inject_destination_failure` (``retry_for`` None: the default 60 s)."""
        body: dict[str, Any] = {"compositionArn": composition_arn, "destinationId": destination_id}
        if recover_after is not None:
            body["recoverAfter"] = recover_after
        if retry_for is not None:
            body["retryFor"] = retry_for
        await self.request("POST", "compositions/disconnect-destination", body)

    async def inject_media_error(
        self, participant_id: str, action: MediaAction, code: EventErrorCodeLiteral
    ) -> None:
        """As `Emulator.inject_media_error`: the participant's next join, publish or subscribe
        fails with the event error ``code``."""
        await self.request(
            "POST",
            "media-errors",
            {"participantId": participant_id, "action": action, "code": code},
        )

    # -- the clock ---------------------------------------------------------------------------
    async def now(self) -> datetime.datetime:
        """The emulator's clock."""
        return _time((await self.request("GET", "clock"))["now"])

    async def advance_clock(self, seconds: float) -> datetime.datetime:
        """Move the emulator's clock forward; returns the new time."""
        return _time((await self.request("POST", "clock/advance", {"seconds": seconds}))["now"])

    async def freeze_clock(self) -> datetime.datetime:
        return _time((await self.request("POST", "clock/freeze"))["now"])

    async def resume_clock(self) -> datetime.datetime:
        return _time((await self.request("POST", "clock/resume"))["now"])

    # -- reset and snapshot ------------------------------------------------------------------
    async def reset(self) -> None:
        """As `Emulator.reset`: back to a new emulator's state."""
        await self.request("POST", "reset")

    async def snapshot(self) -> dict[str, Any]:
        """As `Emulator.snapshot`: every resource and the clock, as plain JSON."""
        return await self.request("GET", "snapshot")

    async def restore(self, snapshot: dict[str, Any]) -> None:
        """As `Emulator.restore` (the body is limited to the emulator's ``max_body_bytes``)."""
        await self.request("POST", "restore", snapshot)

    # -- faults and the request log ----------------------------------------------------------
    async def inject_fault(
        self,
        operation: str | None,
        kind: FaultKind,
        *,
        probability: float | None = None,
        count: int | None = None,
        latency: float | None = None,
        status: int | None = None,
    ) -> None:
        """As `Faults.inject`: ``operation`` None means every operation."""
        body: dict[str, Any] = {"operation": operation, "kind": kind}
        for key, value in (
            ("probability", probability),
            ("count", count),
            ("latency", latency),
            ("status", status),
        ):
            if value is not None:
                body[key] = value
        await self.request("POST", "faults", body)

    async def clear_faults(self) -> None:
        await self.request("DELETE", "faults")

    async def attempts(self, invocation_id: str) -> int:
        """HTTP attempts seen for one botocore invocation (``amz-sdk-invocation-id``)."""
        return int(
            (await self.request("GET", f"attempts/{quote(invocation_id, safe='')}"))["attempts"]
        )

    async def invocations(self, operation: str | None = None) -> list[Invocation]:
        action = "invocations" if operation is None else f"invocations?operation={operation}"
        data = await self.request("GET", action)
        return [
            Invocation(str(i["id"]), str(i["operation"]), int(i["attempts"]))
            for i in data["invocations"]
        ]

    async def request_count(self, operation: str | None = None) -> int:
        action = "requests" if operation is None else f"requests?operation={operation}"
        return int((await self.request("GET", action))["count"])

    async def stats(self) -> dict[str, Any]:
        """Request counts and the requests the enforced rate limits throttled
        (`Emulator.stats`)."""
        body: dict[str, Any] = await self.request("GET", "stats")
        return body

    async def health(self) -> dict[str, Any]:
        return await self.request("GET", "health")
