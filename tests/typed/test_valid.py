"""``ivsrt._valid.is_valid`` (the compiled per-shape checks) is True exactly when the full walk
of ``ivsrt.validation`` finds no violation, for every input shape of both services, on
hypothesis-generated values that sit on both sides of each constraint (lengths and sizes at
their bounds, pattern matches and near misses, out-of-range and non-finite numbers, wrong
types, missing required and unknown members)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivsrt import validation
from ivsrt._valid import is_valid

_WRONG: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=3), st.just([])
)


def _around(lo: int | None, hi: int | None) -> st.SearchStrategy[int]:
    """Sizes or values at, inside and just outside [lo, hi]."""
    points = {0, 1}
    for bound in (lo, hi):
        if bound is not None:
            points |= {bound - 1, bound, bound + 1}
    return st.one_of(st.sampled_from(sorted(p for p in points if p >= 0)), st.integers(0, 40))


def _value(tables: Any, name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    spec: Mapping[str, Any] = tables.input_shapes[name]
    kind = spec["type"]
    if kind == "string":
        if "enum" in spec:
            return st.one_of(st.sampled_from(spec["enum"]), st.text(max_size=6), _WRONG)
        lo, hi = spec.get("min"), spec.get("max")
        lengths = _around(lo, min(hi, 200) if hi is not None else None)
        candidates = [lengths.map(lambda n: "a" * n), lengths.map(lambda n: "a-" * (n // 2))]
        pattern = spec.get("pattern")
        if pattern is not None:
            candidates.append(st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) < 300))
            candidates.append(st.from_regex(pattern, fullmatch=True).map(lambda s: s + " "))
        return st.one_of(*candidates, _WRONG)
    if kind in ("integer", "long", "float", "double"):
        lo, hi = spec.get("min"), spec.get("max")
        numbers: list[st.SearchStrategy[Any]] = [
            st.sampled_from([b + d for b in (lo, hi) if b is not None for d in (-1, 0, 1)] or [0]),
            st.integers(-(2**64), 2**64),
            st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**63]),
        ]
        if kind in ("float", "double"):
            numbers.append(st.floats(allow_nan=True, allow_infinity=True))
        return st.one_of(*numbers, _WRONG)
    if kind == "boolean":
        return st.one_of(st.booleans(), _WRONG)
    if kind == "timestamp":
        return st.one_of(st.datetimes(), st.integers(), _WRONG)
    if depth > 4:
        return st.none()
    if kind == "list":
        member = _value(tables, spec["member"], depth + 1)
        return st.one_of(
            _around(spec.get("min"), spec.get("max")).flatmap(
                lambda n: st.lists(member, min_size=min(n, 8), max_size=min(n, 8))
            ),
            _WRONG,
            st.just("not a list"),
        )
    if kind == "map":
        keys = _value(tables, spec["key"], depth + 1).filter(lambda k: isinstance(k, str))
        return st.one_of(
            st.dictionaries(keys, _value(tables, spec["value"], depth + 1), max_size=4), _WRONG
        )
    if kind == "structure":
        members = {w: _value(tables, m["shape"], depth + 1) for w, m in spec["members"].items()}
        required = {w: members[w] for w in spec["required"]}
        optional = {w: m for w, m in members.items() if w not in required}
        whole = st.fixed_dictionaries(required, optional=optional)
        return st.one_of(
            whole,
            whole.map(lambda d: {**d, "notAMember": 1}),
            st.fixed_dictionaries({}, optional=members),
            _WRONG,
        )
    return st.just(None)  # pragma: no cover - no other kind in the inputs


_SHAPES = [
    (service, name)
    for service, tables in validation.SERVICES.items()
    for name in tables.input_shapes
]


@pytest.mark.parametrize(("service", "shape"), _SHAPES, ids=[f"{s}:{n}" for s, n in _SHAPES])
def test_compiled_checks_agree_with_the_walk(service: str, shape: str) -> None:
    tables = validation.SERVICES[service]
    agreed = {True: 0, False: 0}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_value(tables, shape))
    def check(value: Any) -> None:
        found: list[Any] = []
        validation._check(shape, value, "", found, "wire", False, tables)
        assert is_valid(tables, shape, value) is (not found), found
        agreed[not found] += 1

    check()
    assert agreed[False] > 0  # the strategy reaches the invalid side of every shape


def test_a_non_finite_float_is_invalid() -> None:
    tables = validation.SERVICES["ivs-realtime"]
    floats = [n for n, s in tables.input_shapes.items() if s["type"] == "float"]
    assert floats
    assert not is_valid(tables, floats[0], math.nan)
