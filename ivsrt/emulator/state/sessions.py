"""Stage sessions and participants: GetStageSession, ListStageSessions, GetParticipant,
ListParticipants, ListParticipantEvents, DisconnectParticipant."""

from __future__ import annotations

import json

from ivsrt.emulator.state import exchange, ingest, media
from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.errors import not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Event, Participant, Session, Stage
from ivsrt.emulator.state.store import Store


def find_session(store: Store, stage_arn: str, session_id: str) -> tuple[Stage, Session]:
    stage = store.stage(stage_arn)
    session = stage.sessions.get(session_id)
    if session is None:
        raise not_found("Stage session", session_id)
    return stage, session


def get_stage_session(store: Store, p: Body, region: str) -> Body:
    _, session = find_session(store, p["stageArn"], p["sessionId"])
    return {"stageSession": session.wire()}


def list_stage_sessions(store: Store, p: Body, region: str) -> Body:
    stage = store.stages.get(p["stageArn"])
    sessions = [] if stage is None else list(reversed(stage.sessions.values()))
    page, nxt = store.pager.page(
        "ListStageSessions", p, sessions, Session.wire, p["stageArn"], descending=True
    )
    return with_token({"stageSessions": page}, nxt)


def get_participant(store: Store, p: Body, region: str) -> Body:
    _, session = find_session(store, p["stageArn"], p["sessionId"])
    part = session.participants.get(p["participantId"])
    if part is None:
        raise not_found("Participant", p["participantId"])
    return {"participant": part.full()}


def list_participants(store: Store, p: Body, region: str) -> Body:
    stage = store.stages.get(p["stageArn"])
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
    page, nxt = store.pager.page("ListParticipants", p, parts, Participant.summary, scope)
    return with_token({"participants": page}, nxt)


def list_participant_events(store: Store, p: Body, region: str) -> Body:
    stage = store.stages.get(p["stageArn"])
    session = None if stage is None else stage.sessions.get(p["sessionId"])
    part = None if session is None else session.participants.get(p["participantId"])
    items = [] if part is None else part.events
    scope = f"{p['stageArn']}|{p['sessionId']}|{p['participantId']}"
    page, nxt = store.pager.page("ListParticipantEvents", p, items, Event.wire, scope)
    return with_token({"events": page}, nxt)


def revoke_connection_token(store: Store, p: Body, region: str) -> Body:
    """The token's id is the participant id it carries (the JWT's ``jti``): the participant
    connected with it is disconnected, and the token can never join again. Revoking an id no
    token has is not an error (the model lists no ResourceNotFoundException)."""
    key = (region, p["tokenId"])
    store.revoked[key] = None
    store.revoked.move_to_end(key)
    while len(store.revoked) > store.limits.max_total_participants:
        store.revoked.popitem(last=False)
    for stage in store.stages.values():
        session = stage.active
        part = None if session is None else session.participants.get(p["tokenId"])
        if arn_region(stage.arn) == region and part is not None and part.state == "CONNECTED":
            media.leave_stage(store, stage, part, reason="connection token revoked")
            for ing in store.ingests.values():
                if ing.participant_id == part.id:
                    ingest.detach(ing)
    return {}


def disconnect_participant(store: Store, p: Body, region: str) -> Body:
    """The participant leaves, and its tokens can never join this stage again (the service:
    the participant is disconnected "and revoked permanently")."""
    stage = store.stage(p["stageArn"])
    session = stage.active
    part = None if session is None else session.participants.get(p["participantId"])
    if part is None or part.state != "CONNECTED":
        raise not_found("Connected participant", p["participantId"])
    media.leave_stage(store, stage, part, reason=p.get("reason"))
    exchange.remember_disconnected(store, stage.arn, part.id)
    for ing in store.ingests.values():
        if ing.participant_id == part.id:
            ingest.detach(ing)
    return {}
