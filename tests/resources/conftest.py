"""Fixtures of the resource-layer tests (the emulator's ``ivs_emulator`` and ``ivs_client`` come
from the root conftest) and ``fake_service``, a tiny aiohttp server for answers the emulator never gives (a repeated
pagination token, a state newer than this ivsrt)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio
from aiohttp import web

from ivsrt import Client

__all__ = ["FakeService", "fake_service"]

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeService:
    """Answers POST /<Operation> with what a registered handler returns; counts requests."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        op = request.path.strip("/")
        body = await request.json() if request.can_read_body else {}
        self.requests.append((op, body))
        handler = self.handlers.get(op)
        if handler is None:
            return web.Response(
                status=404,
                text=json.dumps({"exceptionMessage": f"{op}: not found"}),
                content_type="application/json",
                headers={"x-amzn-ErrorType": "ResourceNotFoundException"},
            )
        return web.Response(text=json.dumps(handler(body)), content_type="application/json")

    def count(self, op: str) -> int:
        return sum(1 for o, _ in self.requests if o == op)

    def client(self) -> Client:
        return Client(
            region="us-west-2",
            endpoint_url=self.url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


@pytest_asyncio.fixture
async def fake_service() -> AsyncIterator[FakeService]:
    service = FakeService()
    app = web.Application()
    app.router.add_route("POST", "/{op}", service._handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    service.url = f"http://127.0.0.1:{port}"
    try:
        yield service
    finally:
        await runner.cleanup()
