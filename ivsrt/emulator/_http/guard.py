"""Who may talk to the emulator: the ``Host`` check (against DNS rebinding) for every request,
and for the control surface the browser guards (no cross-origin or "simple" requests) and the
optional control token."""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiohttp import web

    from ivsrt.emulator._service import Service

__all__ = ["CONTROL_HEADER", "control_refusal", "host_allowed"]

CONTROL_HEADER = "X-Ivsrt-Control"
"""A header a cross-origin "simple" request cannot carry: a control request carries it (or a
JSON body) to prove it does not come from a web page."""


def _hostname(authority: str) -> str | None:
    try:
        parts = urlsplit(f"//{authority}")
        _ = parts.port
    except ValueError:
        return None
    return parts.hostname


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(svc: Service, authority: str | None) -> bool:
    """True when ``authority`` (a ``Host`` header, or an ``Origin``'s host) names this emulator:
    an IP address, ``localhost`` (or a name under ``.localhost``), or a name in
    ``allowed_hosts``. A missing Host (HTTP/1.0) is allowed. A DNS-rebinding page always sends
    its own domain name, which is none of these."""
    if authority is None:
        return True
    name = _hostname(authority)
    if not name:
        return False
    name = name.rstrip(".").lower()
    return (
        _is_ip(name)
        or name == "localhost"
        or name.endswith(".localhost")
        or name in svc.allowed_hosts
    )


def _origin_allowed(svc: Service, origin: str) -> bool:
    if origin == "null":
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host_allowed(svc, parts.netloc)


def control_refusal(svc: Service, request: web.Request) -> tuple[int, str, str] | None:
    """(status, error code, message) when this control request must be refused, else None."""
    origin = request.headers.get("Origin")
    if origin is not None and not _origin_allowed(svc, origin):
        return 403, "FORBIDDEN_ORIGIN", "control requests from web pages are refused"
    if request.method not in ("GET", "HEAD") and CONTROL_HEADER not in request.headers:
        content_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip()
        if content_type.lower() != "application/json":
            return (
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"control requests must send a JSON body (Content-Type: application/json) or "
                f"the {CONTROL_HEADER} header",
            )
    if svc.control_token is not None:
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {svc.control_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return (
                401,
                "UNAUTHORIZED",
                "this emulator has a control token: send 'Authorization: Bearer <token>'",
            )
    return None
