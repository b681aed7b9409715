"""A tour of ivsrt: stages, tokens, sessions, compositions, RTMP ingest, tags and pagination.

    python examples/quickstart.py --emulator   # starts a local emulator (no AWS account)
    python examples/quickstart.py              # real AWS, default credential chain
                                               # (IVSRT_TARGET=aws says the same)

Against real AWS the steps that need real media (participants joining, an RTMP publisher)
are skipped; everything else runs and is cleaned up at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

import aiohttp

import ivsrt
from ivsrt import models as m


class Media:
    """What real media clients do, driven through the emulator's HTTP control surface."""

    def __init__(self, endpoint_url: str, http: aiohttp.ClientSession) -> None:
        self._base = endpoint_url.rstrip("/") + "/_emulator/"
        self._http = http

    async def call(self, action: str, **body: Any) -> dict[str, Any]:
        async with self._http.post(self._base + action, json=body) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"emulator control {action}: {data.get('message')}")
            return data


def say(text: str = "") -> None:
    print(text, flush=True)


async def tour(ivs: ivsrt.Client, media: Media | None) -> None:
    api = ivs.api

    say("1. Create a stage with two participant tokens")
    created = await api.create_stage(
        name="quickstart-town-hall",
        participant_token_configurations=[
            m.ParticipantTokenConfiguration(user_id="alice", capabilities=["PUBLISH", "SUBSCRIBE"]),
            m.ParticipantTokenConfiguration(user_id="bob", capabilities=["SUBSCRIBE"]),
        ],
        tags={"team": "live"},
    )
    stage = created.stage
    alice, bob = created.participant_tokens
    say(f"   stage {stage.arn}")
    say(f"   WHIP endpoint {stage.endpoints.whip if stage.endpoints else '-'}")
    for t in created.participant_tokens:
        say(
            f"   token for {t.user_id}: participant {t.participant_id}, expires {t.expiration_time}"
        )

    say()
    say("2. Participants join (alice publishes, bob subscribes)")
    if media is not None:
        assert alice.token is not None
        assert bob.token is not None
        await media.call("join", token=alice.token)
        await media.call("publish", token=alice.token)
        await media.call("join", token=bob.token)
        await media.call("subscribe", token=bob.token)
        stage = (await api.get_stage(arn=stage.arn)).stage
        session_id = stage.active_session_id
        assert session_id is not None
        session = await api.get_stage_session(stage_arn=stage.arn, session_id=session_id)
        say(f"   stage session {session_id} started at {session.stage_session.start_time}")
        parts = await api.list_participants(stage_arn=stage.arn, session_id=session_id)
        for p in parts.participants:
            say(f"   {p.user_id}: {p.state} published={p.published}")
        events = await api.list_participant_events(
            stage_arn=stage.arn, session_id=session_id, participant_id=alice.participant_id or ""
        )
        say("   alice's events: " + ", ".join(str(e.name) for e in events.events))
    else:
        say("   (skipped: real participants need a browser or mobile SDK)")

    say()
    say("3. Start a composition: to S3 (with a storage configuration) via an encoder preset")
    encoder = (
        await api.create_encoder_configuration(
            name="quickstart-720p", video=m.Video(width=1280, height=720, framerate=30)
        )
    ).encoder_configuration
    storage = (
        await api.create_storage_configuration(
            name="quickstart-recordings",
            s3=m.S3StorageConfiguration(bucket_name="quickstart-ivs-recordings"),
        )
    ).storage_configuration
    assert encoder is not None
    assert storage is not None
    composition = (
        await api.start_composition(
            stage_arn=stage.arn,
            destinations=[
                m.DestinationConfiguration(
                    name="archive",
                    s3=m.S3DestinationConfiguration(
                        storage_configuration_arn=storage.arn,
                        encoder_configuration_arns=[encoder.arn],
                    ),
                )
            ],
        )
    ).composition
    assert composition is not None
    say(f"   composition {composition.arn}: {composition.state}")

    say("   waiting for it to go ACTIVE...")
    if media is not None:
        await media.call("clock/advance", seconds=10)  # emulator time moves, no real waiting
    for _ in range(60):
        composition = (await api.get_composition(arn=composition.arn)).composition
        assert composition is not None
        if str(composition.state) in ("ACTIVE", "FAILED"):
            break
        await asyncio.sleep(2)
    say(f"   composition is {composition.state}; destinations:")
    for d in composition.destinations:
        prefix = d.detail.s3.recording_prefix if d.detail and d.detail.s3 else "-"
        say(f"     {d.id}: {d.state} (recording prefix {prefix})")

    say("   stopping it")
    await api.stop_composition(arn=composition.arn)
    if media is not None:
        await media.call("clock/advance", seconds=5)
    composition = (await api.get_composition(arn=composition.arn)).composition
    assert composition is not None
    say(f"   composition is {composition.state}")

    say()
    say("4. RTMP ingest")
    ingest = (
        await api.create_ingest_configuration(
            name="quickstart-obs",
            stage_arn=stage.arn,
            user_id="obs-studio",
            ingest_protocol="RTMPS",
        )
    ).ingest_configuration
    assert ingest is not None
    say(f"   ingest configuration {ingest.arn}: {ingest.state}")
    say(f"   point OBS at {stage.endpoints.rtmps if stage.endpoints else '-'} (stream key hidden)")
    if media is not None:
        assert ingest.stream_key is not None
        await media.call("rtmp/start", streamKey=ingest.stream_key)
        live = (await api.get_ingest_configuration(arn=ingest.arn)).ingest_configuration
        assert live is not None
        say(f"   publisher live: ingest configuration is {live.state}")
        await media.call("rtmp/stop", streamKey=ingest.stream_key)
        live = (await api.get_ingest_configuration(arn=ingest.arn)).ingest_configuration
        assert live is not None
        say(f"   publisher stopped: ingest configuration is {live.state}")

    say()
    say("5. Tags")
    await api.tag_resource(resource_arn=stage.arn, tags={"env": "demo"})
    tags = (await api.list_tags_for_resource(resource_arn=stage.arn)).tags
    say(f"   stage tags: {dict(tags)}")

    say()
    say("6. List with pagination (3 stages per page)")
    extra = [(await api.create_stage(name=f"quickstart-extra-{i}")).stage for i in range(5)]
    token: str | None = None
    page_no = 0
    total = 0
    while True:
        page = await api.list_stages(max_results=3, next_token=token)
        page_no += 1
        total += len(page.stages)
        say(f"   page {page_no}: " + ", ".join(s.name or "-" for s in page.stages))
        token = page.next_token
        if not token:
            break
    say(f"   {total} stages in {page_no} pages")

    say()
    say("7. Clean up")
    if media is not None:
        assert alice.token is not None
        assert bob.token is not None
        await media.call("leave", token=alice.token)
        await media.call("leave", token=bob.token)
        session_id = stage.active_session_id or ""
        ended = await api.get_stage_session(stage_arn=stage.arn, session_id=session_id)
        say(f"   everyone left: session ended at {ended.stage_session.end_time}")
    await api.delete_ingest_configuration(arn=ingest.arn)
    for s in [stage, *extra]:
        await api.delete_stage(arn=s.arn)
    await api.delete_encoder_configuration(arn=encoder.arn)
    await api.delete_storage_configuration(arn=storage.arn)
    say("   done")


async def run(endpoint_url: str | None = None, region: str = "us-west-2") -> None:
    """Run the tour against ``endpoint_url`` (a running emulator), or real AWS when None."""
    if endpoint_url is None:
        async with ivsrt.Client(region=os.environ.get("AWS_REGION", region)) as ivs:
            await tour(ivs, None)
        return
    async with (
        ivsrt.Client(
            region=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        ) as ivs,
        aiohttp.ClientSession() as http,
    ):
        await tour(ivs, Media(endpoint_url, http))


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", action="store_true", help="start a local emulator")
    args = parser.parse_args(argv)
    if args.emulator and os.environ.get("IVSRT_TARGET", "").lower() != "aws":
        from ivsrt.emulator import Emulator

        async with Emulator() as emu:
            say(f"Started a local IVS Real-Time emulator at {emu.endpoint_url}")
            say()
            await run(emu.endpoint_url, emu.region)
    else:
        await run(None)


if __name__ == "__main__":
    asyncio.run(main())
