"""What every resource class shares, defined once: the client field and its resolution, the
identity hash, the waiter options, building from models, list pagers, tags, ARNs."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import attrs
from typing_extensions import Self

from ivsrt._arn import HasArn, arn_of
from ivsrt._convert import converter, make_builder
from ivsrt._exceptions import ConfigurationError, ValidationError, Violation
from ivsrt._runtime.pipeline import invoke
from ivsrt._runtime.spec import OperationSpec
from ivsrt.client import Client, current_client
from ivsrt.paging import AsyncPager
from ivsrt.retry import RetryPolicy
from ivsrt.validation import SERVICES, check_request, rename_violations
from ivsrt.waiting import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY

__all__ = [
    "DEFAULT_TIMEOUT",
    "Bound",
    "HasArn",
    "Taggable",
    "WaitOptions",
    "arn_of",
    "bind",
    "builder",
    "caller_names",
    "check_arguments",
    "client_field",
    "identity_hash",
    "list_pager",
    "model_fields",
    "page_reader",
    "resolve_client",
    "wait_args",
]

T = TypeVar("T")

DEFAULT_TIMEOUT = 300.0
"""Default waiter deadline in seconds."""


class WaitOptions(TypedDict, total=False):
    """The options every ``wait_until_*`` method takes (all optional)."""

    timeout: float
    """Seconds before ``ivsrt.WaiterTimeoutError`` (default 300)."""
    min_delay: float
    """The shortest delay between two polls (the range then doubles, jittered; default 1)."""
    max_delay: float
    """The longest delay between two polls (default 15)."""


class _WaitArgs(TypedDict):
    timeout: float
    min_delay: float
    max_delay: float


def wait_args(options: WaitOptions) -> _WaitArgs:
    """``options`` with the defaults filled, as ``waiting.wait_for`` takes them."""
    return {
        "timeout": options.get("timeout", DEFAULT_TIMEOUT),
        "min_delay": options.get("min_delay", DEFAULT_MIN_DELAY),
        "max_delay": options.get("max_delay", DEFAULT_MAX_DELAY),
    }


def client_field() -> Any:
    """The field every resource keeps its client in: ``client=`` when built, never compared,
    never shown in a repr."""
    return attrs.field(alias="client", eq=False, repr=False)


def identity_hash(*names: str) -> Callable[[Any], int]:
    """A ``__hash__`` on a resource's identity (``names``, e.g. ``"arn"``) and class, while
    equality compares the whole snapshot: two snapshots of one resource hash alike."""
    get = attrgetter(*names)

    def __hash__(self: Any) -> int:
        return hash((type(self), get(self)))

    __hash__.__doc__ = (
        f"Hashed on its identity ({' + '.join(names)}); equality compares the whole snapshot."
    )
    return __hash__


def resolve_client(
    client: Client | None, retry: RetryPolicy | None = None, *, owner: object = None
) -> Client:
    """``client`` if given, else the client ``owner`` keeps (a resource object passed in place
    of an ARN), else the client of the enclosing ``async with ivsrt.Client(...)``; with
    ``retry``, a view of it that retries with that policy."""
    if client is None and isinstance(owner, Bound):
        client = owner._client
    if client is not None:
        return client if retry is None else client.with_options(retry=retry)
    ambient = current_client()
    if ambient is not None and retry is not None:
        return ambient.with_options(retry=retry)
    if ambient is None:
        raise ConfigurationError(
            "no ivsrt client for this call: pass client=<ivsrt.Client>, or make the call inside "
            "`async with ivsrt.Client(...):` (the client of the enclosing block is used)"
        )
    return ambient


_FIELDS: dict[type, tuple[str, ...]] = {}


def model_fields(model: Any) -> dict[str, Any]:
    """The attrs fields of a generated model (or resource built on one) as keyword arguments."""
    cls = type(model)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in attrs.fields(cls) if f.name[0] != "_")
    return {name: getattr(model, name) for name in names}


R = TypeVar("R")


def bind(cls: Callable[..., R], model: object, client: Client, **extra: Any) -> R:
    """``cls`` (a resource class) built from ``model``, the generated model a response carries
    (always there: a reply without it is a ``ResponseParseError`` already), keeping ``client``
    (and ``extra`` fields such as ``stage_arn``)."""
    return cls(client=client, **extra, **model_fields(model))


Builder = Callable[[Mapping[str, Any], tuple[Any, ...]], T]
"""``build(wire_item, extra_values)``: one resource straight from a wire item."""

builder = make_builder
"""See `make_builder`: how list pagers build their resources."""


def page_reader(
    spec: OperationSpec[Any], build: Builder[T], extra: tuple[Any, ...]
) -> Callable[[dict[str, Any]], tuple[list[T], str | None]]:
    """Reads one page of a ``List*`` response: its items built by ``build`` (with ``extra``)
    and the next token (the result and token keys come from the generated pagination table)."""
    pagination = SERVICES[spec.service].operations[spec.name]["pagination"]
    items_key, token_key = pagination["result_key"], pagination["output_token"]

    def read(raw: dict[str, Any]) -> tuple[list[T], str | None]:
        token = raw.get(token_key)
        return [build(item, extra) for item in raw[items_key]], (
            None if token is None else str(token)
        )

    return read


async def fetch_page(
    client: Client,
    spec: OperationSpec[Any],
    read: Callable[[dict[str, Any]], tuple[list[T], str | None]],
    token: str | None,
    limit: int | None,
    params: Mapping[str, Any],
) -> tuple[list[T], str | None]:
    """One page through the call pipeline (``ivsrt._runtime.pipeline.invoke``): ``params`` by
    Python parameter name, as the generated ``client.api`` method takes them."""
    return await invoke(client, spec, read, next_token=token, max_results=limit, **params)


@contextlib.contextmanager
def caller_names(**rename: str) -> Iterator[None]:
    """A ``ValidationError`` raised inside (always before anything is sent) names the caller's
    arguments: ``with caller_names(stage_arn="stage"):`` around the call of a method whose
    ``stage=`` sets ``stage_arn``. For parameters no cross-field rule quotes in its text (those
    go through `check_arguments`)."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError(exc.operation, rename_violations(exc.violations, rename)) from None


_PLAIN = frozenset({str, int, float, bool})


def check_arguments(
    spec: OperationSpec[Any],
    params: Mapping[str, Any],
    *,
    rename: Mapping[str, str] | None = None,
    later: tuple[str, ...] = (),
) -> None:
    """Check ``params`` (by Python parameter name, None for unset) of ``spec`` now, before
    anything is sent: a pager is checked when it is made, not when iteration reaches the
    request.

    Args:
        rename: the caller's argument for a parameter, e.g. ``{"filter_by_state": "state"}``:
            the error names what the caller wrote.
        later: required parameters filled in later (the session a pager looks up).

    Raises:
        ivsrt.ValidationError: a broken rule.
    """
    members = SERVICES[spec.service].input_shapes[spec.input_shape or ""]["members"]
    wire = {member["name"]: key for key, member in members.items()}
    request = {
        wire[name]: value if type(value) in _PLAIN else converter.unstructure(value)
        for name, value in params.items()
        if value is not None
    }
    check_request(spec.name, request, service=spec.service, rename=rename, later=later)


def list_pager(
    client: Client,
    spec: OperationSpec[Any],
    build: Builder[T],
    extra: tuple[Any, ...],
    *,
    max_items: int | None,
    page_size: int | None,
    starting_token: str | None,
    rename: Mapping[str, str] | None = None,
    **params: Any,
) -> AsyncPager[T]:
    """An [`AsyncPager`][ivsrt.paging.AsyncPager] over ``operation`` whose items are built once
    each, straight from
    the wire, by ``build`` (with ``extra``, e.g. ``(client,)``).

    ``params`` are checked at once (`check_arguments`, errors naming ``rename``'s names), so a
    bad filter is a ``ValidationError`` from the call that makes the pager, before any
    request."""
    check_arguments(spec, params, rename=rename)
    read = page_reader(spec, build, extra)

    def fetch(token: str | None, limit: int | None) -> Awaitable[tuple[list[T], str | None]]:
        return fetch_page(client, spec, read, token, limit, params)

    return AsyncPager(
        spec.name, fetch, max_items=max_items, page_size=page_size, starting_token=starting_token
    )


class Bound:
    """What every resource that keeps a client has: its `client` and `with_options`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _client: Client

    @property
    def client(self) -> Client:
        """The client this object came from (and its methods use)."""
        return self._client

    def with_options(self, *, retry: RetryPolicy | None = None) -> Self:
        """This snapshot bound to a view of its client with other options, e.g.
        ``await stage.with_options(retry=RetryPolicy(max_attempts=8)).delete()``."""
        return attrs.evolve(self, client=self._client.with_options(retry=retry))  # type: ignore[misc]


class Taggable(Bound):
    """Tag methods of every taggable resource (they all carry ``arn`` and ``_client``)."""

    __slots__ = ()

    def _tag_arn(self) -> str:
        arn = getattr(self, "arn", None)
        if not isinstance(arn, str) or not arn:
            raise ConfigurationError(f"{type(self).__name__} has no ARN to tag")
        return arn

    async def tag(self, tags: Mapping[str, str]) -> None:
        """Add or update tags on this resource (TagResource).

        Args:
            tags: tags to add or overwrite, ``{"key": "value"}``. This object is a snapshot:
                its ``tags`` field does not change; see `fetch_tags`.
        """
        await self._client.api.tag_resource(resource_arn=self._tag_arn(), tags=tags)

    async def untag(self, keys: Iterable[str]) -> None:
        """Remove tags from this resource (UntagResource).

        Args:
            keys: the keys of the tags to remove (a list or other iterable of keys; a single
                key is ``["key"]``, never a bare string, which would be its characters).
        """
        if isinstance(keys, (str, bytes)):
            raise ValidationError(
                "UntagResource",
                [Violation("keys", "must be a list of tag keys, not a single string")],
            )
        with caller_names(tag_keys="keys"):
            await self._client.api.untag_resource(
                resource_arn=self._tag_arn(), tag_keys=tuple(keys)
            )

    async def fetch_tags(self) -> dict[str, str]:
        """The resource's current tags (ListTagsForResource)."""
        response = await self._client.api.list_tags_for_resource(resource_arn=self._tag_arn())
        return dict(response.tags)
