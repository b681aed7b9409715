"""The EventBridge events the emulator emits as its state changes, as IVS sends them (source
``aws.ivs``): ``IVS Stage Update``, ``IVS Composition State Change`` and ``IVS Participant
Recording State Change``, with the envelope EventBridge delivers (``version``, ``id``,
``detail-type``, ``source``, ``account``, ``time``, ``region``, ``resources``, ``detail``) and the
detail fields of the IVS Real-Time User Guide ("Using Amazon EventBridge with IVS Real-Time
Streaming"): what `ivsrt.events.parse_event` reads.

Stage and recording events are emitted when the action happens; composition events when a
composition's state is next read (`sync_compositions`, run by ``Store.settle`` before every
operation and control action, and before the event log is read), dated when the change
happened (a composition becomes ACTIVE by time alone)."""

from __future__ import annotations

import collections
import datetime
import random
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ivsrt.emulator.state.arns import arn_account, arn_region
from ivsrt.emulator.state.records import Body, Composition, Event, Participant, Stage

if TYPE_CHECKING:
    from ivsrt.emulator.state.store import Store

__all__ = [
    "COMPOSITION",
    "DETAIL_TYPES",
    "RECORDING",
    "SOURCE",
    "STAGE",
    "Bus",
    "copy_event",
    "matches",
    "participant_event",
    "recording_event",
    "sync_compositions",
]

SOURCE = "aws.ivs"
STAGE = "IVS Stage Update"
COMPOSITION = "IVS Composition State Change"
RECORDING = "IVS Participant Recording State Change"
DETAIL_TYPES = (STAGE, COMPOSITION, RECORDING)

_STAGE_NAMES = {
    "PUBLISH_STARTED": "Participant Published",
    "PUBLISH_STOPPED": "Participant Unpublished",
    "PUBLISH_ERROR": "Participant Publish Error",
    "REPLICATION_STARTED": "Participant Replication Started",
    "REPLICATION_STOPPED": "Participant Replication Stopped",
    "TOKEN_EXCHANGED": "Token Exchanged",
}
"""Participant events (ListParticipantEvents names) that IVS also sends as a Stage Update."""


def _time(value: datetime.datetime) -> str:
    """EventBridge's ``time``: UTC, to the second."""
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Bus:
    """The events emitted so far, oldest first, at most ``max_events`` (the oldest are
    forgotten first). Each has a sequence number, counting from 1 over the bus's life."""

    def __init__(self, max_events: int, seed: int | None) -> None:
        self.max_events = max_events
        self._rng = random.Random(None if seed is None else f"eventbridge-{seed}")
        self._records: collections.deque[tuple[int, Body]] = collections.deque(maxlen=max_events)
        self.last_seq = 0

    def emit(self, detail_type: str, resource: str, time: datetime.datetime, detail: Body) -> Body:
        """Record one event about ``resource`` (an ARN)."""
        event: Body = {
            "version": "0",
            "id": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "detail-type": detail_type,
            "source": SOURCE,
            "account": arn_account(resource) or "",
            "time": _time(time),
            "region": arn_region(resource) or "",
            "resources": [resource],
            "detail": {k: v for k, v in detail.items() if v is not None},
        }
        self.last_seq += 1
        self._records.append((self.last_seq, event))
        return event

    def since(self, seq: int) -> list[tuple[int, Body]]:
        """``(sequence number, event)`` of every event kept after ``seq``, oldest first."""
        if seq >= self.last_seq:
            return []
        return [(n, e) for n, e in self._records if n > seq]

    def __len__(self) -> int:
        return len(self._records)


def copy_event(event: Body) -> Body:
    """A copy a caller may change without changing the log."""
    return {
        **event,
        "resources": list(event["resources"]),
        "detail": dict(event["detail"]),
    }


def matches(
    event: Body,
    detail_type: str | None = None,
    resource: str | None = None,
    event_name: str | None = None,
) -> bool:
    """Whether ``event`` is of ``detail_type``, about ``resource`` and named ``event_name``
    (each None: any)."""
    return (
        (detail_type is None or event["detail-type"] == detail_type)
        and (resource is None or resource in event["resources"])
        and (event_name is None or event["detail"].get("event_name") == event_name)
    )


def _session_of(stage: Stage, part: Participant) -> str | None:
    if stage.active is not None and stage.active.participants.get(part.id) is part:
        return stage.active.id
    for session in reversed(stage.sessions.values()):
        if session.participants.get(part.id) is part:
            return session.id
    return None


def participant_event(store: Store, stage: Stage, part: Participant, ev: Event) -> None:
    """The Stage Update IVS sends for a participant event, if it sends one."""
    name = _STAGE_NAMES.get(ev.name)
    if name is None:
        return
    session_id = _session_of(stage, part)
    detail: Body = {
        "session_id": session_id,
        "event_name": name,
        "user_id": part.user_id,
        "participant_id": part.id,
        "error_code": ev.error_code,
    }
    if ev.name.startswith("REPLICATION_"):
        detail.update(
            source_stage_arn=stage.arn,
            source_session_id=session_id,
            destination_stage_arn=ev.destination_stage_arn,
            destination_session_id=ev.destination_session_id,
        )
    store.bus.emit(STAGE, stage.arn, ev.time, detail)


def recording_event(store: Store, stage: Stage, part: Participant, name: str, **extra: Any) -> None:
    """An ``IVS Participant Recording State Change`` (``Recording Start``, ``Recording End``,
    ``Recording Start Failure``...) for ``part``."""
    detail: Body = {
        "session_id": _session_of(stage, part),
        "event_name": name,
        "participant_id": part.id,
        "user_id": part.user_id,
        "recording_s3_bucket_name": part.recording_bucket,
        "recording_s3_key_prefix": part.recording_prefix,
        **extra,
    }
    store.bus.emit(RECORDING, stage.arn, store.now(), detail)


def recording_duration_ms(part: Participant, now: datetime.datetime) -> int:
    """Milliseconds since the participant last started publishing (what is recorded)."""
    started = next((e.time for e in reversed(part.events) if e.name == "PUBLISH_STARTED"), now)
    return max(0, int((now - started).total_seconds() * 1000))


def _transitions(
    comp: Composition, now: datetime.datetime
) -> Iterable[tuple[str, datetime.datetime, str, Body]]:
    """``(mark, time, event name, detail)`` of every change of ``comp`` up to ``now``."""
    state, start = comp.state(now), comp.start_time(now)
    started: set[str] = set()
    if start is not None:
        yield "session-start", start, "Session Start", {}
        for d in comp.destinations:
            if d.failed_at is None or d.failed_at > start:
                started.add(d.id)
                yield f"start:{d.id}", start, "Destination Start", {"destination_id": d.id}
    for d in comp.destinations:
        lost = d.reconnecting_at
        if start is not None and lost is not None and lost <= now:
            # a disconnected broadcast (`inject_destination_failure`): Reconnecting, then a
            # new Destination Start if the reconnection succeeds (a failure is below)
            stamp = lost.isoformat()
            yield (
                f"reconnecting:{d.id}:{stamp}",
                lost,
                "Destination Reconnecting",
                {"destination_id": d.id},
            )
            if d.recovers_at is not None and d.recovers_at <= now:
                yield (
                    f"restart:{d.id}:{stamp}",
                    d.recovers_at,
                    "Destination Start",
                    {"destination_id": d.id},
                )
    for d in comp.destinations:
        if d.failed_at is not None and d.failed_at <= now:
            detail = {"destination_id": d.id, "reason": comp.failure_reason}
            yield f"failure:{d.id}", d.failed_at, "Destination Failure", detail
    if state == "FAILED" and comp.failed_at is not None:
        detail = {"reason": comp.failure_reason or "the composition failed"}
        yield "session-failure", comp.failed_at, "Session Failure", detail
    end = comp.end_time(now)
    if state == "STOPPED" and end is not None:
        for d in comp.destinations:
            if d.id in started and d.failed_at is None:
                yield f"end:{d.id}", end, "Destination End", {"destination_id": d.id}
        yield "session-end", end, "Session End", {}


def sync_compositions(store: Store) -> None:
    """Emit the Composition State Changes that happened since they were last looked at."""
    now = store.now()
    for comp in store.compositions.values():
        if comp.events_done:
            continue
        new = [t for t in _transitions(comp, now) if t[0] not in comp.events_emitted]
        if comp.session_id is None:
            stage = store.stages.get(comp.stage_arn)
            if stage is not None and stage.active is not None:
                comp.session_id = stage.active.id
        for mark, when, name, extra in sorted(new, key=lambda t: t[1]):
            comp.events_emitted.append(mark)
            detail: Body = {
                "event_name": name,
                "stage_arn": comp.stage_arn,
                "session_id": comp.session_id,
                **extra,
            }
            store.bus.emit(COMPOSITION, comp.arn, when, detail)
        comp.events_done = comp.finished(now)
