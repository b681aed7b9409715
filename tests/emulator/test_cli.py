"""The command line (``python -m ivsrt.emulator``, ``ivsrt-emulator``): a flag for every option of
`Emulator`, the flags reach the emulator (seen over plain boto3 and the HTTP control surface),
bad values are one-line errors, and SIGINT/SIGTERM end it at once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ivsrt.emulator import Emulator
from ivsrt.emulator.__main__ import _emulator_options, _parser

OPTIONS = [
    name
    for name, p in inspect.signature(Emulator).parameters.items()
    if p.kind is inspect.Parameter.KEYWORD_ONLY
]


def test_every_emulator_option_has_a_flag() -> None:
    parser = _parser()
    flags = {a.dest: a.option_strings for a in parser._actions if a.option_strings}
    assert [name for name in OPTIONS if name not in flags] == []
    assert sorted(_emulator_options(parser.parse_args([]))) == sorted(OPTIONS)


def test_the_flags_default_to_the_emulators_defaults() -> None:
    given = _emulator_options(_parser().parse_args([]))
    defaults = {n: p.default for n, p in inspect.signature(Emulator).parameters.items()}
    # the command line is not seeded unless asked (a server for people, not a test fixture);
    # the defaults of limits (None: Limits()) and allowed_hosts (()) are spelt differently
    same = {n for n in OPTIONS if given[n] == defaults[n]}
    assert set(OPTIONS) - same == {"seed", "limits", "allowed_hosts"}
    assert given["seed"] is None
    assert given["limits"] == Emulator().limits
    assert list(given["allowed_hosts"]) == list(defaults["allowed_hosts"]) == []


@contextlib.contextmanager
def _serving(*flags: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivsrt.emulator", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


def _url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()  # the process prints it once it listens
    assert url.startswith("http://127.0.0.1:"), url
    return url


def _boto(url: str, key: str, secret: str, region: str = "eu-west-1") -> Any:
    return boto3.client(
        "ivs-realtime",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def _control(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        f"{url}/_emulator/{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        result: dict[str, Any] = json.loads(resp.read())
        return result


def _error(exc: ClientError) -> str:
    return str(exc.response["Error"]["Code"])


def test_the_flags_reach_the_emulator() -> None:
    flags = [
        "--account-id=111122223333",
        "--region=eu-west-1",
        "--access-key=AKIDCLI",
        "--composition-start-delay=40",
        "--composition-stop-delay=30",
        "--frozen-clock",
        "--limit=max_encoder_configurations=1",
    ]
    env = dict(os.environ, IVSRT_EMULATOR_SECRET_KEY="cli-secret")
    with _serving(*flags, env=env) as proc:
        url = _url(proc)
        assert _control(url, "clock")["frozen"] is True
        with pytest.raises(ClientError) as info:
            _boto(url, "AKIDCLI", "test").list_stages()
        assert _error(info.value) == "InvalidSignatureException"
        ivs = _boto(url, "AKIDCLI", "cli-secret")
        stage = ivs.create_stage(name="cli")["stage"]
        assert stage["arn"].startswith("arn:aws:ivs:eu-west-1:111122223333:stage/")
        storage = ivs.create_storage_configuration(s3={"bucketName": "cli-recordings"})
        encoder = ivs.create_encoder_configuration(name="hd")["encoderConfiguration"]
        with pytest.raises(ClientError) as info:
            ivs.create_encoder_configuration(name="second")
        assert _error(info.value) == "ServiceQuotaExceededException"
        destination = {
            "s3": {
                "storageConfigurationArn": storage["storageConfiguration"]["arn"],
                "encoderConfigurationArns": [encoder["arn"]],
            }
        }
        arn = ivs.start_composition(stageArn=stage["arn"], destinations=[destination])[
            "composition"
        ]["arn"]

        def state() -> str:
            return str(ivs.get_composition(arn=arn)["composition"]["state"])

        _control(url, "clock/advance", {"seconds": 39})
        assert state() == "STARTING"
        _control(url, "clock/advance", {"seconds": 1})
        assert state() == "ACTIVE"
        ivs.stop_composition(arn=arn)
        _control(url, "clock/advance", {"seconds": 29})
        assert state() == "STOPPING"
        _control(url, "clock/advance", {"seconds": 1})
        assert state() == "STOPPED"
    _, err = proc.communicate()
    assert "region eu-west-1" in err
    assert "cli-secret" not in err


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("--port=70000", "not a TCP port"),
        ("--composition-stop-delay=-1", "not a number of seconds"),
        ("--composition-start-delay=nan", "not a number of seconds"),
        ("--account-id=12", "account_id must be 12 digits"),
        ("--limit=max_stages=0", "max_stages must be positive"),
    ],
)
def test_a_bad_flag_is_a_one_line_error(flag: str, message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ivsrt.emulator", flag],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_console_script_is_declared_and_runs() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '\nivsrt-emulator = "ivsrt.emulator.__main__:main"\n' in pyproject
    path = shutil.which("ivsrt-emulator", path=str(Path(sys.executable).parent))
    assert path is not None, "reinstall the project (pip install -e .) to get the script"
    done = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: ivsrt-emulator")
    assert "--frozen-clock" in done.stdout


_ANY_STAGE = "arn:aws:ivs:eu-west-1:123456789012:stage/abcdABCD1234"


def _seconds_to_exit(sig: signal.Signals) -> float:
    """Seconds from ``sig`` to the end of an emulator process that has an idle keep-alive
    connection and a request still in its handler (a 5 s latency fault)."""
    with _serving() as proc:
        url = _url(proc)
        ivs = _boto(url, "test", "test")
        ivs.list_stages()  # leaves a keep-alive connection open
        _control(url, "faults", {"operation": "GetStage", "kind": "latency", "latency": 5})

        def get_stage() -> None:  # cut by the shutdown: its error is expected
            with contextlib.suppress(Exception):
                _boto(url, "test", "test").get_stage(arn=_ANY_STAGE)

        slow = threading.Thread(target=get_stage, daemon=True)
        slow.start()
        deadline = time.monotonic() + 10
        while not _in_flight(url):  # the attempt is logged before its latency is served
            assert time.monotonic() < deadline
            time.sleep(0.02)
        start = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=30)
        elapsed = time.monotonic() - start
        assert proc.returncode == 0
    slow.join(timeout=10)
    return elapsed


def _in_flight(url: str) -> bool:
    body = _control(url, "invocations")
    return any(i.get("operation") == "GetStage" for i in body.get("invocations", []))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ends_it_within_half_a_second(sig: signal.Signals) -> None:
    # up to three tries: the machine is shared, but a slow shutdown is slow every time
    for _ in range(3):
        elapsed = _seconds_to_exit(sig)
        if elapsed < 0.5:
            break
    assert elapsed < 0.5, f"{elapsed:.3f} s"


async def test_a_frozen_clock_stays_frozen_across_a_reset() -> None:
    async with Emulator(frozen_clock=True) as emu:
        url = emu.endpoint_url
        first = await asyncio.to_thread(_control, url, "clock")
        assert first["frozen"] is True
        await asyncio.sleep(0.05)
        assert (await asyncio.to_thread(_control, url, "clock"))["now"] == first["now"]
        await asyncio.to_thread(_control, url, "clock/advance", {"seconds": 60})
        await asyncio.to_thread(_control, url, "reset", {})
        after = await asyncio.to_thread(_control, url, "clock")
        assert after["frozen"] is True  # frozen again, at real time: the advance is undone
        assert _when(after["now"]) < _when(first["now"]) + datetime.timedelta(seconds=30)
    async with Emulator() as emu:
        assert (await asyncio.to_thread(_control, emu.endpoint_url, "clock"))["frozen"] is False


def _when(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
