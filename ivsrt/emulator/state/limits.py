"""Quotas and memory bounds of one emulator."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from ivsrt.emulator._rates import RateClock, RateLimitsSetting
from ivsrt.limits import RateLimits

__all__ = ["Limits", "parse_limits"]


def _rate_limits(_: object, __: object, value: object) -> None:
    if not isinstance(value, RateLimits) and value not in ("off", "service"):
        raise ValueError(
            f"Limits.rate_limits must be 'off', 'service' or a RateLimits, not {value!r}"
        )


def _rate_clock(_: object, __: object, value: object) -> None:
    if value not in ("wall", "emulator"):
        raise ValueError(f"Limits.rate_clock must be 'wall' or 'emulator', not {value!r}")


@attrs.frozen(kw_only=True)
class Limits:
    """Quotas (answered with 402 ServiceQuotaExceededException, or an error event for media)
    and memory bounds of one emulator. Every limit is enforced. Resource quotas count per
    region, as the service's ("all quotas are enforced per region"), with the service's
    defaults where it documents one (100 stages, 5 concurrent compositions, 20 encoder
    configurations); ``max_regions`` bounds how many regions hold resources.

    Worst-case memory with the defaults is roughly: participants
    (``max_total_participants`` x ~1 KB, attributes included) + events
    (``max_total_events`` x ~300 B) + stages (``max_regions`` x ``max_stages`` x ~2 KB) +
    compositions (``max_compositions_kept`` x ~(layout + destinations), bounded by the request
    body, at most ``max_body_bytes``) + configurations and keys (a few KB each) + idempotency
    tokens and invocation ids (~200 B each): about 100 MB + 300 MB + 4 MB + 1 GB (if every
    composition body were 1 MB; ~10 MB for realistic ones) + a few MB. Lower ``max_total_events``,
    ``max_total_participants`` and ``max_body_bytes`` to bound it tighter."""

    max_stages: int = 100
    """Stages per region (CreateStage -> 402 beyond); the service's default."""
    max_active_compositions: int = 5
    """Compositions not yet STOPPED/FAILED at once, per region (StartComposition -> 402
    beyond); the service's default."""
    max_encoder_configurations: int = 20
    """Encoder configurations per region; the service's default."""
    max_storage_configurations: int = 100
    """Storage configurations per region."""
    max_ingest_configurations: int = 1000
    """Ingest configurations per region."""
    max_public_keys: int = 10
    """Public keys per region."""
    max_channels: int = 5000
    """IVS channels per region (CreateChannel -> 402 beyond); the service's default."""
    max_recording_configurations: int = 20
    """IVS channel recording configurations per region; the service's default."""
    max_playback_key_pairs: int = 3
    """Playback key pairs per region; the service's default."""
    max_channel_configurations: int = 100
    """Playback restriction policies, ad configurations and failover slate configurations
    per region, each."""
    max_stream_sessions_kept: int = 10000
    """Stream sessions kept in total; the oldest ended ones are forgotten first."""
    max_regions: int = 20
    """Regions that hold resources at once: creating the first resource of one more region
    -> 402."""
    max_publishers_per_stage: int = 12
    """Publishers at once in one stage (PUBLISH_ERROR / QUOTA_EXCEEDED beyond)."""
    max_participants_per_session: int = 1000
    """Participants per stage session: beyond, joining raises `ControlError`
    ``QUOTA_EXCEEDED`` (nothing is recorded for the refused participant)."""
    max_sessions_per_stage: int = 100
    """Stage sessions kept per stage; the oldest ended ones are forgotten first."""
    max_events_per_participant: int = 1000
    """Events kept per participant; the oldest are dropped first."""
    max_compositions_kept: int = 1000
    """Compositions kept in total; the oldest STOPPED/FAILED are forgotten first."""
    max_replicas_kept: int = 1000
    max_idempotency_tokens: int = 10000
    max_invocations_tracked: int = 10000
    """Invocation ids remembered for attempt counting; the oldest are forgotten first."""
    max_body_bytes: int = 1024 * 1024
    """Largest request body accepted (413 beyond)."""
    request_header_timeout: float = 60.0
    """Seconds a connection may take to send a request's headers (and may stay idle between
    requests); the connection is closed beyond."""
    request_body_timeout: float = 60.0
    """Seconds a request's body may take to arrive once its headers did (408 beyond, and the
    connection is closed)."""
    max_total_participants: int = 100_000
    """Participants kept over every stage session of the emulator. At the cap the oldest
    ended stage session (of any stage) is forgotten; when none has ended, joining raises
    `ControlError` ``QUOTA_EXCEEDED``."""
    rate_limits: RateLimitsSetting = attrs.field(default="off", validator=_rate_limits)
    """API call rates enforced (HTTP 429 ``ThrottlingException`` beyond): ``"off"``,
    ``"service"`` (the service's published table, `ivsrt.limits`) or an
    `ivsrt.RateLimits`."""
    rate_clock: RateClock = attrs.field(default="wall", validator=_rate_clock)
    """What the rate buckets refill on: ``"wall"`` time or the ``"emulator"`` clock (frozen:
    no refill; ``advance``: refill)."""
    max_total_events: int = 1_000_000
    """Participant events kept over the whole emulator. At the cap the oldest ended stage
    session is forgotten; when none has ended, the oldest events of the live session's
    participants are dropped."""
    max_eventbridge_events: int = 10_000
    """EventBridge events kept (``Emulator.events``, ``/_emulator/events``); the oldest are
    forgotten first."""


_CHOICES: dict[str, tuple[str, ...]] = {
    "rate_limits": ("off", "service"),
    "rate_clock": ("wall", "emulator"),
}
"""The fields `parse_limits` takes as words."""


def parse_limits(items: Iterable[str], base: Limits | None = None) -> Limits:
    """``base`` (default: `Limits()`) with ``NAME=VALUE`` items applied, e.g.
    ``["max_stages=500"]`` (the command line's ``--limit`` and the pytest plugin's
    ``ivsrt_emulator_limits``). ``ValueError`` names a bad item."""
    changes: dict[str, Any] = {}
    fields = {f.name: f for f in attrs.fields(Limits)}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in fields:
            known = ", ".join(sorted(fields))
            raise ValueError(f"limit {item!r}: expected NAME=VALUE with NAME one of {known}")
        if name in _CHOICES:
            choice = text.strip()
            if choice not in _CHOICES[name]:
                allowed = " or ".join(repr(c) for c in _CHOICES[name])
                raise ValueError(f"limit {item!r}: {name} must be {allowed}")
            changes[name] = choice
            continue
        kind = float if fields[name].type in (float, "float") else int
        try:
            value = kind(text.strip())
        except ValueError:
            raise ValueError(f"limit {item!r}: {name} must be {kind.__name__}") from None
        if not value > 0:
            raise ValueError(f"limit {item!r}: {name} must be positive")
        changes[name] = value
    return attrs.evolve(base or Limits(), **changes)
