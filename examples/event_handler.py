"""React to IVS EventBridge events: a Lambda handler and an SQS batch handler that keep track of
who is publishing on each stage, whatever order the events arrive in and however often.

    python examples/event_handler.py              # against a local emulator (no AWS account)

Deploy ``handler`` behind an EventBridge rule (``{"source": ["aws.ivs"]}``), or ``sqs_handler``
behind an SQS queue the rule feeds. ``main`` plays a session on the emulator (two publishers,
one stops), then delivers the "IVS Stage Update" events the emulator emitted for it (as IVS
does) the way EventBridge may: out of order and with a redelivery. The handlers still end with
the right state, and fetch the participant an event is about through the SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ivsrt import Stage
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


@contextlib.asynccontextmanager
async def emulated() -> AsyncIterator[Emulator]:
    from ivsrt.emulator import Emulator  # the handlers above need no emulator (nor aiohttp)

    async with Emulator() as emu, emu.client():
        yield emu


async def main() -> dict[str, Any]:
    """Play a session on the emulator and feed the events it emitted to the handlers."""
    async with emulated() as emu:
        stage = await Stage.create(name="events-demo")
        alice = await stage.create_participant_token(user_id="alice")
        bob = await stage.create_participant_token(user_id="bob")
        for token in (alice, bob):
            emu.join(token.token)
            emu.publish(token.token)
        emu.clock.advance(2)  # bob publishes for two seconds, then stops
        emu.unpublish(bob.token)

        # The "IVS Stage Update" events the emulator emitted, as EventBridge delivers them
        # (the JSON an SQS queue fed by the rule holds): the newest first, one of them twice.
        bodies = [json.dumps(e) for e in emu.events(detail_type="IVS Stage Update")]
        bodies.reverse()
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
