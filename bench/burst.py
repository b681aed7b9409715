"""A burst against the service's rate limits: how close each client gets to the floor.

The emulator runs in its own process enforcing the service's API call rate quotas
(``--rate-limits service``: 50 TPS CreateParticipantToken, 5 TPS GetStage and
ListParticipants, HTTP 429 ThrottlingException beyond). Each client fires, all at once,
1,000 CreateParticipantToken + 200 GetStage + 100 ListParticipants (times ``--scale``), through:

- ``ivsrt``: ivsrt with its rate limiter (``RateLimits.service()``) and default retry policy;
- ``ivsrt-unpaced``: ivsrt with ``rate_limits="off"``, same retry policy;
- ``aiobotocore``: raw aiobotocore, ``retries={"mode": "standard"}``;
- ``capo``: capo-ivs-realtime's ``AsyncIVSRealTimeClient`` (its default retries).

Each client gets its own region (the quotas are per region), so no one's excess spends
another's quota. The floor is the slowest operation's calls / TPS (``200 / 5 = 40 s`` at scale
1); wall time is shown as a ratio to it (a little under 1 is possible: the service's buckets
start full). Throttled responses are counted by the emulator (``GET /_emulator/stats``).
Target for ivsrt: within 1.1x of the floor, 0 throttled, 0 failures.

    .venv/bin/python bench/burst.py --scale 0.25     # floor 10 s per client
    .venv/bin/python bench/burst.py                  # full size: floor 40 s per client
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

import ivsrt
from ivsrt import RateLimits
from ivsrt.emulator import ControlClient

CALLS = {"CreateParticipantToken": 1000, "GetStage": 200, "ListParticipants": 100}
TPS = {"CreateParticipantToken": 50.0, "GetStage": 5.0, "ListParticipants": 5.0}
"""The published rates (IVS Real-Time user guide, "API Call Rate Quotas")."""
MODES = ("ivsrt", "ivsrt-unpaced", "aiobotocore", "capo")
REGIONS = {
    "ivsrt": "us-west-2",
    "ivsrt-unpaced": "us-east-1",
    "aiobotocore": "eu-west-1",
    "capo": "ap-northeast-1",
}
KEY = "test"


def counts(scale: float) -> dict[str, int]:
    return {op: max(1, round(n * scale)) for op, n in CALLS.items()}


def floor(calls: dict[str, int]) -> float:
    """The least wall time the rates allow: the slowest operation's calls / TPS."""
    return max(n / TPS[op] for op, n in calls.items())


async def _setup(url: str, region: str, control: ControlClient) -> tuple[str, str]:
    """A stage with an active session in ``region``: (stage ARN, session id)."""
    async with ivsrt.Client(
        region, endpoint_url=url, aws_access_key_id=KEY, aws_secret_access_key=KEY,
        rate_limits="off",
    ) as ivs:  # fmt: skip
        created = (await ivs.api.create_stage(name="burst")).stage
        assert created is not None
        stage = created.arn
        token = (await ivs.api.create_participant_token(stage_arn=stage)).participant_token
        assert token is not None
        assert token.token is not None
        await control.join(token.token)
        sessions = (await ivs.api.list_stage_sessions(stage_arn=stage)).stage_sessions
        session = sessions[0].session_id
        assert session is not None
        return stage, session


Call = Callable[[str], Awaitable[Any]]


def _ivsrt(url: str, region: str, paced: bool) -> ivsrt.Client:
    return ivsrt.Client(
        region, endpoint_url=url, aws_access_key_id=KEY, aws_secret_access_key=KEY,
        max_pool_connections=50, rate_limits=RateLimits.service() if paced else "off",
    )  # fmt: skip


def _client(
    mode: str, url: str, stage: str, session: str, n: dict[str, int]
) -> tuple[Any, list[Callable[[Any], Awaitable[Any]]]]:
    """The client of ``mode`` (to open with ``async with``) and every call of the burst."""
    region = REGIONS[mode]
    jobs: list[Callable[[Any], Awaitable[Any]]] = []
    if mode.startswith("ivsrt"):
        calls: dict[str, Callable[[Any], Awaitable[Any]]] = {
            "CreateParticipantToken": lambda c: c.api.create_participant_token(stage_arn=stage),
            "GetStage": lambda c: c.api.get_stage(arn=stage),
            "ListParticipants": lambda c: c.api.list_participants(
                stage_arn=stage, session_id=session, max_results=1
            ),
        }
        opener: Any = _ivsrt(url, region, paced=mode == "ivsrt")
    elif mode == "aiobotocore":
        calls = {
            "CreateParticipantToken": lambda c: c.create_participant_token(stageArn=stage),
            "GetStage": lambda c: c.get_stage(arn=stage),
            "ListParticipants": lambda c: c.list_participants(
                stageArn=stage, sessionId=session, maxResults=1
            ),
        }
        aio = get_session()
        aio.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
        opener = aio.create_client(
            "ivs-realtime", region_name=region, endpoint_url=url, aws_access_key_id=KEY,
            aws_secret_access_key=KEY,
            config=AioConfig(retries={"mode": "standard"}, max_pool_connections=50),
        )  # fmt: skip
    else:
        import capo_ivs_realtime as capo

        calls = {
            "CreateParticipantToken": lambda c: c.create_participant_token(stage),
            "GetStage": lambda c: c.get_stage(stage),
            "ListParticipants": lambda c: c.list_participants(stage, session, max_results=1),
        }
        opener = capo.AsyncIVSRealTimeClient(
            region=region, endpoint=url,
            credentials=capo.Credentials(access_key=KEY, secret_key=KEY),
        )  # fmt: skip
    for op, count in n.items():
        jobs.extend([calls[op]] * count)
    return opener, jobs


async def run(url: str, scale: float, modes: list[str]) -> dict[str, dict[str, Any]]:
    n = counts(scale)
    rows: dict[str, dict[str, Any]] = {}
    async with ControlClient(url) as control:
        for mode in modes:
            stage, session = await _setup(url, REGIONS[mode], control)
            opener, jobs = _client(mode, url, stage, session, n)
            async with opener as client:  # opened (model loaded) before the clock starts
                before = (await control.stats())["throttled"]
                started = time.monotonic()
                results = await asyncio.gather(
                    *(job(client) for job in jobs), return_exceptions=True
                )
                wall = time.monotonic() - started
                after = (await control.stats())["throttled"]
            throttled = sum(after.get(op, 0) - before.get(op, 0) for op in n)
            failed = [r for r in results if isinstance(r, BaseException)]
            rows[mode] = {
                "wall_s": round(wall, 3),
                "ratio": round(wall / floor(n), 3),
                "throttled": throttled,
                "failed": len(failed),
                "calls": len(results),
            }
    return rows


def report(n: dict[str, int], rows: dict[str, dict[str, Any]]) -> None:
    """Print the table."""
    print(
        "burst: " + ", ".join(f"{c} {op}" for op, c in n.items()) + f"; floor {floor(n):.1f} s"
        " (slowest operation's calls / TPS)"
    )
    print(f"{'client':<15}{'wall s':>9}{'x floor':>9}{'throttled':>11}{'failed':>8}")
    for mode, row in rows.items():
        print(
            f"{mode:<15}{row['wall_s']:>9.2f}{row['ratio']:>9.2f}{row['throttled']:>11}"
            f"{row['failed']:>8}"
        )
    if "ivsrt" in rows:
        r = rows["ivsrt"]
        met = r["ratio"] <= 1.1 and r["throttled"] == 0 and r["failed"] == 0
        print(f"target ivsrt <= 1.1x floor, 0 throttled, 0 failed: {'met' if met else 'NOT met'}")


def _start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivsrt.emulator", "--rate-limits", "service", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"the emulator did not start (printed {url!r})")
    return proc, url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the call counts")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated clients")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown or not 0 < args.scale <= 1:
        parser.error(f"--modes from {', '.join(MODES)}; --scale in (0, 1]")
    n = counts(args.scale)
    proc, url = _start_emulator()
    try:
        rows = asyncio.run(run(url, args.scale, modes))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report(n, rows)
    if args.json:
        args.json.write_text(json.dumps({"calls": n, "floor_s": floor(n), "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
