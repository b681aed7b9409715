"""The resources of the emulated service and their wire shapes.

Wire shapes use the service's member names, datetimes left as ``datetime`` (the HTTP layer
formats them)."""

from __future__ import annotations

import datetime
import itertools
import json
import random
import string
from collections import OrderedDict
from typing import Any

import attrs
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "Body",
    "Composition",
    "Destination",
    "Event",
    "ExchangedToken",
    "Ingest",
    "Participant",
    "Replica",
    "Session",
    "Simple",
    "Stage",
    "continue_after",
    "rand",
]

Body = dict[str, Any]
_ALNUM = string.ascii_letters + string.digits
_SEQ = itertools.count()
"""Creation order of every resource, session, participant and event (pagination resumes
after the last item returned, so deleting while listing skips nothing)."""


def continue_after(seq: int) -> None:
    """Number every record created from now on after ``seq`` (restored records keep theirs)."""
    global _SEQ
    current = next(_SEQ)
    _SEQ = itertools.count(max(current, seq + 1))


def _seq_field() -> Any:
    return attrs.field(factory=lambda: next(_SEQ), init=False, repr=False)


def rand(rng: random.Random, n: int) -> str:
    """``n`` random letters and digits."""
    return "".join(rng.choice(_ALNUM) for _ in range(n))


@attrs.define
class ExchangedToken:
    """What a TOKEN_EXCHANGED event says of one token (the model's ExchangedParticipantToken)."""

    capabilities: list[str]
    attributes: dict[str, str]
    user_id: str
    expiration_time: datetime.datetime

    def wire(self) -> Body:
        return {
            "capabilities": list(self.capabilities),
            "attributes": dict(self.attributes),
            "userId": self.user_id,
            "expirationTime": self.expiration_time,
        }


@attrs.define
class Event:
    name: str
    time: datetime.datetime
    participant_id: str
    remote_participant_id: str | None = None
    error_code: str | None = None
    destination_stage_arn: str | None = None
    destination_session_id: str | None = None
    replica: bool = False
    previous_token: ExchangedToken | None = None
    new_token: ExchangedToken | None = None
    seq: int = _seq_field()

    def wire(self) -> Body:
        out: Body = {
            "name": self.name,
            "participantId": self.participant_id,
            "eventTime": self.time,
            "replica": self.replica,
        }
        for key, value in (
            ("remoteParticipantId", self.remote_participant_id),
            ("errorCode", self.error_code),
            ("destinationStageArn", self.destination_stage_arn),
            ("destinationSessionId", self.destination_session_id),
        ):
            if value is not None:
                out[key] = value
        if self.previous_token is not None:
            out["previousToken"] = self.previous_token.wire()
        if self.new_token is not None:
            out["newToken"] = self.new_token.wire()
        return out


@attrs.define
class Participant:
    id: str
    user_id: str
    attributes: dict[str, str]
    capabilities: list[str]
    first_join_time: datetime.datetime
    protocol: str = "WHIP"
    state: str = "CONNECTED"
    published: bool = False
    publishing: bool = False
    subscribing: bool = False
    publish_started: datetime.datetime | None = None
    """When the current publication started (the 24-hour maximum counts from it)."""
    recording_state: str = "DISABLED"
    recording_bucket: str | None = None
    recording_prefix: str | None = None
    replication_type: str = "NONE"
    replication_state: str | None = None
    source_stage_arn: str | None = None
    source_session_id: str | None = None
    ingest_arn: str | None = None
    redundant_ingest: bool | None = None
    client: dict[str, str] = attrs.field(factory=dict)
    """What the participant's client reported (wire names: ``osName``, ``browserName``...)."""
    token_digest: str | None = None
    """SHA-256 of the token it last joined or exchanged with (the token itself is not kept)."""
    token_expires: datetime.datetime | None = None
    """That token's expiry."""
    events: list[Event] = attrs.field(factory=list)
    seq: int = _seq_field()

    def summary(self) -> Body:
        out: Body = {
            "participantId": self.id,
            "userId": self.user_id,
            "state": self.state,
            "firstJoinTime": self.first_join_time,
            "published": self.published,
            "recordingState": self.recording_state,
            "replicationType": self.replication_type,
        }
        if self.replication_state is not None:
            out["replicationState"] = self.replication_state
        if self.source_stage_arn is not None:
            out["sourceStageArn"] = self.source_stage_arn
            out["sourceSessionId"] = self.source_session_id
        if self.ingest_arn is not None:
            out["ingestConfigurationArn"] = self.ingest_arn
            out["redundantIngest"] = bool(self.redundant_ingest)
        return out

    def full(self) -> Body:
        out = self.summary()
        out["attributes"] = dict(self.attributes)
        out["protocol"] = self.protocol
        # the reference: the bucket and prefix, "or "" (empty string), if recording is not
        # enabled"
        out["recordingS3BucketName"] = self.recording_bucket or ""
        out["recordingS3Prefix"] = self.recording_prefix or ""
        out.update(self.client)
        return out


@attrs.define
class Session:
    id: str
    start: datetime.datetime
    end: datetime.datetime | None = None
    participants: dict[str, Participant] = attrs.field(factory=dict)
    seq: int = _seq_field()

    def wire(self) -> Body:
        out: Body = {"sessionId": self.id, "startTime": self.start}
        if self.end is not None:
            out["endTime"] = self.end
        return out

    def connected(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.state == "CONNECTED"]


@attrs.define
class Stage:
    arn: str
    id: str
    name: str
    tags: dict[str, str]
    recording: Body
    endpoints: dict[str, str]
    sessions: OrderedDict[str, Session] = attrs.field(factory=OrderedDict)
    active: Session | None = None
    empty_since: datetime.datetime | None = None
    """When the last participant left (or the stage was created); None while one is connected."""
    seq: int = _seq_field()

    def summary(self) -> Body:
        out: Body = {"arn": self.arn, "name": self.name, "tags": dict(self.tags)}
        if self.active is not None:
            out["activeSessionId"] = self.active.id
        return out

    def full(self) -> Body:
        out = self.summary()
        out["autoParticipantRecordingConfiguration"] = json.loads(json.dumps(self.recording))
        out["endpoints"] = dict(self.endpoints)
        return out


@attrs.define
class Destination:
    id: str
    configuration: Body
    failed_at: datetime.datetime | None = None
    """When it fails (maybe later: the end of a reconnection that does not succeed)."""
    detail: Body | None = None
    reconnecting_at: datetime.datetime | None = None
    """When its broadcast was disconnected (RECONNECTING from then on)."""
    recovers_at: datetime.datetime | None = None
    """When a reconnection succeeds (ACTIVE again); None: it fails at ``failed_at``."""


@attrs.define
class Composition:
    arn: str
    stage_arn: str
    layout: Body
    destinations: list[Destination]
    tags: dict[str, str]
    created: datetime.datetime
    start_delay: float
    stop_delay: float
    stop_requested: datetime.datetime | None = None
    failed_at: datetime.datetime | None = None
    failure_reason: str | None = None
    request_hash: str = ""
    session_id: str | None = None
    """The stage session it composes (when its first event was emitted)."""
    events_emitted: list[str] = attrs.field(factory=list)
    """The state changes already emitted as EventBridge events (see state/bus.py)."""
    events_done: bool = False
    """True once its last event (Session End or Session Failure) was emitted."""
    seq: int = _seq_field()

    def _active_at(self) -> datetime.datetime:
        return self.created + datetime.timedelta(seconds=self.start_delay)

    def state(self, now: datetime.datetime) -> str:
        if self.failed_at is not None and self.failed_at <= now:
            return "FAILED"
        if self.stop_requested is not None:
            done = self.stop_requested + datetime.timedelta(seconds=self.stop_delay)
            return "STOPPED" if now >= done else "STOPPING"
        return "ACTIVE" if now >= self._active_at() else "STARTING"

    def finished(self, now: datetime.datetime) -> bool:
        return self.state(now) in ("STOPPED", "FAILED")

    def start_time(self, now: datetime.datetime) -> datetime.datetime | None:
        active_at = self._active_at()
        ended = self.end_time(now)
        if now < active_at or (ended is not None and ended < active_at):
            return None
        return active_at

    def end_time(self, now: datetime.datetime) -> datetime.datetime | None:
        state = self.state(now)
        if state == "FAILED":
            return self.failed_at
        if state == "STOPPED" and self.stop_requested is not None:
            return self.stop_requested + datetime.timedelta(seconds=self.stop_delay)
        return None

    def dest_state(self, dest: Destination, now: datetime.datetime) -> str:
        state = self.state(now)
        if dest.failed_at is not None and dest.failed_at <= now and state != "STOPPED":
            return "FAILED"
        if (
            state == "ACTIVE"
            and dest.reconnecting_at is not None
            and dest.reconnecting_at <= now
            and (dest.recovers_at is None or now < dest.recovers_at)
        ):
            return "RECONNECTING"
        return state

    def drop_failures_after(self, when: datetime.datetime) -> None:
        """Failures still to come after ``when`` (a stop came first) never happen."""
        if self.failed_at is not None and self.failed_at > when:
            self.failed_at = None
            self.failure_reason = None
        for d in self.destinations:
            if d.failed_at is not None and d.failed_at > when:
                d.failed_at = None

    def _dest_summary(self, dest: Destination, now: datetime.datetime) -> Body:
        out: Body = {"id": dest.id, "state": self.dest_state(dest, now)}
        start = self.start_time(now)
        if start is not None:
            out["startTime"] = start
        failed = dest.failed_at is not None and dest.failed_at <= now
        end = dest.failed_at if failed else self.end_time(now)
        if end is not None and out["state"] in ("FAILED", "STOPPED"):
            out["endTime"] = end
        return out

    def summary(self, now: datetime.datetime) -> Body:
        out: Body = {
            "arn": self.arn,
            "stageArn": self.stage_arn,
            "state": self.state(now),
            "destinations": [self._dest_summary(d, now) for d in self.destinations],
            "tags": dict(self.tags),
        }
        start, end = self.start_time(now), self.end_time(now)
        if start is not None:
            out["startTime"] = start
        if end is not None:
            out["endTime"] = end
        return out

    def full(self, now: datetime.datetime) -> Body:
        out = self.summary(now)
        out["layout"] = json.loads(json.dumps(self.layout))
        dests = []
        for d, s in zip(self.destinations, out["destinations"], strict=True):
            s = dict(s)
            s["configuration"] = json.loads(json.dumps(d.configuration))
            if d.detail is not None:
                s["detail"] = dict(d.detail)
            dests.append(s)
        out["destinations"] = dests
        return out


@attrs.define
class Simple:
    """Encoder configurations, storage configurations and public keys."""

    arn: str
    name: str
    tags: dict[str, str]
    body: Body
    key: ec.EllipticCurvePublicKey | None = None
    seq: int = _seq_field()

    def wire(self, *fields: str) -> Body:
        out: Body = {"arn": self.arn, "name": self.name, "tags": dict(self.tags)}
        for f in fields:
            if f in self.body:
                out[f] = json.loads(json.dumps(self.body[f]))
        return out


@attrs.define
class Ingest:
    arn: str
    name: str
    protocol: str
    stream_key: str
    stage_arn: str
    participant_id: str
    user_id: str
    attributes: dict[str, str]
    redundant: bool
    tags: dict[str, str]
    state: str = "INACTIVE"
    backup_participant_id: str = ""
    backup_stream_key: str = ""
    """The second credential of redundant ingest (made when ``redundant`` is first set)."""
    seq: int = _seq_field()

    def summary(self) -> Body:
        return {
            "name": self.name,
            "arn": self.arn,
            "ingestProtocol": self.protocol,
            "stageArn": self.stage_arn,
            "participantId": self.participant_id,
            "state": self.state,
            "userId": self.user_id,
            "redundantIngest": self.redundant,
        }

    def full(self) -> Body:
        out = self.summary()
        out["streamKey"] = self.stream_key
        if self.redundant and self.backup_stream_key:
            # the model: "present only when redundantIngest is set to true"
            out["redundantIngestCredentials"] = [
                {"participantId": self.backup_participant_id, "streamKey": self.backup_stream_key}
            ]
        out["attributes"] = dict(self.attributes)
        out["tags"] = dict(self.tags)
        return out


@attrs.define
class Replica:
    source_stage_arn: str
    participant_id: str
    source_session_id: str
    destination_stage_arn: str
    destination_session_id: str
    state: str = "ACTIVE"
    reconnect_window: int = 0
    """StartParticipantReplication's ``reconnectWindowSeconds``."""
    source_left_at: datetime.datetime | None = None
    """When the source participant disconnected (None while it is connected)."""
    seq: int = _seq_field()

    def wire(self) -> Body:
        return {
            "sourceStageArn": self.source_stage_arn,
            "participantId": self.participant_id,
            "sourceSessionId": self.source_session_id,
            "destinationStageArn": self.destination_stage_arn,
            "destinationSessionId": self.destination_session_id,
            "replicationState": self.state,
        }
