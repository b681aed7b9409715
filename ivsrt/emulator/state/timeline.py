"""What time alone does, applied when the emulator's clock is read (before every operation and
control action; nothing runs in the background):

- a composition ends after `MAX_DURATION` (24 hours) ACTIVE, and is deleted
  `COMPOSITION_RETENTION` seconds after it ended (STOPPED or FAILED);
- a publication stops after `MAX_DURATION`, with a PUBLISH_ERROR event of error code
  STREAM_DURATION_EXCEEDED (an RTMP publisher is disconnected too);
- a replication whose source participant disconnected stops when its ``reconnectWindowSeconds``
  has passed without the participant reconnecting.
"""

from __future__ import annotations

import datetime

from ivsrt.emulator.state import bus, ingest, media
from ivsrt.emulator.state.store import Store

__all__ = ["COMPOSITION_RETENTION", "MAX_DURATION", "settle"]

MAX_DURATION = 24 * 3600.0
"""Longest a composition may run, and a participant may publish, in seconds (Service Quotas,
Real-Time Streaming: "Composition maximum duration" and the stream duration of a publisher,
both 24 hours)."""

COMPOSITION_RETENTION = 180.0
"""Seconds a STOPPED or FAILED composition can still be read before it is deleted (the user
guide: it is deleted "a few minutes" after it stopped; the reference: "Composition stops and the
resource is deleted"). After that, GetComposition is ResourceNotFound and ListCompositions leaves
it out."""


def settle(store: Store) -> None:
    """Apply every rule of time (see the module) up to the clock's ``now``."""
    store.settle()
    now = store.now()
    longest = datetime.timedelta(seconds=MAX_DURATION)
    for comp in store.compositions.values():
        if comp.stop_requested is None and not comp.finished(now):
            deadline = comp.created + datetime.timedelta(seconds=comp.start_delay) + longest
            if now >= deadline:
                comp.stop_requested = deadline
                comp.drop_failures_after(deadline)
    bus.sync_compositions(store)  # the events of a composition ended above, before deletion
    retention = datetime.timedelta(seconds=COMPOSITION_RETENTION)
    for arn in [
        arn
        for arn, comp in store.compositions.items()
        if (end := comp.end_time(now)) is not None and now >= end + retention
    ]:
        del store.compositions[arn]
    for stage in list(store.stages.values()):
        session = stage.active
        for part in [] if session is None else session.connected():
            started = part.publish_started
            if part.publishing and started is not None and now >= started + longest:
                media.event(store, part, "PUBLISH_ERROR", error_code="STREAM_DURATION_EXCEEDED")
                ing = store.ingests.get(part.ingest_arn or "")
                if ing is not None and ing.state == "ACTIVE":
                    ingest.end_ingest(store, ing)
                else:
                    media.stop_publishing(store, stage, part)
    for rep in store.active_replicas():
        left = rep.source_left_at
        if left is not None and now >= left + datetime.timedelta(seconds=rep.reconnect_window):
            media.stop_replica(store, rep)
