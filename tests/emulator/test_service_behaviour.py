"""Documented behaviours of the service, checked through plain boto3 and written from the
user guide and the API reference (not from ivsrt's own tables):

- "All quotas are enforced per region", with the documented defaults: 100 stages, 5 concurrent
  compositions, 20 encoder configurations (Service Quotas, Real-Time Streaming);
- restJson1: a body that is not JSON is a SerializationException, a body sent with another
  Content-Type is 415.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import aiohttp
import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from ivsrt.emulator import ControlClient, ControlError, Emulator
from tests.emulator._boto import new_channel

ROOT = Path(__file__).resolve().parents[2]


def _client(emu: Emulator | str, region: str = "us-west-2") -> Any:
    """A plain boto3 client; call it through ``asyncio.to_thread`` (the emulator serves on
    the test's event loop)."""
    return boto3.client(
        "ivs-realtime",
        region_name=region,
        endpoint_url=emu if isinstance(emu, str) else emu.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )


def _code(exc: ClientError) -> tuple[str, int]:
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def _stage_quota(endpoint_url: str) -> dict[str, Any]:
    west, east = _client(endpoint_url), _client(endpoint_url, "eu-west-1")
    for i in range(100):
        west.create_stage(name=f"s{i}")
    try:
        west.create_stage(name="one-too-many")
    except ClientError as exc:
        refused = _code(exc)
    else:
        refused = ("created", 200)
    east.create_stage(name="another-region")  # a quota of us-west-2 only
    return {"refused": refused, "west": len(west.list_stages(maxResults=100)["stages"])}


async def test_stage_quota_is_100_per_region() -> None:
    async with Emulator() as emu:
        result = await asyncio.to_thread(_stage_quota, emu.endpoint_url)
    assert result == {"refused": ("ServiceQuotaExceededException", 402), "west": 100}


def _encoder_quota(endpoint_url: str) -> tuple[tuple[str, int], str]:
    west = _client(endpoint_url)
    for i in range(20):
        west.create_encoder_configuration(name=f"e{i}")
    try:
        west.create_encoder_configuration(name="one-too-many")
    except ClientError as exc:
        refused = _code(exc)
    else:
        refused = ("created", 200)
    other = _client(endpoint_url, "ap-south-1").create_encoder_configuration(name="elsewhere")
    return refused, other["encoderConfiguration"]["arn"]


async def test_encoder_configuration_quota_is_20_per_region() -> None:
    async with Emulator() as emu:
        refused, other = await asyncio.to_thread(_encoder_quota, emu.endpoint_url)
    assert refused == ("ServiceQuotaExceededException", 402)
    assert ":ap-south-1:" in other


def _composition_quota(endpoint_url: str, emu: Emulator) -> list[Any]:
    west = _client(endpoint_url)
    stage = west.create_stage(name="compose")["stage"]["arn"]

    def dest() -> list[dict[str, Any]]:  # a channel takes one composition at a time
        return [{"channel": {"channelArn": new_channel(endpoint_url)}}]

    arns = [
        west.start_composition(stageArn=stage, destinations=dest())["composition"]["arn"]
        for _ in range(5)
    ]
    out: list[Any] = []
    try:
        west.start_composition(stageArn=stage, destinations=dest())
    except ClientError as exc:
        out.append(_code(exc))
    west.stop_composition(arn=arns[0])
    emu.clock.advance(60)  # STOPPED: no longer concurrent
    out.append(west.start_composition(stageArn=stage, destinations=dest())["composition"]["state"])
    return out


async def test_five_concurrent_compositions_per_region() -> None:
    async with Emulator() as emu:
        result = await asyncio.to_thread(_composition_quota, emu.endpoint_url, emu)
    assert result == [("ServiceQuotaExceededException", 402), "STARTING"]


@pytest.mark.ivsrt_limits(max_stages=1)
async def test_the_plugin_marker_sets_limits(ivs_emulator: Emulator) -> None:
    client = _client(ivs_emulator)
    await asyncio.to_thread(client.create_stage, name="only")
    with pytest.raises(ClientError) as info:
        await asyncio.to_thread(client.create_stage, name="second")
    assert _code(info.value) == ("ServiceQuotaExceededException", 402)


def test_the_plugin_ini_option_sets_limits(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.pytest.ini_options]
            asyncio_mode = "auto"
            asyncio_default_fixture_loop_scope = "function"
            ivsrt_emulator_limits = ["max_stages=2"]
            """
        )
    )
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["ivsrt.emulator.pytest_plugin"]\n')
    (tmp_path / "test_limits.py").write_text(
        textwrap.dedent(
            """
            async def test_limits(ivs_emulator):
                assert ivs_emulator.limits.max_stages == 2
            """
        )
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _cli_quota(endpoint_url: str) -> tuple[str, int]:
    client = _client(endpoint_url)
    client.create_stage(name="a")
    client.create_stage(name="b")
    try:
        client.create_stage(name="c")
    except ClientError as exc:
        return _code(exc)
    return ("created", 200)


async def test_the_command_line_sets_limits() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        "--limit",
        "max_stages=2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        url = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode().strip()
        assert await asyncio.to_thread(_cli_quota, url) == ("ServiceQuotaExceededException", 402)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), timeout=30)
    bad = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        "--limit",
        "max_stagez=2",
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(bad.communicate(), timeout=30)
    assert bad.returncode == 2
    assert b"max_stagez" in err


async def _signed(
    emu: Emulator, op: str, data: bytes, content_type: str | None
) -> tuple[int, str | None]:
    url = f"{emu.endpoint_url}/{op}"
    headers = {} if content_type is None else {"Content-Type": content_type}
    req = AWSRequest(method="POST", url=url, data=data, headers=headers)
    SigV4Auth(Credentials("test", "test"), "ivs", "us-west-2").add_auth(req)
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=data, headers=dict(req.headers.items())) as resp,
    ):
        await resp.read()
        return resp.status, resp.headers.get("x-amzn-ErrorType")


@pytest.mark.parametrize("body", [b"{not json", b'{"name": "x"', b"\xff\xfe"])
async def test_a_body_that_is_not_json_is_a_serialization_exception(
    ivs_emulator: Emulator, body: bytes
) -> None:
    assert await _signed(ivs_emulator, "CreateStage", body, "application/json") == (
        400,
        "SerializationException",
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_of_another_content_type_is_a_415(
    ivs_emulator: Emulator, content_type: str | None
) -> None:
    body = json.dumps({"name": "x"}).encode()
    assert await _signed(ivs_emulator, "CreateStage", body, content_type) == (
        415,
        "UnsupportedMediaTypeException",
    )
    assert await _signed(ivs_emulator, "CreateStage", body, "application/json; charset=utf-8") == (
        200,
        None,
    )
    listed = await asyncio.to_thread(_client(ivs_emulator).list_stages)
    assert [s["name"] for s in listed["stages"]] == ["x"]  # the refused ones created nothing


# -- participants: the client fields of the model, and the recording fields -----------------
def _participants(endpoint_url: str, stage: str) -> tuple[list[Any], list[Any]]:
    client = _client(endpoint_url)
    session = client.get_stage(arn=stage)["stage"]["activeSessionId"]
    listed = client.list_participants(stageArn=stage, sessionId=session)["participants"]
    full = [
        client.get_participant(stageArn=stage, sessionId=session, participantId=p["participantId"])[
            "participant"
        ]
        for p in listed
    ]
    return listed, full


async def test_participants_carry_their_client_fields_and_empty_recording_fields(
    ivs_emulator: Emulator,
) -> None:
    client = _client(ivs_emulator)
    created = await asyncio.to_thread(
        client.create_stage,
        name="clients",
        participantTokenConfigurations=[{"userId": "web"}, {"userId": "app"}],
    )
    stage = created["stage"]["arn"]
    web, app = created["participantTokens"]
    ivs_emulator.join(
        web["token"],
        os_name="macOS",
        os_version="15.1",
        browser_name="Firefox",
        browser_version="133.0",
        sdk_version="1.20.0",
        isp_name="Example ISP",
    )
    async with ControlClient(ivs_emulator.endpoint_url) as control:
        await control.join(app["token"], os_name="Android", os_version="15", sdk_version="1.21")
        with pytest.raises(ControlError) as info:
            await control.join(app["token"], os_name="<script>")
        assert info.value.code == "BAD_REQUEST"
        assert "osName" in str(info.value)
    listed, full = await asyncio.to_thread(_participants, ivs_emulator.endpoint_url, stage)
    by_user = {p["userId"]: p for p in full}
    web_fields = {
        k: by_user["web"].get(k)
        for k in ("osName", "osVersion", "browserName", "browserVersion", "sdkVersion", "ispName")
    }
    assert web_fields == {
        "osName": "macOS",
        "osVersion": "15.1",
        "browserName": "Firefox",
        "browserVersion": "133.0",
        "sdkVersion": "1.20.0",
        "ispName": "Example ISP",
    }
    assert by_user["app"]["osName"] == "Android"
    assert "browserName" not in by_user["app"]  # not reported, not invented
    # the reference: "" (empty string), if recording is not enabled
    for p in full:
        assert (p["recordingS3BucketName"], p["recordingS3Prefix"]) == ("", "")
    # ParticipantSummary has no client fields
    assert all("osName" not in p for p in listed)
