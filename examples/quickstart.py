"""A tour of ivsrt's resource layer: stages, tokens, participants, compositions, RTMP ingest.

    python examples/quickstart.py               # starts a local emulator (no AWS account)
    python examples/quickstart.py --endpoint-url http://127.0.0.1:4599   # a running emulator
    python examples/quickstart.py --aws --bucket my-recordings [--channel-arn arn:aws:ivs:...]
                                                # real AWS, default credential chain
                                                # (IVSRT_TARGET=aws also means real AWS; an
                                                # explicit --emulator / --endpoint-url wins)

Everything happens inside ``async with ivsrt.Client(...)``: resource calls such as
``Stage.create(...)`` use the client of the enclosing block. On the emulator, what real media
clients would do (participants joining and publishing, an RTMP encoder going live) is played
through the emulator's control surface, and its clock is moved forward instead of waiting. On
AWS those steps are skipped (they need real media), and the composition runs only when you
name an S3 bucket (``--bucket`` / ``IVSRT_BUCKET``) or a channel (``--channel-arn`` /
``IVSRT_CHANNEL_ARN``). Everything the tour creates is deleted at the end, also on failure.
Secrets (participant tokens, stream keys) are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Mapping, Sequence
from typing import TypedDict

import ivsrt
from ivsrt import (
    EncoderConfiguration,
    IngestConfiguration,
    RetryPolicy,
    Stage,
    StorageConfiguration,
)
from ivsrt import models as m
from ivsrt.emulator import ControlClient


def say(text: str = "") -> None:
    print(text, flush=True)


class Waiting(TypedDict):
    """How the waiters poll: quickly on the emulator, gently on AWS."""

    timeout: float
    min_delay: float
    max_delay: float


EMULATOR_WAITING = Waiting(timeout=30.0, min_delay=0.05, max_delay=0.2)
AWS_WAITING = Waiting(timeout=600.0, min_delay=2.0, max_delay=15.0)


async def _emulator_channel() -> str:
    """A channel of the emulator to broadcast to (on AWS, pass --channel-arn)."""
    ivs = ivsrt.current_client()
    assert ivs is not None
    created = await ivs.channels.create_channel(name="quickstart")
    assert created.channel is not None
    assert created.channel.arn is not None
    return created.channel.arn


async def tour(
    media: ControlClient | None,
    *,
    bucket: str | None,
    channel_arn: str | None,
    waits: Waiting,
) -> None:
    """The tour itself; every call uses the client of the enclosing ``async with``."""
    async with contextlib.AsyncExitStack() as cleanup:
        say("1. Create a stage (with tags)")
        stage = await Stage.create(
            name="quickstart-town-hall", tags={"team": "live", "app": "quickstart"}
        )
        # clean-up at the end, even after an error; with a more patient retry policy
        cleanup.push_async_callback(stage.with_options(retry=RetryPolicy(max_attempts=6)).delete)
        say(f"   stage {stage.arn}")
        say(f"   tags {dict(stage.tags or {})}")
        if stage.endpoints is not None:
            say(f"   WHIP endpoint {stage.endpoints.whip}")

        say()
        say("2. Participant tokens (their values are secret: never printed)")
        alice = await stage.create_participant_token(
            user_id="alice", capabilities=["PUBLISH", "SUBSCRIBE"], duration=60
        )
        bob = await stage.create_participant_token(user_id="bob", capabilities=["SUBSCRIBE"])
        for t in (alice, bob):
            caps = "+".join(str(c) for c in t.capabilities or ())
            say(
                f"   {t.user_id}: participant {t.participant_id}, {caps}, "
                f"expires {t.expiration_time}"
            )

        say()
        say("3. Participants join the stage")
        session_id: str | None = None
        if media is None:
            say("   (skipped on AWS: joining needs a browser or mobile app with the IVS SDK)")
        else:
            await media.join(alice)
            await media.publish(alice)
            await media.join(bob)
            await media.subscribe(bob)
            published = await (await alice.participant()).wait_until_published(**waits)
            say(f"   alice joined at {published.first_join_time} and publishes (a waiter saw it)")
            session = await stage.session()
            session_id = session.session_id
            say(f"   stage session {session_id} started at {session.start_time}")
            async for p in stage.participants():
                say(f"   {p.user_id}: {p.state} published={p.published}")
                events = [str(e.name) async for e in p.events()]
                say(f"     events: {' -> '.join(events)}")

        say()
        say("4. A composition: the stage mixed into one video, recorded to S3 and broadcast")
        if media is not None:
            bucket = bucket or "quickstart-recordings"
            channel_arn = channel_arn or await _emulator_channel()
        if bucket is None and channel_arn is None:
            say("   (skipped on AWS: pass --bucket and/or --channel-arn to record or broadcast)")
        else:
            encoder = await EncoderConfiguration.create(
                name="quickstart-720p",
                video=m.Video(width=1280, height=720, framerate=30, bitrate=2_500_000),
                tags={"app": "quickstart"},
            )
            cleanup.push_async_callback(encoder.delete)
            say(f"   encoder configuration {encoder.name}: 1280x720 at 30 fps")
            destinations: list[m.DestinationConfiguration] = []
            if bucket is not None:
                storage = await StorageConfiguration.create(
                    name="quickstart-recordings",
                    s3=m.S3StorageConfiguration(bucket_name=bucket),
                    tags={"app": "quickstart"},
                )
                cleanup.push_async_callback(_delete_storage, storage)
                say(f"   storage configuration {storage.name}: s3://{bucket}")
                destinations.append(
                    m.DestinationConfiguration(
                        name="archive",
                        s3=m.S3DestinationConfiguration(
                            storage_configuration_arn=storage.arn,
                            encoder_configuration_arns=[encoder.arn],
                        ),
                    )
                )
            if channel_arn is not None:
                destinations.append(
                    m.DestinationConfiguration(
                        name="broadcast",
                        channel=m.ChannelDestinationConfiguration(
                            channel_arn=channel_arn, encoder_configuration_arn=encoder.arn
                        ),
                    )
                )
                say(f"   broadcast to channel {channel_arn}")
            comp = await stage.start_composition(
                destinations=destinations,
                layout=m.LayoutConfiguration(grid=m.GridConfiguration(grid_gap=2)),
            )
            cleanup.push_async_callback(_stop_running, stage)
            say(f"   composition {comp.arn}: {comp.state}")
            if media is not None:
                await media.advance_clock(10)  # emulator time jumps: no real waiting
                say("   (emulator clock moved 10 s forward)")
            comp = await comp.wait_until_active(destinations=True, **waits)
            say(f"   composition is {comp.state}:")
            for d in comp.destinations:
                s3 = d.detail.s3 if d.detail is not None else None
                where = f", recording prefix {s3.recording_prefix}" if s3 is not None else ""
                say(f"     destination {d.configuration.name}: {d.state}{where}")
            async for summary in stage.compositions():
                say(f"   listed for this stage: {summary.arn} ({summary.state})")
            await comp.stop()
            say("   stopping it")
            if media is not None:
                await media.advance_clock(5)
            stopped = await comp.wait_until_stopped(**waits)
            say(f"   composition is {stopped.state if stopped is not None else 'gone (deleted)'}")

        say()
        say("5. RTMP ingest: publish into the stage from OBS or ffmpeg")
        ingest = await IngestConfiguration.create(
            ingest_protocol="RTMPS", stage=stage, name="quickstart-obs", user_id="obs-studio"
        )
        cleanup.push_async_callback(ingest.delete, force=True)
        say(f"   ingest configuration {ingest.arn}: {ingest.state}")
        stage = await stage.refresh()  # a snapshot: refresh() returns the stage as it is now
        server = stage.endpoints.rtmps if stage.endpoints is not None else None
        say(f"   stream to {server} with the stream key ({len(ingest.stream_key)} characters)")
        if media is None:
            say("   (skipped on AWS: going live needs an RTMP encoder streaming with the key)")
        else:
            await media.start_rtmp(ingest)
            live = await ingest.wait_until_active(**waits)
            say(f"   encoder live: ingest configuration is {live.state}")
            async for p in stage.participants(user_id="obs-studio"):
                say(f"   on stage as {p.user_id}: {p.state} published={p.published}")
            await media.stop_rtmp(ingest)
            done = await ingest.wait_until_inactive(**waits)
            say(f"   encoder stopped: ingest configuration is {done.state}")

        say()
        say("6. Tags")
        await stage.tag({"env": "demo"})
        await stage.untag(["app"])
        say(f"   stage tags now: {await stage.fetch_tags()}")

        say()
        say("7. Pagination: 5 more stages, listed 3 per page")
        for i in range(5):
            extra = await Stage.create(name=f"quickstart-extra-{i}")
            cleanup.push_async_callback(extra.delete)
        pages = 0
        total = 0
        async for page in Stage.list(page_size=3).pages():
            pages += 1
            total += len(page.items)
            more = "more follow" if page.next_token else "last page"
            say(f"   page {pages}: {', '.join(s.name or '-' for s in page.items)} ({more})")
        say(f"   {total} stages in {pages} pages")
        first_two = [s.name async for s in Stage.list(max_items=2)]
        say(
            f"   max_items=2 stops after {len(first_two)}: {', '.join(n or '-' for n in first_two)}"
        )

        say()
        say("8. Clean up")
        if media is not None and session_id is not None:
            await media.leave(alice)
            await media.leave(bob)
            ended = await (await stage.session(session_id)).wait_until_ended(**waits)
            say(f"   everyone left: session ended at {ended.end_time}")
        await cleanup.aclose()  # deletes what was created, newest first
        say("   deleted the stages, ingest, encoder and storage configurations")


async def _delete_storage(storage: StorageConfiguration) -> None:
    try:
        await storage.delete()
    except ivsrt.ConflictError:
        say(f"   storage configuration {storage.arn} is still in use: delete it later")


async def _stop_running(stage: Stage) -> None:
    """Stop the stage's compositions that still run (if the tour failed half-way)."""
    async for c in stage.compositions():
        if c.state in (m.CompositionState.STARTING, m.CompositionState.ACTIVE):
            await c.stop()
            await (await c.fetch()).wait_until_stopped(timeout=120)


async def run(
    endpoint_url: str | None = None,
    region: str = "us-west-2",
    *,
    bucket: str | None = None,
    channel_arn: str | None = None,
) -> None:
    """Run the tour against ``endpoint_url`` (a running emulator), or real AWS when None (region
    and credentials from the default chain, ``region`` unused)."""
    if endpoint_url is None:
        async with ivsrt.Client() as ivs:
            say(f"Using real AWS, region {ivs.region}")
            say()
            await tour(None, bucket=bucket, channel_arn=channel_arn, waits=AWS_WAITING)
        return
    async with (
        ivsrt.Client(
            region=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        ),
        ControlClient(endpoint_url) as control,
    ):
        await tour(
            control,
            bucket=bucket,
            channel_arn=channel_arn,
            waits=EMULATOR_WAITING,
        )


def choose_target(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """``"aws"``, ``"endpoint"`` or ``"emulator"``: an explicit flag wins, then
    ``IVSRT_TARGET=aws``; the default is a local emulator."""
    if args.aws:
        return "aws"
    if args.endpoint_url:
        return "endpoint"
    if args.emulator:
        return "emulator"
    return "aws" if environ.get("IVSRT_TARGET", "").lower() == "aws" else "emulator"


async def main(argv: Sequence[str] | None = None) -> None:
    """The command line: a local emulator by default, ``--endpoint-url URL`` for a running one,
    ``--aws`` (or ``IVSRT_TARGET=aws``) for real AWS."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--emulator", action="store_true", help="start a local emulator (the default)"
    )
    target.add_argument("--endpoint-url", help="a running emulator (python -m ivsrt.emulator)")
    target.add_argument("--aws", action="store_true", help="real AWS (IVSRT_TARGET=aws too)")
    parser.add_argument(
        "--bucket",
        default=os.environ.get("IVSRT_BUCKET"),
        help="S3 bucket to record the composition to (default $IVSRT_BUCKET)",
    )
    parser.add_argument(
        "--channel-arn",
        default=os.environ.get("IVSRT_CHANNEL_ARN"),
        help="IVS channel to broadcast the composition to (default $IVSRT_CHANNEL_ARN)",
    )
    args = parser.parse_args(argv)
    bucket: str | None = args.bucket
    channel_arn: str | None = args.channel_arn
    chosen = choose_target(args, os.environ)
    if chosen == "aws":
        await run(None, bucket=bucket, channel_arn=channel_arn)
    elif chosen == "endpoint":
        endpoint_url: str = args.endpoint_url
        say(f"Using the emulator at {endpoint_url}")
        say()
        await run(endpoint_url, bucket=bucket, channel_arn=channel_arn)
    else:
        from ivsrt.emulator import Emulator

        async with Emulator() as emu:
            say(f"Started a local IVS Real-Time emulator at {emu.endpoint_url}")
            say()
            await run(emu.endpoint_url, emu.region, bucket=bucket, channel_arn=channel_arn)


if __name__ == "__main__":
    asyncio.run(main())
