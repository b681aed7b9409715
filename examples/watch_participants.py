"""Watch participants join a stage, and print each one's events.

    python examples/watch_participants.py           # a local emulator (no AWS account)
    python examples/watch_participants.py --aws     # real AWS (IVSRT_TARGET=aws says the same)

On the emulator, three simulated clients join, publish and leave. On AWS, join the stage with
real clients (the tokens are printed, never their values: use them from your app), and the
script watches for a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import ivsrt
from ivsrt import Stage
from ivsrt.emulator import ControlClient


@contextlib.asynccontextmanager
async def connect(
    endpoint_url: str | None, aws: bool
) -> AsyncIterator[tuple[ivsrt.Client, ControlClient | None]]:
    """The client (ambient inside the block) and, on an emulator, its control surface
    (what real media clients would do)."""
    if aws:
        async with ivsrt.Client(region=os.environ.get("AWS_REGION", "us-west-2")) as ivs:
            yield ivs, None
        return
    async with contextlib.AsyncExitStack() as stack:
        if endpoint_url is None:
            from ivsrt.emulator import Emulator

            endpoint_url = (await stack.enter_async_context(Emulator())).endpoint_url
        ivs = await stack.enter_async_context(
            ivsrt.Client(
                region="us-west-2",
                endpoint_url=endpoint_url,
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
        )
        yield ivs, await stack.enter_async_context(ControlClient(endpoint_url))


async def watch(stage: Stage, seen: dict[str, str], rounds: int, pause: float) -> None:
    """Poll the active session's participants; print newcomers and their events."""
    for _ in range(rounds):
        try:
            async for p in stage.participants():
                if p.participant_id and p.participant_id not in seen:
                    seen[p.participant_id] = p.user_id or "?"
                    print(f"joined: {p.user_id} ({p.participant_id}) at {p.first_join_time}")
        except ivsrt.NoActiveSessionError:
            pass  # nobody there yet
        await asyncio.sleep(pause)


async def main(endpoint_url: str | None = None, *, aws: bool = False) -> dict[str, list[str]]:
    """Run the example; returns each participant's user id and event names."""
    async with connect(endpoint_url, aws) as (_, media):
        stage = await Stage.create(name="watch-participants")  # the ambient client
        print(f"stage {stage.arn}")
        try:
            tokens = [
                await stage.create_participant_token(user_id=name, capabilities=["PUBLISH"])
                for name in ("alice", "bob", "carol")
            ]
            for t in tokens:
                print(f"token for {t.user_id}: participant {t.participant_id}")  # no secret
            seen: dict[str, str] = {}
            if media is None:
                await watch(stage, seen, rounds=12, pause=5.0)
            else:
                for t in tokens:
                    await media.join(t)
                    await media.publish(t)
                    await watch(stage, seen, rounds=1, pause=0)
                await media.leave(tokens[1])
            events: dict[str, list[str]] = {}
            session = await stage.session() if media is not None else None
            if session is not None:
                async for p in session.participants():
                    names = [str(e.name) async for e in p.events()]
                    events[p.user_id or "?"] = names
                    print(f"{p.user_id}: {p.state} {' -> '.join(names)}")
            return events
        finally:
            await stage.delete()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", action="store_true", help="use real AWS")
    parser.add_argument("--endpoint-url", help="a running emulator (python -m ivsrt.emulator)")
    args = parser.parse_args()
    use_aws = args.aws or os.environ.get("IVSRT_TARGET", "").lower() == "aws"
    asyncio.run(main(args.endpoint_url, aws=use_aws))
