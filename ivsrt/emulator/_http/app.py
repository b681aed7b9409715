"""The aiohttp application of one emulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ivsrt.emulator._http.api import Dropped, serve_api
from ivsrt.emulator._http.control import CONTROL_PREFIX, serve_control
from ivsrt.emulator._http.guard import host_allowed
from ivsrt.emulator._http.wire import error_response, host_is_valid, json_response
from ivsrt.emulator._service import Service

__all__ = ["build_app"]

_log = logging.getLogger("ivsrt.emulator")


def _refuse_host(svc: Service, host: str | None, control: bool) -> web.Response | None:
    """A 400 for a Host that is not host[:port], a 403 for a name that is not this emulator's
    (DNS rebinding: a web page's own domain resolving to this address); None to serve."""
    if host is None:
        return None
    if not host_is_valid(host):
        return error_response(
            "BadRequestException", "the Host header is not a valid host[:port]", 400
        )
    if not host_allowed(svc, host):
        message = (
            f"Host {host[:100]!r} is not an address of this emulator: use an IP address or "
            "localhost, or allow the name (Emulator(allowed_hosts=...), --allow-host)"
        )
        if control:
            return json_response({"error": "FORBIDDEN_HOST", "message": message}, 403)
        return error_response("AccessDeniedException", message, 403)
    return None


def build_app(svc: Service) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            control = request.raw_path.startswith(CONTROL_PREFIX)
            refused = _refuse_host(svc, request.headers.get("Host"), control)
            if refused is not None:
                return refused
            if control:
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
