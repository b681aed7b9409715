"""A server-side composition of a stage, recorded to S3 and broadcast to an IVS channel.

    python examples/composition.py                  # a local emulator (no AWS account)
    python examples/composition.py --aws --bucket my-bucket [--channel-arn arn:aws:ivs:...]
                                                    # real AWS (IVSRT_TARGET=aws says the same)

Creates a storage and an encoder configuration, starts the composition, waits until it and
both destinations are ACTIVE, stops it, waits until it is STOPPED, and cleans up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import TypedDict

import ivsrt
from ivsrt import (
    Composition,
    EncoderConfiguration,
    Stage,
    StorageConfiguration,
)
from ivsrt import models as m
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
    bucket: str = "ivsrt-example-recordings",
    channel_arn: str | None = None,
    wait_timeout: float = 120.0,
    fast_polling: bool = False,
) -> list[str]:
    """Run the example; returns the composition states it went through."""
    states: list[str] = []
    delays: Delays = {"min_delay": 0.05, "max_delay": 0.2} if fast_polling else {}
    async with connect(endpoint_url, aws) as (ivs, media):
        if channel_arn is None and media is not None:
            # on the emulator, a channel of its own (on AWS, pass --channel-arn)
            created = await ivs.channels.create_channel(name="composition-example")
            assert created.channel is not None
            channel_arn = created.channel.arn
        stage = await Stage.create(name="composition-example")
        storage = await StorageConfiguration.create(s3=m.S3StorageConfiguration(bucket_name=bucket))
        encoder = await EncoderConfiguration.create(
            name="hd", video=m.Video(width=1280, height=720, framerate=30, bitrate=2_500_000)
        )
        try:
            token = await stage.create_participant_token(user_id="host")
            if media is not None:  # somebody on stage, so there is something to compose
                await media.join(token)
                await media.publish(token)
            destinations = [
                m.DestinationConfiguration(
                    name="recording",
                    s3=m.S3DestinationConfiguration(
                        storage_configuration_arn=storage.arn,
                        encoder_configuration_arns=[encoder.arn],
                        recording_configuration=m.RecordingConfiguration(format="HLS"),
                    ),
                )
            ]
            if channel_arn:
                destinations.append(
                    m.DestinationConfiguration(
                        name="broadcast",
                        channel=m.ChannelDestinationConfiguration(
                            channel_arn=channel_arn, encoder_configuration_arn=encoder.arn
                        ),
                    )
                )
            comp = await stage.start_composition(
                destinations=destinations,
                layout=m.LayoutConfiguration(grid=m.GridConfiguration(grid_gap=2)),
            )
            states.append(comp.state.value)
            print(f"composition {comp.arn}: {comp.state}")
            comp = await comp.wait_until_active(destinations=True, timeout=wait_timeout, **delays)
            states.append(comp.state.value)
            for d in comp.destinations:
                print(f"  destination {d.configuration.name}: {d.state}")
            await comp.stop()
            stopped = await comp.wait_until_stopped(timeout=wait_timeout, **delays)
            states.append(stopped.state.value if stopped is not None else "DELETED")
            print(f"composition: {states[-1]}")
        finally:
            async for c in Composition.list(stage=stage):
                if c.state in (m.CompositionState.STARTING, m.CompositionState.ACTIVE):
                    await c.stop()
            await stage.delete()
            await encoder.delete()
            with contextlib.suppress(ivsrt.ConflictError):  # still in use while stopping
                await storage.delete()
    return states


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", action="store_true", help="use real AWS")
    parser.add_argument("--endpoint-url", help="a running emulator (python -m ivsrt.emulator)")
    parser.add_argument(
        "--bucket", default=os.environ.get("IVSRT_BUCKET", "ivsrt-example-recordings")
    )
    parser.add_argument("--channel-arn", default=os.environ.get("IVSRT_CHANNEL_ARN"))
    args = parser.parse_args()
    use_aws = args.aws or os.environ.get("IVSRT_TARGET", "").lower() == "aws"
    asyncio.run(
        main(
            args.endpoint_url,
            aws=use_aws,
            bucket=args.bucket,
            channel_arn=args.channel_arn,
            fast_polling=not use_aws,
        )
    )
