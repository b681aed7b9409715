"""What every generated operation method calls: the one path from typed arguments to
aiobotocore and back.

``_generated/operations.py`` holds a typed method per operation; each one hands its arguments
(keyed by wire name) to `ApiBase._invoke`, which unstructures models, validates the
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
from ivsrt.validation import SERVICES, check_request

if TYPE_CHECKING:
    from ivsrt.client import Client

__all__ = ["ApiBase", "OperationSpec"]

T = TypeVar("T")
R = TypeVar("R")

_PLAIN = frozenset({str, int, float, bool})

_STRUCTURE_HOOKS: dict[type[Any], Callable[[Any, Any], Any]] = {type(None): lambda _r, _t: None}
"""The converter's structure function per output model, looked up once (not per call).
Operations without an output (``output_type`` NoneType) return None."""


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
    service: str = "ivs-realtime"
    """botocore service name: picks the aiobotocore client and the constraint tables."""


class ApiBase:
    """Base of the generated operation classes."""

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    async def _invoke(self, op: OperationSpec[T], args: dict[str, Any]) -> T:
        """Call ``op`` with ``args`` keyed by wire name (None values left out) and return its
        output model."""
        unstructure = converter.unstructure
        params = {
            wire: value if type(value) in _PLAIN else unstructure(value)
            for wire, value in args.items()
            if value is not None
        }
        output_type = op.output_type
        structure = _STRUCTURE_HOOKS.get(output_type)
        if structure is None:
            structure = _STRUCTURE_HOOKS[output_type] = converter.get_structure_hook(output_type)
        raw = await self._request(op, params)
        try:
            return structure(raw, output_type)  # type: ignore[no-any-return]
        except Exception as exc:  # cattrs raises KeyError/TypeError/ValueError and its own
            raise _parse_error(op, exc) from exc

    async def _invoke_into(
        self, op: OperationSpec[Any], build: Callable[[dict[str, Any]], R], /, **params: Any
    ) -> R:
        """`_invoke` for the resource layer: arguments by Python name (as the generated
        method takes them), and the response handed to ``build`` instead of the output model, so
        a resource is built once, straight from the wire (see ``_convert.make_builder``).
        """
        wire = _WIRE_NAMES.get((op.service, op.name))
        if wire is None:
            shape = SERVICES[op.service].input_shapes.get(op.input_shape or "", {})
            members = shape.get("members", {})
            wire = _WIRE_NAMES[op.service, op.name] = {
                m["name"]: m["wire"] for m in members.values()
            }
        unstructure = converter.unstructure
        args: dict[str, Any] = {}
        for name, value in params.items():
            key = wire.get(name)
            if key is None:
                raise TypeError(f"{op.name} has no parameter {name!r}")
            if value is not None:
                args[key] = value if type(value) in _PLAIN else unstructure(value)
        raw = await self._request(op, args)
        try:
            return build(raw)
        except Exception as exc:
            raise _parse_error(op, exc) from exc

    async def _request(self, op: OperationSpec[Any], params: dict[str, Any]) -> dict[str, Any]:
        """The shared middle of every call: validate, fill idempotency tokens once (every retry
        reuses them), send through the client (retries, error mapping)."""
        check_request(op.name, params, service=op.service)
        for token in op.idempotency_tokens:
            if token not in params:
                params[token] = uuid.uuid4().hex
        return await self._client._send(op, params)


def _parse_error(op: OperationSpec[Any], exc: Exception) -> ResponseParseError:
    """The error for a response ``op`` could not be structured. Only the exception's type (and
    the member, when known) goes in the message: the text of cattrs', ``int()``'s or a
    timestamp parser's errors quotes the wire value, which may be a secret. The original stays
    in ``__cause__``."""
    member = getattr(exc, "member", "")
    where = f" at {member!r}" if isinstance(member, str) and member else ""
    return ResponseParseError(
        f"{op.name}: the response does not match the service model ({type(exc).__name__}{where})"
    )


_WIRE_NAMES: dict[tuple[str, str], dict[str, str]] = {}
"""Python parameter name -> wire name per (service, operation), for
`ApiBase._invoke_into`."""
