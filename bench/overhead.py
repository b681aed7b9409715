"""What ivsrt costs on top of raw aiobotocore, measured against one local server in one run.

Starts ``bench/server.py`` in a separate process (so its CPU is not counted) and measures, in the
same run and interleaved round by round (the contender that goes first rotates from round to
round, to cancel drift on a shared machine):

- ``GetStage`` at concurrency 1 and 32;
- a ListParticipants walk over 10,000 participants in pages of 100 (``nextToken`` chained);
- if ``ivsrt.resources`` exists: ``Stage.get`` and ``async for p in stage.participants()``.

Each figure is the median over the rounds: client CPU per call (``time.process_time()`` of this
process), calls/s and items/s (wall clock). The ratios compare ivsrt with raw aiobotocore
(``session.create_client("ivs-realtime", ...)`` with default settings, plain dict results) measured
in the same run. Targets: GetStage CPU per call at most 1.05x raw; ListParticipants items/s at
least 2x raw; the resource layer at most 5% over the typed layer.

    .venv/bin/python bench/overhead.py            # full run (about a minute)
    .venv/bin/python bench/overhead.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from aiobotocore.session import get_session  # noqa: E402
from server import SESSION_ID, STAGE_ARN  # noqa: E402

import ivsrt  # noqa: E402  (the installed package: `pip install -e .`, as `make` does)

REGION = "us-west-2"
CREDENTIALS = {"aws_access_key_id": "AKIDBENCHMARK", "aws_secret_access_key": "bench-secret"}
PAGE_SIZE = 100

Bench = Callable[[], Awaitable[int]]
"""One measured unit of work; returns how many items it produced."""


@dataclass
class Sample:
    cpu: float
    wall: float
    calls: int
    items: int


@dataclass
class Row:
    scenario: str
    impl: str
    samples: list[Sample] = field(default_factory=list)

    def _median(self, f: Callable[[Sample], float]) -> float:
        return statistics.median(f(s) for s in self.samples)

    @property
    def cpu_per_call_us(self) -> float:
        return self._median(lambda s: s.cpu / s.calls * 1e6)

    @property
    def cpu_per_item_us(self) -> float:
        return self._median(lambda s: s.cpu / max(s.items, 1) * 1e6)

    @property
    def calls_per_s(self) -> float:
        return self._median(lambda s: s.calls / s.wall)

    @property
    def items_per_s(self) -> float:
        return self._median(lambda s: s.items / s.wall)

    @property
    def spread(self) -> float:
        """Relative spread (max-min)/median of the CPU per call, to judge the noise."""
        values = [s.cpu / s.calls for s in self.samples]
        return (max(values) - min(values)) / statistics.median(values)


def paired(a: Row, b: Row, metric: Callable[[Sample], float]) -> float:
    """Median over rounds of ``metric(b) / metric(a)`` measured in the same round.

    Each round measures every contender back to back, so a per-round ratio cancels what drifts
    between rounds (another job on the machine, CPU frequency); its median is steadier than the
    ratio of the two medians when rounds spread widely.
    """
    pairs = zip(a.samples, b.samples, strict=True)
    return statistics.median(metric(y) / metric(x) for x, y in pairs)


def cpu_per_call(s: Sample) -> float:
    return s.cpu / s.calls


def cpu_per_item(s: Sample) -> float:
    return s.cpu / max(s.items, 1)


def calls_per_s(s: Sample) -> float:
    return s.calls / s.wall


def items_per_s(s: Sample) -> float:
    return s.items / s.wall


# -- the server process -----------------------------------------------------------------------


class Server:
    def __init__(self, participants: int) -> None:
        self.participants = participants
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "server.py"),
                "--port",
                "0",
                "--participants",
                str(self.participants),
                "--page-size",
                str(PAGE_SIZE),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            assert self.proc.stdout is not None
            self.proc.stdout.close()


# -- measurement ------------------------------------------------------------------------------


async def calls(call: Callable[[], Awaitable[Any]], n: int, concurrency: int) -> int:
    """``n`` calls, at most ``concurrency`` in flight."""
    if concurrency == 1:
        for _ in range(n):
            await call()
        return 0
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return 0


async def measure(work: Bench, calls_made: int) -> Sample:
    gc.collect()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    items = await work()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return Sample(cpu=cpu, wall=wall, calls=calls_made, items=items)


# -- the contenders ---------------------------------------------------------------------------


def raw_benches(aio: Any, n: int, pages: int) -> dict[str, tuple[Bench, int]]:
    async def get_stage() -> None:
        await aio.get_stage(arn=STAGE_ARN)

    async def walk() -> int:
        items, token = 0, None
        while True:
            kwargs: dict[str, Any] = {
                "stageArn": STAGE_ARN,
                "sessionId": SESSION_ID,
                "maxResults": PAGE_SIZE,
            }
            if token:
                kwargs["nextToken"] = token
            page = await aio.list_participants(**kwargs)
            items += len(page["participants"])
            token = page.get("nextToken")
            if not token:
                return items

    return {
        "GetStage c=1": (lambda: calls(get_stage, n, 1), n),
        "GetStage c=32": (lambda: calls(get_stage, n, 32), n),
        "ListParticipants walk": (walk, pages),
    }


def ivsrt_benches(client: ivsrt.Client, n: int, pages: int) -> dict[str, tuple[Bench, int]]:
    api = client.api

    async def get_stage() -> None:
        await api.get_stage(arn=STAGE_ARN)

    async def walk() -> int:
        items, token = 0, None
        while True:
            page = await api.list_participants(
                stage_arn=STAGE_ARN, session_id=SESSION_ID, max_results=PAGE_SIZE, next_token=token
            )
            items += len(page.participants)
            token = page.next_token
            if not token:
                return items

    return {
        "GetStage c=1": (lambda: calls(get_stage, n, 1), n),
        "GetStage c=32": (lambda: calls(get_stage, n, 32), n),
        "ListParticipants walk": (walk, pages),
    }


def resource_benches(client: ivsrt.Client, n: int, pages: int) -> dict[str, tuple[Bench, int]]:
    """The resource layer (issue 4), if it is there: Stage.get and stage.participants()."""
    from ivsrt.resources import Stage  # type: ignore[import-not-found,unused-ignore]

    stage_holder: list[Any] = []

    async def get_stage() -> None:
        stage_holder[:] = [await Stage.get(STAGE_ARN, client=client)]

    async def walk() -> int:
        if not stage_holder:
            await get_stage()
        items = 0
        async for _ in stage_holder[0].participants(page_size=PAGE_SIZE):
            items += 1
        return items

    return {
        "GetStage c=1": (lambda: calls(get_stage, n, 1), n),
        "GetStage c=32": (lambda: calls(get_stage, n, 32), n),
        "ListParticipants walk": (walk, pages),
    }


def have_resources() -> bool:
    try:
        return importlib.util.find_spec("ivsrt.resources") is not None
    except ImportError:
        return False


async def run(args: argparse.Namespace, url: str) -> dict[tuple[str, str], Row]:
    pages = (args.participants + PAGE_SIZE - 1) // PAGE_SIZE
    rows: dict[tuple[str, str], Row] = {}
    async with AsyncExitStack() as stack:
        session = get_session()
        aio = await stack.enter_async_context(
            session.create_client(
                "ivs-realtime", region_name=REGION, endpoint_url=url, **CREDENTIALS
            )
        )
        client = await stack.enter_async_context(
            ivsrt.Client(
                region=REGION,
                endpoint_url=url,
                aws_access_key_id=CREDENTIALS["aws_access_key_id"],
                aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
            )
        )
        contenders: dict[str, dict[str, tuple[Bench, int]]] = {
            "raw": raw_benches(aio, args.calls, pages),
            "ivsrt": ivsrt_benches(client, args.calls, pages),
        }
        if args.resources and have_resources():
            contenders["resources"] = resource_benches(client, args.calls, pages)
        impls = list(contenders)
        scenarios = list(contenders["raw"])
        # Warm up every path once (connections, lazily built hooks, caches).
        for impl in impls:
            for scenario in scenarios:
                work, _ = contenders[impl][scenario]
                await work()
        for r in range(args.rounds):
            # Rotate who goes first, so that drift and warm caches favour no one.
            order = impls[r % len(impls) :] + impls[: r % len(impls)]
            if r // len(impls) % 2:
                order.reverse()
            for scenario in scenarios:
                for impl in order:
                    work, n_calls = contenders[impl][scenario]
                    sample = await measure(work, n_calls)
                    rows.setdefault((scenario, impl), Row(scenario, impl)).samples.append(sample)
            if not args.quiet:
                print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return rows


# -- report -----------------------------------------------------------------------------------


def report(rows: dict[tuple[str, str], Row], args: argparse.Namespace) -> dict[str, Any]:
    scenarios = list(dict.fromkeys(s for s, _ in rows))
    impls = list(dict.fromkeys(i for _, i in rows))
    print()
    print(
        f"ivsrt overhead vs raw aiobotocore: medians of {args.rounds} rounds "
        f"(GetStage: {args.calls} calls per round; walk: {args.participants} participants in "
        f"pages of {PAGE_SIZE})"
    )
    print(f"ivsrt {ivsrt.__version__} from {Path(ivsrt.__file__).parent}")
    header = (
        f"{'scenario':<24}{'impl':<11}{'CPU/call us':>12}{'CPU/item us':>12}"
        f"{'calls/s':>10}{'items/s':>10}{'spread':>8}"
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        for impl in impls:
            row = rows[(scenario, impl)]
            walk = "walk" in scenario
            print(
                f"{scenario:<24}{impl:<11}{row.cpu_per_call_us:>12.1f}"
                f"{(f'{row.cpu_per_item_us:.2f}' if walk else '-'):>12}"
                f"{row.calls_per_s:>10.0f}{(f'{row.items_per_s:.0f}' if walk else '-'):>10}"
                f"{row.spread:>7.0%} "
            )
    print()
    results: dict[str, Any] = {"ratios": {}, "targets": {}}

    def ratio(name: str, value: float, target: str | None = None, ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("  OK" if ok else "  MISSED")
        print(f"ratio {name}: {value:.3f}x{f' (target {target})' if target else ''}{verdict}")
        results["ratios"][name] = round(value, 4)
        if ok is not None:
            results["targets"][name] = ok

    print("ratios: medians over rounds of the ratio measured within each round")
    for scenario in scenarios:
        raw, typed = rows[(scenario, "raw")], rows[(scenario, "ivsrt")]
        if scenario.startswith("GetStage"):
            cpu = paired(raw, typed, cpu_per_call)
            ratio(f"ivsrt/raw {scenario} CPU per call", cpu, "<= 1.05", cpu <= 1.05)
            ratio(f"ivsrt/raw {scenario} calls/s", paired(raw, typed, calls_per_s))
        else:
            ratio(f"ivsrt/raw {scenario} CPU per item", paired(raw, typed, cpu_per_item))
            items = paired(raw, typed, items_per_s)
            ratio(f"ivsrt/raw {scenario} items/s", items, ">= 2", items >= 2)
    if "resources" in impls:
        for scenario in scenarios:
            raw, typed = rows[(scenario, "raw")], rows[(scenario, "ivsrt")]
            res = rows[(scenario, "resources")]
            get = scenario.startswith("GetStage")
            over = paired(typed, res, cpu_per_call if get else cpu_per_item)
            unit = "call" if get else "item"
            ratio(f"resources/typed {scenario} CPU per {unit}", over, "<= 1.05", over <= 1.05)
            rate = calls_per_s if get else items_per_s
            what = "calls/s" if get else "items/s"
            ratio(f"resources/raw {scenario} {what}", paired(raw, res, rate))
            ratio(f"resources/typed {scenario} {what}", paired(typed, res, rate))
    elif args.resources:
        print("resource layer: ivsrt.resources is not available, not measured")
    results["rows"] = {
        f"{s} | {i}": {
            "cpu_per_call_us": round(r.cpu_per_call_us, 2),
            "cpu_per_item_us": round(r.cpu_per_item_us, 3),
            "calls_per_s": round(r.calls_per_s, 1),
            "items_per_s": round(r.items_per_s, 1),
            "spread": round(r.spread, 3),
            "rounds": len(r.samples),
            "calls_per_round": r.samples[0].calls,
            "items_per_round": r.samples[0].items,
        }
        for (s, i), r in rows.items()
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--rounds", type=int, help="rounds per measurement (default 21; quick 1)")
    parser.add_argument("--calls", type=int, help="GetStage calls per round (default 200)")
    parser.add_argument("--participants", type=int, help="participants walked (default 10000)")
    parser.add_argument(
        "--no-resources", dest="resources", action="store_false", help="skip the resource layer"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 21)
    args.calls = args.calls or (40 if args.quick else 200)
    args.participants = args.participants or (1_000 if args.quick else 10_000)

    started = time.perf_counter()
    with Server(args.participants) as server:
        rows = asyncio.run(run(args, server.url))
    results = report(rows, args)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.check and not all(results["targets"].values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
