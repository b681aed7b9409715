"""Reset and snapshot: in process, over HTTP, through --state-file, and the pytest fixture
that resets between tests. Checked through plain boto3 and aiobotocore clients."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
from pathlib import Path
from typing import Any

import aiohttp
import boto3
import pytest
from botocore.config import Config

from ivsrt.emulator import ControlClient, ControlError, Emulator
from tests.emulator.conftest import model_session, raw_config


def _boto(endpoint_url: str) -> Any:
    """A plain boto3 client (call it through ``asyncio.to_thread``: the emulator serves on the
    test's event loop)."""
    return boto3.client(
        "ivs-realtime",
        region_name="us-west-2",
        endpoint_url=endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )


async def _populate(aio: Any, emu: Emulator) -> dict[str, Any]:
    """Stages (one live, with a publisher), configurations, an ingest, a composition."""
    created = await aio.create_stage(
        name="kept",
        tags={"team": "live"},
        participantTokenConfigurations=[{"userId": "alice"}, {"userId": "bob"}],
    )
    stage = created["stage"]["arn"]
    alice, bob = created["participantTokens"]
    emu.join(alice["token"])
    emu.publish(alice["token"])
    for i in range(3):
        await aio.create_stage(name=f"other-{i}")
    storage = await aio.create_storage_configuration(s3={"bucketName": "recordings"})
    encoder = await aio.create_encoder_configuration(name="hd")
    ingest = await aio.create_ingest_configuration(ingestProtocol="RTMPS", stageArn=stage)
    destinations = [
        {
            "s3": {
                "storageConfigurationArn": storage["storageConfiguration"]["arn"],
                "encoderConfigurationArns": [encoder["encoderConfiguration"]["arn"]],
            }
        }
    ]
    comp = await aio.start_composition(
        stageArn=stage, idempotencyToken="idem-1", destinations=destinations
    )
    return {
        "stage": stage,
        "alice": alice,
        "bob": bob,
        "ingest": ingest["ingestConfiguration"],
        "composition": comp["composition"]["arn"],
        "destinations": destinations,
    }


async def _everything(aio: Any, stage: str) -> dict[str, Any]:
    """What a client sees of the emulator's state."""
    got = (await aio.get_stage(arn=stage))["stage"]
    session = got.get("activeSessionId")
    out: dict[str, Any] = {
        "stages": (await aio.list_stages())["stages"],
        "stage": got,
        "compositions": (await aio.list_compositions())["compositions"],
        "encoders": (await aio.list_encoder_configurations())["encoderConfigurations"],
        "storages": (await aio.list_storage_configurations())["storageConfigurations"],
        "ingests": (await aio.list_ingest_configurations())["ingestConfigurations"],
        "tags": (await aio.list_tags_for_resource(resourceArn=stage))["tags"],
    }
    if session is not None:
        parts = await aio.list_participants(stageArn=stage, sessionId=session)
        out["participants"] = parts["participants"]
        pid = parts["participants"][0]["participantId"]
        events = await aio.list_participant_events(
            stageArn=stage, sessionId=session, participantId=pid
        )
        out["events"] = [e["name"] for e in events["events"]]
    return out


async def test_reset_starts_over(ivs_emulator: Emulator, aio: Any) -> None:
    pem = ivs_emulator.token_public_key_pem
    made = await _populate(aio, ivs_emulator)
    ivs_emulator.faults.inject("GetStage", "throttle")
    ivs_emulator.clock.advance(3600)
    ivs_emulator.clock.freeze()
    assert ivs_emulator.request_count() > 0

    ivs_emulator.reset()

    assert ivs_emulator.request_count() == 0
    assert ivs_emulator.invocations() == []
    assert not ivs_emulator.clock.frozen
    assert abs((ivs_emulator.clock.now() - ivs_emulator.clock.now()).total_seconds()) < 1
    assert (await aio.list_stages())["stages"] == []
    assert (await aio.list_encoder_configurations())["encoderConfigurations"] == []
    assert (await aio.list_ingest_configurations())["ingestConfigurations"] == []
    with pytest.raises(Exception, match="ResourceNotFoundException"):  # served: no fault
        await aio.get_stage(arn=made["stage"])
    with pytest.raises(ControlError):  # its stage is gone
        ivs_emulator.join(made["bob"]["token"])
    assert ivs_emulator.token_public_key_pem == pem
    # the same ids as a new emulator with the same seed
    first = (await aio.create_stage(name="again"))["stage"]["arn"]
    async with (
        Emulator(seed=0) as fresh,
        model_session().create_client(
            "ivs-realtime",
            region_name="us-west-2",
            endpoint_url=fresh.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=raw_config(),
        ) as other,
    ):
        assert (await other.create_stage(name="again"))["stage"]["arn"] == first


async def test_snapshot_is_json_and_restores_everything_into_another_emulator(
    ivs_emulator: Emulator, aio: Any
) -> None:
    made = await _populate(aio, ivs_emulator)
    ivs_emulator.clock.advance(10)  # the composition is ACTIVE
    page = await aio.list_stages(maxResults=2)
    before = await _everything(aio, made["stage"])
    assert before["compositions"][0]["state"] == "ACTIVE"
    text = json.dumps(ivs_emulator.snapshot())  # plain JSON, as it is

    async with Emulator(seed=99) as other:
        other.restore(json.loads(text))
        client = _boto(other.endpoint_url)
        async with model_session().create_client(
            "ivs-realtime",
            region_name="us-west-2",
            endpoint_url=other.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=raw_config(),
        ) as aio2:
            assert await _everything(aio2, made["stage"]) == before
            # a page token of the original goes on in the copy
            rest = await aio2.list_stages(nextToken=page["nextToken"])
            names = [s["name"] for s in page["stages"] + rest["stages"]]
            assert names == ["kept", "other-0", "other-1", "other-2"]
            # tokens issued before the snapshot join the copy's stage
            assert other.join(made["bob"]["token"]) == made["bob"]["participantId"]
            # the idempotency token still names its composition
            again = await aio2.start_composition(
                stageArn=made["stage"],
                idempotencyToken="idem-1",
                destinations=made["destinations"],
            )
            assert again["composition"]["arn"] == made["composition"]
            # new resources are listed after the restored ones
            await asyncio.to_thread(client.create_stage, name="new")
            listed = await asyncio.to_thread(client.list_stages)
            assert [s["name"] for s in listed["stages"]][-1] == "new"
            # the stream key still starts its ingest
            other.start_rtmp(made["ingest"]["streamKey"])
            got = await asyncio.to_thread(
                client.get_ingest_configuration, arn=made["ingest"]["arn"]
            )
            assert got["ingestConfiguration"]["state"] == "ACTIVE"


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {"format": "something-else"},
        {"format": "ivsrt-emulator-snapshot/1", "accountId": "999999999999"},
        {"format": "ivsrt-emulator-snapshot/1", "accountId": "123456789012", "stages": 5},
    ],
)
async def test_restore_refuses_what_is_not_a_snapshot_and_changes_nothing(
    ivs_emulator: Emulator, aio: Any, bad: Any
) -> None:
    await aio.create_stage(name="stays")
    with pytest.raises(ValueError, match="snapshot"):
        ivs_emulator.restore(bad)
    assert [s["name"] for s in (await aio.list_stages())["stages"]] == ["stays"]


async def test_a_damaged_snapshot_is_refused(ivs_emulator: Emulator, aio: Any) -> None:
    await _populate(aio, ivs_emulator)
    snap = ivs_emulator.snapshot()
    snap["stages"][0]["sessions"] = {"x": {"id": "x", "start": "yesterday"}}
    with pytest.raises(ValueError, match="not a valid emulator snapshot"):
        ivs_emulator.restore(snap)
    assert len((await aio.list_stages())["stages"]) == 4


async def test_reset_snapshot_and_restore_over_http(ivs_emulator: Emulator, aio: Any) -> None:
    made = await _populate(aio, ivs_emulator)
    before = await _everything(aio, made["stage"])
    async with ControlClient(ivs_emulator.endpoint_url) as control:
        snap = await control.snapshot()
        await control.reset()
        assert (await aio.list_stages())["stages"] == []
        await control.restore(snap)
        assert await _everything(aio, made["stage"]) == before
        with pytest.raises(ControlError) as info:
            await control.restore({"format": "nope"})
        assert info.value.code == "BAD_REQUEST"
    assert await _everything(aio, made["stage"]) == before


async def test_state_file_is_loaded_at_start_and_saved_at_stop(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    async with Emulator(state_file=path) as emu:
        await asyncio.to_thread(_boto(emu.endpoint_url).create_stage, name="persisted")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds stream keys
    async with Emulator(state_file=path) as emu:
        stages = (await asyncio.to_thread(_boto(emu.endpoint_url).list_stages))["stages"]
        assert [s["name"] for s in stages] == ["persisted"]
    path.write_text("{not json")
    with pytest.raises(ValueError, match="state_file"):
        Emulator(state_file=path)


async def test_command_line_state_file(tmp_path: Path) -> None:
    path = tmp_path / "cli-state.json"

    async def run(action: str) -> list[str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ivsrt.emulator",
            "--port",
            "0",
            "--state-file",
            str(path),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(os.environ),
        )
        try:
            assert proc.stdout is not None
            url = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode().strip()
            client = _boto(url)
            if action == "create":
                await asyncio.to_thread(client.create_stage, name="from-cli")
            names = [s["name"] for s in (await asyncio.to_thread(client.list_stages))["stages"]]
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.communicate(), timeout=30)
        assert proc.returncode == 0
        return names

    assert await run("create") == ["from-cli"]
    assert await run("list") == ["from-cli"]
    path.write_text('{"format": "other"}')
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        "--state-file",
        str(path),
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2
    assert b"not an emulator snapshot" in err


# -- the fixture that resets between tests: these two run in file order ----------------------
async def test_reset_fixture_first_test_leaves_things_behind(ivs_emulator_reset: Emulator) -> None:
    async with ivs_emulator_reset.client() as ivs:
        await ivs.api.create_stage(name="left-behind")
    ivs_emulator_reset.faults.inject(None, "throttle")


async def test_reset_fixture_next_test_starts_clean(ivs_emulator_reset: Emulator) -> None:
    async with ivs_emulator_reset.client() as ivs:
        assert len((await ivs.api.list_stages()).stages) == 0
    # the shared emulator serves any event loop: a plain aiohttp request from this one
    async with (
        aiohttp.ClientSession() as http,
        http.get(ivs_emulator_reset.control_url + "health") as resp,
    ):
        assert resp.status == 200
