"""What every generated operation method calls: the one path from typed arguments to
aiobotocore and back.

``_generated/operations.py`` holds a typed method per operation; each one hands its arguments
(keyed by wire name) to :meth:`ApiBase._invoke`, which unstructures models, validates the
request, fills idempotency tokens once (so every retry reuses them), sends it through the
client, and structures the response into the operation's output model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ivsrt._convert import converter
from ivsrt._exceptions import ResponseParseError
from ivsrt.validation import check_request

if TYPE_CHECKING:
    from ivsrt.client import Client

__all__ = ["ApiBase", "OperationSpec"]

T = TypeVar("T")

_PLAIN = frozenset({str, int, float, bool})

_STRUCTURE_HOOKS: dict[type[Any], Callable[[Any, Any], Any]] = {}
"""The converter's structure function per output model, looked up once (not per call)."""


@attrs.frozen
class OperationSpec(Generic[T]):
    """Static facts about one operation (generated)."""

    name: str
    """Operation name in the model, e.g. ``CreateStage``."""
    method_name: str
    """The aiobotocore client method, e.g. ``create_stage``."""
    input_shape: str | None
    output_type: type[T]
    idempotency_tokens: tuple[str, ...] = ()
    """Wire names of members the SDK fills with a fresh token when the caller gives none."""
    read_only: bool = False
    """Get/List calls: they change nothing."""
    retry_safe: bool = False
    """Safe to send again when a previous attempt may have been applied: reads, calls the model
    marks idempotent, and calls carrying an idempotency token."""


class ApiBase:
    """Base of the generated operation classes."""

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    async def _invoke(self, op: OperationSpec[T], args: dict[str, Any]) -> T:
        unstructure = converter.unstructure
        params = {
            wire: value if type(value) in _PLAIN else unstructure(value)
            for wire, value in args.items()
            if value is not None
        }
        check_request(op.name, params)
        for token in op.idempotency_tokens:
            if token not in params:
                params[token] = uuid.uuid4().hex
        raw = await self._client._send(op, params)
        output_type = op.output_type
        structure = _STRUCTURE_HOOKS.get(output_type)
        if structure is None:
            structure = _STRUCTURE_HOOKS[output_type] = converter.get_structure_hook(output_type)
        try:
            return structure(raw, output_type)  # type: ignore[no-any-return]
        except Exception as exc:  # cattrs raises KeyError/TypeError/ValueError and its own
            raise ResponseParseError(
                f"{op.name}: the response does not match the service model "
                f"({type(exc).__name__}: {exc})"
            ) from exc
