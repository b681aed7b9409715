"""Pages of List* results and their signed ``nextToken``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ivsrt.emulator.state.errors import invalid
from ivsrt.emulator.state.records import Body

__all__ = ["Pager", "with_token"]

_DEFAULT_PAGE: dict[str, int] = {
    "ListCompositions": 100,
    "ListEncoderConfigurations": 100,
    "ListStorageConfigurations": 100,
}
"""maxResults defaults the reference states (every other List* defaults to 50)."""


def with_token(body: Body, token: str | None) -> Body:
    """``body`` with ``nextToken`` when there is a next page."""
    if token is not None:
        body["nextToken"] = token
    return body


class Pager:
    """Cuts lists into pages; its tokens are HMAC'd with a secret of this emulator."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @property
    def secret(self) -> bytes:
        return self._secret

    def page(
        self,
        op: str,
        params: Mapping[str, Any],
        items: Sequence[Any],
        render: Callable[[Any], Body],
        scope: str = "",
        *,
        descending: bool = False,
    ) -> tuple[list[Body], str | None]:
        """One page of ``items`` (in creation order, or its reverse with ``descending``).

        The token holds the creation number (``seq``) of the last item returned, HMAC'd and
        bound to the operation and ``scope`` (the filters): the next page starts after it, so
        deleting items between pages skips nothing."""
        limit = params.get("maxResults") or _DEFAULT_PAGE.get(op, 50)
        token = params.get("nextToken")
        start = 0
        key = f"{op}|{scope}"
        if token:
            after = self._read_token(token, key)
            start = next(
                (
                    i
                    for i, item in enumerate(items)
                    if (item.seq < after if descending else item.seq > after)
                ),
                len(items),
            )
        chosen = items[start : start + limit]
        nxt = None
        if start + limit < len(items):
            nxt = self._make_token(key, chosen[-1].seq)
        return [render(x) for x in chosen], nxt

    def _make_token(self, key: str, offset: int) -> str:
        payload = f"{offset}|{key}".encode()
        mac = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")

    def _read_token(self, token: str, key: str) -> int:
        bad = invalid("nextToken", "the pagination token is not valid for this request")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raise bad from None
        mac, payload = raw[:12], raw[12:]
        good = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        if len(mac) != 12 or not hmac.compare_digest(mac, good):
            raise bad
        offset_text, _, token_key = payload.decode(errors="replace").partition("|")
        if token_key != key or not offset_text.isdigit():
            raise bad
        return int(offset_text)
