"""Quotas and memory bounds of one emulator."""

from __future__ import annotations

import attrs

__all__ = ["Limits"]


@attrs.frozen(kw_only=True)
class Limits:
    """Quotas (answered with 402 ServiceQuotaExceededException, or an error event for media)
    and memory bounds of one emulator. Every limit is enforced; quotas count every region
    of the emulator together.

    Worst-case memory with the defaults is roughly: participants
    (``max_total_participants`` x ~1 KB, attributes included) + events
    (``max_total_events`` x ~300 B) + stages (``max_stages`` x ~2 KB) + compositions
    (``max_compositions_kept`` x ~(layout + destinations), bounded by the request body, at most
    ``max_body_bytes``) + configurations and keys (a few KB each) + idempotency tokens and
    invocation ids (~200 B each): about 100 MB + 300 MB + 2 MB + 1 GB (if every composition
    body were 1 MB; ~10 MB for realistic ones) + a few MB. Lower ``max_total_events``,
    ``max_total_participants`` and ``max_body_bytes`` to bound it tighter."""

    max_stages: int = 1000
    """Stages per account (CreateStage -> 402 beyond)."""
    max_active_compositions: int = 30
    """Compositions not yet STOPPED/FAILED at once (StartComposition -> 402 beyond)."""
    max_encoder_configurations: int = 100
    max_storage_configurations: int = 100
    max_ingest_configurations: int = 1000
    max_public_keys: int = 10
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
    max_total_events: int = 1_000_000
    """Participant events kept over the whole emulator. At the cap the oldest ended stage
    session is forgotten; when none has ended, the oldest events of the live session's
    participants are dropped."""
