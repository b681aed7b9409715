"""The aiohttp application of one emulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ivsrt.emulator._http.api import Dropped, serve_api
from ivsrt.emulator._http.control import CONTROL_PREFIX, serve_control
from ivsrt.emulator._http.wire import error_response, host_is_valid
from ivsrt.emulator._service import Service

__all__ = ["build_app"]

_log = logging.getLogger("ivsrt.emulator")


def build_app(svc: Service) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            host = request.headers.get("Host")
            if host is not None and not host_is_valid(host):
                return error_response(
                    "BadRequestException", "the Host header is not a valid host[:port]", 400
                )
            if request.raw_path.startswith(CONTROL_PREFIX):
                return await serve_control(svc, request)
            return await serve_api(svc, request)
        except Dropped:
            raise asyncio.CancelledError from None
        except web.HTTPException:
            raise
        except Exception:
            # a bug of the emulator: log it here, answer as the service would (no traceback)
            _log.exception("internal error serving %s %r", request.method, request.raw_path[:200])
            return error_response("InternalServerException", "internal error of the emulator", 500)

    app = web.Application(client_max_size=svc.limits.max_body_bytes)
    route: Callable[[web.Request], Awaitable[web.StreamResponse]] = handle
    app.router.add_route("*", "/{tail:.*}", route)
    return app
