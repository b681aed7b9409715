"""The rules the API reference states in prose that the service model cannot express, by
service: RTMP ingest needs ``insecure_ingest=True``, attributes are at most 1 KB in total, one
filter at a time on the list calls that say so, video sizes are even, the multitrack rules of the
2024-11-14 channel update, and so on. [`ivsrt.validation`][ivsrt.validation] runs them after
the model's constraints.

Each rule is a function: a *shape rule* takes a value of its shape and the path it is at (already
in the caller's naming); an *operation rule* takes the wire-named request and a `Namer` that
turns wire member paths into the caller's names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ivsrt._exceptions import Violation

__all__ = [
    "CHANNEL_RULES",
    "CHANNEL_SHAPE_RULES",
    "RULES",
    "SHAPE_RULES",
    "Namer",
    "Rule",
    "ShapeRule",
    "join",
]

Rule = Callable[[Mapping[str, Any], "Namer"], list[Violation]]
"""A cross-field rule of one operation: (wire-named request, namer) -> violations."""
ShapeRule = Callable[[Any, str], list[Violation]]
"""A rule of one shape wherever it appears: (value, path) -> violations."""


def join(path: str, name: str) -> str:
    """``name`` under ``path`` (``path.name``, or ``name`` at the top)."""
    return f"{path}.{name}" if path else name


class Namer:
    """Turns a wire member path into the caller's naming: the model's Python or wire names,
    and at the top level ``rename`` (a Python name -> the argument the caller passed it as,
    e.g. ``filter_by_state`` -> ``state`` for ``stage.participants(state=...)``)."""

    def __init__(
        self,
        shape: str,
        key: str,
        input_shapes: Mapping[str, Mapping[str, Any]] | None = None,
        rename: Mapping[str, str] | None = None,
    ) -> None:
        self.shape = shape
        self.key = key
        if input_shapes is None:
            # Imported here: the generated tables load on first use, not at ``import ivsrt``.
            from ivsrt._generated.constraints import INPUT_SHAPES

            input_shapes = INPUT_SHAPES
        self.input_shapes: Mapping[str, Mapping[str, Any]] = input_shapes
        self.rename = rename or {}

    def __call__(self, *wire_path: str) -> str:
        shape = self.shape
        parts = []
        for wire in wire_path:
            member = self.input_shapes[shape]["members"][wire]
            parts.append(member[self.key])
            shape = member["shape"]
        if parts and self.rename:
            parts[0] = self.rename.get(parts[0], parts[0])
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
            out.append(Violation(join(path, dim), f"must be an even number (got {v})"))
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
    def rule(params: Mapping[str, Any], name: Namer) -> list[Violation]:
        given = [m for m in members if params.get(m) is not None]
        if len(given) > 1:
            names = ", ".join(name(m) for m in given)
            allowed = ", ".join(name(m) for m in members)
            return [Violation(names, f"only one of {allowed} can be given per request")]
        return []

    return rule


def _rtmp_needs_insecure(params: Mapping[str, Any], name: Namer) -> list[Violation]:
    if params.get("ingestProtocol") == "RTMP" and params.get("insecureIngest") is not True:
        return [
            Violation(
                name("insecureIngest"),
                f"must be true when {name('ingestProtocol')} is RTMP "
                "(RTMP is unencrypted; use RTMPS otherwise)",
            )
        ]
    return []


def _one_destination_per_type(params: Mapping[str, Any], name: Namer) -> list[Violation]:
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


def _same_place_as_stage(params: Mapping[str, Any], name: Namer) -> list[Violation]:
    """The reference: a composition's channel and encoder configurations "and stage resources
    must be in the same AWS account and region"; so must its storage configuration (S3
    recording is regional)."""
    home = _arn_place(params.get("stageArn"))
    destinations = params.get("destinations")
    if home is None or not isinstance(destinations, Sequence):
        return []
    inner = Namer("DestinationConfiguration", name.key, name.input_shapes)
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
                Violation(join(path, py if python else wire), "is required when enabled is true")
            )
    return out


def _multitrack_channel(params: Mapping[str, Any], name: Namer) -> list[Violation]:
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

    def rule(params: Mapping[str, Any], name: Namer) -> list[Violation]:
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
    return [Violation(join(path, "renditions"), "is required when rendition selection is CUSTOM")]


def _thumbnail_interval(value: Any, path: str) -> list[Violation]:
    """``targetIntervalSeconds`` "is configurable (and required) only if recordingMode is
    INTERVAL"."""
    if not isinstance(value, Mapping) or value.get("recordingMode") != "DISABLED":
        return []
    if value.get("targetIntervalSeconds") is None:
        return []
    python = not path.endswith("thumbnailConfiguration")
    member = "target_interval_seconds" if python else "targetIntervalSeconds"
    return [Violation(join(path, member), "can only be set when recording mode is INTERVAL")]


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
