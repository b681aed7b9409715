"""What every resource class shares: client resolution, building from models, tags, ARNs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from typing_extensions import Self

from ivsrt._exceptions import ConfigurationError, ValidationError, Violation
from ivsrt.client import Client, current_client
from ivsrt.retry import RetryPolicy

__all__ = [
    "DEFAULT_TIMEOUT",
    "Bound",
    "HasArn",
    "Taggable",
    "arn_of",
    "check_same_place",
    "model_fields",
    "resolve_client",
]

DEFAULT_TIMEOUT = 300.0
"""Default waiter deadline in seconds."""


class HasArn(Protocol):
    """Anything with an ``arn`` (a resource object or a generated model)."""

    @property
    def arn(self) -> str: ...


def resolve_client(client: Client | None, retry: RetryPolicy | None = None) -> Client:
    """``client`` if given, else the client of the enclosing ``async with ivsrt.Client(...)``;
    with ``retry``, a view of it that retries with that policy."""
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


def arn_of(value: str | HasArn) -> str:
    """The ARN of a resource, or the string itself."""
    return value if isinstance(value, str) else value.arn


_FIELDS: dict[type, tuple[str, ...]] = {}


def model_fields(model: Any) -> dict[str, Any]:
    """The attrs fields of a generated model (or resource built on one) as keyword arguments."""
    cls = type(model)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in attrs.fields(cls) if f.name[0] != "_")
    return {name: getattr(model, name) for name in names}


def _arn_parts(arn: str) -> tuple[str, str] | None:
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[3], parts[4]


def check_same_place(operation: str, anchor: str, others: Iterable[tuple[str, str]]) -> None:
    """The reference's rule that a composition's channel, encoder and storage configurations
    are in the stage's AWS account and region: raise ``ValidationError`` naming each ARN that is
    not."""
    home = _arn_parts(anchor)
    if home is None:
        return
    violations = []
    for path, arn in others:
        place = _arn_parts(arn)
        if place is not None and place != home:
            violations.append(
                Violation(
                    path,
                    f"must be in the stage's region and account ({home[0]}, {home[1]}), "
                    f"got ({place[0]}, {place[1]})",
                )
            )
    if violations:
        raise ValidationError(operation, violations)


class Bound:
    """What every resource that keeps a client has: :meth:`with_options`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _client: Client

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
                its ``tags`` field does not change; see :meth:`fetch_tags`.
        """
        await self._client.api.tag_resource(resource_arn=self._tag_arn(), tags=tags)

    async def untag(self, keys: Iterable[str]) -> None:
        """Remove tags from this resource (UntagResource).

        Args:
            keys: the keys of the tags to remove.
        """
        await self._client.api.untag_resource(resource_arn=self._tag_arn(), tag_keys=tuple(keys))

    async def fetch_tags(self) -> dict[str, str]:
        """The resource's current tags (ListTagsForResource)."""
        response = await self._client.api.list_tags_for_resource(resource_arn=self._tag_arn())
        return dict(response.tags)
