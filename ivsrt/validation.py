"""Request checks, run before anything is sent.

Two sources of rules:

- the constraints of botocore's service model (required members, string length, numeric
  range, list and map sizes, patterns, enum values, types), generated into
  ``ivsrt._generated.constraints``;
- rules the API reference states in prose that the model cannot express (``RULES`` below):
  RTMP ingest needs ``insecure_ingest=True``, attributes are at most 1 KB in total, one filter
  at a time on the list calls that say so, video sizes are even, and so on.

Patterns are matched against the whole value (the model's patterns are written that way:
``[a-zA-Z0-9-_]*`` is meant to reject a name with spaces).

The same checker serves the client (paths named after Python parameters,
``participant_token_configurations[0].duration``) and the emulator (paths named after wire
members, as the service reports them).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from ivsrt._exceptions import ValidationError, Violation
from ivsrt._generated.constraints import INPUT_SHAPES, OPERATIONS

__all__ = ["RULES", "Naming", "check_request", "request_violations"]

Naming = Literal["python", "wire"]
Rule = Callable[[Mapping[str, Any], "_Namer"], list[Violation]]

_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


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
    sensitive: bool = False,
) -> None:
    spec = INPUT_SHAPES[shape_name]
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
                )
    elif kind in ("integer", "long", "float", "double"):
        numeric: tuple[type, ...] = (int,) if kind in ("integer", "long") else (int, float)
        if isinstance(value, bool) or not isinstance(value, numeric):
            noun = "an integer" if kind in ("integer", "long") else "a number"
            out.append(Violation(path, f"must be {noun}, got {type(value).__name__}"))
            return
        lo, hi = spec.get("min"), spec.get("max")
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
            _check(member, item, f"{path}[{i}]", out, key, sensitive)
    elif kind == "map":
        if not isinstance(value, Mapping):
            out.append(Violation(path, f"must be a mapping, got {type(value).__name__}"))
            return
        _size(spec, len(value), path, "entries", out)
        for k, v in value.items():
            _check(spec["key"], k, f"{path}[{k!r}] (key)", out, key, sensitive)
            _check(spec["value"], v, f"{path}[{k!r}]", out, key, sensitive)
    elif kind == "timestamp" and (
        not isinstance(value, (datetime.datetime, str, int, float)) or isinstance(value, bool)
    ):
        out.append(Violation(path, f"must be a datetime, got {type(value).__name__}"))
    for shape_rule in SHAPE_RULES.get(shape_name, ()):
        out.extend(shape_rule(value, path))


def _size(spec: Mapping[str, Any], n: int, path: str, noun: str, out: list[Violation]) -> None:
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and n < lo:
        out.append(Violation(path, f"must have at least {lo} {noun} (got {n})"))
    if hi is not None and n > hi:
        out.append(Violation(path, f"must have at most {hi} {noun} (got {n})"))


# ---------------------------------------------------------------------------------------------
# Rules stated by the API reference that the model cannot express.


class _Namer:
    """Turns a wire member path into the caller's naming."""

    def __init__(self, shape: str, key: str) -> None:
        self.shape = shape
        self.key = key

    def __call__(self, *wire_path: str) -> str:
        shape = self.shape
        parts = []
        for wire in wire_path:
            member = INPUT_SHAPES[shape]["members"][wire]
            parts.append(member[self.key])
            shape = member["shape"]
        return ".".join(parts)


def _attributes_size(value: Any, path: str) -> list[Violation]:
    if not isinstance(value, Mapping):
        return []
    total = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in value.items())
    if total > 1024:
        return [
            Violation(path, f"must be at most 1 KB in total, keys and values (got {total} bytes)")
        ]
    return []


def _even_video(value: Any, path: str) -> list[Violation]:
    if not isinstance(value, Mapping):
        return []
    out = []
    for dim in ("width", "height"):
        v = value.get(dim)
        if isinstance(v, int) and not isinstance(v, bool) and v % 2:
            out.append(Violation(_join(path, dim), f"must be an even number (got {v})"))
    w, h = value.get("width"), value.get("height")
    if isinstance(w, int) and isinstance(h, int) and w * h > 2073600:
        out.append(
            Violation(
                path,
                f"width x height must be at most 2073600 pixels (1920x1080 or 1080x1920), "
                f"got {w}x{h}",
            )
        )
    return out


def _channel_or_s3(value: Any, path: str) -> list[Violation]:
    if not isinstance(value, Mapping):
        return []
    given = [k for k in ("channel", "s3") if value.get(k) is not None]
    if not given:
        return [Violation(path, "must specify either channel or s3")]
    if len(given) > 1:
        return [Violation(path, "must specify either channel or s3, not both")]
    return []


SHAPE_RULES: dict[str, tuple[Callable[[Any, str], list[Violation]], ...]] = {
    "ParticipantAttributes": (_attributes_size,),
    "ParticipantTokenAttributes": (_attributes_size,),
    "Video": (_even_video,),
    "DestinationConfiguration": (_channel_or_s3,),
}
"""Rules that apply wherever a shape appears, by shape name."""


def _only_one(*members: str) -> Rule:
    def rule(params: Mapping[str, Any], name: _Namer) -> list[Violation]:
        given = [m for m in members if params.get(m) is not None]
        if len(given) > 1:
            names = ", ".join(name(m) for m in given)
            allowed = ", ".join(name(m) for m in members)
            return [Violation(names, f"only one of {allowed} can be given per request")]
        return []

    return rule


def _rtmp_needs_insecure(params: Mapping[str, Any], name: _Namer) -> list[Violation]:
    if params.get("ingestProtocol") == "RTMP" and params.get("insecureIngest") is not True:
        return [
            Violation(
                name("insecureIngest"),
                f"must be true when {name('ingestProtocol')} is RTMP "
                "(RTMP is unencrypted; use RTMPS otherwise)",
            )
        ]
    return []


def _one_destination_per_type(params: Mapping[str, Any], name: _Namer) -> list[Violation]:
    destinations = params.get("destinations")
    if not isinstance(destinations, Sequence):
        return []
    seen: dict[str, int] = {}
    out = []
    for i, d in enumerate(destinations):
        if not isinstance(d, Mapping):
            continue
        for kind in ("channel", "s3"):
            if d.get(kind) is not None:
                if kind in seen:
                    out.append(
                        Violation(
                            f"{name('destinations')}[{i}]",
                            f"at most one {kind} destination per composition "
                            f"(another is at index {seen[kind]})",
                        )
                    )
                seen.setdefault(kind, i)
    return out


RULES: dict[str, tuple[Rule, ...]] = {
    "ListParticipants": (
        _only_one("filterByUserId", "filterByPublished", "filterByState", "filterByRecordingState"),
    ),
    "ListIngestConfigurations": (_only_one("filterByStageArn", "filterByState"),),
    "CreateIngestConfiguration": (_rtmp_needs_insecure,),
    "StartComposition": (_one_destination_per_type,),
}
"""Cross-field rules by operation name."""


def request_violations(
    operation: str, params: Mapping[str, Any], *, naming: Naming = "python"
) -> list[Violation]:
    """Every rule ``params`` (a wire-named request dict) breaks, in the order found."""
    shape = OPERATIONS[operation]["input"]
    out: list[Violation] = []
    if shape is None:
        if params:
            out.append(Violation("", f"{operation} takes no parameters"))
        return out
    key = "name" if naming == "python" else "wire"
    _check(shape, params, "", out, key)
    namer = _Namer(shape, key)
    for rule in RULES.get(operation, ()):
        out.extend(rule(params, namer))
    return out


def check_request(operation: str, params: Mapping[str, Any], *, naming: Naming = "python") -> None:
    """Raise :class:`ivsrt.ValidationError` if ``params`` breaks any rule of ``operation``."""
    violations = request_violations(operation, params, naming=naming)
    if violations:
        raise ValidationError(operation, violations)
