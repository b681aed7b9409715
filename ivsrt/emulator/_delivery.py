"""Delivering the emulator's EventBridge events to a local HTTP endpoint, as an EventBridge rule
with an API destination does: one ``POST`` per event, its body the event JSON."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from urllib.parse import urlsplit

import aiohttp

from ivsrt.emulator._service import Service

__all__ = ["ATTEMPTS", "Delivery", "check_event_target"]

ATTEMPTS = 3
"""Attempts per event before it is dropped (delivery is best effort, as EventBridge's)."""
_BACKOFF = (0.05, 0.2)
_ATTEMPT_TIMEOUT = 2.0
_BATCH_WAIT = 0.25


def check_event_target(url: str) -> str:
    """``url`` if it is an ``http(s)://`` URL of a loopback address, else ``ValueError``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (a bad port raises here)
    except ValueError:
        raise ValueError(f"event_target {url!r}: not a URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"event_target {url!r}: expected an http:// or https:// URL")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"event_target {url!r}: only a loopback address (127.0.0.1, ::1, localhost) is "
            "accepted: the emulator never sends its events off this machine"
        )
    return url


class Delivery:
    """POSTs every new event of ``service`` to ``url`` until `stop`; a failed delivery is
    retried (`ATTEMPTS` in all, short pauses) then dropped and counted, never raised."""

    def __init__(self, service: Service, url: str) -> None:
        self._service = service
        self.url = url
        self.delivered = 0
        """Events the target accepted (a 2xx reply)."""
        self.failed = 0
        """Events dropped after `ATTEMPTS` failed attempts."""
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        _, cursor = self._service.events_after(0)
        timeout = aiohttp.ClientTimeout(total=_ATTEMPT_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while True:
                events, cursor = await self._service.wait_events(cursor, _BATCH_WAIT)
                for event in events:
                    if await self._post(http, json.dumps(event, separators=(",", ":"))):
                        self.delivered += 1
                    else:
                        self.failed += 1

    async def _post(self, http: aiohttp.ClientSession, body: str) -> bool:
        for attempt in range(ATTEMPTS):
            try:
                async with http.post(
                    self.url,
                    data=body,
                    headers={"Content-Type": "application/json"},
                    allow_redirects=False,
                ) as resp:
                    await resp.read()
                    if 200 <= resp.status < 300:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                pass
            if attempt < len(_BACKOFF):
                await asyncio.sleep(_BACKOFF[attempt])
        return False
