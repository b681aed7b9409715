"""Regression tests of the emulator's third review: hostile inputs, replication state, nulls,
per-region state, the reference's composition timeout, memory caps, pagination while deleting,
idempotency, the command line and restart. Real HTTP throughout."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import ivsrt
from ivsrt.emulator import Emulator, Limits
from tests.emulator._boto import a_channel
from tests.emulator.conftest import raw_config

Result = tuple[int, str | None, dict[str, Any]]


async def _api(
    emu: Emulator, op: str, body: bytes | dict[str, Any], region: str = "us-west-2"
) -> Result:
    """POST a SigV4-signed request, raw body allowed: (status, x-amzn-ErrorType, JSON body)."""
    url = f"{emu.endpoint_url}/{op}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = AWSRequest(
        method="POST", url=url, data=data, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials("test", "test"), "ivs", region).add_auth(req)
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=data, headers=dict(req.headers.items())) as resp,
    ):
        return resp.status, resp.headers.get("x-amzn-ErrorType"), json.loads(await resp.text())


async def _control(emu: Emulator, path: str, raw: bytes, method: str = "POST") -> Result:
    async with (
        aiohttp.ClientSession() as http,
        http.request(
            method,
            emu.control_url + path,
            data=raw,
            headers={"Content-Type": "application/json"},
        ) as resp,
    ):
        return resp.status, None, json.loads(await resp.text())


@pytest_asyncio.fixture
async def aio_eu(ivs_emulator: Emulator) -> AsyncIterator[Any]:
    async with get_session().create_client(
        "ivs-realtime",
        region_name="eu-west-1",
        endpoint_url=ivs_emulator.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=raw_config(),
    ) as client:
        yield client


# -- B1: inputs that crashed the server -------------------------------------------------------
async def test_deeply_nested_json_is_a_400_not_a_500(ivs_emulator: Emulator) -> None:
    status, code, body = await _api(ivs_emulator, "CreateStage", b"[" * 100_000)
    assert (status, code) == (400, "SerializationException")
    assert body["exceptionMessage"] == "the request body is not valid JSON"
    status, _, body = await _control(ivs_emulator, "join", b"[" * 100_000)
    assert (status, body["error"]) == (400, "BAD_REQUEST")
    assert (await _api(ivs_emulator, "ListStages", {}))[0] == 200


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"1e20", b"3e11", b"-1", b'"5"'])
async def test_clock_advance_rejects_bad_values_before_saving(
    ivs_emulator: Emulator, raw: bytes
) -> None:
    before = ivs_emulator.clock.now()
    status, _, body = await _control(ivs_emulator, "clock/advance", b'{"seconds": ' + raw + b"}")
    assert (status, body["error"]) == (400, "BAD_REQUEST")
    assert "Traceback" not in body["message"]
    # nothing was saved: time did not jump, and every later request is still served
    assert (ivs_emulator.clock.now() - before).total_seconds() < 60
    status, _, body = await _control(ivs_emulator, "clock", b"", method="GET")
    assert status == 200
    assert (await _api(ivs_emulator, "CreateStage", {}))[0] == 200
    with pytest.raises(ValueError, match="finite"):
        ivs_emulator.clock.advance(float("nan"))


# -- B3: fault parameters -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"kind":"latency","latency":"x"}', "'latency' must be a number"),
        (b'{"kind":"latency","latency":NaN}', "'latency' must be a finite number"),
        (b'{"kind":"latency","latency":1e12}', "from 0 to 300"),
        (b'{"kind":"throttle","count":1.5}', "'count' must be an integer"),
        (b'{"kind":"throttle","probability":"0.5"}', "'probability' must be a number"),
        (b'{"kind":"throttle","operation":["x"]}', "'operation' must be an operation name"),
        (b'{"kind":"server_error","status":"abc"}', "'status' must be an integer"),
    ],
)
async def test_fault_endpoint_checks_types(
    ivs_emulator: Emulator, raw: bytes, message: str
) -> None:
    status, _, body = await _control(ivs_emulator, "faults", raw)
    assert (status, body["error"]) == (400, "BAD_REQUEST")
    assert message in body["message"]
    assert ivs_emulator.faults.rules == ()


async def test_fault_latency_must_be_finite_and_capped(ivs_emulator: Emulator) -> None:
    for bad in (float("nan"), float("inf"), 301.0, -1.0):
        with pytest.raises(ValueError, match="from 0 to 300"):
            ivs_emulator.faults.inject("ListStages", "latency", latency=bad, count=1)
    assert ivs_emulator.faults.rules == ()
    status, _, _ = await _control(
        ivs_emulator, "faults", b'{"kind":"throttle","operation":null,"count":1}'
    )
    assert status == 200
    assert (await _api(ivs_emulator, "ListStages", {}))[0] == 429


# -- B2: replication state --------------------------------------------------------------------
async def _replicating(api: Any, emu: Emulator) -> tuple[str, str, str, str]:
    src = await api.create_stage(participantTokenConfigurations=[{}])
    dst = (await api.create_stage())["stage"]["arn"]
    token = src["participantTokens"][0]["token"]
    pid = emu.join(token)
    emu.publish(token)
    await api.start_participant_replication(
        sourceStageArn=src["stage"]["arn"], destinationStageArn=dst, participantId=pid
    )
    return src["stage"]["arn"], dst, pid, token


async def _source_state(api: Any, src: str, pid: str) -> str:
    sid = (await api.get_stage(arn=src))["stage"]["activeSessionId"]
    part = await api.get_participant(stageArn=src, sessionId=sid, participantId=pid)
    return str(part["participant"]["replicationState"])


async def test_replica_disconnected_in_destination_stops_its_replication(
    ivs_emulator: Emulator, aio: Any
) -> None:
    src, dst, pid, _ = await _replicating(aio, ivs_emulator)
    await aio.disconnect_participant(stageArn=dst, participantId=pid)
    reps = await aio.list_participant_replicas(sourceStageArn=src, participantId=pid)
    assert [r["replicationState"] for r in reps["replicas"]] == ["STOPPED"]
    assert await _source_state(aio, src, pid) == "STOPPED"
    # no stale 409: replicating to the same stage works again
    await aio.start_participant_replication(
        sourceStageArn=src, destinationStageArn=dst, participantId=pid
    )
    assert await _source_state(aio, src, pid) == "ACTIVE"


@pytest.mark.parametrize("deleted", ["destination", "source"])
async def test_delete_stage_stops_its_replicas(
    ivs_emulator: Emulator, aio: Any, deleted: str
) -> None:
    src, dst, pid, _ = await _replicating(aio, ivs_emulator)
    await aio.delete_stage(arn=dst if deleted == "destination" else src)
    reps = await aio.list_participant_replicas(sourceStageArn=src, participantId=pid)
    assert [r["replicationState"] for r in reps["replicas"]] == ["STOPPED"]
    if deleted == "destination":
        assert await _source_state(aio, src, pid) == "STOPPED"


# -- B4: nulls --------------------------------------------------------------------------------
async def test_json_nulls_are_absent(ivs_emulator: Emulator) -> None:
    status, _, body = await _api(
        ivs_emulator, "CreateEncoderConfiguration", {"name": None, "video": {"width": None}}
    )
    assert status == 200
    enc = body["encoderConfiguration"]
    assert enc["name"] == ""
    assert enc["video"]["width"] == 1280
    status, _, body = await _api(ivs_emulator, "CreateStage", {"name": None, "tags": None})
    assert status == 200
    assert (body["stage"]["name"], body["stage"]["tags"]) == ("", {})


# -- M2: rules of the reference ---------------------------------------------------------------
async def test_composition_stops_a_minute_after_the_stage_is_empty(
    ivs_emulator: Emulator, aio: Any
) -> None:
    ivs_emulator.clock.freeze()
    empty = (await aio.create_stage())["stage"]["arn"]
    created = await aio.create_stage(participantTokenConfigurations=[{}])
    busy, token = created["stage"]["arn"], created["participantTokens"][0]["token"]
    ivs_emulator.join(token)

    async def start(stage: str) -> str:
        dest = [{"channel": {"channelArn": await a_channel(ivs_emulator.endpoint_url)}}]
        return str(
            (await aio.start_composition(stageArn=stage, destinations=dest))["composition"]["arn"]
        )

    async def state(arn: str) -> str:
        return str((await aio.get_composition(arn=arn))["composition"]["state"])

    lonely, watched = await start(empty), await start(busy)
    ivs_emulator.clock.advance(59)
    assert (await state(lonely), await state(watched)) == ("ACTIVE", "ACTIVE")
    ivs_emulator.clock.advance(2)
    assert await state(lonely) in ("STOPPING", "STOPPED")
    assert await state(watched) == "ACTIVE"
    ivs_emulator.leave(token)
    ivs_emulator.clock.advance(59)
    assert await state(watched) == "ACTIVE"
    ivs_emulator.clock.advance(2 + 5)
    assert (await state(lonely), await state(watched)) == ("STOPPED", "STOPPED")


async def test_state_is_per_region(ivs_emulator: Emulator, aio: Any, aio_eu: Any) -> None:
    eu_stage = (await aio_eu.create_stage(name="eu"))["stage"]["arn"]
    us_stage = (await aio.create_stage(name="us"))["stage"]["arn"]
    assert ":eu-west-1:" in eu_stage
    assert [s["name"] for s in (await aio.list_stages())["stages"]] == ["us"]
    assert [s["name"] for s in (await aio_eu.list_stages())["stages"]] == ["eu"]
    for call in (
        aio.get_stage(arn=eu_stage),
        aio.update_stage(arn=eu_stage, name="x"),
        aio.delete_stage(arn=eu_stage),
        aio.list_tags_for_resource(resourceArn=eu_stage),
    ):
        with pytest.raises(aio.exceptions.ResourceNotFoundException) as info:
            await call
        assert eu_stage in info.value.response["exceptionMessage"]
    assert (await aio_eu.get_stage(arn=eu_stage))["stage"]["name"] == "eu"
    enc = (await aio_eu.create_encoder_configuration())["encoderConfiguration"]["arn"]
    assert (await aio.list_encoder_configurations())["encoderConfigurations"] == []
    # destinations must be in the stage's region and account
    bad = [
        {"channel": {"channelArn": "arn:aws:ivs:us-west-2:999999999999:channel/x"}},
        {
            "channel": {
                "channelArn": us_stage.replace(":stage/", ":channel/"),
                "encoderConfigurationArn": enc,
            }
        },
    ]
    for dest in bad:
        with pytest.raises(aio.exceptions.ValidationException) as vinfo:
            await aio.start_composition(stageArn=us_stage, destinations=[dest])
        assert (
            "must be in the stage's region and account"
            in (vinfo.value.response["exceptionMessage"])
        )


async def test_delete_stage_detaches_only_active_ingest(ivs_emulator: Emulator, aio: Any) -> None:
    stage = (await aio.create_stage())["stage"]["arn"]
    live = (await aio.create_ingest_configuration(stageArn=stage, ingestProtocol="RTMPS"))[
        "ingestConfiguration"
    ]
    idle = (await aio.create_ingest_configuration(stageArn=stage, ingestProtocol="RTMPS"))[
        "ingestConfiguration"
    ]
    ivs_emulator.start_rtmp(live["streamKey"])
    await aio.delete_stage(arn=stage)
    got_live = (await aio.get_ingest_configuration(arn=live["arn"]))["ingestConfiguration"]
    got_idle = (await aio.get_ingest_configuration(arn=idle["arn"]))["ingestConfiguration"]
    assert (got_live["stageArn"], got_live["state"]) == ("", "INACTIVE")
    assert (got_idle["stageArn"], got_idle["state"]) == (stage, "INACTIVE")


# -- M1 / M3: memory caps -----------------------------------------------------------------------
async def test_total_participant_cap_drops_ended_sessions_first() -> None:
    limits = Limits(max_total_participants=6, max_participants_per_session=4)
    async with Emulator(limits=limits) as emu, emu.client() as ivs:
        api = ivs.api

        async def tokens(stage: str, n: int) -> list[str]:
            return [
                str((await api.create_participant_token(stage_arn=stage)).participant_token.token)
                for _ in range(n)
            ]

        a = (await api.create_stage()).stage
        b = (await api.create_stage()).stage
        assert a is not None
        assert b is not None
        first = await tokens(a.arn, 4)
        for t in first:
            emu.join(t)
        with pytest.raises(ivsrt.emulator.ControlError) as info:  # per-session quota (M3)
            emu.join((await tokens(a.arn, 1))[0])
        assert info.value.code == "QUOTA_EXCEEDED"
        ended = (await api.get_stage(arn=a.arn)).stage
        assert ended is not None
        assert ended.active_session_id is not None
        old_session = ended.active_session_id
        for t in first:
            emu.leave(t)
        for t in await tokens(b.arn, 4):  # 8 > 6: the ended session of stage a is forgotten
            emu.join(t)
        sessions = await api.list_stage_sessions(stage_arn=a.arn)
        assert [s.session_id for s in sessions.stage_sessions] == []
        with pytest.raises(ivsrt.ResourceNotFoundError):
            await api.get_stage_session(stage_arn=a.arn, session_id=old_session)
        more = await tokens(a.arn, 3)
        emu.join(more[0])
        emu.join(more[1])  # 6 live participants: the cap, and no session has ended
        with pytest.raises(ivsrt.emulator.ControlError) as info:
            emu.join(more[2])
        assert "max_total_participants" in info.value.message


async def test_total_event_cap_is_enforced() -> None:
    async with Emulator(limits=Limits(max_total_events=10)) as emu, emu.client() as ivs:
        created = await ivs.api.create_stage(participant_token_configurations=[{}, {}])
        stage = created.stage
        assert stage is not None
        toks = [str(t.token) for t in created.participant_tokens]
        pids = [emu.join(t) for t in toks]
        for _ in range(20):  # bounded: 80 events asked for, 10 kept
            for t in toks:
                emu.publish(t)
                emu.unpublish(t)
        sid = (await ivs.api.get_stage(arn=stage.arn)).stage
        assert sid is not None
        assert sid.active_session_id is not None
        total = 0
        for pid in pids:
            ev = await ivs.api.list_participant_events(
                stage_arn=stage.arn, session_id=sid.active_session_id, participant_id=pid
            )
            total += len(ev.events)
            assert str(ev.events[-1].name) == "PUBLISH_STOPPED"
        assert total == 10


# -- D1 / D2 / D3 / D4 --------------------------------------------------------------------------
@pytest.mark.ivsrt_limits(max_stages=300)
async def test_deleting_each_page_while_listing_deletes_everything(aio: Any) -> None:
    for i in range(120):
        await aio.create_stage(name=f"s{i}")
    deleted = 0
    kwargs: dict[str, Any] = {}
    for _ in range(10):  # bounded: 3 pages of 50
        page = await aio.list_stages(**kwargs)
        for stage in page["stages"]:
            await aio.delete_stage(arn=stage["arn"])
            deleted += 1
        if "nextToken" not in page:
            break
        kwargs = {"nextToken": page["nextToken"]}
    assert deleted == 120
    assert (await aio.list_stages())["stages"] == []
    # tokens stay bound to the operation
    await aio.create_stage(name="again")
    for _ in range(3):
        await aio.create_stage()
    token = (await aio.list_stages(maxResults=1))["nextToken"]
    with pytest.raises(aio.exceptions.ValidationException):
        await aio.list_public_keys(nextToken=token)


async def test_idempotency_token_with_other_parameters_is_a_conflict(
    ivs_emulator: Emulator, aio: Any
) -> None:
    stage = (await aio.create_stage())["stage"]["arn"]
    dest = [{"channel": {"channelArn": await a_channel(ivs_emulator.endpoint_url)}}]
    first = await aio.start_composition(stageArn=stage, destinations=dest, idempotencyToken="t1")
    again = await aio.start_composition(stageArn=stage, destinations=dest, idempotencyToken="t1")
    assert again["composition"]["arn"] == first["composition"]["arn"]
    with pytest.raises(aio.exceptions.ConflictException) as info:
        await aio.start_composition(
            stageArn=stage, destinations=dest, idempotencyToken="t1", tags={"k": "v"}
        )
    assert "different parameters" in info.value.response["exceptionMessage"]


async def test_small_rules(ivs_emulator: Emulator, aio: Any) -> None:
    # a signed request to an unknown route is a 404 (unsigned: 403, test_wire)
    status, code, _ = await _api(ivs_emulator, "NoSuchThing", {})
    assert (status, code) == (404, "UnknownOperationException")
    # tag keys starting with aws: are reserved
    stage = (await aio.create_stage())["stage"]["arn"]
    with pytest.raises(aio.exceptions.ValidationException):
        await aio.tag_resource(resourceArn=stage, tags={"aws:x": "v"})
    with pytest.raises(aio.exceptions.ValidationException):
        await aio.create_stage(tags={"AWS:x": "v"})


async def test_rtmp_beyond_the_publisher_quota_stays_inactive() -> None:
    async with Emulator(limits=Limits(max_publishers_per_stage=1)) as emu, emu.client() as ivs:
        created = await ivs.api.create_stage(participant_token_configurations=[{}])
        assert created.stage is not None
        token = str(created.participant_tokens[0].token)
        emu.join(token)
        emu.publish(token)
        ing = (
            await ivs.api.create_ingest_configuration(
                stage_arn=created.stage.arn, ingest_protocol="RTMPS"
            )
        ).ingest_configuration
        assert ing is not None
        assert ing.stream_key is not None
        with pytest.raises(ivsrt.emulator.ControlError) as info:
            emu.start_rtmp(ing.stream_key)
        assert info.value.code == "QUOTA_EXCEEDED"
        got = (await ivs.api.get_ingest_configuration(arn=ing.arn)).ingest_configuration
        assert got is not None
        assert str(got.state) == "INACTIVE"


async def test_restart_keeps_port_and_stop_clears_the_url() -> None:
    emu = Emulator()
    await emu.start()
    try:
        first = emu.endpoint_url
        async with emu.client() as ivs:
            arn = (await ivs.api.create_stage()).stage
        await emu.stop()
        with pytest.raises(RuntimeError, match="not started"):
            emu.endpoint_url  # noqa: B018
        assert "not started" in repr(emu)
        await emu.start()
        assert emu.endpoint_url == first
        async with emu.client() as ivs:
            assert arn is not None
            assert (await ivs.api.get_stage(arn=arn.arn)).stage is not None
    finally:
        await emu.stop()


# -- M4: the command line -------------------------------------------------------------------
async def _cli(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("how", ["terminate", "interrupt"])
async def test_command_line_stops_cleanly_on_sigterm_and_sigint(how: str) -> None:
    proc = await _cli("--port", "0")
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        assert line.decode().startswith("http://127.0.0.1:")
    finally:
        if how == "terminate":
            proc.terminate()
        else:
            proc.send_signal(2)  # SIGINT
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0
    assert b"Traceback" not in err


async def test_command_line_busy_port_and_non_loopback_warning() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = await _cli("--port", str(port))
        _out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2
    assert b"Traceback" not in err
    assert len(err.decode().strip().splitlines()) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode()
    proc = await _cli("--host", "0.0.0.0", "--port", "0")
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        warning = await asyncio.wait_for(proc.stderr.readline(), timeout=30)
        assert b"not loopback" in warning
        assert b"unauthenticated" in warning
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0


# -- T4: determinism on the wire ------------------------------------------------------------
async def _faulty_run(seed: int) -> tuple[int, list[int]]:
    async with Emulator(seed=seed) as emu:
        emu.faults.inject("ListStages", "throttle", probability=0.3)
        async with get_session().create_client(
            "ivs-realtime",
            region_name="us-west-2",
            endpoint_url=emu.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=AioConfig(
                retries={"total_max_attempts": 3, "mode": "standard"}, max_pool_connections=50
            ),
        ) as client:
            results = await asyncio.wait_for(
                asyncio.gather(*(client.list_stages() for _ in range(100)), return_exceptions=True),
                timeout=120,
            )
        failed = sum(isinstance(r, Exception) for r in results)
        return failed, sorted(i.attempts for i in emu.invocations("ListStages"))


async def test_faults_are_deterministic_on_the_wire() -> None:
    first = await _faulty_run(5)
    second = await _faulty_run(5)
    assert first == second
    failed, attempts = first
    assert len(attempts) == 100
    assert sum(attempts) > 100  # some calls were throttled and retried
    assert failed <= sum(1 for a in attempts if a == 3)  # a failure used every attempt
