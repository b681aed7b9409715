"""RTMP(S) ingest: publish into a stage from OBS, ffmpeg or any RTMP encoder.

    python examples/rtmp_ingest.py          # a local emulator (no AWS account)
    python examples/rtmp_ingest.py --aws    # real AWS (IVSRT_TARGET=aws says the same)

Creates an RTMPS ingest configuration attached to a stage, prints where to stream (the stream
key is a secret: it is never printed in a repr or a log; the script shows its length only),
waits until the encoder is live, then detaches and deletes it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import TypedDict

import ivsrt
from ivsrt import IngestConfiguration, Stage
from ivsrt.emulator import ControlClient


class Delays(TypedDict, total=False):
    """Waiter polling delays (seconds); quicker than the defaults on the emulator."""

    min_delay: float
    max_delay: float


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


async def main(
    endpoint_url: str | None = None,
    *,
    aws: bool = False,
    wait_timeout: float = 600.0,
    fast_polling: bool = False,
) -> list[str]:
    """Run the example; returns the ingest states it saw."""
    delays: Delays = {"min_delay": 0.05, "max_delay": 0.2} if fast_polling else {}
    seen: list[str] = []
    async with connect(endpoint_url, aws) as (_, media):
        stage = await Stage.create(name="rtmp-ingest-example")
        ingest = await IngestConfiguration.create(
            ingest_protocol="RTMPS", stage=stage, name="studio", user_id="studio-encoder"
        )
        try:
            stage = await stage.refresh()
            server = stage.endpoints.rtmps if stage.endpoints else None
            print(f"ingest {ingest!r}")  # the repr never shows the stream key
            print(f"stream to {server} with the stream key ({len(ingest.stream_key)} characters)")
            seen.append(ingest.state.value)
            if media is not None:
                await media.start_rtmp(ingest)
            live = await ingest.wait_until_active(timeout=wait_timeout, **delays)
            seen.append(live.state.value)
            print(f"live: participant {live.participant_id} publishes into {live.stage_arn}")
            async for p in stage.participants(user_id="studio-encoder"):
                print(f"  on stage: {p.participant_id} ({p.state}, published={p.published})")
            if media is not None:
                await media.stop_rtmp(ingest)
            done = await ingest.wait_until_inactive(timeout=wait_timeout, **delays)
            seen.append(done.state.value)
            detached = await done.update(stage="")
            print(f"detached: stage_arn={detached.stage_arn!r}")
        finally:
            await ingest.delete(force=True)
            await stage.delete()
    return seen


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", action="store_true", help="use real AWS")
    parser.add_argument("--endpoint-url", help="a running emulator (python -m ivsrt.emulator)")
    args = parser.parse_args()
    use_aws = args.aws or os.environ.get("IVSRT_TARGET", "").lower() == "aws"
    asyncio.run(main(args.endpoint_url, aws=use_aws, fast_polling=not use_aws))
