"""The whole path of one API call, top to bottom.

```
to wire -> validate -> idempotency tokens -> [rate limit] -> attempts under the retry executor
        -> structure
```

`call` is that path. It talks to a `Sender` (what it needs of a client: the retry policy, the
retry budget, and one attempt over the wire), never to ``ivsrt.Client`` itself. The generated
operation methods reach it through `ApiBase`; the resource layer through `invoke`, with the
generated `OperationSpec` of the operation and Python parameter names.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from ivsrt._arn import arn_of
from ivsrt._convert import converter
from ivsrt._exceptions import IvsrtError, ResponseParseError
from ivsrt._runtime import errors, limiting, retrying
from ivsrt._runtime.spec import OperationSpec
from ivsrt._runtime.transport import Attempt
from ivsrt.retry import RetryBudget, RetryPolicy
from ivsrt.validation import SERVICES, check_request

__all__ = ["ApiBase", "Sender", "call", "invoke"]

T = TypeVar("T")
R = TypeVar("R")

_PLAIN = frozenset({str, int, float, bool})


class Sender(limiting.Gate, Protocol):
    """What the pipeline needs of a client (``ivsrt.Client`` and its views are one)."""

    @property
    def retry(self) -> RetryPolicy: ...

    @property
    def retry_budget(self) -> RetryBudget: ...

    async def _send_attempt(
        self, spec: OperationSpec[Any], params: dict[str, Any], attempt: Attempt
    ) -> dict[str, Any]:
        """One attempt: one HTTP request; raises what botocore raises."""
        ...


async def call(
    sender: Sender,
    spec: OperationSpec[Any],
    args: Mapping[str, Any],
    build: Callable[[dict[str, Any]], R],
) -> R:
    """Call ``spec`` with ``args`` keyed by wire name (None values are left out) and return
    ``build(response)``."""
    # 0. an object with ``.arn`` (a resource, a model) where an ARN goes is that ARN.
    for wire in spec.arn_members:
        value = args.get(wire)
        if value is not None and type(value) is not str:
            args = {**args, wire: arn_of(value, _python_name(spec, wire), spec.name)}
    # 1. to wire: models unstructured to wire dicts, unset members dropped.
    unstructure = converter.unstructure
    params = {
        wire: value if type(value) in _PLAIN else unstructure(value)
        for wire, value in args.items()
        if value is not None
    }
    # 2. validate: the model's constraints and the documented rules; nothing is sent if broken.
    check_request(spec.name, params, service=spec.service)
    # 3. idempotency tokens: filled once, so every attempt carries the same one.
    for token in spec.idempotency_tokens:
        if token not in params:
            params[token] = uuid.uuid4().hex
    # 4. rate limit: `limiting.admit` (below) waits for a token of the operation's bucket before
    #    the first attempt, charges retries to it and slows it down when the service throttles.
    # 5. attempts under the retry executor; every failure mapped to an ivsrt exception.
    policy = sender.retry
    invocation = str(uuid.uuid4())
    limit = policy.max_attempts

    async def attempt(number: int) -> dict[str, Any]:
        try:
            return await sender._send_attempt(spec, params, Attempt(invocation, number, limit))
        except IvsrtError:
            raise
        except Exception as exc:  # never BaseException: cancellation passes through
            error = errors.translate(spec, exc)
            if error.__cause__ is None:
                raise error from exc
            raise error from error.__cause__

    paced = await limiting.admit(sender, spec, attempt)
    raw = await retrying.run(policy, spec, paced, sender.retry_budget)
    # 6. structure: the reply into the output model (or a resource); a mismatch is an error.
    try:
        return build(raw)
    except Exception as exc:  # cattrs raises KeyError/TypeError/ValueError and its own
        raise _parse_error(spec, exc) from exc


async def invoke(
    sender: Sender,
    spec: OperationSpec[Any],
    build: Callable[[dict[str, Any]], R],
    /,
    **params: Any,
) -> R:
    """`call` for the resource layer: arguments by Python name (as the generated method takes
    them), and the response handed to ``build``, so a resource is built once, straight from the
    wire (see ``_convert.make_builder``)."""
    wire = _wire_names(spec)
    args: dict[str, Any] = {}
    for name, value in params.items():
        key = wire.get(name)
        if key is None:
            raise TypeError(f"{spec.name} has no parameter {name!r}")
        args[key] = value
    return await call(sender, spec, args, build)


class ApiBase:
    """Base of the generated operation classes (``client.api``, ``client.channels``)."""

    __slots__ = ("_client",)

    def __init__(self, client: Sender) -> None:
        self._client = client

    async def _invoke(self, op: OperationSpec[T], args: dict[str, Any]) -> T:
        """Call ``op`` with ``args`` keyed by wire name and return its output model."""
        return await call(self._client, op, args, _structurer(op.output_type))


_STRUCTURERS: dict[type[Any], Callable[[dict[str, Any]], Any]] = {type(None): lambda _raw: None}
"""The structure function per output model, looked up once (not per call). Operations without
an output (``output_type`` NoneType) return None."""


def _structurer(output_type: type[T]) -> Callable[[dict[str, Any]], T]:
    found = _STRUCTURERS.get(output_type)
    if found is None:
        hook = converter.get_structure_hook(output_type)

        def found(raw: dict[str, Any]) -> Any:
            return hook(raw, output_type)

        _STRUCTURERS[output_type] = found
    return found


_WIRE_NAMES: dict[tuple[str, str], dict[str, str]] = {}
"""Python parameter name -> wire name per (service, operation), for `invoke`."""


def _wire_names(spec: OperationSpec[Any]) -> dict[str, str]:
    wire = _WIRE_NAMES.get((spec.service, spec.name))
    if wire is None:
        shape = SERVICES[spec.service].input_shapes.get(spec.input_shape or "", {})
        wire = _WIRE_NAMES[spec.service, spec.name] = {
            m["name"]: m["wire"] for m in shape.get("members", {}).values()
        }
    return wire


def _python_name(spec: OperationSpec[Any], wire: str) -> str:
    """The Python parameter name of member ``wire`` of ``spec`` (for an error message)."""
    shape = SERVICES[spec.service].input_shapes[spec.input_shape or ""]
    return str(shape["members"][wire]["name"])


def _parse_error(spec: OperationSpec[Any], exc: Exception) -> ResponseParseError:
    """The error for a response ``spec`` could not be structured. Only the exception's type
    (and the member, when known) goes in the message: the text of cattrs', ``int()``'s or a
    timestamp parser's errors quotes the wire value, which may be a secret. The original stays
    in ``__cause__``."""
    if isinstance(exc, ResponseParseError):
        return exc
    member = getattr(exc, "member", "")
    where = f" at {member!r}" if isinstance(member, str) and member else ""
    return ResponseParseError(
        f"{spec.name}: the response does not match the service model ({type(exc).__name__}{where})"
    )
