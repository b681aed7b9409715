"""Fault injection, attempt counting, 200 concurrent clients, plain boto3 and aiobotocore,
and the quickstart example."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import boto3
import pytest
from aiobotocore.session import get_session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from ivsrt.emulator import Emulator, Limits
from tests.emulator._boto import a_channel, new_channel
from tests.emulator.conftest import raw_config

ROOT = Path(__file__).resolve().parents[2]


async def test_each_fault_kind(ivs_emulator: Emulator, aio: Any) -> None:
    faults = ivs_emulator.faults
    faults.inject("ListStages", "throttle", count=1)
    with pytest.raises(ClientError) as info:
        await aio.list_stages()
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    await aio.list_stages()  # count=1: only the next call

    faults.inject("ListStages", "server_error", count=1, status=500)
    with pytest.raises(aio.exceptions.InternalServerException):
        await aio.list_stages()
    faults.inject(None, "server_error", count=1)
    with pytest.raises(ClientError) as info:
        await aio.list_stages()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503

    faults.inject("ListStages", "latency", count=1, latency=0.3)
    start = time.monotonic()
    await aio.list_stages()
    assert time.monotonic() - start >= 0.3

    faults.inject("CreateStage", "reset_before", count=1)
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        await aio.create_stage(name="lost")
    assert (await aio.list_stages())["stages"] == []  # not applied

    faults.inject("CreateStage", "reset_after", count=1)
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        await aio.create_stage(name="applied")
    assert [s["name"] for s in (await aio.list_stages())["stages"]] == ["applied"]

    faults.inject("GetStage", "throttle")
    for _ in range(3):
        with pytest.raises(ClientError):
            await aio.get_stage(arn="arn:aws:ivs:us-west-2:123456789012:stage/x")
    faults.clear()
    with pytest.raises(aio.exceptions.ResourceNotFoundException):
        await aio.get_stage(arn="arn:aws:ivs:us-west-2:123456789012:stage/x")
    with pytest.raises(ValueError, match="unknown fault kind"):
        faults.inject("GetStage", "explode")  # type: ignore[arg-type]


async def test_attempts_are_counted_per_invocation(ivs_emulator: Emulator) -> None:
    ivs_emulator.faults.inject("ListStages", "throttle", count=2)
    async with get_session().create_client(
        "ivs-realtime",
        region_name="us-west-2",
        endpoint_url=ivs_emulator.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=raw_config(attempts=5),
    ) as client:
        await client.list_stages()
        await client.list_stages()
    invs = ivs_emulator.invocations("ListStages")
    assert [i.attempts for i in invs] == [3, 1]
    assert ivs_emulator.attempts(invs[0].id) == 3
    assert ivs_emulator.attempts("unknown") == 0
    assert ivs_emulator.request_count("ListStages") == 4


async def _probability_pattern(seed: int) -> list[bool]:
    out = []
    async with Emulator(seed=seed) as emu:
        emu.faults.inject("ListStages", "throttle", probability=0.5)
        async with get_session().create_client(
            "ivs-realtime",
            region_name="us-west-2",
            endpoint_url=emu.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=raw_config(),
        ) as client:
            for _ in range(20):
                try:
                    await client.list_stages()
                    out.append(False)
                except ClientError:
                    out.append(True)
    return out


async def test_probabilities_are_seeded() -> None:
    a, b, c = (
        await _probability_pattern(7),
        await _probability_pattern(7),
        await _probability_pattern(8),
    )
    assert a == b
    assert a != c
    assert 0 < sum(a) < 20


def _signed(method: str, url: str, body: bytes) -> dict[str, str]:
    """Headers of a request signed with SigV4 by botocore's signer (any SigV4 client will do)."""
    request = AWSRequest(
        method=method, url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials("test", "test"), "ivs", "us-west-2").add_auth(request)
    return dict(request.headers.items())


async def test_200_concurrent_clients(ivs_emulator: Emulator, aio: Any) -> None:
    stage = (await aio.create_stage(name="busy"))["stage"]
    url = ivs_emulator.endpoint_url

    async def one(i: int) -> str:
        # each client has its own connection pool, so 200 connections are open at once
        async with aiohttp.ClientSession() as http:
            body = json.dumps({"stageArn": stage["arn"], "userId": f"u{i}"}).encode()
            headers = _signed("POST", url + "/CreateParticipantToken", body)
            async with http.post(url + "/CreateParticipantToken", data=body, headers=headers) as r:
                assert r.status == 200, await r.text()
                token = (await r.json())["participantToken"]
            body = json.dumps({"arn": stage["arn"]}).encode()
            headers = _signed("POST", url + "/GetStage", body)
            async with http.post(url + "/GetStage", data=body, headers=headers) as r:
                assert r.status == 200, await r.text()
                assert (await r.json())["stage"]["arn"] == stage["arn"]
            return str(token["participantId"])

    start = time.monotonic()
    ids = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(200))), timeout=60)
    assert len(set(ids)) == 200
    assert ivs_emulator.request_count("CreateParticipantToken") == 200
    assert ivs_emulator.request_count("GetStage") == 200
    assert time.monotonic() - start < 60


def _boto3_scenario(endpoint_url: str, emu: Emulator) -> dict[str, Any]:
    client = boto3.client(
        "ivs-realtime",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )
    try:
        return _scenario_sync(client, emu)
    finally:
        client.close()


def _scenario_sync(client: Any, emu: Emulator) -> dict[str, Any]:
    created = client.create_stage(name="boto3", participantTokenConfigurations=[{"userId": "a"}])
    arn = created["stage"]["arn"]
    token = created["participantTokens"][0]
    pid = emu.join(token["token"])
    emu.publish(token["token"])
    session_id = client.get_stage(arn=arn)["stage"]["activeSessionId"]
    session = client.get_stage_session(stageArn=arn, sessionId=session_id)["stageSession"]
    sessions = client.list_stage_sessions(stageArn=arn)["stageSessions"]
    parts = client.list_participants(stageArn=arn, sessionId=session_id)["participants"]
    channel = new_channel(emu.endpoint_url, "us-east-1")  # the stage's region and account
    comp = client.start_composition(
        stageArn=arn, destinations=[{"channel": {"channelArn": channel}}]
    )["composition"]
    emu.clock.advance(10)
    active = client.get_composition(arn=comp["arn"])["composition"]["state"]
    client.stop_composition(arn=comp["arn"])
    emu.clock.advance(10)
    stopped = client.get_composition(arn=comp["arn"])["composition"]["state"]
    ing = client.create_ingest_configuration(stageArn=arn, ingestProtocol="RTMPS")
    emu.start_rtmp(ing["ingestConfiguration"]["streamKey"])
    ing_state = client.get_ingest_configuration(arn=ing["ingestConfiguration"]["arn"])
    client.tag_resource(resourceArn=arn, tags={"k": "v"})
    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    for i in range(249):
        client.create_stage(name=f"p{i}")
    paginated = 0
    kwargs: dict[str, Any] = {}
    for _ in range(20):  # bounded: 250 stages are 5 pages of 50
        page = client.list_stages(**kwargs)
        paginated += len(page["stages"])
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    try:
        client.get_stage(arn=arn + "x")
    except client.exceptions.ResourceNotFoundException as exc:
        not_found = exc.response["exceptionMessage"]
    return {
        "pid": pid,
        "token_pid": token["participantId"],
        "participants": [p["participantId"] for p in parts],
        "composition": active,
        "stopped": stopped,
        "session": session,
        "sessions": [s["sessionId"] for s in sessions],
        "session_id": session_id,
        "ingest": ing_state["ingestConfiguration"]["state"],
        "tags": tags,
        "paginated": paginated,
        "not_found": not_found,
        "arn": arn,
    }


async def test_full_scenario_with_plain_boto3() -> None:
    async with Emulator(limits=Limits(max_stages=300)) as emu:  # 250 stages to page through
        result = await asyncio.to_thread(_boto3_scenario, emu.endpoint_url, emu)
    assert result["pid"] == result["token_pid"]
    assert result["participants"] == [result["pid"]]
    assert result["composition"] == "ACTIVE"
    assert result["stopped"] == "STOPPED"
    assert result["session"]["sessionId"] == result["session_id"]
    assert "endTime" not in result["session"]
    assert result["sessions"] == [result["session_id"]]
    assert result["ingest"] == "ACTIVE"
    assert result["tags"] == {"k": "v"}
    assert result["paginated"] == 250
    assert result["not_found"] == f"Stage not found: {result['arn']}x"


@pytest.mark.ivsrt_limits(max_stages=300)
async def test_full_scenario_with_plain_aiobotocore(ivs_emulator: Emulator, aio: Any) -> None:
    created = await aio.create_stage(participantTokenConfigurations=[{"userId": "a"}])
    arn = created["stage"]["arn"]
    token = created["participantTokens"][0]["token"]
    pid = ivs_emulator.join(token)
    session_id = (await aio.get_stage(arn=arn))["stage"]["activeSessionId"]
    session = (await aio.get_stage_session(stageArn=arn, sessionId=session_id))["stageSession"]
    assert session["sessionId"] == session_id
    assert "endTime" not in session
    parts = (await aio.list_participants(stageArn=arn, sessionId=session_id))["participants"]
    assert [p["participantId"] for p in parts] == [pid]
    comp = (
        await aio.start_composition(
            stageArn=arn,
            destinations=[{"channel": {"channelArn": await a_channel(ivs_emulator.endpoint_url)}}],
        )
    )["composition"]
    assert comp["state"] == "STARTING"
    ivs_emulator.clock.advance(5)
    assert (await aio.get_composition(arn=comp["arn"]))["composition"]["state"] == "ACTIVE"
    await aio.stop_composition(arn=comp["arn"])
    ivs_emulator.clock.advance(2)
    assert (await aio.get_composition(arn=comp["arn"]))["composition"]["state"] == "STOPPED"
    ing = (await aio.create_ingest_configuration(stageArn=arn, ingestProtocol="RTMPS"))[
        "ingestConfiguration"
    ]
    ivs_emulator.start_rtmp(ing["streamKey"])
    with pytest.raises(aio.exceptions.ConflictException) as info:
        await aio.update_ingest_configuration(arn=ing["arn"], stageArn="")
    assert "cannot be updated" in info.value.response["exceptionMessage"]
    await aio.tag_resource(resourceArn=arn, tags={"a": "b"})
    await aio.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert (await aio.list_tags_for_resource(resourceArn=arn))["tags"] == {}
    await asyncio.gather(*(aio.create_stage(name=f"p{i}") for i in range(249)))
    paginator = aio.get_paginator("list_ingest_configurations")
    pages = [p async for p in paginator.paginate()]
    assert sum(len(p["ingestConfigurations"]) for p in pages) == 1
    total, kwargs = 0, {}
    for _ in range(10):
        page = await aio.list_stages(**kwargs)
        total += len(page["stages"])
        if "nextToken" not in page:
            break
        kwargs = {"nextToken": page["nextToken"]}
    assert total == 250
    with pytest.raises(aio.exceptions.ResourceNotFoundException) as nf:
        await aio.get_composition(arn=comp["arn"] + "x")
    assert nf.value.response["exceptionMessage"] == f"Composition not found: {comp['arn']}x"


async def test_quickstart_runs_against_the_emulator(
    ivs_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "examples" / "quickstart.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    await module.run(ivs_emulator.endpoint_url, ivs_emulator.region)
    out = capsys.readouterr().out
    assert "alice: CONNECTED published=True" in out
    assert "events: JOINED -> PUBLISH_STARTED" in out
    assert "bob: CONNECTED published=False" in out
    assert "composition is ACTIVE" in out
    assert "destination archive: ACTIVE, recording prefix " in out
    assert "destination broadcast: ACTIVE" in out
    assert "composition is STOPPED" in out
    assert "encoder live: ingest configuration is ACTIVE" in out
    assert "on stage as obs-studio: CONNECTED published=True" in out
    assert "encoder stopped: ingest configuration is INACTIVE" in out
    assert "stage tags now: {'team': 'live', 'env': 'demo'}" in out
    assert "6 stages in 2 pages" in out
    assert "max_items=2 stops after 2" in out
    assert "everyone left: session ended at " in out
    assert "rt_123456789012" not in out  # the stream key is never printed
    assert "eyJ" not in out  # nor a participant token (a JWT)
    assert ivs_emulator.request_count("StartComposition") == 1
    assert ivs_emulator.request_count("ListStages") == 3  # 2 pages + max_items=2 (one request)
    # it cleaned up after itself
    state = ivs_emulator._service.store
    assert (state.stages, state.ingests, state.encoders, state.storages) == ({}, {}, {}, {})
