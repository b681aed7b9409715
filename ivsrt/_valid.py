"""Whether a value breaks no constraint of its input shape, by checks compiled once per shape.

``ivsrt.validation`` walks a request through the constraint tables and names every violation
with its path (``participant_token_configurations[3].duration``). Almost every request breaks
nothing, and building those paths for every member is most of the walk's cost, so
`is_valid` answers first, with one closure per shape that knows its own rules (type, enum,
length, range, size, pattern, required and known members, the shape's prose rules) and builds
no path. Only a request it rejects is walked again to name what is wrong: it returns True
exactly when that walk finds nothing (``tests/typed/test_valid.py`` checks the two agree on
hypothesis-generated values of every input shape).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ivsrt._rules import ShapeRule

__all__ = ["Tables", "is_valid"]

Check = Callable[[Any], bool]

_INT_RANGE: dict[str, tuple[int, int]] = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
"""The range of the model's integer types (as ``ivsrt.validation`` applies it)."""


class Tables(Protocol):
    """What a service's tables give (``ivsrt.validation._Service`` is one)."""

    @property
    def input_shapes(self) -> Mapping[str, Mapping[str, Any]]: ...

    @property
    def shape_rules(self) -> Mapping[str, tuple[ShapeRule, ...]]: ...


_COMPILED: dict[tuple[int, str], Check] = {}
"""The check of each (tables, shape), compiled on first use."""
_KEPT: dict[int, Tables] = {}
"""The tables `_COMPILED` is keyed by (kept alive, so their ids are never reused)."""


def is_valid(tables: Tables, shape: str, value: Any) -> bool:
    """Whether ``value`` breaks no rule of ``shape`` (nor of any shape inside it)."""
    check = _COMPILED.get((id(tables), shape))
    if check is None:
        _KEPT[id(tables)] = tables
        check = _compile(tables, shape)
    return check(value)


def _compile(tables: Tables, name: str) -> Check:
    key = (id(tables), name)
    found = _COMPILED.get(key)
    if found is not None:
        return found
    # A shape may contain itself: its members are compiled after it is reachable.
    body: list[Check] = []
    _COMPILED[key] = lambda value: body[0](value)
    spec = tables.input_shapes[name]
    check = _with_rules(_kind(tables, spec), tables.shape_rules.get(name, ()))
    body.append(check)
    _COMPILED[key] = check
    return check


def _with_rules(check: Check, rules: tuple[ShapeRule, ...]) -> Check:
    if not rules:
        return check

    def checked(value: Any) -> bool:
        return check(value) and not any(rule(value, "") for rule in rules)

    return checked


def _kind(tables: Tables, spec: Mapping[str, Any]) -> Check:
    kind = spec["type"]
    if kind == "string":
        return _string(spec)
    if kind == "structure":
        return _structure(tables, spec)
    if kind in ("integer", "long", "float", "double"):
        return _number(kind, spec)
    if kind == "boolean":
        return lambda value: value.__class__ is bool
    if kind == "list":
        return _list(tables, spec)
    if kind == "map":
        return _map(tables, spec)
    if kind == "timestamp":
        return lambda value: (
            isinstance(value, (datetime.datetime, str, int, float)) and not isinstance(value, bool)
        )
    return lambda value: True


def _string(spec: Mapping[str, Any]) -> Check:
    if "enum" in spec:
        allowed = frozenset(spec["enum"])
        return lambda value: isinstance(value, str) and value in allowed
    lo = spec.get("min") or 0
    hi = spec.get("max")
    pattern = spec.get("pattern")
    match = re.compile(pattern).fullmatch if pattern is not None else None

    def check(value: Any) -> bool:
        if value.__class__ is not str and not isinstance(value, str):
            return False
        n = len(value)
        if n < lo or (hi is not None and n > hi):
            return False
        return match is None or match(value) is not None

    return check


def _structure(tables: Tables, spec: Mapping[str, Any]) -> Check:
    members = {wire: _compile(tables, member["shape"]) for wire, member in spec["members"].items()}
    required = tuple(spec["required"])

    def check(value: Any) -> bool:
        if value.__class__ is not dict and not isinstance(value, Mapping):
            return False
        get = value.get
        for name in required:
            if get(name) is None:
                return False
        for wire, item in value.items():
            member = members.get(wire)
            if member is None:
                return False
            if item is not None and not member(item):
                return False
        return True

    return check


def _number(kind: str, spec: Mapping[str, Any]) -> Check:
    integral = kind in ("integer", "long")
    default_lo, default_hi = _INT_RANGE.get(kind, (None, None))
    lo = spec.get("min", default_lo)
    hi = spec.get("max", default_hi)

    def check(value: Any) -> bool:
        if value.__class__ is int:  # the common case first
            return (lo is None or value >= lo) and (hi is None or value <= hi)
        if isinstance(value, bool):
            return False
        if integral:
            if not isinstance(value, int):
                return False
        elif isinstance(value, float):
            if not math.isfinite(value):
                return False
        elif not isinstance(value, int):
            return False
        return (lo is None or value >= lo) and (hi is None or value <= hi)

    return check


def _sized(spec: Mapping[str, Any]) -> Callable[[int], bool]:
    lo = spec.get("min") or 0
    hi = spec.get("max")
    return lambda n: n >= lo and (hi is None or n <= hi)


def _list(tables: Tables, spec: Mapping[str, Any]) -> Check:
    member = _compile(tables, spec["member"])
    size = _sized(spec)

    def check(value: Any) -> bool:
        if value.__class__ is not list and (
            isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence)
        ):
            return False
        if not size(len(value)):
            return False
        for item in value:  # noqa: SIM110 - a loop is cheaper than all() over a generator
            if not member(item):
                return False
        return True

    return check


def _map(tables: Tables, spec: Mapping[str, Any]) -> Check:
    key = _compile(tables, spec["key"])
    item = _compile(tables, spec["value"])
    size = _sized(spec)

    def check(value: Any) -> bool:
        if value.__class__ is not dict and not isinstance(value, Mapping):
            return False
        if not size(len(value)):
            return False
        for k, v in value.items():  # noqa: SIM110 - as above
            if not (key(k) and item(v)):
                return False
        return True

    return check
