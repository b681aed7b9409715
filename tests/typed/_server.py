"""A small recording HTTP server for the typed-layer tests.

It listens on 127.0.0.1 (port 0), records every request it receives (method, raw path, query,
headers, body) and answers with a canned wire reply chosen by ``(method, path)``. The default
reply is ``200 {}``. Nothing here imports ivsrt: the server only sees what went over the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from aiohttp import web


@dataclass(frozen=True)
class Reply:
    """A canned response."""

    body: Any = field(default_factory=dict)
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """Sent as is instead of ``body`` as JSON (a body that is not JSON, or not UTF-8)."""
    content_type: str = "application/json"
    """Content type of a ``raw`` body."""
    delay: float = 0.0
    """Seconds to wait before answering."""


@dataclass(frozen=True)
class Recorded:
    """One request as received."""

    method: str
    raw_path: str
    """Path exactly as sent (still percent-encoded), without the query string."""
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def error_reply(code: str, message: str, status: int, request_id: str) -> Reply:
    """An error the way IVS sends it: ``x-amzn-ErrorType`` and ``exceptionMessage``."""
    return Reply(
        body={"exceptionMessage": message},
        status=status,
        headers={
            "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/",
            "x-amzn-RequestId": request_id,
        },
    )


class RecordingServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], Reply | Callable[[Recorded], Reply]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reply(self, method: str, path: str, reply: Reply | Callable[[Recorded], Reply]) -> None:
        """Answer ``method path`` (decoded path) with ``reply``."""
        self.routes[(method.upper(), path)] = reply

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        split = urlsplit(request.raw_path)
        rec = Recorded(
            method=request.method,
            raw_path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=dict(request.headers),
            body=await request.read(),
        )
        self.requests.append(rec)
        reply = self.routes.get((rec.method, rec.path), Reply())
        if callable(reply):
            reply = reply(rec)
        headers = {"x-amzn-RequestId": "rid-default", **reply.headers}
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw is not None:
            headers["Content-Type"] = reply.content_type
            return web.Response(body=reply.raw, status=reply.status, headers=headers)
        return web.json_response(reply.body, status=reply.status, headers=headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class DroppingServer:
    """Reads a whole HTTP request, then closes the connection without answering."""

    def __init__(self) -> None:
        self.requests = 0
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            self.requests += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
