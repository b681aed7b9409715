"""Item-level pagination for every ``List*`` operation that takes ``nextToken``.

```python
async for p in stage.participants(state="CONNECTED"):     # every page, item by item
    ...
async for page in Stage.list(page_size=50).pages():        # or page by page
    print(len(page.items), page.next_token)
```

An [`AsyncPager`][ivsrt.paging.AsyncPager] sends nothing until iteration starts. It stops after
``max_items`` items
if given, asks the service for ``page_size`` items per request, and can be resumed from
``resume_token`` (pass it back as ``starting_token=``). A service that hands back a token it
already gave (``A -> B -> A``), or an endless run of empty pages with fresh tokens, would make a
naive loop spin forever: the pager raises [`PaginationError`][ivsrt.paging.PaginationError]
instead (after `MAX_EMPTY_PAGES` empty pages in a row).

A pager is one pass over the listing: after ``break``, iterating it again continues where it
stopped.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import attrs

from ivsrt._exceptions import IvsrtError, ValidationError, Violation

__all__ = ["MAX_EMPTY_PAGES", "AsyncPager", "Page", "PageFetcher", "PaginationError"]

T = TypeVar("T")

_COMPOSITE = "ivsrt1:"

MAX_EMPTY_PAGES = 100
"""Empty pages in a row (each with a next token) after which a pager gives up with a
[`PaginationError`][ivsrt.paging.PaginationError]. Filtered listings can return some empty pages
before the next match; a hundred in a row is a service that never ends the listing."""


class PaginationError(IvsrtError):
    """The listing cannot go on: the service repeated a token (a cycle), sent too many empty
    pages in a row, or a resume token is invalid."""


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing."""

    items: tuple[T, ...]
    """The items of this page (after ``max_items`` truncation)."""
    next_token: str | None
    """The token of the next page, or None on the last page."""


PageFetcher = Callable[[str | None, int | None], Awaitable[tuple[Sequence[T], str | None]]]
"""``fetch(next_token, max_results)`` -> the converted items of one page and the next token."""


def _max_page_size(operation: str) -> int | None:
    # Imported here: the generated tables load on first use, not at ``import ivsrt``.
    from ivsrt._generated.constraints import INPUT_SHAPES, OPERATIONS

    pagination = OPERATIONS[operation].get("pagination")
    if pagination is None:
        raise ValueError(f"{operation} is not paginated")
    shape = INPUT_SHAPES[OPERATIONS[operation]["input"]]
    limit = shape["members"].get(pagination["limit_key"])
    if limit is None:
        return None
    hi = INPUT_SHAPES[limit["shape"]].get("max")
    return int(hi) if hi is not None else None


def _encode(token: str | None, skip: int) -> str:
    raw = json.dumps({"token": token, "skip": skip}, separators=(",", ":")).encode()
    return _COMPOSITE + base64.urlsafe_b64encode(raw).decode()


def _decode(token: str) -> tuple[str | None, int]:
    if not token.startswith(_COMPOSITE):
        return token, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token[len(_COMPOSITE) :].encode()))
        inner, skip = data["token"], data["skip"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise PaginationError(f"invalid starting_token: {type(exc).__name__}") from exc
    if (inner is not None and not isinstance(inner, str)) or not isinstance(skip, int) or skip < 0:
        raise PaginationError("invalid starting_token")
    return inner, skip


class AsyncPager(Generic[T]):
    """Items of a listing across pages.

    Args:
        operation: the service operation, e.g. ``ListParticipants``.
        fetch: fetches one page (see [`PageFetcher`][ivsrt.paging.PageFetcher]).
        max_items: stop after this many items in total (None: all of them).
        page_size: items asked per request (``maxResults``); None leaves the service default.
        starting_token: resume from a token given by
            [`resume_token`][ivsrt.paging.AsyncPager.resume_token] (or a service
            ``nextToken``).
    """

    __slots__ = (
        "_buffer",
        "_empty_run",
        "_exhausted",
        "_fetch",
        "_index",
        "_max_items",
        "_mode",
        "_operation",
        "_page_cap",
        "_page_size",
        "_page_token",
        "_seen",
        "_skip",
        "_start",
        "_token",
        "_yielded",
    )

    def __init__(
        self,
        operation: str,
        fetch: PageFetcher[T],
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
    ) -> None:
        cap = _max_page_size(operation)
        violations = []
        if max_items is not None and max_items < 0:
            violations.append(Violation("max_items", f"must be at least 0 (got {max_items})"))
        if page_size is not None and (page_size < 1 or (cap is not None and page_size > cap)):
            bounds = f"between 1 and {cap}" if cap is not None else "at least 1"
            violations.append(Violation("page_size", f"must be {bounds} (got {page_size})"))
        if violations:
            raise ValidationError(operation, violations)
        self._operation = operation
        self._fetch = fetch
        self._max_items = max_items
        self._page_size = page_size
        self._page_cap = cap
        token, skip = _decode(starting_token) if starting_token is not None else (None, 0)
        # Where the unread data starts: the token of the next request, and how many items of
        # that page were already handed out (by this pager or the one it resumes).
        self._token: str | None = token
        self._skip = skip
        self._page_token: str | None = token  # the token that fetched the buffered page
        self._buffer: Sequence[T] = ()
        self._index = 0
        self._start = 0  # where handing out the buffered page began
        self._yielded = 0  # items handed out before the buffered page (see items_yielded)
        self._exhausted = False
        self._seen: set[str] = set()
        self._empty_run = 0  # empty pages in a row, each with a next token
        self._mode: str | None = None

    def __repr__(self) -> str:
        return (
            f"<AsyncPager {self._operation} items_yielded={self.items_yielded} "
            f"exhausted={self._exhausted}>"
        )

    @property
    def operation(self) -> str:
        """The operation this pager lists with."""
        return self._operation

    @property
    def items_yielded(self) -> int:
        """How many items have been handed out so far."""
        return self._yielded + self._index - self._start

    @property
    def resume_token(self) -> str | None:
        """Where to resume: pass it as ``starting_token=`` to a new pager of the same listing
        (same filters).

        None when the listing is exhausted (and before iteration when no starting token was
        given: resuming then means starting over). Inside a page it is an ivsrt token that also
        remembers how many items of that page were already handed out.
        """
        if self._index < len(self._buffer):
            if self._index == 0:
                return self._page_token
            return _encode(self._page_token, self._index)
        if self._exhausted:
            return None
        if self._skip:
            return _encode(self._token, self._skip)
        return self._token

    def _limit(self) -> int | None:
        size = self._page_size
        if self._max_items is not None:
            remaining = self._max_items - self.items_yielded
            if size is None:
                if self._page_cap is None or remaining <= self._page_cap:
                    size = remaining
            else:
                size = min(size, remaining)
        if size is not None and self._skip:
            size = size + self._skip
            if self._page_cap is not None:
                size = min(size, self._page_cap)
        return size

    async def _next_page(self) -> bool:
        """Fetch the next page into the buffer; False when the listing is over."""
        self._yielded += self._index - self._start
        self._start = self._index
        if self._exhausted or (self._max_items is not None and self._yielded >= self._max_items):
            return False
        sent = self._token
        items, next_token = await self._fetch(sent, self._limit())
        if next_token is not None and (next_token == sent or next_token in self._seen):
            raise PaginationError(
                f"{self._operation}: the service returned a pagination token it had already "
                "returned; stopping instead of looping"
            )
        if sent is not None:
            self._seen.add(sent)
        if items or next_token is None:
            self._empty_run = 0
        else:
            self._empty_run += 1
            if self._empty_run >= MAX_EMPTY_PAGES:
                raise PaginationError(
                    f"{self._operation}: the service returned {self._empty_run} empty pages in a "
                    "row, each with a new token; stopping instead of looping"
                )
        skip = min(self._skip, len(items))
        # A resume token made with a bigger page_size may skip more items than this page holds
        # (e.g. 80 of a 100-item page, resumed with the service default of 50): the rest of the
        # skip applies to the following page(s).
        carry = self._skip - skip if next_token is not None else 0
        self._page_token = sent
        self._buffer = items
        self._index = self._start = skip
        self._token, self._skip = next_token, carry
        self._exhausted = next_token is None
        if self._max_items is not None:
            room = self._max_items - self._yielded
            if len(items) - skip > room:
                # this page holds more than max_items allows: resume inside it later
                self._buffer = items[: skip + room]
                self._token, self._skip = sent, skip + room
                self._exhausted = False
        return True

    # -- items ---------------------------------------------------------------------------------
    def __aiter__(self) -> AsyncPager[T]:
        if self._mode == "pages":
            raise PaginationError("this pager is already iterated page by page")
        self._mode = "items"
        return self

    async def __anext__(self) -> T:
        # The per-item path is kept to a few attribute reads and one store: a 10,000 item walk
        # runs it 10,000 times. ``items_yielded`` is derived from ``_index``.
        index = self._index
        buffer = self._buffer
        if index < len(buffer):
            self._index = index + 1
            return buffer[index]
        while self._index >= len(self._buffer):
            if not await self._next_page():
                raise StopAsyncIteration
        index = self._index
        self._index = index + 1
        return self._buffer[index]

    async def to_list(self) -> list[T]:
        """Every remaining item (mind ``max_items`` on big listings)."""
        return [item async for item in self]

    # -- pages ---------------------------------------------------------------------------------
    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate page by page instead of item by item."""
        if self._mode == "items":
            raise PaginationError("this pager is already iterated item by item")
        self._mode = "pages"
        return _PageIterator(self)


class _PageIterator(Generic[T]):
    __slots__ = ("_pager",)

    def __init__(self, pager: AsyncPager[T]) -> None:
        self._pager = pager

    def __aiter__(self) -> _PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        pager = self._pager
        while True:
            if not await pager._next_page():
                raise StopAsyncIteration
            items = tuple(pager._buffer[pager._index :])
            pager._index = len(pager._buffer)
            if items or pager._exhausted:
                return Page(items=items, next_token=pager._token)
