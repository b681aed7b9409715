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

Each service has its own tables (``SERVICES``): ``ivs-realtime`` (the default) and ``ivs``, the
channel calls (``client.channels``) with the multitrack rules of the 2024-11-14 update.

The same checker serves the client (paths named after Python parameters,
``participant_token_configurations[0].duration``) and the emulator (paths named after wire
members, as the service reports them).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from ivsrt._exceptions import ValidationError, Violation
from ivsrt._generated import constraints as _realtime
from ivsrt._generated.channels import constraints as _channels

__all__ = ["CHANNEL_RULES", "RULES", "SERVICES", "Naming", "check_request", "request_violations"]

Naming = Literal["python", "wire"]
Rule = Callable[[Mapping[str, Any], "_Namer"], list[Violation]]

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


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(value: Any, sensitive: bool) -> str:
    if sensitive:
        return "(secret value not shown)"
    text = repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


ShapeRule = Callable[[Any, str], list[Violation]]


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
# Rules stated by the API reference that the model cannot express.


class _Namer:
    """Turns a wire member path into the caller's naming."""

    def __init__(
        self, shape: str, key: str, input_shapes: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        self.shape = shape
        self.key = key
        self.input_shapes = _realtime.INPUT_SHAPES if input_shapes is None else input_shapes

    def __call__(self, *wire_path: str) -> str:
        shape = self.shape
        parts = []
        for wire in wire_path:
            member = self.input_shapes[shape]["members"][wire]
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


SHAPE_RULES: dict[str, tuple[ShapeRule, ...]] = {
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


def _arn_place(arn: object) -> tuple[str, str] | None:
    """(region, account) of an ARN, None if it is not one."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[3], parts[4]


def _same_place_as_stage(params: Mapping[str, Any], name: _Namer) -> list[Violation]:
    """The reference: a composition's channel and encoder configurations "and stage resources
    must be in the same AWS account and region"; so must its storage configuration (S3
    recording is regional)."""
    home = _arn_place(params.get("stageArn"))
    destinations = params.get("destinations")
    if home is None or not isinstance(destinations, Sequence):
        return []
    inner = _Namer("DestinationConfiguration", name.key, name.input_shapes)
    places: list[tuple[str, object]] = []
    for i, d in enumerate(destinations):
        if not isinstance(d, Mapping):
            continue
        at = f"{name('destinations')}[{i}]"
        channel, s3 = d.get("channel"), d.get("s3")
        if isinstance(channel, Mapping):
            for member in ("channelArn", "encoderConfigurationArn"):
                places.append((f"{at}.{inner('channel', member)}", channel.get(member)))
        if isinstance(s3, Mapping):
            places.append(
                (
                    f"{at}.{inner('s3', 'storageConfigurationArn')}",
                    s3.get("storageConfigurationArn"),
                )
            )
            arns = s3.get("encoderConfigurationArns")
            if isinstance(arns, Sequence) and not isinstance(arns, str):
                path = f"{at}.{inner('s3', 'encoderConfigurationArns')}"
                places.extend((f"{path}[{j}]", arn) for j, arn in enumerate(arns))
    out = []
    for path, arn in places:
        place = _arn_place(arn)
        if place is not None and place != home:
            out.append(
                Violation(
                    path,
                    f"must be in the stage's region and account ({home[0]}, {home[1]}), "
                    f"got ({place[0]}, {place[1]})",
                )
            )
    return out


RULES: dict[str, tuple[Rule, ...]] = {
    "ListParticipants": (
        _only_one("filterByUserId", "filterByPublished", "filterByState", "filterByRecordingState"),
    ),
    "ListIngestConfigurations": (_only_one("filterByStageArn", "filterByState"),),
    "CreateIngestConfiguration": (_rtmp_needs_insecure,),
    "StartComposition": (_one_destination_per_type, _same_place_as_stage),
}
"""Cross-field rules by operation name."""


# ---------------------------------------------------------------------------------------------
# ivs (channels): rules of the 2024-11-14 multitrack reference and the channel type rules.

_MULTITRACK_TYPES = ("STANDARD",)
_PRESET_TYPES = ("ADVANCED_SD", "ADVANCED_HD")


def _multitrack_members(value: Any, path: str) -> list[Violation]:
    """``policy`` and ``maximumResolution`` are "required if enabled is true"."""
    if not isinstance(value, Mapping) or value.get("enabled") is not True:
        return []
    # The path is already in the caller's naming; members are named the same in both
    # namings except maximumResolution.
    python = not path.endswith("multitrackInputConfiguration")
    out = []
    for wire, py in (("policy", "policy"), ("maximumResolution", "maximum_resolution")):
        if value.get(wire) is None:
            out.append(
                Violation(_join(path, py if python else wire), "is required when enabled is true")
            )
    return out


def _multitrack_channel(params: Mapping[str, Any], name: _Namer) -> list[Violation]:
    """Multitrack input needs ``containerFormat=FRAGMENTED_MP4`` and a STANDARD channel."""
    config = params.get("multitrackInputConfiguration")
    if not isinstance(config, Mapping) or config.get("enabled") is not True:
        return []
    enabled = f"{name('multitrackInputConfiguration', 'enabled')} is true"
    out = []
    container = params.get("containerFormat")
    if container is None:
        out.append(
            Violation(name("containerFormat"), f"is required (FRAGMENTED_MP4) when {enabled}")
        )
    elif container != "FRAGMENTED_MP4":
        out.append(
            Violation(
                name("containerFormat"),
                f"must be FRAGMENTED_MP4 when {enabled} (got {container!r})",
            )
        )
    kind = params.get("type")
    if kind is not None and kind not in _MULTITRACK_TYPES:
        out.append(
            Violation(
                name("type"),
                f"must be STANDARD when {enabled}: multitrack input is for STANDARD channels "
                f"only (got {kind!r})",
            )
        )
    return out


def _preset_needs_advanced(*, default_type: str | None) -> Rule:
    """``preset`` "is selectable only for ADVANCED_HD and ADVANCED_SD channel types". On
    CreateChannel the type defaults to STANDARD; on UpdateChannel an omitted type keeps the
    channel's, which only the service knows."""

    def rule(params: Mapping[str, Any], name: _Namer) -> list[Violation]:
        preset = params.get("preset")
        kind = params.get("type", default_type)
        if preset is None or kind is None or kind in _PRESET_TYPES:
            return []
        return [
            Violation(
                name("preset"),
                f"is selectable only for ADVANCED_SD and ADVANCED_HD channels (type is {kind})",
            )
        ]

    return rule


def _custom_renditions(value: Any, path: str) -> list[Violation]:
    """ "If CUSTOM is specified, a set of renditions must be specified in the renditions
    field"."""
    if not isinstance(value, Mapping) or value.get("renditionSelection") != "CUSTOM":
        return []
    if value.get("renditions"):
        return []
    return [Violation(_join(path, "renditions"), "is required when rendition selection is CUSTOM")]


def _thumbnail_interval(value: Any, path: str) -> list[Violation]:
    """``targetIntervalSeconds`` "is configurable (and required) only if recordingMode is
    INTERVAL"."""
    if not isinstance(value, Mapping) or value.get("recordingMode") != "DISABLED":
        return []
    if value.get("targetIntervalSeconds") is None:
        return []
    python = not path.endswith("thumbnailConfiguration")
    member = "target_interval_seconds" if python else "targetIntervalSeconds"
    return [Violation(_join(path, member), "can only be set when recording mode is INTERVAL")]


CHANNEL_SHAPE_RULES: dict[str, tuple[ShapeRule, ...]] = {
    "MultitrackInputConfiguration": (_multitrack_members,),
    "RenditionConfiguration": (_custom_renditions,),
    "ThumbnailConfiguration": (_thumbnail_interval,),
}
"""Shape rules of ``ivs``, by shape name (the channel model's shapes, not the real-time ones)."""

CHANNEL_RULES: dict[str, tuple[Rule, ...]] = {
    "CreateChannel": (_multitrack_channel, _preset_needs_advanced(default_type="STANDARD")),
    "UpdateChannel": (_multitrack_channel, _preset_needs_advanced(default_type=None)),
}
"""Cross-field rules of ``ivs`` by operation name."""


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


SERVICES: dict[str, _Service] = {
    "ivs-realtime": _Service(_realtime.INPUT_SHAPES, _realtime.OPERATIONS, SHAPE_RULES, RULES),
    "ivs": _Service(
        _channels.INPUT_SHAPES, _channels.OPERATIONS, CHANNEL_SHAPE_RULES, CHANNEL_RULES
    ),
}
"""Constraint tables and rules by botocore service name."""


def request_violations(
    operation: str,
    params: Mapping[str, Any],
    *,
    naming: Naming = "python",
    service: str = "ivs-realtime",
) -> list[Violation]:
    """Every rule ``params`` (a wire-named request dict) breaks, in the order found."""
    tables = SERVICES[service]
    shape = tables.operations[operation]["input"]
    out: list[Violation] = []
    if shape is None:
        if params:
            out.append(Violation("", f"{operation} takes no parameters"))
        return out
    key = "name" if naming == "python" else "wire"
    _check(shape, params, "", out, key, False, tables)
    namer = _Namer(shape, key, tables.input_shapes)
    for rule in tables.rules.get(operation, ()):
        out.extend(rule(params, namer))
    return out


def check_request(
    operation: str,
    params: Mapping[str, Any],
    *,
    naming: Naming = "python",
    service: str = "ivs-realtime",
) -> None:
    """Raise [`ValidationError`][ivsrt.errors.ValidationError] if ``params`` breaks any rule of
    ``operation`` of
    ``service`` (``ivs-realtime`` or ``ivs``)."""
    violations = request_violations(operation, params, naming=naming, service=service)
    if violations:
        raise ValidationError(operation, violations)
