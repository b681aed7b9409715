"""Request checks, run before anything is sent.

Two sources of rules:

- the constraints of botocore's service model (required members, string length, numeric
  range, list and map sizes, patterns, enum values, types), generated into
  ``ivsrt._generated.constraints``;
- rules the API reference states in prose that the model cannot express (``RULES``, from
  ``ivsrt._rules``): RTMP ingest needs ``insecure_ingest=True``, attributes are at most 1 KB
  in total, one filter at a time on the list calls that say so, video sizes are even, and so
  on.

Patterns are matched against the whole value (the model's patterns are written that way:
``[a-zA-Z0-9-_]*`` is meant to reject a name with spaces).

Each service has its own tables (``SERVICES``): ``ivs-realtime`` (the default) and ``ivs``, the
channel calls (``client.channels``) with the multitrack rules of the 2024-11-14 update.

The same checker serves the client (paths named after Python parameters,
``participant_token_configurations[0].duration``) and the emulator (paths named after wire
members, as the service reports them). A resource method whose arguments are not the service's
parameters (``stage.participants(state=...)`` sends ``filterByState``) passes ``rename``, so the
error names the argument the caller wrote (``state``).
"""

from __future__ import annotations

import datetime
import importlib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from ivsrt._exceptions import ValidationError, Violation
from ivsrt._rules import (
    CHANNEL_RULES,
    CHANNEL_SHAPE_RULES,
    RULES,
    SHAPE_RULES,
    Namer,
    Rule,
    ShapeRule,
)
from ivsrt._rules import join as _join
from ivsrt._valid import is_valid

__all__ = [
    "CHANNEL_RULES",
    "RULES",
    "SERVICES",
    "Naming",
    "check_request",
    "rename_violations",
    "request_violations",
]

Naming = Literal["python", "wire"]

_PATTERNS: dict[str, re.Pattern[str]] = {}


_INT_RANGE: dict[str, tuple[int, int]] = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
"""The range of the model's integer types (Smithy: 32-bit ``integer``, 64-bit ``long``)."""


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled


def _show(value: Any, sensitive: bool) -> str:
    if sensitive:
        return "(secret value not shown)"
    text = repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _check(
    shape_name: str,
    value: Any,
    path: str,
    out: list[Violation],
    key: str,
    sensitive: bool,
    service: _Service,
) -> None:
    spec = service.input_shapes[shape_name]
    kind = spec["type"]
    sensitive = sensitive or bool(spec.get("sensitive"))
    if kind == "string":
        if not isinstance(value, str):
            out.append(Violation(path, f"must be a string, got {type(value).__name__}"))
            return
        if "enum" in spec:
            if value not in spec["enum"]:
                allowed = ", ".join(spec["enum"])
                out.append(
                    Violation(path, f"must be one of {allowed} (got {_show(value, sensitive)})")
                )
            return
        n = len(value)
        lo, hi = spec.get("min"), spec.get("max")
        if lo is not None and n < lo:
            out.append(Violation(path, f"must be at least {lo} characters long (got {n})"))
        if hi is not None and n > hi:
            out.append(Violation(path, f"must be at most {hi} characters long (got {n})"))
        pattern = spec.get("pattern")
        if pattern is not None and _compiled(pattern).fullmatch(value) is None:
            out.append(
                Violation(path, f"must match the pattern {pattern} (got {_show(value, sensitive)})")
            )
    elif kind == "structure":
        if not isinstance(value, Mapping):
            out.append(Violation(path, f"must be an object, got {type(value).__name__}"))
            return
        members = spec["members"]
        for req in spec["required"]:
            if value.get(req) is None:
                out.append(Violation(_join(path, members[req][key]), "is required"))
        for wire, item in value.items():
            member = members.get(wire)
            if member is None:
                out.append(Violation(_join(path, str(wire)), "is not a known parameter"))
            elif item is not None:
                _check(
                    member["shape"],
                    item,
                    _join(path, member[key]),
                    out,
                    key,
                    sensitive or bool(member.get("sensitive")),
                    service,
                )
    elif kind in ("integer", "long", "float", "double"):
        numeric: tuple[type, ...] = (int,) if kind in ("integer", "long") else (int, float)
        if isinstance(value, bool) or not isinstance(value, numeric):
            noun = "an integer" if kind in ("integer", "long") else "a number"
            out.append(Violation(path, f"must be {noun}, got {type(value).__name__}"))
            return
        if isinstance(value, float) and not math.isfinite(value):
            # NaN and the infinities are not JSON: botocore would send ``NaN``/``Infinity``.
            out.append(Violation(path, f"must be a finite number (got {value!r})"))
            return
        # Without a model bound, the wire type's own range: integer is 32-bit, long 64-bit.
        lo, hi = (
            spec.get("min", _INT_RANGE.get(kind, (None, None))[0]),
            spec.get("max", _INT_RANGE.get(kind, (None, None))[1]),
        )
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                rule = f"must be between {lo} and {hi}"
            elif lo is not None:
                rule = f"must be at least {lo}"
            else:
                rule = f"must be at most {hi}"
            out.append(Violation(path, f"{rule} (got {value!r})"))
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(Violation(path, f"must be a boolean, got {type(value).__name__}"))
    elif kind == "list":
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            out.append(Violation(path, f"must be a list, got {type(value).__name__}"))
            return
        _size(spec, len(value), path, "items", out)
        member = spec["member"]
        for i, item in enumerate(value):
            _check(member, item, f"{path}[{i}]", out, key, sensitive, service)
    elif kind == "map":
        if not isinstance(value, Mapping):
            out.append(Violation(path, f"must be a mapping, got {type(value).__name__}"))
            return
        _size(spec, len(value), path, "entries", out)
        for k, v in value.items():
            _check(spec["key"], k, f"{path}[{k!r}] (key)", out, key, sensitive, service)
            _check(spec["value"], v, f"{path}[{k!r}]", out, key, sensitive, service)
    elif kind == "timestamp" and (
        not isinstance(value, (datetime.datetime, str, int, float)) or isinstance(value, bool)
    ):
        out.append(Violation(path, f"must be a datetime, got {type(value).__name__}"))
    for shape_rule in service.shape_rules.get(shape_name, ()):
        out.extend(shape_rule(value, path))


def _size(spec: Mapping[str, Any], n: int, path: str, noun: str, out: list[Violation]) -> None:
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and n < lo:
        out.append(Violation(path, f"must have at least {lo} {noun} (got {n})"))
    if hi is not None and n > hi:
        out.append(Violation(path, f"must have at most {hi} {noun} (got {n})"))


# ---------------------------------------------------------------------------------------------


class _Service:
    """The tables one service is checked against."""

    __slots__ = ("input_shapes", "operations", "rules", "shape_rules")

    def __init__(
        self,
        input_shapes: Mapping[str, Mapping[str, Any]],
        operations: Mapping[str, Mapping[str, Any]],
        shape_rules: Mapping[str, tuple[ShapeRule, ...]],
        rules: Mapping[str, tuple[Rule, ...]],
    ) -> None:
        self.input_shapes = input_shapes
        self.operations = operations
        self.shape_rules = shape_rules
        self.rules = rules


_TABLES = {
    "ivs-realtime": ("ivsrt._generated.constraints", SHAPE_RULES, RULES),
    "ivs": ("ivsrt._generated.channels.constraints", CHANNEL_SHAPE_RULES, CHANNEL_RULES),
}
"""Per service: the generated module of its constraint tables, its shape and operation rules."""


class _Services(Mapping[str, _Service]):
    """A read-only mapping whose values are built on first access: a service's generated
    constraint tables (large literals) are imported when a request of it is first checked, not
    at ``import ivsrt``."""

    __slots__ = ("_built",)

    def __init__(self) -> None:
        self._built: dict[str, _Service] = {}

    def __getitem__(self, service: str) -> _Service:
        found = self._built.get(service)
        if found is None:
            module, shape_rules, rules = _TABLES[service]  # KeyError for an unknown service
            tables = importlib.import_module(module)
            found = self._built[service] = _Service(
                tables.INPUT_SHAPES, tables.OPERATIONS, shape_rules, rules
            )
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_TABLES)

    def __len__(self) -> int:
        return len(_TABLES)

    def __repr__(self) -> str:
        return f"<ivsrt.validation.SERVICES {sorted(_TABLES)}>"


SERVICES: Mapping[str, _Service] = _Services()
"""Constraint tables and rules by botocore service name (each loaded on first access)."""


_HEAD = re.compile(r"[^.\[ ,]+")
"""The top-level member a violation path starts with (``tags`` of ``tags['a'] (key)``)."""


def _renamed(violation: Violation, rename: Mapping[str, str]) -> Violation:
    head = _HEAD.match(violation.path)
    new = rename.get(head.group()) if head is not None else None
    if head is None or new is None:
        return violation
    return Violation(new + violation.path[head.end() :], violation.rule)


def rename_violations(
    violations: Sequence[Violation], rename: Mapping[str, str]
) -> list[Violation]:
    """``violations`` with paths that start at a member of ``rename`` (a Python name) starting
    at its new name instead: ``stage_arn`` -> ``stage``, ``tags['k']`` -> ``labels['k']``.
    Rule texts are kept (``rename`` given to `request_violations` renames those too)."""
    return [_renamed(v, rename) for v in violations]


def request_violations(
    operation: str,
    params: Mapping[str, Any],
    *,
    naming: Naming = "python",
    service: str = "ivs-realtime",
    rename: Mapping[str, str] | None = None,
    later: Sequence[str] = (),
) -> list[Violation]:
    """Every rule ``params`` (a wire-named request dict) breaks, in the order found.

    Args:
        rename: the caller's name of some top-level members, by Python name (with
            ``naming="python"``), e.g. ``{"filter_by_state": "state"}``: paths and rule texts
            name those instead.
        later: Python names of required members the caller fills in later (a pager that looks
            up its session when iteration starts): their absence is not a violation.
    """
    tables = SERVICES[service]
    shape = tables.operations[operation]["input"]
    out: list[Violation] = []
    if shape is None:
        if params:
            out.append(Violation("", f"{operation} takes no parameters"))
        return out
    key = "name" if naming == "python" else "wire"
    if not is_valid(tables, shape, params):  # only then walk it again to name what is wrong
        _check(shape, params, "", out, key, False, tables)
    if later:
        out = [v for v in out if not (v.rule == "is required" and v.path in later)]
    if rename:
        out = rename_violations(out, rename)
    namer = Namer(shape, key, tables.input_shapes, rename)
    for rule in tables.rules.get(operation, ()):
        out.extend(rule(params, namer))
    return out


def check_request(
    operation: str,
    params: Mapping[str, Any],
    *,
    naming: Naming = "python",
    service: str = "ivs-realtime",
    rename: Mapping[str, str] | None = None,
    later: Sequence[str] = (),
) -> None:
    """Raise [`ValidationError`][ivsrt.errors.ValidationError] if ``params`` breaks any rule of
    ``operation`` of ``service`` (``ivs-realtime`` or ``ivs``); ``rename`` and ``later`` as in
    `request_violations`."""
    violations = request_violations(
        operation, params, naming=naming, service=service, rename=rename, later=later
    )
    if violations:
        raise ValidationError(operation, violations)
