"""What the emulator costs a test suite: its server CPU per request, as a ratio to a minimal
aiohttp server answering the same replies as canned JSON, both measured in one run.

    python bench/emulator_cost.py [--requests 1000] [--rounds 5] [--quick] [--json PATH]

Three requests (issue 10, item 7): ``GetStage``, a 100-participant ``ListParticipants`` page and
``CreateStage``. Each server runs in its own process (the emulator as ``python -m
ivsrt.emulator``, the peer as this script with ``--canned``), and its CPU is read from
``/proc/<pid>/stat`` (Linux) around every batch, so the client's own CPU is not counted. The
peer answers with the very bytes the emulator returned for the same request. Rounds alternate
emulator / peer; a ratio is the median of the per-round ratios. Targets: GetStage at most 3x,
the page at most 4x.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGETS = {"GetStage": 3.0, "ListParticipants (100)": 4.0}
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


# -- the peer: a minimal aiohttp server answering canned JSON -----------------------------------
def serve_canned(replies_path: str) -> None:
    """Serve ``POST /<Operation>`` with the canned body of that operation; print ``PORT n``."""
    from aiohttp import web

    replies = {k: v.encode() for k, v in json.loads(Path(replies_path).read_text()).items()}

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        body = replies.get(request.path.lstrip("/"))
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/{op}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"PORT {port}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until stdin closes
        await runner.cleanup()

    asyncio.run(main())


class Server:
    """A server process and its URL."""

    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc = proc
        self.url = url

    @classmethod
    async def start(cls, *args: str, marker: str) -> Server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).decode().strip()
        if marker == "PORT":
            return cls(proc, f"http://127.0.0.1:{line.split()[1]}")
        return cls(proc, line)

    def cpu(self) -> float:
        return process_cpu(self.proc.pid)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
        await asyncio.wait_for(self.proc.communicate(), timeout=30)


def client(url: str) -> Any:
    return get_session().create_client(
        "ivs-realtime",
        region_name="us-west-2",
        endpoint_url=url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=AioConfig(
            retries={"total_max_attempts": 1}, max_pool_connections=8, parameter_validation=False
        ),
    )


async def batch(call: Callable[[], Awaitable[Any]], n: int, concurrency: int = 8) -> None:
    """``n`` calls, ``concurrency`` at a time."""
    todo = iter(range(n))

    async def worker() -> None:
        for _ in todo:
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def prepare(emu_url: str) -> tuple[str, str, dict[str, str]]:
    """A stage whose live session has 100 participants; the replies to can for the peer."""
    from ivsrt.emulator import ControlClient

    async with client(emu_url) as api, ControlClient(emu_url) as control:
        configs = [{"userId": f"user-{i}", "attributes": {"seat": str(i)}} for i in range(10)]
        created = await api.create_stage(name="bench", participantTokenConfigurations=configs)
        stage = created["stage"]["arn"]
        tokens = [t["token"] for t in created["participantTokens"]]
        for i in range(90):
            made = await api.create_participant_token(stageArn=stage, userId=f"user-{10 + i}")
            tokens.append(made["participantToken"]["token"])
        for token in tokens:
            await control.join(token)
        session = (await api.get_stage(arn=stage))["stage"]["activeSessionId"]
    replies: dict[str, str] = {}
    async with aiohttp.ClientSession() as http:
        for op, params in (
            ("GetStage", {"arn": stage}),
            ("ListParticipants", {"stageArn": stage, "sessionId": session, "maxResults": 100}),
            ("CreateStage", {"name": "bench-new"}),
        ):
            replies[op] = await _wire_reply(http, emu_url, op, params)
    return stage, session, replies


async def _wire_reply(
    http: aiohttp.ClientSession, url: str, op: str, params: dict[str, Any]
) -> str:
    """The emulator's reply body, byte for byte, to one signed request."""
    data = json.dumps(params).encode()
    req = AWSRequest(
        method="POST", url=f"{url}/{op}", data=data, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials("test", "test"), "ivs", "us-west-2").add_auth(req)
    async with http.post(f"{url}/{op}", data=data, headers=dict(req.headers.items())) as resp:
        assert resp.status == 200, (op, resp.status)
        return await resp.text()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    emu = await Server.start(
        "-m", "ivsrt.emulator", "--port", "0", "--limit", "max_stages=1000000", marker="URL"
    )
    try:
        stage, session, replies = await prepare(emu.url)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(replies, f)
        peer = await Server.start(__file__, "--canned", f.name, marker="PORT")
        try:
            return await measure(args, emu, peer, stage, session)
        finally:
            await peer.stop()
            os.unlink(f.name)
    finally:
        await emu.stop()


async def measure(
    args: argparse.Namespace, emu: Server, peer: Server, stage: str, session: str
) -> dict[str, Any]:
    ops: dict[str, tuple[str, dict[str, Any]]] = {
        "GetStage": ("get_stage", {"arn": stage}),
        "ListParticipants (100)": (
            "list_participants",
            {"stageArn": stage, "sessionId": session, "maxResults": 100},
        ),
        "CreateStage": ("create_stage", {"name": "bench-new"}),
    }
    per_request: dict[str, dict[str, list[float]]] = {
        name: {"emulator": [], "aiohttp": []} for name in ops
    }
    async with client(emu.url) as emu_api, client(peer.url) as peer_api:
        for name, (method, params) in ops.items():
            for api in (emu_api, peer_api):  # warm up connections and caches
                await batch(functools.partial(getattr(api, method), **params), 50)
            for _ in range(args.rounds):
                for label, server, api in (("emulator", emu, emu_api), ("aiohttp", peer, peer_api)):
                    call = functools.partial(getattr(api, method), **params)
                    before = server.cpu()
                    await batch(call, args.requests)
                    used = server.cpu() - before
                    per_request[name][label].append(used / args.requests)
    out: dict[str, Any] = {}
    for name, runs in per_request.items():
        # a round whose peer batch stayed under one clock tick has no ratio
        ratios = [e / a for e, a in zip(runs["emulator"], runs["aiohttp"], strict=True) if a > 0]
        out[name] = {
            "emulator_us": statistics.median(runs["emulator"]) * 1e6,
            "aiohttp_us": statistics.median(runs["aiohttp"]) * 1e6,
            "ratio": statistics.median(ratios) if ratios else None,
            "target": TARGETS.get(name),
        }
    return out


def report(figures: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"Emulator server CPU per request vs a minimal aiohttp server answering canned JSON "
        f"({args.requests} requests x {args.rounds} rounds, concurrency 8; median of "
        f"per-round ratios)"
    )
    print(f"{'request':<26}{'emulator us':>14}{'aiohttp us':>14}{'ratio':>9}  target")
    for name, row in figures.items():
        target = "" if row["target"] is None else f"<= {row['target']:g}x"
        ratio = "n/a" if row["ratio"] is None else f"{row['ratio']:.1f}x"
        print(
            f"{name:<26}{row['emulator_us']:>14.0f}{row['aiohttp_us']:>14.0f}{ratio:>9}  {target}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--requests", type=int, default=1000, help="requests per batch")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds per request")
    p.add_argument("--quick", action="store_true", help="a smoke run: 100 requests x 2 rounds")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument("--canned", metavar="REPLIES", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.canned:
        serve_canned(args.canned)
        return 0
    if not Path("/proc/self/stat").exists():
        print("emulator_cost.py reads server CPU from /proc: Linux only", file=sys.stderr)
        return 2
    if args.quick:
        args.requests, args.rounds = 100, 2
    figures = asyncio.run(run(args))
    report(figures, args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
