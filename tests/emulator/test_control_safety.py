"""The emulator answers only to its own addresses (DNS rebinding), its control surface refuses
what a web page can send (cross-origin and "simple" requests), and an optional control token
guards it. Plain HTTP, and the SigV4 signer of botocore for API requests."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import aiohttp
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ivsrt.emulator import ControlClient, ControlError, Emulator


def _authority(emu: Emulator, name: str) -> str:
    return f"{name}:{emu.endpoint_url.rsplit(':', 1)[1]}"


async def _api_as(emu: Emulator, host: str) -> tuple[int, str | None]:
    """A correctly signed ListStages addressed (Host header, signed) to ``host``."""
    url = f"{emu.endpoint_url}/ListStages"
    req = AWSRequest(
        method="POST",
        url=f"http://{host}/ListStages",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(Credentials("test", "test"), "ivs", "us-west-2").add_auth(req)
    headers = dict(req.headers.items())
    headers["Host"] = host
    async with aiohttp.ClientSession() as http, http.post(url, data=b"{}", headers=headers) as r:
        await r.read()
        return r.status, r.headers.get("x-amzn-ErrorType")


async def _control_as(
    emu: Emulator, path: str, *, data: bytes = b"{}", **headers: str
) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(emu.control_url + path, data=data, headers=headers) as resp,
    ):
        return resp.status, json.loads(await resp.text())


async def test_a_foreign_host_name_is_refused(ivs_emulator: Emulator) -> None:
    # DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends Host: evil.example
    assert await _api_as(ivs_emulator, _authority(ivs_emulator, "evil.example")) == (
        403,
        "AccessDeniedException",
    )
    status, body = await _control_as(
        ivs_emulator,
        "faults",
        data=b'{"kind": "throttle"}',
        Host=_authority(ivs_emulator, "evil.example"),
        **{"Content-Type": "application/json"},
    )
    assert (status, body["error"]) == (403, "FORBIDDEN_HOST")
    assert ivs_emulator.request_count("ListStages") == 0
    # and nothing was injected: the next call is served
    for name in ("127.0.0.1", "localhost", "[::1]", "app.localhost"):
        assert await _api_as(ivs_emulator, _authority(ivs_emulator, name)) == (200, None), name


async def test_allowed_hosts_names_more_addresses() -> None:
    async with Emulator(allowed_hosts=["ivs-emulator"]) as emu:
        assert await _api_as(emu, _authority(emu, "ivs-emulator")) == (200, None)
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                emu.control_url + "health", headers={"Host": _authority(emu, "IVS-Emulator.")}
            ) as resp,
        ):
            assert resp.status == 200  # names compare case-insensitively, trailing dot or not
        assert (await _api_as(emu, _authority(emu, "other")))[0] == 403


async def test_a_cross_origin_simple_request_cannot_drive_the_control_surface(
    ivs_emulator: Emulator,
) -> None:
    fault = b'{"operation": null, "kind": "throttle"}'
    # what a page's fetch(..., {method: "POST", mode: "no-cors", body}) sends
    status, body = await _control_as(
        ivs_emulator,
        "faults",
        data=fault,
        Origin="http://evil.example",
        **{"Content-Type": "text/plain"},
    )
    assert status == 403
    assert body["error"] == "FORBIDDEN_ORIGIN"
    # without an Origin (a form post from a sandboxed page sends "null"; a tool none at all),
    # a simple content type is still not enough
    for headers in ({"Content-Type": "text/plain"}, {"Origin": "null"}, {}):
        status, body = await _control_as(ivs_emulator, "faults", data=fault, **headers)
        assert status in (403, 415), headers
    status, body = await _control_as(
        ivs_emulator,
        "clock/freeze",
        data=b"",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, body["error"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert ivs_emulator.clock.frozen is False
    assert await _api_as(ivs_emulator, _authority(ivs_emulator, "127.0.0.1")) == (200, None)
    # a JSON body, or the X-Ivsrt-Control header, from the emulator's own origin is fine
    origin = ivs_emulator.endpoint_url
    status, _ = await _control_as(
        ivs_emulator, "clock/freeze", Origin=origin, **{"Content-Type": "application/json"}
    )
    assert status == 200
    status, _ = await _control_as(
        ivs_emulator, "clock/resume", data=b"", **{"X-Ivsrt-Control": "1"}
    )
    assert status == 200


async def test_the_control_token_guards_the_http_control_surface() -> None:
    async with Emulator(control_token="s3cret-control") as emu:
        assert "s3cret-control" not in repr(emu)
        async with ControlClient(emu.endpoint_url) as anonymous:
            with pytest.raises(ControlError) as info:
                await anonymous.advance_clock(5)
            assert info.value.code == "UNAUTHORIZED"
            assert "s3cret-control" not in str(info.value)
        async with ControlClient(emu.endpoint_url, control_token="wrong") as wrong:
            with pytest.raises(ControlError):
                await wrong.freeze_clock()
        assert emu.clock.frozen is False
        async with ControlClient(emu.endpoint_url, control_token="s3cret-control") as control:
            assert "s3cret-control" not in repr(control)
            await control.freeze_clock()
        assert emu.clock.frozen is True
        emu.clock.resume()  # in process, no token needed


async def test_command_line_allow_host_and_control_token_from_the_environment() -> None:
    env = dict(os.environ, IVSRT_EMULATOR_CONTROL_TOKEN="from-env")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivsrt.emulator",
        "--port",
        "0",
        "--allow-host",
        "emu.test",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        url = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode().strip()
        port = url.rsplit(":", 1)[1]
        async with aiohttp.ClientSession() as http:
            headers = {"Host": f"emu.test:{port}", "Authorization": "Bearer from-env"}
            async with http.get(url + "/_emulator/health", headers=headers) as resp:
                assert resp.status == 200
            async with http.get(url + "/_emulator/health", headers={"Host": "emu.test"}) as resp:
                assert resp.status == 401
            async with http.get(url + "/_emulator/health", headers={"Host": "x.test"}) as resp:
                assert resp.status == 403
    finally:
        proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert b"from-env" not in err
