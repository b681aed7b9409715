"""EventBridge events of IVS Real-Time, typed: what a Lambda or an SQS consumer receives.

```python
from ivsrt.events import EventLog, Outcome, StageEventName, StageUpdate, parse_event

log = EventLog()

def handler(event, context):                  # an EventBridge rule -> Lambda
    ivs_event = parse_event(event)            # or an SQS record, a JSON str or bytes
    if log.add(ivs_event) is not Outcome.APPLIED:
        return                                # a duplicate, or older than what we know
    if isinstance(ivs_event, StageUpdate):
        if ivs_event.event_name is StageEventName.PARTICIPANT_PUBLISHED:
            ...
```

IVS sends (source ``aws.ivs``) the detail-types of the IVS Real-Time User Guide, "Using Amazon
EventBridge with IVS Real-Time Streaming": ``IVS Stage Update``, ``IVS Composition State
Change`` and ``IVS Participant Recording State Change``, each with an ``event_name`` in its
``detail``. Delivery is best effort: an event can be missing, hours late, duplicated or out of
order. [`EventLog`][ivsrt.events.EventLog] de-duplicates by event id and keeps the latest event
per resource by event time, so a late or repeated event never rolls state back.

Parsing is tolerant where the service may grow (an unknown detail-type is an
[`UnknownEvent`][ivsrt.events.UnknownEvent]; an unknown event name is kept, with
``event_name.known`` False; unknown detail fields are ignored but kept in ``detail``) and strict
where the payload is wrong (not JSON, not an object, a field of the wrong type): a
[`MalformedEventError`][ivsrt.events.MalformedEventError], a ``ValueError`` under ``IvsrtError``.
"""

from __future__ import annotations

import collections
import datetime
import enum
import json
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from ivsrt._enum import TolerantEnum
from ivsrt._exceptions import IvsrtError
from ivsrt.client import Client
from ivsrt.resources import Composition, Participant, Stage

__all__ = [
    "SOURCE",
    "CompositionEventName",
    "CompositionStateChange",
    "EventLog",
    "IvsEvent",
    "MalformedEventError",
    "Outcome",
    "ParticipantRecordingStateChange",
    "RecordingEventName",
    "StageEventName",
    "StageUpdate",
    "UnknownEvent",
    "parse_event",
    "parse_events",
]

SOURCE = "aws.ivs"
"""The ``source`` of every IVS event."""


class MalformedEventError(IvsrtError, ValueError):
    """The payload is not an EventBridge event: not JSON, not an object, a required envelope
    field missing, or a field of the wrong type. ``path`` says where (``detail.session_id``)."""

    def __init__(self, reason: str, *, path: str = "") -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


class StageEventName(TolerantEnum):
    """``event_name`` of an ``IVS Stage Update``; another value is kept (``known`` False)."""

    PARTICIPANT_PUBLISHED = "Participant Published"
    PARTICIPANT_UNPUBLISHED = "Participant Unpublished"
    PARTICIPANT_PUBLISH_ERROR = "Participant Publish Error"
    PARTICIPANT_REPLICATION_STARTED = "Participant Replication Started"
    PARTICIPANT_REPLICATION_STOPPED = "Participant Replication Stopped"
    TOKEN_EXCHANGED = "Token Exchanged"


class CompositionEventName(TolerantEnum):
    """``event_name`` of an ``IVS Composition State Change``."""

    SESSION_START = "Session Start"
    SESSION_END = "Session End"
    SESSION_FAILURE = "Session Failure"
    DESTINATION_START = "Destination Start"
    DESTINATION_END = "Destination End"
    DESTINATION_FAILURE = "Destination Failure"
    DESTINATION_RECONNECTING = "Destination Reconnecting"


class RecordingEventName(TolerantEnum):
    """``event_name`` of an ``IVS Participant Recording State Change``."""

    RECORDING_START = "Recording Start"
    RECORDING_END = "Recording End"
    RECORDING_START_FAILURE = "Recording Start Failure"
    RECORDING_END_FAILURE = "Recording End Failure"


# -- models -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class IvsEvent:
    """The EventBridge envelope every event has."""

    id: str
    """The event id (EventBridge's; the same for a redelivered event)."""
    detail_type: str
    """``detail-type``, e.g. ``IVS Stage Update``."""
    source: str
    """``aws.ivs``."""
    account: str | None
    """The AWS account id."""
    time: datetime.datetime
    """When the event happened (UTC), as EventBridge reports it."""
    region: str | None
    """The region, e.g. ``us-west-2``."""
    resources: tuple[str, ...]
    """ARNs the event is about (``resources[0]``: the stage or the composition)."""
    version: str | None = None
    """The envelope version (``"0"``)."""
    detail: Mapping[str, Any] = attrs.field(factory=dict, repr=False, hash=False)
    """The ``detail`` object as received, unknown fields included (read-only)."""

    @property
    def key(self) -> tuple[str, ...]:
        """What [`EventLog`][ivsrt.events.EventLog] keeps the latest event of: the resource
        this event is about."""
        return (self.detail_type, *self.resources)


@attrs.frozen(kw_only=True)
class UnknownEvent(IvsEvent):
    """An event of a detail-type (or a source) this version of ivsrt does not model."""


@attrs.frozen(kw_only=True)
class StageUpdate(IvsEvent):
    """``IVS Stage Update``: a participant published, unpublished, failed to publish, was
    replicated to or from another stage, or exchanged its token."""

    event_name: StageEventName
    """What happened."""
    session_id: str | None = None
    """The stage session (``st-...``)."""
    participant_id: str | None = None
    """The participant it happened to."""
    user_id: str | None = None
    """The participant's user id (from its token)."""
    error_code: str | None = None
    """For ``Participant Publish Error``: why."""
    source_stage_arn: str | None = None
    """For replication events: the stage the participant is replicated from."""
    source_session_id: str | None = None
    """For replication events: the session in the source stage."""
    destination_stage_arn: str | None = None
    """For replication events: the stage the participant is replicated to."""
    destination_session_id: str | None = None
    """For replication events: the session in the destination stage."""

    @property
    def stage_arn(self) -> str | None:
        """The stage (``resources[0]``)."""
        return self.resources[0] if self.resources else None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.detail_type, self.stage_arn or "", self.participant_id or "")

    async def stage(self, *, client: Client | None = None) -> Stage:
        """The stage, as it is now (GetStage)."""
        return await Stage.get(_need(self.stage_arn, "stage_arn"), client=client)

    async def participant(self, *, client: Client | None = None) -> Participant:
        """The participant, as it is now (GetParticipant)."""
        return await Participant.get(
            _need(self.stage_arn, "stage_arn"),
            _need(self.session_id, "session_id"),
            _need(self.participant_id, "participant_id"),
            client=client,
        )


@attrs.frozen(kw_only=True)
class CompositionStateChange(IvsEvent):
    """``IVS Composition State Change``: a composition's session or one of its destinations
    started, ended, failed or is reconnecting."""

    event_name: CompositionEventName
    """What happened."""
    stage_arn: str | None = None
    """The stage being composed (``detail.stage_arn``)."""
    session_id: str | None = None
    """The stage session being composed."""
    destination_id: str | None = None
    """For destination events: which destination."""
    reason: str | None = None
    """For failures: the reason IVS gives."""

    @property
    def composition_arn(self) -> str | None:
        """The composition (``resources[0]``)."""
        return self.resources[0] if self.resources else None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.detail_type, self.composition_arn or "", self.destination_id or "")

    async def composition(self, *, client: Client | None = None) -> Composition:
        """The composition, as it is now (GetComposition)."""
        return await Composition.get(_need(self.composition_arn, "composition_arn"), client=client)

    async def stage(self, *, client: Client | None = None) -> Stage:
        """The stage being composed, as it is now (GetStage)."""
        return await Stage.get(_need(self.stage_arn, "stage_arn"), client=client)


@attrs.frozen(kw_only=True)
class ParticipantRecordingStateChange(IvsEvent):
    """``IVS Participant Recording State Change``: individual participant recording to S3
    started, ended, or failed to start or end."""

    event_name: RecordingEventName
    """What happened."""
    session_id: str | None = None
    """The stage session."""
    participant_id: str | None = None
    """The participant being recorded."""
    user_id: str | None = None
    """The participant's user id."""
    recording_s3_bucket_name: str | None = None
    """The S3 bucket the recording is written to."""
    recording_s3_key_prefix: str | None = None
    """The key prefix of the recording's objects."""
    recording_duration_ms: int | None = None
    """For ``Recording End``: how long the recording is."""
    reason: str | None = None
    """For failures: the reason IVS gives."""

    @property
    def stage_arn(self) -> str | None:
        """The stage (``resources[0]``)."""
        return self.resources[0] if self.resources else None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.detail_type, self.stage_arn or "", self.participant_id or "")

    async def stage(self, *, client: Client | None = None) -> Stage:
        """The stage, as it is now (GetStage)."""
        return await Stage.get(_need(self.stage_arn, "stage_arn"), client=client)

    async def participant(self, *, client: Client | None = None) -> Participant:
        """The recorded participant, as it is now (GetParticipant)."""
        return await Participant.get(
            _need(self.stage_arn, "stage_arn"),
            _need(self.session_id, "session_id"),
            _need(self.participant_id, "participant_id"),
            client=client,
        )


def _need(value: str | None, name: str) -> str:
    if not value:
        raise IvsrtError(f"this event has no {name}")
    return value


# -- parsing ------------------------------------------------------------------------------------

_MAX_NESTING = 4  # an SQS record's body holding the event as a JSON string, and so on


def _str(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise MalformedEventError("is required", path=f"{path}{key}")
        return None
    if not isinstance(value, str):
        raise MalformedEventError(
            f"must be a string, got {type(value).__name__}", path=f"{path}{key}"
        )
    return value


def _int(obj: Mapping[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEventError(
            f"must be an integer, got {type(value).__name__}", path=f"{path}{key}"
        )
    return value


def _time(text: str) -> datetime.datetime:
    try:  # Python 3.10's fromisoformat does not take "Z"
        value = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
    except ValueError:
        raise MalformedEventError(f"is not an ISO 8601 time: {text[:40]!r}", path="time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _load(payload: object) -> object:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedEventError("the payload is not UTF-8 text") from None
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except json.JSONDecodeError as exc:
            raise MalformedEventError(f"the payload is not JSON ({exc.msg})") from None
        except RecursionError:
            raise MalformedEventError("the payload nests JSON too deeply") from None
    return payload


def _envelope(payload: object, depth: int = 0) -> Mapping[str, Any]:
    """The EventBridge event in ``payload``: itself, a JSON text of it, or an SQS message (a
    Lambda SQS record's ``body`` or boto3's ``Body``) carrying it."""
    if depth > _MAX_NESTING:
        raise MalformedEventError("the payload nests messages too deeply")
    payload = _load(payload)
    if not isinstance(payload, Mapping):
        raise MalformedEventError(
            f"the payload must be a JSON object (an EventBridge event), got "
            f"{type(payload).__name__}"
        )
    if "detail-type" not in payload:
        for body_key in ("body", "Body"):
            if body_key in payload and isinstance(payload[body_key], (str, bytes, Mapping)):
                return _envelope(payload[body_key], depth + 1)
        if "Records" in payload:
            raise MalformedEventError(
                "this is a batch of records: use parse_events() for a Lambda SQS batch"
            )
        raise MalformedEventError("is required (not an EventBridge event)", path="detail-type")
    return payload


_INT_FIELDS = frozenset({"recording_duration_ms"})
_MODELS: dict[str, type[IvsEvent]] = {
    "IVS Stage Update": StageUpdate,
    "IVS Composition State Change": CompositionStateChange,
    "IVS Participant Recording State Change": ParticipantRecordingStateChange,
}
_NAMES: dict[type[IvsEvent], type[TolerantEnum]] = {
    StageUpdate: StageEventName,
    CompositionStateChange: CompositionEventName,
    ParticipantRecordingStateChange: RecordingEventName,
}


def parse_event(payload: object) -> IvsEvent:
    """The typed event in what a handler receives.

    Args:
        payload: the EventBridge event (the dict a Lambda gets from an EventBridge rule, or
            the JSON body an API destination POSTs, as ``str`` or ``bytes``), or an SQS message
            whose body is one (a Lambda SQS record, or a message from boto3's
            ``receive_message``).

    Returns:
        A [`StageUpdate`][ivsrt.events.StageUpdate],
        [`CompositionStateChange`][ivsrt.events.CompositionStateChange] or
        [`ParticipantRecordingStateChange`][ivsrt.events.ParticipantRecordingStateChange]; an
        [`UnknownEvent`][ivsrt.events.UnknownEvent] for another detail-type or source.

    Raises:
        MalformedEventError: the payload is not an EventBridge event (a ``ValueError``).

    An event already parsed is returned as it is.
    """
    if isinstance(payload, IvsEvent):
        return payload
    env = _envelope(payload)
    resources = env.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise MalformedEventError("must be a list of ARNs (strings)", path="resources")
    detail = env.get("detail", {})
    if not isinstance(detail, Mapping):
        raise MalformedEventError(f"must be an object, got {type(detail).__name__}", path="detail")
    common: dict[str, Any] = {
        "id": _str(env, "id", "", required=True),
        "detail_type": _str(env, "detail-type", "", required=True),
        "source": _str(env, "source", "", required=True),
        "account": _str(env, "account", ""),
        "time": _time(_str(env, "time", "", required=True) or ""),
        "region": _str(env, "region", ""),
        "resources": tuple(resources),
        "version": _str(env, "version", ""),
        "detail": types.MappingProxyType(dict(detail)),
    }
    cls = _MODELS.get(common["detail_type"]) if common["source"] == SOURCE else None
    if cls is None:
        return UnknownEvent(**common)
    fields: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name in common or field.name == "event_name":
            continue
        reader = _int if field.name in _INT_FIELDS else _str
        fields[field.name] = reader(detail, field.name, "detail.")
    name = _str(detail, "event_name", "detail.", required=True) or ""
    fields["event_name"] = _NAMES[cls](name)
    return cls(**common, **fields)


def parse_events(payload: object) -> list[IvsEvent]:
    """Every event of a batch: a Lambda SQS event (``{"Records": [...]}``), a list of
    messages or events, or one event (a list of one).

    Raises:
        MalformedEventError: a record is not an event; ``path`` says which
            (``Records[3].detail-type``).
    """
    payload = _load(payload)
    if isinstance(payload, Mapping) and isinstance(payload.get("Records"), list):
        records: Iterable[object] = payload["Records"]
        where = "Records"
    elif isinstance(payload, list):
        records, where = payload, ""
    else:
        return [parse_event(payload)]
    out = []
    for i, record in enumerate(records):
        try:
            out.append(parse_event(record))
        except MalformedEventError as exc:
            at = f"{where}[{i}]" + (f".{exc.path}" if exc.path else "")
            raise MalformedEventError(exc.reason, path=at) from None
    return out


# -- de-duplication and ordering -------------------------------------------------------------------


class Outcome(str, enum.Enum):
    """What [`EventLog.add`][ivsrt.events.EventLog.add] did with an event."""

    APPLIED = "APPLIED"
    """New, and at least as recent as what was known: it is now the latest for its key."""
    DUPLICATE = "DUPLICATE"
    """Seen before (same event id): ignore it."""
    STALE = "STALE"
    """New, but older than the latest event for its key (it arrived late): ignore it."""


E = TypeVar("E", bound=IvsEvent)


class EventLog:
    """De-duplicates events by id and keeps the latest event per resource by event time.

    ``add`` tells a handler what to do with an event: act on it (``APPLIED``), or not because it
    is a redelivery (``DUPLICATE``) or older than what is known (``STALE``), so a late or
    repeated event never rolls state back. The resource key is ``event.key``: a stage's
    participant for stage updates and recording changes, a composition (or one of its
    destinations) for composition changes. Events of the same key and the same time (EventBridge
    times have one-second resolution) are applied in arrival order.

    The log lives in memory, in one process; it remembers the last ``max_ids`` event ids.
    A Lambda keeps it between invocations of one warm instance only: store the latest
    times in your database for more.
    """

    def __init__(self, *, max_ids: int = 100_000) -> None:
        if max_ids < 1:
            raise ValueError("max_ids must be at least 1")
        self._ids: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._max_ids = max_ids
        self._latest: dict[tuple[str, ...], IvsEvent] = {}

    def add(self, event: IvsEvent) -> Outcome:
        """Record ``event``; says whether it is new and the latest for its resource."""
        if event.id in self._ids:
            self._ids.move_to_end(event.id)
            return Outcome.DUPLICATE
        self._ids[event.id] = None
        if len(self._ids) > self._max_ids:
            self._ids.popitem(last=False)
        current = self._latest.get(event.key)
        if current is not None and event.time < current.time:
            return Outcome.STALE
        self._latest[event.key] = event
        return Outcome.APPLIED

    def latest(self, key: tuple[str, ...]) -> IvsEvent | None:
        """The latest event applied for a resource key (``event.key``)."""
        return self._latest.get(key)

    def latest_of(self, kind: type[E]) -> list[E]:
        """The latest event of every resource, of one event class, oldest first."""
        found = [e for e in self._latest.values() if isinstance(e, kind)]
        return sorted(found, key=lambda e: e.time)

    def seen(self, event_id: str) -> bool:
        """Whether an event id is remembered."""
        return event_id in self._ids

    def __len__(self) -> int:
        """How many resources have a latest event."""
        return len(self._latest)

    def __iter__(self) -> Iterator[IvsEvent]:
        """The latest event of every resource."""
        return iter(list(self._latest.values()))
