"""What media does, simulated: participants joining and leaving stage sessions, publishing and
subscribing, their events, replicas stopping, and the memory bounds on participants and events.
The token-driven control actions (`join`, `leave`, `publish`, ...) are here too."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt.emulator import _tokens
from ivsrt.emulator.state import bus, exchange
from ivsrt.emulator.state.errors import ControlError
from ivsrt.emulator.state.records import Event, Participant, Replica, Session, Stage, rand
from ivsrt.emulator.state.store import Store

__all__ = [
    "ALL_CAPABILITIES",
    "CLIENT_FIELDS",
    "client_fields",
    "drop_oldest_ended_session",
    "event",
    "forget_session_counts",
    "join",
    "join_stage",
    "leave",
    "leave_stage",
    "publish",
    "start_publishing",
    "stop_publishing",
    "stop_replica",
    "subscribe",
    "unpublish",
    "unsubscribe",
]

ALL_CAPABILITIES = exchange.ALL_CAPABILITIES

CLIENT_FIELDS = {
    "isp_name": "ispName",
    "os_name": "osName",
    "os_version": "osVersion",
    "browser_name": "browserName",
    "browser_version": "browserVersion",
    "sdk_version": "sdkVersion",
}
"""The participant's client fields of the model: Python name -> wire name."""
_CLIENT_VALUE = re.compile(r"[a-zA-Z0-9-_.,:;\s]{0,128}")
"""The model's ParticipantClientAttribute: at most 128 of these characters."""


def client_fields(given: Mapping[str, object]) -> dict[str, str]:
    """The client fields (wire names) of ``given`` (wire names), checked against the model
    (`ControlError` ``BAD_REQUEST`` naming the field)."""
    out: dict[str, str] = {}
    for wire in CLIENT_FIELDS.values():
        value = given.get(wire)
        if value is None:
            continue
        if not isinstance(value, str) or not _CLIENT_VALUE.fullmatch(value):
            raise ControlError(
                "BAD_REQUEST",
                f"'{wire}' must be a string of at most 128 letters, digits, spaces and -_.,:;",
            )
        out[wire] = value
    return out


def event(
    store: Store, part: Participant, name: str, *, stage: Stage | None = None, **kw: Any
) -> None:
    """Record a participant event (and, given its ``stage``, the Stage Update IVS sends)."""
    if store.n_events >= store.limits.max_total_events:
        _make_room(store, part)
    ev = Event(name=name, time=store.now(), participant_id=part.id, **kw)
    part.events.append(ev)
    if stage is not None:
        bus.participant_event(store, stage, part, ev)
    store.n_events += 1
    excess = len(part.events) - store.limits.max_events_per_participant
    if excess > 0:
        del part.events[:excess]
        store.n_events -= excess


def forget_session_counts(store: Store, session: Session) -> None:
    store.n_participants -= len(session.participants)
    store.n_events -= sum(len(x.events) for x in session.participants.values())


def drop_oldest_ended_session(store: Store) -> bool:
    """Forget the stage session (of any stage) that ended first; False if none ended."""
    oldest: tuple[datetime.datetime, Stage, Session] | None = None
    for stage in store.stages.values():
        for session in stage.sessions.values():
            if session.end is not None and (oldest is None or session.end < oldest[0]):
                oldest = (session.end, stage, session)
    if oldest is None:
        return False
    _, stage, session = oldest
    forget_session_counts(store, session)
    del stage.sessions[session.id]
    return True


def _make_room(store: Store, part: Participant) -> None:
    """Bring the event count below ``max_total_events``: forget ended sessions oldest first,
    then the oldest events of the live participants of ``part``'s session."""
    cap = store.limits.max_total_events
    while store.n_events >= cap and drop_oldest_ended_session(store):
        pass
    if store.n_events < cap:
        return
    victims = [part] + [
        x for s in _sessions_of(store, part) for x in s.participants.values() if x is not part
    ]
    for victim in victims:
        if victim.events:
            del victim.events[0]
            store.n_events -= 1
            return


def _sessions_of(store: Store, part: Participant) -> list[Session]:
    return [
        s
        for st in store.stages.values()
        for s in st.sessions.values()
        if s.participants.get(part.id) is part
    ]


def join_stage(
    store: Store,
    stage: Stage,
    pid: str,
    *,
    user_id: str,
    attributes: Mapping[str, str],
    capabilities: Sequence[str],
    protocol: str,
    replica_of: tuple[str, str] | None = None,
) -> Participant:
    now = store.now()
    store.settle()
    session = stage.active
    part = None if session is None else session.participants.get(pid)
    if part is not None and part.state == "CONNECTED":
        raise ControlError("ALREADY_CONNECTED", f"participant {pid} is already connected")
    if part is None:
        if session is not None and (
            len(session.participants) >= store.limits.max_participants_per_session
        ):
            raise ControlError(
                "QUOTA_EXCEEDED",
                f"stage session {session.id} already has "
                f"{store.limits.max_participants_per_session} participants",
            )
        if store.n_participants >= store.limits.max_total_participants:
            while (
                store.n_participants >= store.limits.max_total_participants
                and drop_oldest_ended_session(store)
            ):
                pass
            if store.n_participants >= store.limits.max_total_participants:
                raise ControlError(
                    "QUOTA_EXCEEDED",
                    f"the emulator already keeps {store.limits.max_total_participants} "
                    f"participants in live stage sessions (Limits.max_total_participants)",
                )
    if session is None:
        session = Session(id="st-" + rand(store.rng, 13), start=now)
        stage.sessions[session.id] = session
        stage.active = session
        stage.empty_since = None
        _trim_sessions(store, stage)
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
        store.n_participants += 1
    part.state = "CONNECTED"
    event(store, part, "JOINED", replica=replica_of is not None)
    # a source that reconnects within its replications' reconnect window keeps them ACTIVE
    for rep in store.active_replicas(source=stage.arn, participant=pid):
        if rep.source_left_at is not None:
            rep.source_left_at = None
            rep.source_session_id = session.id
            part.replication_type, part.replication_state = "SOURCE", "ACTIVE"
    return part


def _trim_sessions(store: Store, stage: Stage) -> None:
    while len(stage.sessions) > store.limits.max_sessions_per_stage:
        for sid, s in stage.sessions.items():
            if s.end is not None:
                forget_session_counts(store, s)
                del stage.sessions[sid]
                break
        else:
            return


def leave_stage(store: Store, stage: Stage, part: Participant, reason: str | None = None) -> None:
    replica = part.replication_type == "REPLICA"
    if part.publishing:
        stop_publishing(store, stage, part)
    if part.subscribing:
        part.subscribing = False
        event(store, part, "SUBSCRIBE_STOPPED", replica=replica)
    # a source that leaves stops its replications (at the end of their reconnect window, if
    # it does not reconnect before: see `timeline`); a replica that leaves (disconnected in the
    # destination stage) stops its own
    for rep in store.active_replicas(source=stage.arn, participant=part.id):
        if rep.reconnect_window > 0:
            rep.source_left_at = store.now()
        else:
            stop_replica(store, rep)
    if replica:
        for rep in store.active_replicas(destination=stage.arn, participant=part.id):
            stop_replica(store, rep, replica_left=True)
        part.replication_state = "STOPPED"
    part.state = "DISCONNECTED"
    event(store, part, "LEFT", replica=replica)
    session = stage.active
    if session is not None and not session.connected():
        session.end = store.now()
        stage.active = None
        stage.empty_since = session.end


def stop_publishing(store: Store, stage: Stage, part: Participant) -> None:
    part.publishing = False
    part.publish_started = None
    if part.recording_state in ("STARTING", "ACTIVE"):
        part.recording_state = "STOPPED"
        duration = bus.recording_duration_ms(part, store.now())
        bus.recording_event(store, stage, part, "Recording End", recording_duration_ms=duration)
    event(store, part, "PUBLISH_STOPPED", stage=stage, replica=part.replication_type == "REPLICA")


def start_publishing(store: Store, stage: Stage, part: Participant) -> bool:
    replica = part.replication_type == "REPLICA"
    injected = store.take_media_error(part.id, "publish")
    if injected is not None:
        event(store, part, "PUBLISH_ERROR", stage=stage, error_code=injected, replica=replica)
        return False
    if "PUBLISH" not in part.capabilities:
        event(
            store,
            part,
            "PUBLISH_ERROR",
            stage=stage,
            error_code="INSUFFICIENT_CAPABILITIES",
            replica=replica,
        )
        return False
    session = stage.active
    assert session is not None
    publishers = sum(1 for x in session.connected() if x.publishing)
    if publishers >= store.limits.max_publishers_per_stage:
        event(
            store, part, "PUBLISH_ERROR", stage=stage, error_code="QUOTA_EXCEEDED", replica=replica
        )
        return False
    part.publishing = True
    part.published = True
    part.publish_started = store.now()
    rec = stage.recording
    if rec["storageConfigurationArn"] and (
        not replica or rec.get("recordParticipantReplicas", True)
    ):
        storage = store.storages.get(rec["storageConfigurationArn"])
        part.recording_state = "ACTIVE"
        if storage is not None:
            part.recording_bucket = storage.body["s3"]["bucketName"]
            part.recording_prefix = f"{stage.id}/{session.id}/{part.id}"
    event(store, part, "PUBLISH_STARTED", stage=stage, replica=replica)
    if part.recording_state == "ACTIVE":
        bus.recording_event(store, stage, part, "Recording Start")
    return True


def stop_replica(store: Store, rep: Replica, *, replica_left: bool = False) -> None:
    """Stop one replication: the replica leaves the destination stage (unless it is the
    one leaving, ``replica_left``) and the source participant's state follows."""
    rep.state = "STOPPED"
    dest = store.stages.get(rep.destination_stage_arn)
    if not replica_left and dest is not None and dest.active is not None:
        replica = dest.active.participants.get(rep.participant_id)
        if replica is not None and replica.state == "CONNECTED":
            replica.replication_state = "STOPPED"
            leave_stage(store, dest, replica)
    source = store.stages.get(rep.source_stage_arn)
    session = None if source is None else source.sessions.get(rep.source_session_id)
    part = None if session is None else session.participants.get(rep.participant_id)
    if part is not None:
        event(
            store,
            part,
            "REPLICATION_STOPPED",
            stage=source,
            destination_stage_arn=rep.destination_stage_arn,
            destination_session_id=rep.destination_session_id,
        )
        if not store.active_replicas(source=rep.source_stage_arn, participant=rep.participant_id):
            part.replication_state = "STOPPED"


def _decode(store: Store, token: str) -> tuple[Stage, dict[str, Any]]:
    try:
        _, claims = _tokens.decode_unverified(token)
    except _tokens.TokenError as exc:
        raise ControlError("INVALID_TOKEN", str(exc)) from None
    keys: list[ec.EllipticCurvePublicKey] = [store.public_key]
    keys += [k.key for k in store.public_keys.values() if k.key is not None]
    if not _tokens.verify_es384(token, keys):
        raise ControlError(
            "INVALID_TOKEN",
            "the token's signature does not verify with the emulator's key or any "
            "imported public key",
        )
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= store.now().timestamp():
        raise ControlError("TOKEN_EXPIRED", "the participant token has expired")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise ControlError("INVALID_TOKEN", "the token has no jti (participant id)")
    resource = claims.get("resource")
    stage = store.stages.get(resource) if isinstance(resource, str) else None
    if stage is None:
        raise ControlError("NOT_FOUND", f"the token's stage does not exist: {resource}")
    return stage, claims


def _participant(store: Store, token: str) -> tuple[Stage, Participant]:
    stage, claims = _decode(store, token)
    session = stage.active
    part = None if session is None else session.participants.get(claims["jti"])
    if part is None or part.state != "CONNECTED":
        raise ControlError("NOT_CONNECTED", f"participant {claims['jti']} is not connected")
    return stage, part


def join(store: Store, token: str, client: Mapping[str, str] | None = None) -> str:
    """Join with ``token``, or exchange the token of the connected participant it names
    (see state/exchange.py); a disconnected or revoked participant's token is refused."""
    stage, claims = _decode(store, token)
    pid, fields = claims["jti"], exchange.token_fields(claims)
    refused = exchange.refusal(store, stage, pid)
    if refused is not None:
        known = exchange.latest_participant(stage, pid)
        if known is not None:
            event(store, known, "JOIN_ERROR", error_code=exchange.JOIN_REFUSED_CODE)
        raise ControlError("TOKEN_REVOKED", refused)
    injected = store.take_media_error(pid, "join")
    if injected is not None:
        _join_error(store, stage, pid, fields.user_id, injected)
    session = stage.active
    part = None if session is None else session.participants.get(pid)
    if (
        part is not None
        and part.state == "CONNECTED"
        and part.token_digest not in (None, _tokens.digest(token))
    ):
        _exchange(store, stage, part, token, fields)
    else:
        part = join_stage(
            store,
            stage,
            pid,
            user_id=fields.user_id,
            attributes=fields.attributes,
            capabilities=fields.capabilities,
            protocol="WHIP",
        )
        exchange.remember_token(part, token, fields)
    if client:
        part.client = dict(client)
    return part.id


def _exchange(
    store: Store, stage: Stage, part: Participant, token: str, fields: exchange.TokenFields
) -> None:
    previous = exchange.token_record(part)
    part.user_id, part.attributes = fields.user_id, dict(fields.attributes)
    part.capabilities = list(fields.capabilities)
    exchange.remember_token(part, token, fields)
    if part.publishing and "PUBLISH" not in part.capabilities:
        stop_publishing(store, stage, part)
    if part.subscribing and "SUBSCRIBE" not in part.capabilities:
        part.subscribing = False
        event(store, part, "SUBSCRIBE_STOPPED")
    new = exchange.token_record(part)
    event(store, part, "TOKEN_EXCHANGED", stage=stage, previous_token=previous, new_token=new)


def _join_error(store: Store, stage: Stage, pid: str, user_id: str, code: str) -> None:
    """The participant's join fails with ``code``: in the stage's active session (if there is
    one) it is DISCONNECTED with a JOIN_ERROR event; then `ControlError` ``code``."""
    session = stage.active
    part = None if session is None else session.participants.get(pid)
    if (
        session is not None
        and part is None
        and len(session.participants) < store.limits.max_participants_per_session
        and store.n_participants < store.limits.max_total_participants
    ):
        part = Participant(
            id=pid,
            user_id=user_id,
            attributes={},
            capabilities=[],
            first_join_time=store.now(),
            state="DISCONNECTED",
        )
        session.participants[pid] = part
        store.n_participants += 1
    if part is not None:
        event(store, part, "JOIN_ERROR", stage=stage, error_code=code)
    raise ControlError(code, f"participant {pid} could not join (injected JOIN_ERROR {code})")


def leave(store: Store, token: str) -> None:
    stage, part = _participant(store, token)
    leave_stage(store, stage, part)


def publish(store: Store, token: str) -> bool:
    stage, part = _participant(store, token)
    if part.publishing:
        return True
    return start_publishing(store, stage, part)


def unpublish(store: Store, token: str) -> None:
    stage, part = _participant(store, token)
    if part.publishing:
        stop_publishing(store, stage, part)


def subscribe(store: Store, token: str) -> bool:
    stage, part = _participant(store, token)
    injected = store.take_media_error(part.id, "subscribe")
    if injected is not None:
        event(store, part, "SUBSCRIBE_ERROR", error_code=injected)
        return False
    if "SUBSCRIBE" not in part.capabilities:
        event(store, part, "SUBSCRIBE_ERROR", error_code="INSUFFICIENT_CAPABILITIES")
        return False
    if part.subscribing:
        return True
    assert stage.active is not None
    remote = next((x.id for x in stage.active.connected() if x.publishing), None)
    part.subscribing = True
    event(store, part, "SUBSCRIBE_STARTED", remote_participant_id=remote)
    return True


def unsubscribe(store: Store, token: str) -> None:
    _, part = _participant(store, token)
    if part.subscribing:
        part.subscribing = False
        event(store, part, "SUBSCRIBE_STOPPED")
