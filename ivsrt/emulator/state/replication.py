"""Participant replication: StartParticipantReplication, StopParticipantReplication,
ListParticipantReplicas."""

from __future__ import annotations

from ivsrt.emulator.state import media
from ivsrt.emulator.state.errors import ApiError, ControlError, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Replica
from ivsrt.emulator.state.store import Store


def start_participant_replication(store: Store, p: Body, region: str) -> Body:
    source = store.stage(p["sourceStageArn"])
    dest = store.stage(p["destinationStageArn"])
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
        raise not_found("Connected participant", pid)
    if not part.publishing:
        raise ApiError("ConflictException", f"participant {pid} is not publishing")
    if store.active_replicas(source=source.arn, destination=dest.arn, participant=pid):
        raise ApiError(
            "ConflictException", f"participant {pid} is already replicated to {dest.arn}"
        )
    attributes = dict(part.attributes)
    attributes.update(p.get("attributes") or {})
    try:
        replica = media.join_stage(
            store,
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
    media.start_publishing(store, dest, replica)
    assert dest.active is not None
    part.replication_type = "SOURCE"
    part.replication_state = "ACTIVE"
    media.event(
        store,
        part,
        "REPLICATION_STARTED",
        stage=source,
        destination_stage_arn=dest.arn,
        destination_session_id=dest.active.id,
    )
    store.replicas.append(
        Replica(
            source.arn,
            pid,
            session.id,
            dest.arn,
            dest.active.id,
            reconnect_window=int(p.get("reconnectWindowSeconds") or 0),
        )
    )
    if len(store.replicas) > store.limits.max_replicas_kept:
        for i, rep in enumerate(store.replicas):
            if rep.state == "STOPPED":
                del store.replicas[i]
                break
    return {}


def stop_participant_replication(store: Store, p: Body, region: str) -> Body:
    store.stage(p["sourceStageArn"])
    store.stage(p["destinationStageArn"])
    for rep in store.active_replicas(
        source=p["sourceStageArn"],
        destination=p["destinationStageArn"],
        participant=p["participantId"],
    ):
        media.stop_replica(store, rep)
        return {}
    raise not_found("Active replication of participant", p["participantId"])


def list_participant_replicas(store: Store, p: Body, region: str) -> Body:
    items = [
        r
        for r in store.replicas
        if r.source_stage_arn == p["sourceStageArn"] and r.participant_id == p["participantId"]
    ]
    scope = f"{p['sourceStageArn']}|{p['participantId']}"
    page, nxt = store.pager.page("ListParticipantReplicas", p, items, Replica.wire, scope)
    return with_token({"replicas": page}, nxt)
