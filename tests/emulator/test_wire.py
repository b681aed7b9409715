"""The wire protocol: SigV4, validation messages, error shapes, pagination, quotas, limits,
the HTTP control surface, and the command line."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiobotocore.session import get_session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import ivsrt
from ivsrt import models as m
from ivsrt.emulator import Emulator, Limits
from tests.emulator._boto import Boto, client_channel
from tests.emulator.conftest import raw_config


async def test_unsigned_and_badly_signed_requests_get_403(ivs_emulator: Emulator) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(ivs_emulator.endpoint_url + "/ListStages", json={}) as resp,
    ):
        assert resp.status == 403
        assert resp.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert "x-amzn-RequestId" in resp.headers
        assert "Signature" in (await resp.json())["exceptionMessage"]
    session = get_session()
    for key, secret, code in (
        ("test", "wrong", "InvalidSignatureException"),
        ("AKIDUNKNOWN", "test", "UnrecognizedClientException"),
    ):
        async with session.create_client(
            "ivs-realtime",
            region_name="eu-central-1",
            endpoint_url=ivs_emulator.endpoint_url,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=raw_config(),
        ) as bad:
            with pytest.raises(ClientError) as info:
                await bad.list_stages()
        assert info.value.response["Error"]["Code"] == code
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert info.value.response["Error"]["Message"]
    assert ivs_emulator.request_count("ListStages") == 3
    assert ivs_emulator._service.store.stages == {}


async def test_any_region_is_accepted_and_used_in_arns(ivs_emulator: Emulator) -> None:
    async with ivs_emulator.client(region="ap-northeast-1") as ivs:
        stage = (await ivs.api.create_stage()).stage
    assert stage is not None
    assert stage.arn.startswith("arn:aws:ivs:ap-northeast-1:123456789012:")


async def test_validation_names_the_field(aio: Any) -> None:
    with pytest.raises(ClientError) as info:
        await aio.create_stage(participantTokenConfigurations=[{}, {"duration": 0}])
    err = info.value.response
    assert err["Error"]["Code"] == "ValidationException"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "participantTokenConfigurations[1].duration" in err["exceptionMessage"]
    assert "between 1 and 20160" in err["exceptionMessage"]
    assert isinstance(info.value, aio.exceptions.ValidationException)
    with pytest.raises(aio.exceptions.ValidationException) as info1:
        await aio.create_ingest_configuration(ingestProtocol="RTMP")
    assert "insecureIngest" in info1.value.response["exceptionMessage"]
    with pytest.raises(aio.exceptions.ValidationException) as info2:
        await aio.list_participants(
            stageArn="arn:aws:ivs:us-west-2:123456789012:stage/abc",
            sessionId="st-AAAAAAAAAAAAA",
            filterByUserId="u",
            filterByPublished=True,
        )
    assert "only one of" in info2.value.response["exceptionMessage"]


async def test_timestamps_are_iso8601_strings(ivs_emulator: Emulator, aio: Any) -> None:
    created = await aio.create_stage(participantTokenConfigurations=[{}])
    token = created["participantTokens"][0]
    # botocore parsed the wire string into a datetime
    assert token["expirationTime"].tzinfo is not None
    async with ivs_emulator.client() as ivs:
        raw = await ivs.api.create_participant_token(stage_arn=created["stage"]["arn"])
    assert raw.participant_token is not None
    assert raw.participant_token.expiration_time


async def test_each_participant_has_its_own_join_time_on_every_page(
    ivs_emulator: Emulator,
) -> None:
    # the reference: firstJoinTime is an ISO 8601 timestamp (the wire has milliseconds); the
    # second listing is served from the emulator's remembered time texts
    boto = Boto(ivs_emulator)
    created = await boto(
        "create_stage", participantTokenConfigurations=[{"userId": "a"}, {"userId": "b"}]
    )
    stage = created["stage"]["arn"]
    ivs_emulator.clock.freeze()
    joined: list[datetime.datetime] = []
    for token in created["participantTokens"]:
        ivs_emulator.join(token["token"])
        joined.append(ivs_emulator.clock.now())
        ivs_emulator.clock.advance(0.0015)
    want = {
        u: t.replace(microsecond=t.microsecond // 1000 * 1000)
        for u, t in zip("ab", joined, strict=True)
    }
    session = (await boto("get_stage", arn=stage))["stage"]["activeSessionId"]
    for _ in range(2):
        page = await boto("list_participants", stageArn=stage, sessionId=session)
        assert {p["userId"]: p["firstJoinTime"] for p in page["participants"]} == want


@pytest.mark.ivsrt_limits(max_stages=300)
async def test_pagination_over_250_items(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    api = ivs_client.api
    made = await asyncio.gather(*(api.create_stage(name=f"s{i}") for i in range(250)))
    arns = {c.stage.arn for c in made if c.stage is not None}
    assert len(arns) == 250
    seen: list[str] = []
    pages = 0
    token: str | None = None
    while True:
        page = await api.list_stages(next_token=token)
        pages += 1
        assert len(page.stages) <= 50  # the documented default
        seen += [s.arn for s in page.stages]
        token = page.next_token
        if token is None:
            break
        assert pages < 10
    assert pages == 5
    assert len(seen) == 250
    assert set(seen) == arns
    big = await api.list_stages(max_results=100)
    assert len(big.stages) == 100
    assert big.next_token
    with pytest.raises(ivsrt.ServiceValidationError, match="nextToken"):
        await api.list_stages(next_token="garbage")
    # a token of another list is not valid here
    encs = [await api.create_encoder_configuration() for _ in range(3)]
    assert len(encs) == 3
    enc_page = await api.list_encoder_configurations(max_results=2)
    assert enc_page.next_token is not None
    with pytest.raises(ivsrt.ServiceValidationError, match="nextToken"):
        await api.list_stages(next_token=enc_page.next_token)


async def test_quotas_answer_402() -> None:
    async with (
        Emulator(
            limits=Limits(max_encoder_configurations=2, max_active_compositions=1, max_stages=3)
        ) as emu,
        emu.client() as ivs,
    ):
        api = ivs.api
        await api.create_encoder_configuration()
        await api.create_encoder_configuration()
        with pytest.raises(ivsrt.ServiceQuotaExceededError, match="EncoderConfiguration") as info:
            await api.create_encoder_configuration()
        assert info.value.status == 402
        stage = (await api.create_stage()).stage
        assert stage is not None

        async def dest() -> list[m.DestinationConfiguration]:  # one composition per channel
            channel = m.ChannelDestinationConfiguration(channel_arn=await client_channel(ivs))
            return [m.DestinationConfiguration(channel=channel)]

        first = (
            await api.start_composition(stage_arn=stage.arn, destinations=await dest())
        ).composition
        assert first is not None
        with pytest.raises(ivsrt.ServiceQuotaExceededError, match="concurrent compositions"):
            await api.start_composition(stage_arn=stage.arn, destinations=await dest())
        await api.stop_composition(arn=first.arn)
        emu.clock.advance(5)
        await api.start_composition(stage_arn=stage.arn, destinations=await dest())
        await api.create_stage()
        await api.create_stage()
        with pytest.raises(ivsrt.ServiceQuotaExceededError, match="Stage quota"):
            await api.create_stage()


async def test_memory_limits_are_enforced() -> None:
    limits = Limits(max_events_per_participant=5, max_sessions_per_stage=2, max_body_bytes=2048)
    async with Emulator(limits=limits) as emu, emu.client() as ivs:
        created = await ivs.api.create_stage(
            participant_token_configurations=[m.ParticipantTokenConfiguration()]
        )
        assert created.stage is not None
        token = created.participant_tokens[0].token
        assert token is not None
        pid = emu.join(token)
        for _ in range(10):
            emu.publish(token)
            emu.unpublish(token)
        stage = (await ivs.api.get_stage(arn=created.stage.arn)).stage
        assert stage is not None
        assert stage.active_session_id is not None
        ev = await ivs.api.list_participant_events(
            stage_arn=stage.arn, session_id=stage.active_session_id, participant_id=pid
        )
        assert len(ev.events) == 5
        assert str(ev.events[-1].name) == "PUBLISH_STOPPED"
        for _ in range(3):
            emu.leave(token)
            emu.join(token)
        sessions = await ivs.api.list_stage_sessions(stage_arn=stage.arn)
        assert len(sessions.stage_sessions) == 2
        async with (
            aiohttp.ClientSession() as http,
            http.post(emu.endpoint_url + "/CreateStage", data=b"x" * 4096) as resp,
        ):
            assert resp.status == 413
            assert resp.headers["x-amzn-ErrorType"] == "ValidationException"


async def test_unknown_operation(ivs_emulator: Emulator) -> None:
    # unsigned: refused before routing, as AWS does (a signed one is a 404: test_robustness)
    async with (
        aiohttp.ClientSession() as http,
        http.post(ivs_emulator.endpoint_url + "/NoSuchThing") as resp,
    ):
        assert resp.status == 403
        assert resp.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert ivs_emulator.request_count() == 1


async def test_control_surface_over_http(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client, aio: Any
) -> None:
    created = await ivs_client.api.create_stage(
        participant_token_configurations=[m.ParticipantTokenConfiguration(capabilities=["PUBLISH"])]
    )
    assert created.stage is not None
    token = created.participant_tokens[0].token
    ing = (
        await ivs_client.api.create_ingest_configuration(
            stage_arn=created.stage.arn, ingest_protocol="RTMPS"
        )
    ).ingest_configuration
    assert ing is not None
    base = ivs_emulator.control_url

    async with aiohttp.ClientSession() as http:

        async def call(method: str, path: str, **body: Any) -> tuple[int, dict[str, Any]]:
            async with http.request(method, base + path, json=body) as resp:
                return resp.status, await resp.json()

        status, body = await call("POST", "join", token=token)
        assert status == 200
        assert body["participantId"] == created.participant_tokens[0].participant_id
        assert (await call("POST", "publish", token=token))[0] == 200
        assert (await call("POST", "subscribe", token=token))[0] == 200  # error event, not 4xx
        assert (await call("POST", "unpublish", token=token))[0] == 200
        assert (await call("POST", "unsubscribe", token=token))[0] == 200
        status, body = await call("POST", "rtmp/start", streamKey=ing.stream_key)
        assert status == 200
        got = (await ivs_client.api.get_ingest_configuration(arn=ing.arn)).ingest_configuration
        assert got is not None
        assert str(got.state) == "ACTIVE"
        assert (await call("POST", "rtmp/stop", streamKey=ing.stream_key))[0] == 200
        assert (await call("POST", "leave", token=token))[0] == 200
        status, body = await call("POST", "leave", token=token)
        assert status == 400
        assert body["error"] == "NOT_CONNECTED"
        status, body = await call("POST", "join", token="nope")
        assert status == 400
        assert body["error"] == "INVALID_TOKEN"
        status, body = await call("POST", "join")
        assert status == 400
        assert "token" in body["message"]

        status, body = await call("POST", "clock/freeze")
        assert status == 200
        assert body["frozen"] is True
        before = ivs_emulator.clock.now()
        status, body = await call("POST", "clock/advance", seconds=90)
        assert (ivs_emulator.clock.now() - before).total_seconds() == 90
        status, body = await call("POST", "clock/resume")
        assert body["frozen"] is False
        status, body = await call("GET", "clock")
        assert body["now"].endswith("Z")

        comp = (
            await ivs_client.api.start_composition(
                stage_arn=created.stage.arn,
                destinations=[
                    m.DestinationConfiguration(
                        channel=m.ChannelDestinationConfiguration(
                            channel_arn=await client_channel(ivs_client)
                        )
                    )
                ],
            )
        ).composition
        assert comp is not None
        status, _ = await call(
            "POST",
            "compositions/fail-destination",
            compositionArn=comp.arn,
            destinationId=comp.destinations[0].id,
        )
        assert status == 200
        status, body = await call("POST", "compositions/fail", arn=comp.arn + "x")
        assert status == 404
        got_c = (await ivs_client.api.get_composition(arn=comp.arn)).composition
        assert got_c is not None
        assert str(got_c.state) == "FAILED"

        assert (await call("POST", "faults", operation="GetStage", kind="throttle", count=1))[
            0
        ] == 200
        with pytest.raises(aio.exceptions.ClientError) as thr:
            await aio.get_stage(arn=created.stage.arn)
        assert thr.value.response["Error"]["Code"] == "ThrottlingException"
        assert thr.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        status, body = await call("POST", "faults", operation="Nope", kind="throttle")
        assert status == 400
        await call("POST", "faults", kind="server_error", status=500)
        assert (await call("DELETE", "faults"))[0] == 200
        await ivs_client.api.get_stage(arn=created.stage.arn)
        status, body = await call("GET", "invocations?operation=GetStage")
        assert [i["attempts"] for i in body["invocations"]] == [1, 1]
        assert len(ivs_emulator.invocations("GetStage")) == 2
        inv = body["invocations"][0]["id"]
        assert (await call("GET", f"attempts/{inv}"))[1] == {"attempts": 1}
        assert (await call("GET", "requests?operation=GetStage"))[1] == {"count": 2}
        assert (await call("GET", "no/such/action"))[0] == 404


async def test_command_line_serves_until_interrupted() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        "--port",
        "0",
        "--seed",
        "3",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        url = line.decode().strip()
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http, http.get(url + "/_emulator/health") as resp:
            assert json.loads(await resp.text())["endpointUrl"] == url
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode is not None


def _signed_at(url: str, when: datetime.datetime) -> dict[str, str]:
    """Headers of a SigV4-signed ListStages request whose signature time is ``when``."""
    request = AWSRequest(
        method="POST", url=url, data=b"{}", headers={"Content-Type": "application/json"}
    )
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    request.context["timestamp"] = stamp
    request.headers["X-Amz-Date"] = stamp
    request.headers["Host"] = urlsplit(url).netloc
    signer = SigV4Auth(Credentials("test", "test"), "ivs", "us-west-2")
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return dict(request.headers.items())


async def test_signatures_older_than_15_minutes_are_refused(ivs_emulator: Emulator) -> None:
    url = ivs_emulator.endpoint_url + "/ListStages"
    now = datetime.datetime.now(datetime.timezone.utc)
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=b"{}", headers=_signed_at(url, now)) as fresh:
            assert fresh.status == 200
        late = now - datetime.timedelta(minutes=20)
        async with http.post(url, data=b"{}", headers=_signed_at(url, late)) as stale:
            assert stale.status == 403
            assert stale.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
            assert "Signature expired" in (await stale.json())["exceptionMessage"]
        # the emulator's own clock (which drives resource states) does not matter here
        ivs_emulator.clock.advance(3600)
        async with http.post(url, data=b"{}", headers=_signed_at(url, now)) as still_fresh:
            assert still_fresh.status == 200
