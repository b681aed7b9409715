"""React to IVS EventBridge events: a Lambda handler and an SQS batch handler that keep track of
who is publishing on each stage, whatever order the events arrive in and however often.

    python examples/event_handler.py              # against a local emulator (no AWS account)

Deploy ``handler`` behind an EventBridge rule (``{"source": ["aws.ivs"]}``), or ``sqs_handler``
behind an SQS queue the rule feeds. ``main`` plays a session on the emulator (two publishers,
one stops), then delivers the "IVS Stage Update" events IVS sends for it the way EventBridge may:
out of order and with a redelivery. The handlers still end with the right state, and fetch
the participant an event is about through the SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ivsrt import Participant, Stage
from ivsrt.events import EventLog, Outcome, StageEventName, StageUpdate, parse_event, parse_events

if TYPE_CHECKING:
    from ivsrt.emulator import Emulator

LOG = EventLog()
"""De-duplication and ordering; lives as long as the (warm) Lambda instance."""
PUBLISHING: dict[str, set[str]] = {}
"""Stage ARN -> ids of the participants publishing now (your database, in real life)."""


def on_event(payload: object) -> Outcome:
    """Apply one event (a Lambda event, an SQS record, JSON text or bytes) to the state."""
    event = parse_event(payload)
    outcome = LOG.add(event)
    if outcome is not Outcome.APPLIED:
        return outcome  # a redelivery, or older than what we already know
    if isinstance(event, StageUpdate) and event.stage_arn and event.participant_id:
        live = PUBLISHING.setdefault(event.stage_arn, set())
        if event.event_name is StageEventName.PARTICIPANT_PUBLISHED:
            live.add(event.participant_id)
        elif event.event_name is StageEventName.PARTICIPANT_UNPUBLISHED:
            live.discard(event.participant_id)
    return outcome


def handler(event: dict[str, Any], context: object) -> dict[str, str]:
    """The Lambda entry point for an EventBridge rule."""
    return {"outcome": on_event(event).value}


def sqs_handler(event: dict[str, Any], context: object) -> dict[str, list[str]]:
    """The Lambda entry point for an SQS queue: a batch of records."""
    outcomes = [on_event(e).value for e in parse_events(event)]
    return {"outcomes": outcomes}


# -- the demo ---------------------------------------------------------------------------------


def stage_update(stage_arn: str, session_id: str, p: Participant, name: str, time: str) -> str:
    """The JSON text of the "IVS Stage Update" event IVS sends (an SQS message body)."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "IVS Stage Update",
            "source": "aws.ivs",
            "account": stage_arn.split(":")[4],
            "time": time,
            "region": stage_arn.split(":")[3],
            "resources": [stage_arn],
            "detail": {
                "session_id": session_id,
                "event_name": name,
                "user_id": p.user_id,
                "participant_id": p.participant_id,
            },
        }
    )


@contextlib.asynccontextmanager
async def emulated() -> AsyncIterator[Emulator]:
    from ivsrt.emulator import Emulator  # the handlers above need no emulator (nor aiohttp)

    async with Emulator() as emu, emu.client():
        yield emu


async def main() -> dict[str, Any]:
    """Play a session on the emulator and feed its events to the handlers."""
    async with emulated() as emu:
        stage = await Stage.create(name="events-demo")
        alice = await stage.create_participant_token(user_id="alice")
        bob = await stage.create_participant_token(user_id="bob")
        for token in (alice, bob):
            emu.join(token.token)
            emu.publish(token.token)
        emu.clock.advance(2)  # bob publishes for two seconds, then stops
        emu.unpublish(bob.token)
        session_id = (await stage.refresh()).active_session_id or ""

        # The events IVS sends for that, built from the participants' own event history.
        bodies: list[str] = []
        names = {
            "PUBLISH_STARTED": "Participant Published",
            "PUBLISH_STOPPED": "Participant Unpublished",
        }
        async for p in stage.participants():
            async for e in p.events():
                if e.name in names and e.event_time is not None:
                    when = e.event_time.strftime("%Y-%m-%dT%H:%M:%SZ")
                    bodies.append(stage_update(stage.arn, session_id, p, names[e.name], when))

        # Delivered as EventBridge may: the newest first, and one of them twice.
        bodies.sort(key=lambda b: json.loads(b)["time"], reverse=True)
        records = [{"body": b, "eventSource": "aws:sqs"} for b in [*bodies, bodies[0]]]
        result = sqs_handler({"Records": records}, None)
        print("outcomes:", ", ".join(result["outcomes"]))

        live = PUBLISHING.get(stage.arn, set())
        for pid in sorted(live):
            event = LOG.latest(("IVS Stage Update", stage.arn, pid))
            assert isinstance(event, StageUpdate)
            participant = await event.participant()  # GetParticipant: as it is now
            print(f"publishing now: {participant.user_id} ({pid})")
        return {"outcomes": result["outcomes"], "publishing": live, "bob": bob.participant_id}


if __name__ == "__main__":
    argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0]).parse_args()
    asyncio.run(main())
