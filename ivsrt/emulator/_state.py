"""The emulated service: resources, their state machines, and one handler per operation.

Handlers take the validated request (wire names) and return the response body (wire names,
datetimes left as ``datetime``; the server formats them). They raise `ApiError` for
service errors. Everything time-dependent is computed from the clock when read.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import itertools
import json
import random
import string
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt.emulator import _tokens
from ivsrt.emulator._clock import Clock

__all__ = ["ApiError", "ControlError", "Limits", "State"]

Body = dict[str, Any]
_ALNUM = string.ascii_letters + string.digits
_ALL_CAPABILITIES = ["PUBLISH", "SUBSCRIBE"]
_SEQ = itertools.count()
"""Creation order of every resource, session, participant and event (pagination resumes
after the last item returned, so deleting while listing skips nothing)."""


def _seq_field() -> Any:
    return attrs.field(factory=lambda: next(_SEQ), init=False, repr=False)


COMPOSITION_IDLE_TIMEOUT = 60.0
"""Seconds a composition survives with no participant connected to its stage (the reference:
"after a 1-minute timeout, when all participants are disconnected from the stage")."""


class ApiError(Exception):
    """A service error: ``code`` (the ``x-amzn-ErrorType``) and a message."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class ControlError(Exception):
    """A control-surface action that cannot be done (unknown token, not joined, ...).

    ``code`` says why, e.g. ``INVALID_TOKEN``, ``NOT_FOUND``, ``NOT_CONNECTED``,
    ``INVALID_STREAM_KEY``, ``REUSE_OF_STREAM_KEY``, ``QUOTA_EXCEEDED``, ``TOKEN_REVOKED``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
    max_total_participants: int = 100_000
    """Participants kept over every stage session of the emulator. At the cap the oldest
    ended stage session (of any stage) is forgotten; when none has ended, joining raises
    `ControlError` ``QUOTA_EXCEEDED``."""
    max_total_events: int = 1_000_000
    """Participant events kept over the whole emulator. At the cap the oldest ended stage
    session is forgotten; when none has ended, the oldest events of the live session's
    participants are dropped."""


def _rand(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


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
    recording_state: str = "DISABLED"
    recording_bucket: str | None = None
    recording_prefix: str | None = None
    replication_type: str = "NONE"
    replication_state: str | None = None
    source_stage_arn: str | None = None
    source_session_id: str | None = None
    ingest_arn: str | None = None
    redundant_ingest: bool | None = None
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
        if self.recording_bucket is not None:
            out["recordingS3BucketName"] = self.recording_bucket
            out["recordingS3Prefix"] = self.recording_prefix
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
    detail: Body | None = None


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
        if dest.failed_at is not None and state not in ("STOPPED",):
            return "FAILED"
        return state

    def _dest_summary(self, dest: Destination, now: datetime.datetime) -> Body:
        out: Body = {"id": dest.id, "state": self.dest_state(dest, now)}
        start = self.start_time(now)
        if start is not None:
            out["startTime"] = start
        end = dest.failed_at if dest.failed_at is not None else self.end_time(now)
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


def _not_found(kind: str, arn: str) -> ApiError:
    return ApiError("ResourceNotFoundException", f"{kind} not found: {arn}")


def arn_region(arn: str) -> str | None:
    """The region field of an ARN (None when it is not an ARN)."""
    parts = arn.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[0] == "arn" else None


def arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else None


def _check_tag_keys(tags: Mapping[str, str]) -> None:
    for key in tags:
        if key.lower().startswith("aws:"):
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                f"tag keys beginning with 'aws:' are reserved (got {key!r})",
            )


def _recording_config(raw: Mapping[str, Any] | None) -> Body:
    """autoParticipantRecordingConfiguration with the documented defaults filled in."""
    raw = dict(raw or {})
    arn = raw.get("storageConfigurationArn", "")
    if not arn:  # "" disables recording: the other fields go back to their defaults
        raw = {}
    thumb = dict(raw.get("thumbnailConfiguration") or {})
    return {
        "storageConfigurationArn": arn,
        "mediaTypes": list(raw.get("mediaTypes") or ["AUDIO_VIDEO"]),
        "thumbnailConfiguration": {
            "targetIntervalSeconds": thumb.get("targetIntervalSeconds", 60),
            "storage": list(thumb.get("storage") or ["SEQUENTIAL"]),
            "recordingMode": thumb.get("recordingMode", "DISABLED"),
        },
        "recordingReconnectWindowSeconds": raw.get("recordingReconnectWindowSeconds", 0),
        "hlsConfiguration": {
            "targetSegmentDurationSeconds": (raw.get("hlsConfiguration") or {}).get(
                "targetSegmentDurationSeconds", 6
            )
        },
        "recordParticipantReplicas": raw.get("recordParticipantReplicas", True),
    }


_DEFAULT_PAGE: dict[str, int] = {
    "ListCompositions": 100,
    "ListEncoderConfigurations": 100,
    "ListStorageConfigurations": 100,
}
"""maxResults defaults the reference states (every other List* defaults to 50)."""


class State:
    """All resources of one emulator. Not thread-safe by itself: the server and the control
    methods call it under `lock`."""

    def __init__(
        self,
        *,
        clock: Clock,
        account_id: str,
        default_region: str,
        limits: Limits,
        composition_start_delay: float,
        composition_stop_delay: float,
        seed: int | None,
    ) -> None:
        self.clock = clock
        self.account_id = account_id
        self.default_region = default_region
        self.limits = limits
        self.start_delay = composition_start_delay
        self.stop_delay = composition_stop_delay
        self.rng = random.Random(seed)
        self.lock = threading.RLock()
        self._page_secret = self.rng.randbytes(32)
        self._signing_key = ec.generate_private_key(ec.SECP384R1())
        self._kid = _rand(self.rng, 12)
        self.stages: dict[str, Stage] = {}
        self.compositions: OrderedDict[str, Composition] = OrderedDict()
        self.idempotency: OrderedDict[str, tuple[str, str]] = OrderedDict()
        """idempotencyToken -> (composition ARN, hash of the rest of the request)."""
        self.encoders: dict[str, Simple] = {}
        self.storages: dict[str, Simple] = {}
        self.public_keys: dict[str, Simple] = {}
        self.ingests: dict[str, Ingest] = {}
        self.replicas: list[Replica] = []
        self.revoked: OrderedDict[tuple[str, str], None] = OrderedDict()
        """(region, connection token id) revoked by RevokeConnectionToken, oldest first
        (bounded by Limits.max_total_participants)."""
        self.n_participants = 0
        """Participants over every kept stage session (bounded by max_total_participants)."""
        self.n_events = 0
        """Events over every kept participant (bounded by max_total_events)."""

    # -- helpers ---------------------------------------------------------------------------
    def now(self) -> datetime.datetime:
        return self.clock.now()

    def arn(self, region: str, kind: str) -> tuple[str, str]:
        rid = _rand(self.rng, 12)
        return f"arn:aws:ivs:{region}:{self.account_id}:{kind}/{rid}", rid

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The key the emulator signs participant tokens with."""
        return self._signing_key.public_key()

    def _stage(self, arn: str) -> Stage:
        stage = self.stages.get(arn)
        if stage is None:
            raise _not_found("Stage", arn)
        return stage

    def _quota(self, kind: str, n: int, limit: int, unit: str = "per account") -> None:
        """402 when ``n`` resources of ``kind`` already reach ``limit``."""
        if n >= limit:
            raise ApiError(
                "ServiceQuotaExceededException", f"{kind} quota exceeded: at most {limit} {unit}"
            )

    @staticmethod
    def _new_tags(p: Mapping[str, Any]) -> dict[str, str]:
        """The tags of a Create* request (their number is checked by the model: at most 50)."""
        tags = dict(p.get("tags") or {})
        _check_tag_keys(tags)
        return tags

    def _check_tags(self, tags: Mapping[str, str]) -> None:
        _check_tag_keys(tags)
        if len(tags) > 50:
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                f"at most 50 tags can be applied to a resource (got {len(tags)})",
            )

    def _page(
        self,
        op: str,
        params: Mapping[str, Any],
        items: Sequence[Any],
        render: Callable[[Any], Body],
        scope: str = "",
        *,
        descending: bool = False,
    ) -> tuple[list[Body], str | None]:
        """One page of ``items`` (in creation order, or its reverse with ``descending``).

        The token holds the creation number (``seq``) of the last item returned, HMAC'd and
        bound to the operation and ``scope`` (the filters): the next page starts after it, so
        deleting items between pages skips nothing."""
        limit = params.get("maxResults") or _DEFAULT_PAGE.get(op, 50)
        token = params.get("nextToken")
        start = 0
        key = f"{op}|{scope}"
        if token:
            after = self._read_token(token, key)
            start = next(
                (
                    i
                    for i, item in enumerate(items)
                    if (item.seq < after if descending else item.seq > after)
                ),
                len(items),
            )
        chosen = items[start : start + limit]
        nxt = None
        if start + limit < len(items):
            nxt = self._make_token(key, chosen[-1].seq)
        return [render(x) for x in chosen], nxt

    def _make_token(self, key: str, offset: int) -> str:
        payload = f"{offset}|{key}".encode()
        mac = hmac.new(self._page_secret, payload, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")

    def _read_token(self, token: str, key: str) -> int:
        bad = ApiError(
            "ValidationException",
            "1 validation error detected: Value at 'nextToken' failed to satisfy constraint: "
            "the pagination token is not valid for this request",
        )
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raise bad from None
        mac, payload = raw[:12], raw[12:]
        good = hmac.new(self._page_secret, payload, hashlib.sha256).digest()[:12]
        if len(mac) != 12 or not hmac.compare_digest(mac, good):
            raise bad
        offset_text, _, token_key = payload.decode(errors="replace").partition("|")
        if token_key != key or not offset_text.isdigit():
            raise bad
        return int(offset_text)

    def _all_tagged(self) -> Iterable[Any]:
        yield from self.stages.values()
        yield from self.compositions.values()
        yield from self.encoders.values()
        yield from self.storages.values()
        yield from self.public_keys.values()
        yield from self.ingests.values()

    def _tagged(self, arn: str) -> Any:
        for res in self._all_tagged():
            if res.arn == arn:
                return res
        raise _not_found("Resource", arn)

    def _active_compositions(self) -> list[Composition]:
        now = self.now()
        return [c for c in self.compositions.values() if not c.finished(now)]

    def _active_replicas(
        self,
        *,
        source: str | None = None,
        destination: str | None = None,
        participant: str | None = None,
    ) -> list[Replica]:
        """ACTIVE replicas matching every filter given."""
        return [
            r
            for r in self.replicas
            if r.state == "ACTIVE"
            and (source is None or r.source_stage_arn == source)
            and (destination is None or r.destination_stage_arn == destination)
            and (participant is None or r.participant_id == participant)
        ]

    @staticmethod
    def _detach_ingest(ing: Ingest) -> None:
        """The ingest configuration loses its stage (its publisher was disconnected)."""
        ing.stage_arn = ""
        ing.state = "INACTIVE"

    def settle(self) -> None:
        """Apply what time alone does: a composition whose stage has had no participant
        connected for `COMPOSITION_IDLE_TIMEOUT` seconds (counted from its start at the
        earliest) stops. Called before every operation and control action."""
        now = self.now()
        timeout = datetime.timedelta(seconds=COMPOSITION_IDLE_TIMEOUT)
        for comp in self.compositions.values():
            if comp.stop_requested is not None or comp.finished(now):
                continue
            stage = self.stages.get(comp.stage_arn)
            if stage is None or stage.empty_since is None:
                continue
            deadline = max(comp.created, stage.empty_since) + timeout
            if now >= deadline and (comp.failed_at is None or comp.failed_at > deadline):
                comp.stop_requested = deadline
                comp.failure_reason = None

    # -- stages ----------------------------------------------------------------------------
    def _make_token_for(
        self,
        stage: Stage,
        *,
        duration: int | None,
        user_id: str | None,
        attributes: Mapping[str, str] | None,
        capabilities: Sequence[str] | None,
    ) -> Body:
        now = self.now()
        duration = 720 if duration is None else duration
        caps = list(_ALL_CAPABILITIES if capabilities is None else capabilities)
        pid = _rand(self.rng, 12)
        expires = now + datetime.timedelta(minutes=duration)
        claims = {
            "jti": pid,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "resource": stage.arn,
            "topic": stage.id,
            "user_id": user_id or "",
            "attributes": dict(attributes or {}),
            "capabilities": {
                "allow_publish": "PUBLISH" in caps,
                "allow_subscribe": "SUBSCRIBE" in caps,
            },
            "whip_url": stage.endpoints["whip"],
            "events_url": stage.endpoints["events"],
            "version": "1.0",
        }
        token = _tokens.sign_es384(self._signing_key, self._kid, claims)
        out: Body = {
            "participantId": pid,
            "token": token,
            "attributes": dict(attributes or {}),
            "duration": duration,
            "capabilities": caps,
            "expirationTime": expires.replace(microsecond=0),
        }
        if user_id is not None:
            out["userId"] = user_id
        return out

    def CreateStage(self, p: Body, region: str) -> Body:
        self._quota("Stage", len(self.stages), self.limits.max_stages)
        tags = self._new_tags(p)
        recording = p.get("autoParticipantRecordingConfiguration")
        if recording and recording.get("storageConfigurationArn"):
            sarn = recording["storageConfigurationArn"]
            if sarn not in self.storages or arn_region(sarn) != region:
                raise ApiError(
                    "ValidationException",
                    f"Value at 'autoParticipantRecordingConfiguration.storageConfigurationArn' "
                    f"failed to satisfy constraint: storage configuration not found: {sarn}",
                )
        arn, sid = self.arn(region, "stage")
        host = _rand(self.rng, 12).lower()
        stage = Stage(
            arn=arn,
            id=sid,
            name=p.get("name", ""),
            tags=tags,
            recording=_recording_config(recording),
            endpoints={
                "events": "wss://global.events.live-video.net",
                "whip": f"https://{host}.global-bm.whip.live-video.net",
                "rtmp": f"rtmp://{host}.global-contribute.live-video.net/app/",
                "rtmps": f"rtmps://{host}.global-contribute.live-video.net:443/app/",
            },
            empty_since=self.now(),
        )
        self.stages[arn] = stage
        tokens = [
            self._make_token_for(
                stage,
                duration=c.get("duration"),
                user_id=c.get("userId"),
                attributes=c.get("attributes"),
                capabilities=c.get("capabilities"),
            )
            for c in p.get("participantTokenConfigurations") or []
        ]
        return {"stage": stage.full(), "participantTokens": tokens}

    def GetStage(self, p: Body, region: str) -> Body:
        return {"stage": self._stage(p["arn"]).full()}

    def UpdateStage(self, p: Body, region: str) -> Body:
        stage = self._stage(p["arn"])
        if "name" in p:
            stage.name = p["name"]
        if "autoParticipantRecordingConfiguration" in p:
            session = stage.active
            if session is not None and any(
                x.recording_state in ("STARTING", "ACTIVE") for x in session.connected()
            ):
                raise ApiError(
                    "ConflictException",
                    "autoParticipantRecordingConfiguration cannot be updated while recording "
                    "is active",
                )
            recording = p["autoParticipantRecordingConfiguration"]
            sarn = recording.get("storageConfigurationArn")
            if sarn and (sarn not in self.storages or arn_region(sarn) != region):
                raise _not_found("StorageConfiguration", sarn)
            stage.recording = _recording_config(recording)
        return {"stage": stage.full()}

    def DeleteStage(self, p: Body, region: str) -> Body:
        stage = self._stage(p["arn"])
        # the reference: deleting a stage "removes the stageArn from the associated
        # IngestConfiguration, if there are participants using [it] to publish to the stage"
        for ing in self.ingests.values():
            if ing.stage_arn == stage.arn and ing.state == "ACTIVE":
                self._detach_ingest(ing)
        if stage.active is not None:
            for part in list(stage.active.connected()):
                self._leave(stage, part, reason="stage deleted")
        for rep in self._active_replicas(source=stage.arn) + self._active_replicas(
            destination=stage.arn
        ):
            self._stop_replica(rep)
        now = self.now()
        for comp in self.compositions.values():
            if comp.stage_arn == stage.arn and comp.stop_requested is None:
                comp.stop_requested = now
        for session in stage.sessions.values():
            self._forget_session_counts(session)
        del self.stages[stage.arn]
        return {}

    def ListStages(self, p: Body, region: str) -> Body:
        items = [s for s in self.stages.values() if arn_region(s.arn) == region]
        page, nxt = self._page("ListStages", p, items, Stage.summary)
        return _with_token({"stages": page}, nxt)

    def CreateParticipantToken(self, p: Body, region: str) -> Body:
        stage = self._stage(p["stageArn"])
        token = self._make_token_for(
            stage,
            duration=p.get("duration"),
            user_id=p.get("userId"),
            attributes=p.get("attributes"),
            capabilities=p.get("capabilities"),
        )
        return {"participantToken": token}

    # -- sessions and participants ---------------------------------------------------------
    def _session(self, stage_arn: str, session_id: str) -> tuple[Stage, Session]:
        stage = self._stage(stage_arn)
        session = stage.sessions.get(session_id)
        if session is None:
            raise _not_found("Stage session", session_id)
        return stage, session

    def GetStageSession(self, p: Body, region: str) -> Body:
        _, session = self._session(p["stageArn"], p["sessionId"])
        return {"stageSession": session.wire()}

    def ListStageSessions(self, p: Body, region: str) -> Body:
        stage = self.stages.get(p["stageArn"])
        sessions = [] if stage is None else list(reversed(stage.sessions.values()))
        page, nxt = self._page(
            "ListStageSessions", p, sessions, Session.wire, p["stageArn"], descending=True
        )
        return _with_token({"stageSessions": page}, nxt)

    def GetParticipant(self, p: Body, region: str) -> Body:
        _, session = self._session(p["stageArn"], p["sessionId"])
        part = session.participants.get(p["participantId"])
        if part is None:
            raise _not_found("Participant", p["participantId"])
        return {"participant": part.full()}

    def ListParticipants(self, p: Body, region: str) -> Body:
        stage = self.stages.get(p["stageArn"])
        session = None if stage is None else stage.sessions.get(p["sessionId"])
        parts = [] if session is None else list(session.participants.values())
        if "filterByUserId" in p:
            parts = [x for x in parts if x.user_id == p["filterByUserId"]]
        if "filterByPublished" in p:
            parts = [x for x in parts if x.published == p["filterByPublished"]]
        if "filterByState" in p:
            parts = [x for x in parts if x.state == p["filterByState"]]
        if "filterByRecordingState" in p:
            parts = [x for x in parts if x.recording_state == p["filterByRecordingState"]]
        scope = json.dumps({k: v for k, v in p.items() if k not in ("nextToken", "maxResults")})
        page, nxt = self._page("ListParticipants", p, parts, Participant.summary, scope)
        return _with_token({"participants": page}, nxt)

    def ListParticipantEvents(self, p: Body, region: str) -> Body:
        stage = self.stages.get(p["stageArn"])
        session = None if stage is None else stage.sessions.get(p["sessionId"])
        part = None if session is None else session.participants.get(p["participantId"])
        items = [] if part is None else part.events
        scope = f"{p['stageArn']}|{p['sessionId']}|{p['participantId']}"
        page, nxt = self._page("ListParticipantEvents", p, items, Event.wire, scope)
        return _with_token({"events": page}, nxt)

    def DisconnectParticipant(self, p: Body, region: str) -> Body:
        stage = self._stage(p["stageArn"])
        session = stage.active
        part = None if session is None else session.participants.get(p["participantId"])
        if part is None or part.state != "CONNECTED":
            raise _not_found("Connected participant", p["participantId"])
        self._leave(stage, part, reason=p.get("reason"))
        for ing in self.ingests.values():
            if ing.participant_id == part.id:
                self._detach_ingest(ing)
        return {}

    def RevokeConnectionToken(self, p: Body, region: str) -> Body:
        """The token's id is the participant id it carries (the JWT's ``jti``): the participant
        connected with it is disconnected, and the token can never join again. Revoking an id
        no token has is not an error (the model lists no ResourceNotFoundException)."""
        token_id = p["tokenId"]
        self.revoked[(region, token_id)] = None
        self.revoked.move_to_end((region, token_id))
        while len(self.revoked) > self.limits.max_total_participants:
            self.revoked.popitem(last=False)
        for stage in self.stages.values():
            session = stage.active
            part = None if session is None else session.participants.get(token_id)
            if arn_region(stage.arn) == region and part is not None and part.state == "CONNECTED":
                self._leave(stage, part, reason="connection token revoked")
                for ing in self.ingests.values():
                    if ing.participant_id == part.id:
                        self._detach_ingest(ing)
        return {}

    def _event(self, part: Participant, name: str, **kw: Any) -> None:
        if self.n_events >= self.limits.max_total_events:
            self._make_room("n_events", self.limits.max_total_events, part)
        part.events.append(Event(name=name, time=self.now(), participant_id=part.id, **kw))
        self.n_events += 1
        excess = len(part.events) - self.limits.max_events_per_participant
        if excess > 0:
            del part.events[:excess]
            self.n_events -= excess

    def _forget_session_counts(self, session: Session) -> None:
        self.n_participants -= len(session.participants)
        self.n_events -= sum(len(x.events) for x in session.participants.values())

    def _drop_oldest_ended_session(self) -> bool:
        """Forget the stage session (of any stage) that ended first; False if none ended."""
        oldest: tuple[datetime.datetime, Stage, Session] | None = None
        for stage in self.stages.values():
            for session in stage.sessions.values():
                if session.end is not None and (oldest is None or session.end < oldest[0]):
                    oldest = (session.end, stage, session)
        if oldest is None:
            return False
        _, stage, session = oldest
        self._forget_session_counts(session)
        del stage.sessions[session.id]
        return True

    def _make_room(self, counter: str, cap: int, part: Participant) -> None:
        """Bring ``counter`` below ``cap``: forget ended sessions oldest first, then (for
        events) the oldest events of the live participants of ``part``'s session."""
        while getattr(self, counter) >= cap and self._drop_oldest_ended_session():
            pass
        if counter != "n_events" or self.n_events < cap:
            return
        victims = [part] + [
            x for s in self._sessions_of(part) for x in s.participants.values() if x is not part
        ]
        for victim in victims:
            if victim.events:
                del victim.events[0]
                self.n_events -= 1
                return

    def _sessions_of(self, part: Participant) -> list[Session]:
        return [
            s
            for st in self.stages.values()
            for s in st.sessions.values()
            if s.participants.get(part.id) is part
        ]

    def _join(
        self,
        stage: Stage,
        pid: str,
        *,
        user_id: str,
        attributes: Mapping[str, str],
        capabilities: Sequence[str],
        protocol: str,
        replica_of: tuple[str, str] | None = None,
    ) -> Participant:
        now = self.now()
        self.settle()
        session = stage.active
        part = None if session is None else session.participants.get(pid)
        if part is not None and part.state == "CONNECTED":
            raise ControlError("ALREADY_CONNECTED", f"participant {pid} is already connected")
        if part is None:
            if session is not None and (
                len(session.participants) >= self.limits.max_participants_per_session
            ):
                raise ControlError(
                    "QUOTA_EXCEEDED",
                    f"stage session {session.id} already has "
                    f"{self.limits.max_participants_per_session} participants",
                )
            if self.n_participants >= self.limits.max_total_participants:
                while (
                    self.n_participants >= self.limits.max_total_participants
                    and self._drop_oldest_ended_session()
                ):
                    pass
                if self.n_participants >= self.limits.max_total_participants:
                    raise ControlError(
                        "QUOTA_EXCEEDED",
                        f"the emulator already keeps {self.limits.max_total_participants} "
                        f"participants in live stage sessions (Limits.max_total_participants)",
                    )
        if session is None:
            session = Session(id="st-" + _rand(self.rng, 13), start=now)
            stage.sessions[session.id] = session
            stage.active = session
            stage.empty_since = None
            self._trim_sessions(stage)
        if part is None:
            part = Participant(
                id=pid,
                user_id=user_id,
                attributes=dict(attributes),
                capabilities=list(capabilities),
                first_join_time=now,
                protocol=protocol,
            )
            if replica_of is not None:
                part.replication_type = "REPLICA"
                part.replication_state = "ACTIVE"
                part.source_stage_arn, part.source_session_id = replica_of
            session.participants[pid] = part
            self.n_participants += 1
        part.state = "CONNECTED"
        self._event(part, "JOINED", replica=replica_of is not None)
        return part

    def _trim_sessions(self, stage: Stage) -> None:
        while len(stage.sessions) > self.limits.max_sessions_per_stage:
            for sid, s in stage.sessions.items():
                if s.end is not None:
                    self._forget_session_counts(s)
                    del stage.sessions[sid]
                    break
            else:
                return

    def _leave(self, stage: Stage, part: Participant, reason: str | None = None) -> None:
        replica = part.replication_type == "REPLICA"
        if part.publishing:
            self._stop_publishing(stage, part)
        if part.subscribing:
            part.subscribing = False
            self._event(part, "SUBSCRIBE_STOPPED", replica=replica)
        # a source that leaves stops its replications; a replica that leaves (disconnected in
        # the destination stage) stops its own
        for rep in self._active_replicas(source=stage.arn, participant=part.id):
            self._stop_replica(rep)
        if replica:
            for rep in self._active_replicas(destination=stage.arn, participant=part.id):
                self._stop_replica(rep, replica_left=True)
            part.replication_state = "STOPPED"
        part.state = "DISCONNECTED"
        self._event(part, "LEFT", replica=replica)
        session = stage.active
        if session is not None and not session.connected():
            session.end = self.now()
            stage.active = None
            stage.empty_since = session.end

    def _stop_publishing(self, stage: Stage, part: Participant) -> None:
        part.publishing = False
        if part.recording_state in ("STARTING", "ACTIVE"):
            part.recording_state = "STOPPED"
        self._event(part, "PUBLISH_STOPPED", replica=part.replication_type == "REPLICA")

    def _publish(self, stage: Stage, part: Participant) -> bool:
        replica = part.replication_type == "REPLICA"
        if "PUBLISH" not in part.capabilities:
            self._event(
                part, "PUBLISH_ERROR", error_code="INSUFFICIENT_CAPABILITIES", replica=replica
            )
            return False
        session = stage.active
        assert session is not None
        publishers = sum(1 for x in session.connected() if x.publishing)
        if publishers >= self.limits.max_publishers_per_stage:
            self._event(part, "PUBLISH_ERROR", error_code="QUOTA_EXCEEDED", replica=replica)
            return False
        part.publishing = True
        part.published = True
        rec = stage.recording
        if rec["storageConfigurationArn"] and (
            not replica or rec.get("recordParticipantReplicas", True)
        ):
            storage = self.storages.get(rec["storageConfigurationArn"])
            part.recording_state = "ACTIVE"
            if storage is not None:
                part.recording_bucket = storage.body["s3"]["bucketName"]
                part.recording_prefix = f"{stage.id}/{session.id}/{part.id}"
        self._event(part, "PUBLISH_STARTED", replica=replica)
        return True

    # token-driven control actions ------------------------------------------------------------
    def _decode(self, token: str) -> tuple[Stage, dict[str, Any]]:
        try:
            _, claims = _tokens.decode_unverified(token)
        except _tokens.TokenError as exc:
            raise ControlError("INVALID_TOKEN", str(exc)) from None
        keys: list[ec.EllipticCurvePublicKey] = [self.public_key]
        keys += [k.key for k in self.public_keys.values() if k.key is not None]
        if not _tokens.verify_es384(token, keys):
            raise ControlError(
                "INVALID_TOKEN",
                "the token's signature does not verify with the emulator's key or any "
                "imported public key",
            )
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= self.now().timestamp():
            raise ControlError("TOKEN_EXPIRED", "the participant token has expired")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise ControlError("INVALID_TOKEN", "the token has no jti (participant id)")
        resource = claims.get("resource")
        stage = self.stages.get(resource) if isinstance(resource, str) else None
        if stage is None:
            raise ControlError("NOT_FOUND", f"the token's stage does not exist: {resource}")
        return stage, claims

    def _participant(self, token: str) -> tuple[Stage, Participant]:
        stage, claims = self._decode(token)
        session = stage.active
        part = None if session is None else session.participants.get(claims["jti"])
        if part is None or part.state != "CONNECTED":
            raise ControlError("NOT_CONNECTED", f"participant {claims['jti']} is not connected")
        return stage, part

    def join(self, token: str) -> str:
        stage, claims = self._decode(token)
        if (arn_region(stage.arn), claims["jti"]) in self.revoked:
            raise ControlError(
                "TOKEN_REVOKED",
                f"the connection token {claims['jti']} was revoked (RevokeConnectionToken) "
                "and can never join again",
            )
        caps_claim = claims.get("capabilities")
        if isinstance(caps_claim, dict):
            caps = [
                c
                for c, flag in (("PUBLISH", "allow_publish"), ("SUBSCRIBE", "allow_subscribe"))
                if caps_claim.get(flag)
            ]
        elif isinstance(caps_claim, list):
            caps = [str(c) for c in caps_claim]
        else:
            caps = list(_ALL_CAPABILITIES)
        attributes = claims.get("attributes")
        part = self._join(
            stage,
            claims["jti"],
            user_id=str(claims.get("user_id") or ""),
            attributes=attributes if isinstance(attributes, dict) else {},
            capabilities=caps,
            protocol="WHIP",
        )
        return part.id

    def leave(self, token: str) -> None:
        stage, part = self._participant(token)
        self._leave(stage, part)

    def publish(self, token: str) -> bool:
        stage, part = self._participant(token)
        if part.publishing:
            return True
        return self._publish(stage, part)

    def unpublish(self, token: str) -> None:
        stage, part = self._participant(token)
        if part.publishing:
            self._stop_publishing(stage, part)

    def subscribe(self, token: str) -> bool:
        stage, part = self._participant(token)
        if "SUBSCRIBE" not in part.capabilities:
            self._event(part, "SUBSCRIBE_ERROR", error_code="INSUFFICIENT_CAPABILITIES")
            return False
        if part.subscribing:
            return True
        assert stage.active is not None
        remote = next((x.id for x in stage.active.connected() if x.publishing), None)
        part.subscribing = True
        self._event(part, "SUBSCRIBE_STARTED", remote_participant_id=remote)
        return True

    def unsubscribe(self, token: str) -> None:
        _, part = self._participant(token)
        if part.subscribing:
            part.subscribing = False
            self._event(part, "SUBSCRIBE_STOPPED")

    # -- RTMP ingest -------------------------------------------------------------------------
    def _ingest_by_key(self, stream_key: str) -> Ingest:
        for ing in self.ingests.values():
            if hmac.compare_digest(ing.stream_key, stream_key):
                return ing
        raise ControlError("INVALID_STREAM_KEY", "no ingest configuration has this stream key")

    def start_rtmp(self, stream_key: str) -> None:
        ing = self._ingest_by_key(stream_key)
        if ing.state == "ACTIVE":
            raise ControlError(
                "REUSE_OF_STREAM_KEY", f"ingest configuration {ing.arn} is already publishing"
            )
        stage = self.stages.get(ing.stage_arn) if ing.stage_arn else None
        if stage is None:
            raise ControlError(
                "NOT_FOUND", f"ingest configuration {ing.arn} is not attached to a stage"
            )
        part = self._join(
            stage,
            ing.participant_id,
            user_id=ing.user_id,
            attributes=ing.attributes,
            capabilities=["PUBLISH"],
            protocol=ing.protocol,
        )
        part.ingest_arn = ing.arn
        part.redundant_ingest = ing.redundant
        if not self._publish(stage, part):
            # refused (the PUBLISH_ERROR event says why): the RTMP connection is dropped
            self._leave(stage, part)
            raise ControlError(
                "QUOTA_EXCEEDED",
                f"stage {stage.arn} already has {self.limits.max_publishers_per_stage} publishers",
            )
        ing.state = "ACTIVE"

    def stop_rtmp(self, stream_key: str) -> None:
        ing = self._ingest_by_key(stream_key)
        if ing.state != "ACTIVE":
            raise ControlError("NOT_CONNECTED", f"ingest configuration {ing.arn} is not live")
        self._end_ingest(ing)

    def _end_ingest(self, ing: Ingest) -> None:
        ing.state = "INACTIVE"
        stage = self.stages.get(ing.stage_arn)
        session = None if stage is None else stage.active
        part = None if session is None else session.participants.get(ing.participant_id)
        if stage is not None and part is not None and part.state == "CONNECTED":
            self._leave(stage, part)

    # -- compositions ------------------------------------------------------------------------
    def StartComposition(self, p: Body, region: str) -> Body:
        token = p.get("idempotencyToken")
        request_hash = hashlib.sha256(
            json.dumps(
                {k: v for k, v in p.items() if k != "idempotencyToken"}, sort_keys=True
            ).encode()
        ).hexdigest()
        if token and token in self.idempotency:
            arn, known_hash = self.idempotency[token]
            existing = self.compositions.get(arn)
            if existing is not None:
                if known_hash != request_hash:
                    raise ApiError(
                        "ConflictException",
                        "idempotencyToken was already used by a StartComposition request with "
                        f"different parameters (composition {arn})",
                    )
                return {"composition": existing.full(self.now())}
        stage = self._stage(p["stageArn"])
        tags = self._new_tags(p)
        dests = []
        for i, d in enumerate(p["destinations"]):
            conf = json.loads(json.dumps(d))
            if "channel" in d:
                self._same_place(
                    stage, f"destinations[{i}].channel.channelArn", d["channel"]["channelArn"]
                )
                enc = d["channel"].get("encoderConfigurationArn")
                if enc:
                    self._same_place(
                        stage, f"destinations[{i}].channel.encoderConfigurationArn", enc
                    )
                    if enc not in self.encoders:
                        raise _not_found("EncoderConfiguration", enc)
            if "s3" in d:
                sarn = d["s3"]["storageConfigurationArn"]
                self._same_place(stage, f"destinations[{i}].s3.storageConfigurationArn", sarn)
                if sarn not in self.storages:
                    raise _not_found("StorageConfiguration", sarn)
                for j, enc in enumerate(d["s3"]["encoderConfigurationArns"]):
                    self._same_place(
                        stage, f"destinations[{i}].s3.encoderConfigurationArns[{j}]", enc
                    )
                    if enc not in self.encoders:
                        raise _not_found("EncoderConfiguration", enc)
                conf["s3"].setdefault("recordingConfiguration", {"format": "HLS"})
            conf.setdefault("name", f"destination-{i + 1}")
            dests.append(Destination(id=_rand(self.rng, 12), configuration=conf))
        self._quota(
            "Composition",
            len(self._active_compositions()),
            self.limits.max_active_compositions,
            "concurrent compositions per account",
        )
        arn, cid = self.arn(region, "composition")
        for d in dests:
            if "s3" in d.configuration:
                d.detail = {"s3": {"recordingPrefix": f"{stage.id}/{cid}/composite"}}
        layout = json.loads(json.dumps(p.get("layout") or {"grid": {}}))
        comp = Composition(
            arn=arn,
            stage_arn=stage.arn,
            layout=layout,
            destinations=dests,
            tags=tags,
            created=self.now(),
            start_delay=self.start_delay,
            stop_delay=self.stop_delay,
        )
        self.compositions[arn] = comp
        self._trim_compositions()
        if token:
            self.idempotency[token] = (arn, request_hash)
            while len(self.idempotency) > self.limits.max_idempotency_tokens:
                self.idempotency.popitem(last=False)
        return {"composition": comp.full(self.now())}

    def _same_place(self, stage: Stage, field: str, arn: str) -> None:
        """A destination resource must be in the stage's region and account."""
        region, account = arn_region(stage.arn), arn_account(stage.arn)
        if arn_region(arn) != region or arn_account(arn) != account:
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value at '{field}' failed to satisfy "
                f"constraint: must be in the stage's region and account ({region}, {account}), "
                f"got ({arn_region(arn)}, {arn_account(arn)})",
            )

    def _trim_compositions(self) -> None:
        now = self.now()
        while len(self.compositions) > self.limits.max_compositions_kept:
            for arn, comp in self.compositions.items():
                if comp.finished(now):
                    del self.compositions[arn]
                    break
            else:
                return

    def _composition(self, arn: str) -> Composition:
        comp = self.compositions.get(arn)
        if comp is None:
            raise _not_found("Composition", arn)
        return comp

    def GetComposition(self, p: Body, region: str) -> Body:
        return {"composition": self._composition(p["arn"]).full(self.now())}

    def StopComposition(self, p: Body, region: str) -> Body:
        comp = self._composition(p["arn"])
        if comp.stop_requested is None and comp.state(self.now()) != "FAILED":
            comp.stop_requested = self.now()
        return {}

    def ListCompositions(self, p: Body, region: str) -> Body:
        now = self.now()
        comps = [c for c in self.compositions.values() if arn_region(c.arn) == region]
        if "filterByStageArn" in p:
            comps = [c for c in comps if c.stage_arn == p["filterByStageArn"]]
        if "filterByEncoderConfigurationArn" in p:
            enc = p["filterByEncoderConfigurationArn"]
            comps = [c for c in comps if enc in _encoders_of(c)]
        scope = json.dumps({k: v for k, v in p.items() if k.startswith("filter")})
        page, nxt = self._page("ListCompositions", p, comps, lambda c: c.summary(now), scope)
        return _with_token({"compositions": page}, nxt)

    def fail_composition(self, arn: str, reason: str) -> None:
        comp = self.compositions.get(arn)
        if comp is None:
            raise ControlError("NOT_FOUND", f"composition not found: {arn}")
        if comp.finished(self.now()):
            raise ControlError("NOT_ACTIVE", f"composition {arn} has already ended")
        comp.failed_at = self.now()
        comp.failure_reason = reason
        for d in comp.destinations:
            if d.failed_at is None:
                d.failed_at = comp.failed_at

    def fail_destination(self, arn: str, destination_id: str) -> None:
        comp = self.compositions.get(arn)
        if comp is None:
            raise ControlError("NOT_FOUND", f"composition not found: {arn}")
        for d in comp.destinations:
            if d.id == destination_id:
                if comp.finished(self.now()):
                    raise ControlError("NOT_ACTIVE", f"composition {arn} has already ended")
                d.failed_at = self.now()
                if all(x.failed_at is not None for x in comp.destinations):
                    comp.failed_at = d.failed_at
                    comp.failure_reason = "every destination failed"
                return
        raise ControlError("NOT_FOUND", f"composition {arn} has no destination {destination_id}")

    # -- encoder / storage configurations, public keys ---------------------------------------
    def CreateEncoderConfiguration(self, p: Body, region: str) -> Body:
        self._quota(
            "EncoderConfiguration", len(self.encoders), self.limits.max_encoder_configurations
        )
        tags = self._new_tags(p)
        arn, _ = self.arn(region, "encoder-configuration")
        video = {"width": 1280, "height": 720, "framerate": 30.0, "bitrate": 2500000}
        video.update(p.get("video") or {})
        enc = Simple(arn, p.get("name", ""), tags, {"video": video})
        self.encoders[arn] = enc
        return {"encoderConfiguration": enc.wire("video")}

    def _simple(self, table: dict[str, Simple], kind: str, arn: str) -> Simple:
        res = table.get(arn)
        if res is None:
            raise _not_found(kind, arn)
        return res

    def GetEncoderConfiguration(self, p: Body, region: str) -> Body:
        enc = self._simple(self.encoders, "EncoderConfiguration", p["arn"])
        return {"encoderConfiguration": enc.wire("video")}

    def DeleteEncoderConfiguration(self, p: Body, region: str) -> Body:
        enc = self._simple(self.encoders, "EncoderConfiguration", p["arn"])
        users = [c.arn for c in self._active_compositions() if enc.arn in _encoders_of(c)]
        if users:
            raise ApiError(
                "ConflictException",
                f"EncoderConfiguration {enc.arn} is used by composition {users[0]}; stop it first",
            )
        del self.encoders[enc.arn]
        return {}

    def ListEncoderConfigurations(self, p: Body, region: str) -> Body:
        items = [e for e in self.encoders.values() if arn_region(e.arn) == region]
        page, nxt = self._page("ListEncoderConfigurations", p, items, Simple.wire)
        return _with_token({"encoderConfigurations": page}, nxt)

    def CreateStorageConfiguration(self, p: Body, region: str) -> Body:
        self._quota(
            "StorageConfiguration", len(self.storages), self.limits.max_storage_configurations
        )
        tags = self._new_tags(p)
        arn, _ = self.arn(region, "storage-configuration")
        res = Simple(arn, p.get("name", ""), tags, {"s3": dict(p["s3"])})
        self.storages[arn] = res
        return {"storageConfiguration": res.wire("s3")}

    def GetStorageConfiguration(self, p: Body, region: str) -> Body:
        res = self._simple(self.storages, "StorageConfiguration", p["arn"])
        return {"storageConfiguration": res.wire("s3")}

    def DeleteStorageConfiguration(self, p: Body, region: str) -> Body:
        res = self._simple(self.storages, "StorageConfiguration", p["arn"])
        for comp in self._active_compositions():
            for d in comp.destinations:
                if d.configuration.get("s3", {}).get("storageConfigurationArn") == res.arn:
                    raise ApiError(
                        "ConflictException",
                        f"StorageConfiguration {res.arn} is used by composition {comp.arn}; "
                        f"stop it and wait for it to complete first",
                    )
        for stage in self.stages.values():
            if stage.recording.get("storageConfigurationArn") == res.arn:
                raise ApiError(
                    "ConflictException",
                    f"StorageConfiguration {res.arn} is used for participant recording by "
                    f"stage {stage.arn}",
                )
        del self.storages[res.arn]
        return {}

    def ListStorageConfigurations(self, p: Body, region: str) -> Body:
        items = [s for s in self.storages.values() if arn_region(s.arn) == region]
        page, nxt = self._page("ListStorageConfigurations", p, items, lambda s: s.wire("s3"))
        return _with_token({"storageConfigurations": page}, nxt)

    def ImportPublicKey(self, p: Body, region: str) -> Body:
        self._quota("PublicKey", len(self.public_keys), self.limits.max_public_keys)
        tags = self._new_tags(p)
        try:
            key = _tokens.load_p384_public_key(p["publicKeyMaterial"])
        except ValueError as exc:
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value at 'publicKeyMaterial' failed to satisfy "
                f"constraint: {exc}",
            ) from None
        fp = _tokens.fingerprint(key)
        for other in self.public_keys.values():
            if other.body["fingerprint"] == fp:
                raise ApiError(
                    "ConflictException", f"this public key is already imported as {other.arn}"
                )
        arn, _ = self.arn(region, "public-key")
        res = Simple(
            arn,
            p.get("name", ""),
            tags,
            {"publicKeyMaterial": p["publicKeyMaterial"], "fingerprint": fp},
            key=key,
        )
        self.public_keys[arn] = res
        return {"publicKey": res.wire("publicKeyMaterial", "fingerprint")}

    def GetPublicKey(self, p: Body, region: str) -> Body:
        res = self._simple(self.public_keys, "PublicKey", p["arn"])
        return {"publicKey": res.wire("publicKeyMaterial", "fingerprint")}

    def DeletePublicKey(self, p: Body, region: str) -> Body:
        res = self._simple(self.public_keys, "PublicKey", p["arn"])
        del self.public_keys[res.arn]
        return {}

    def ListPublicKeys(self, p: Body, region: str) -> Body:
        items = [k for k in self.public_keys.values() if arn_region(k.arn) == region]
        page, nxt = self._page("ListPublicKeys", p, items, Simple.wire)
        return _with_token({"publicKeys": page}, nxt)

    # -- ingest configurations ---------------------------------------------------------------
    def CreateIngestConfiguration(self, p: Body, region: str) -> Body:
        self._quota("IngestConfiguration", len(self.ingests), self.limits.max_ingest_configurations)
        tags = self._new_tags(p)
        stage_arn = p.get("stageArn", "")
        if stage_arn and (stage_arn not in self.stages or arn_region(stage_arn) != region):
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value at 'stageArn' failed to satisfy "
                f"constraint: stage not found: {stage_arn}",
            )
        arn, iid = self.arn(region, "ingest-configuration")
        anchor = stage_arn.rsplit("/", 1)[-1] if stage_arn else iid
        key = f"rt_{self.account_id}_{region}_{anchor}_{_rand(self.rng, 32)}"
        ing = Ingest(
            arn=arn,
            name=p.get("name", ""),
            protocol=p["ingestProtocol"],
            stream_key=key,
            stage_arn=stage_arn,
            participant_id=_rand(self.rng, 12),
            user_id=p.get("userId", ""),
            attributes=dict(p.get("attributes") or {}),
            redundant=bool(p.get("redundantIngest", False)),
            tags=tags,
        )
        self.ingests[arn] = ing
        return {"ingestConfiguration": ing.full()}

    def _ingest(self, arn: str) -> Ingest:
        ing = self.ingests.get(arn)
        if ing is None:
            raise _not_found("IngestConfiguration", arn)
        return ing

    def GetIngestConfiguration(self, p: Body, region: str) -> Body:
        return {"ingestConfiguration": self._ingest(p["arn"]).full()}

    def UpdateIngestConfiguration(self, p: Body, region: str) -> Body:
        ing = self._ingest(p["arn"])
        if ing.state == "ACTIVE":
            raise ApiError(
                "ConflictException",
                f"IngestConfiguration {ing.arn} is active and cannot be updated",
            )
        if "stageArn" in p:
            if p["stageArn"] and (
                p["stageArn"] not in self.stages or arn_region(p["stageArn"]) != region
            ):
                raise _not_found("Stage", p["stageArn"])
            ing.stage_arn = p["stageArn"]
        if "redundantIngest" in p:
            ing.redundant = p["redundantIngest"]
        return {"ingestConfiguration": ing.full()}

    def DeleteIngestConfiguration(self, p: Body, region: str) -> Body:
        ing = self._ingest(p["arn"])
        if ing.state == "ACTIVE":
            if not p.get("force"):
                raise ApiError(
                    "ConflictException",
                    f"IngestConfiguration {ing.arn} is actively publishing; pass force=true "
                    f"to disconnect the publisher and delete it",
                )
            self._end_ingest(ing)
        del self.ingests[ing.arn]
        return {}

    def ListIngestConfigurations(self, p: Body, region: str) -> Body:
        items = [i for i in self.ingests.values() if arn_region(i.arn) == region]
        if "filterByStageArn" in p:
            items = [i for i in items if i.stage_arn == p["filterByStageArn"]]
        if "filterByState" in p:
            items = [i for i in items if i.state == p["filterByState"]]
        scope = json.dumps({k: v for k, v in p.items() if k.startswith("filter")})
        page, nxt = self._page("ListIngestConfigurations", p, items, Ingest.summary, scope)
        return _with_token({"ingestConfigurations": page}, nxt)

    # -- participant replication -------------------------------------------------------------
    def StartParticipantReplication(self, p: Body, region: str) -> Body:
        source = self._stage(p["sourceStageArn"])
        dest = self._stage(p["destinationStageArn"])
        if source.arn == dest.arn:
            raise ApiError(
                "ValidationException",
                "1 validation error detected: Value at 'destinationStageArn' failed to satisfy "
                "constraint: must differ from sourceStageArn",
            )
        pid = p["participantId"]
        session = source.active
        part = None if session is None else session.participants.get(pid)
        if part is None or part.state != "CONNECTED" or session is None:
            raise _not_found("Connected participant", pid)
        if not part.publishing:
            raise ApiError("ConflictException", f"participant {pid} is not publishing")
        if self._active_replicas(source=source.arn, destination=dest.arn, participant=pid):
            raise ApiError(
                "ConflictException", f"participant {pid} is already replicated to {dest.arn}"
            )
        attributes = dict(part.attributes)
        attributes.update(p.get("attributes") or {})
        try:
            replica = self._join(
                dest,
                pid,
                user_id=part.user_id,
                attributes=attributes,
                capabilities=["PUBLISH"],
                protocol=part.protocol,
                replica_of=(source.arn, session.id),
            )
        except ControlError as exc:
            raise ApiError("ConflictException", exc.message) from None
        replica.replication_type = "REPLICA"
        replica.replication_state = "ACTIVE"
        self._publish(dest, replica)
        assert dest.active is not None
        part.replication_type = "SOURCE"
        part.replication_state = "ACTIVE"
        self._event(
            part,
            "REPLICATION_STARTED",
            destination_stage_arn=dest.arn,
            destination_session_id=dest.active.id,
        )
        self.replicas.append(Replica(source.arn, pid, session.id, dest.arn, dest.active.id))
        if len(self.replicas) > self.limits.max_replicas_kept:
            for i, rep in enumerate(self.replicas):
                if rep.state == "STOPPED":
                    del self.replicas[i]
                    break
        return {}

    def _stop_replica(self, rep: Replica, *, replica_left: bool = False) -> None:
        """Stop one replication: the replica leaves the destination stage (unless it is the
        one leaving, ``replica_left``) and the source participant's state follows."""
        rep.state = "STOPPED"
        dest = self.stages.get(rep.destination_stage_arn)
        if not replica_left and dest is not None and dest.active is not None:
            replica = dest.active.participants.get(rep.participant_id)
            if replica is not None and replica.state == "CONNECTED":
                replica.replication_state = "STOPPED"
                self._leave(dest, replica)
        source = self.stages.get(rep.source_stage_arn)
        session = None if source is None else source.sessions.get(rep.source_session_id)
        part = None if session is None else session.participants.get(rep.participant_id)
        if part is not None:
            self._event(
                part,
                "REPLICATION_STOPPED",
                destination_stage_arn=rep.destination_stage_arn,
                destination_session_id=rep.destination_session_id,
            )
            if not self._active_replicas(
                source=rep.source_stage_arn, participant=rep.participant_id
            ):
                part.replication_state = "STOPPED"

    def StopParticipantReplication(self, p: Body, region: str) -> Body:
        self._stage(p["sourceStageArn"])
        self._stage(p["destinationStageArn"])
        for rep in self._active_replicas(
            source=p["sourceStageArn"],
            destination=p["destinationStageArn"],
            participant=p["participantId"],
        ):
            self._stop_replica(rep)
            return {}
        raise _not_found("Active replication of participant", p["participantId"])

    def ListParticipantReplicas(self, p: Body, region: str) -> Body:
        items = [
            r
            for r in self.replicas
            if r.source_stage_arn == p["sourceStageArn"] and r.participant_id == p["participantId"]
        ]
        scope = f"{p['sourceStageArn']}|{p['participantId']}"
        page, nxt = self._page("ListParticipantReplicas", p, items, Replica.wire, scope)
        return _with_token({"replicas": page}, nxt)

    # -- tags --------------------------------------------------------------------------------
    def TagResource(self, p: Body, region: str) -> Body:
        res = self._tagged(p["resourceArn"])
        merged = dict(res.tags)
        merged.update(p["tags"])
        self._check_tags(merged)
        res.tags = merged
        return {}

    def UntagResource(self, p: Body, region: str) -> Body:
        res = self._tagged(p["resourceArn"])
        for key in p["tagKeys"]:
            res.tags.pop(key, None)
        return {}

    def ListTagsForResource(self, p: Body, region: str) -> Body:
        return {"tags": dict(self._tagged(p["resourceArn"]).tags)}

    def handler(self, operation: str) -> Callable[[Body, str], Body]:
        fn: Callable[[Body, str], Body] = getattr(self, operation)

        def call(p: Body, region: str) -> Body:
            # state is per region: an ARN of another region names nothing in this one
            for key in _SCOPED_ARNS:
                value = p.get(key)
                if isinstance(value, str) and value and arn_region(value) != region:
                    kind = value.rsplit(":", 1)[-1].split("/", 1)[0]
                    raise _not_found(_KINDS.get(kind, "Resource"), value)
            self.settle()
            return fn(p, region)

        return call


def _encoders_of(comp: Composition) -> set[str]:
    out: set[str] = set()
    for d in comp.destinations:
        enc = d.configuration.get("channel", {}).get("encoderConfigurationArn")
        if enc:
            out.add(enc)
        out.update(d.configuration.get("s3", {}).get("encoderConfigurationArns", []))
    return out


def _with_token(body: Body, token: str | None) -> Body:
    if token is not None:
        body["nextToken"] = token
    return body


_SCOPED_ARNS = ("arn", "resourceArn", "stageArn", "sourceStageArn", "destinationStageArn")
"""Request fields naming a resource that must be in the request's (signing) region."""
_KINDS = {
    "stage": "Stage",
    "composition": "Composition",
    "encoder-configuration": "EncoderConfiguration",
    "storage-configuration": "StorageConfiguration",
    "public-key": "PublicKey",
    "ingest-configuration": "IngestConfiguration",
}
