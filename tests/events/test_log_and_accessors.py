"""EventLog: duplicates and late events never roll state back; accessors fetch the resource."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import ivsrt
from ivsrt import Stage
from ivsrt.emulator import Emulator
from ivsrt.events import (
    CompositionStateChange,
    EventLog,
    Outcome,
    StageUpdate,
    parse_event,
)
from tests.events import payloads as p


def _event(base: dict[str, Any], event_id: str, time: str, **detail: Any) -> Any:
    raw = copy.deepcopy(base)
    raw["id"], raw["time"] = event_id, time
    raw["detail"].update(detail)
    return parse_event(raw)


def test_duplicates_and_late_events_do_not_roll_back() -> None:
    log = EventLog()
    published = _event(p.PUBLISHED, "e1", "2024-06-04T12:00:00Z")
    unpublished = _event(
        p.PUBLISHED, "e2", "2024-06-04T12:05:00Z", event_name="Participant Unpublished"
    )
    assert log.add(unpublished) is Outcome.APPLIED  # arrives first (out of order)
    assert log.add(published) is Outcome.STALE  # older: does not bring "published" back
    assert log.add(unpublished) is Outcome.DUPLICATE  # redelivered
    latest = log.latest(unpublished.key)
    assert latest is unpublished
    assert isinstance(latest, StageUpdate)
    assert latest.event_name == "Participant Unpublished"
    assert log.seen("e1")
    assert log.seen("e2")
    assert not log.seen("e3")
    assert len(log) == 1


def test_state_is_kept_per_resource() -> None:
    log = EventLog()
    alice = _event(p.PUBLISHED, "a", "2024-06-04T12:00:00Z", participant_id="alice1")
    bob = _event(p.PUBLISHED, "b", "2024-06-04T11:00:00Z", participant_id="bob1")
    session = _event(p.COMPOSITION_SESSION_START, "c", "2024-06-04T12:00:01Z")
    dest = _event(p.DESTINATION_FAILURE, "d", "2024-06-04T11:59:00Z")
    dest_other = _event(p.DESTINATION_FAILURE, "e", "2024-06-04T11:58:00Z", destination_id="Zz")
    for event in (alice, bob, session, dest, dest_other):
        assert log.add(event) is Outcome.APPLIED  # different resources: none is stale
    assert len(log) == 5
    assert alice.key != bob.key
    assert session.key != dest.key != dest_other.key
    assert log.latest_of(StageUpdate) == [bob, alice]  # oldest first
    assert log.latest_of(CompositionStateChange) == [dest_other, dest, session]
    assert set(log) == {alice, bob, session, dest, dest_other}


def test_same_second_events_apply_in_arrival_order() -> None:
    log = EventLog()
    first = _event(p.PUBLISHED, "x1", "2024-06-04T12:00:00Z")
    second = _event(p.PUBLISHED, "x2", "2024-06-04T12:00:00Z", event_name="Participant Unpublished")
    assert log.add(first) is Outcome.APPLIED
    assert log.add(second) is Outcome.APPLIED
    assert log.latest(first.key) is second


def test_the_id_memory_is_bounded() -> None:
    log = EventLog(max_ids=2)
    events = [_event(p.PUBLISHED, f"id{i}", f"2024-06-04T12:00:0{i}Z") for i in range(3)]
    for event in events:
        log.add(event)
    assert not log.seen("id0")  # forgotten: the oldest id went first
    assert log.seen("id2")
    # a forgotten id that comes back is still not applied over newer state
    assert log.add(events[0]) is Outcome.STALE
    with pytest.raises(ValueError, match="max_ids"):
        EventLog(max_ids=0)


async def test_accessors_fetch_the_resources(
    ivs_client: ivsrt.Client, ivs_emulator: Emulator
) -> None:
    stage = await Stage.create(name="events", client=ivs_client)
    token = await stage.create_participant_token(user_id="alice")
    assert token.token is not None
    pid = ivs_emulator.join(token.token)
    session_id = (await stage.refresh()).active_session_id
    assert session_id is not None

    raw = copy.deepcopy(p.PUBLISHED)
    raw["resources"] = [stage.arn]
    raw["detail"].update(session_id=session_id, participant_id=pid, user_id="alice")
    event = parse_event(raw)
    assert isinstance(event, StageUpdate)
    assert (await event.stage(client=ivs_client)).arn == stage.arn
    participant = await event.participant(client=ivs_client)
    assert (participant.participant_id, participant.user_id) == (pid, "alice")
    assert (await event.stage()).name == "events"  # the ambient client of the fixture

    missing = copy.deepcopy(p.COMPOSITION_SESSION_START)
    missing["resources"] = []
    composition_event = parse_event(missing)
    assert isinstance(composition_event, CompositionStateChange)
    with pytest.raises(ivsrt.IvsrtError, match="no composition_arn"):
        await composition_event.composition(client=ivs_client)
    gone = parse_event(p.COMPOSITION_SESSION_START)
    assert isinstance(gone, CompositionStateChange)
    with pytest.raises(ivsrt.ResourceNotFoundError):
        await gone.composition(client=ivs_client)
