"""ivsrt against capo-ivs-realtime and raw aiobotocore, on one local server, in one run.

Starts ``bench/server.py`` in a separate process (so its CPU is not counted) and measures the
contenders of ``bench/peers.py`` (raw aiobotocore, capo-ivs-realtime, ivsrt's typed layer and,
where it has the scenario, its resource layer) on the same endpoint, interleaved round by round
(who goes first rotates from round to round, to cancel drift on a shared machine):

- ``GetStage`` at concurrency 1 and 32 (CPU per call);
- ``CreateStage`` with 12 participant token configurations (CPU per call);
- a ListParticipants walk over 10,000 participants in pages of 100 (items/s, CPU per item);
- client construction: a client made, opened and closed (CPU per client);

and then, outside the rounds: ``import ivsrt`` against ``import aiobotocore.session`` (fresh
interpreters, interleaved, ivsrt's bytecode compiled as a wheel install does; also what a first
Real-Time call imports on top) and the memory the 10,000 participants of a walk take.

Each figure is the median over the rounds; each ratio is the median over rounds of the ratio
measured within a round. Targets: ivsrt's CPU per call at most 1.0x capo's on each call
figure, its walk items/s at least 1.0x capo's, ``import ivsrt`` at most 40 ms over
``import aiobotocore.session``.

    .venv/bin/python bench/overhead.py            # full run (a few minutes)
    .venv/bin/python bench/overhead.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402
from aiobotocore.session import get_session  # noqa: E402
from peers import CALL_SCENARIOS, CONSTRUCTION, PAGE_SIZE, REGION, TOKENS, WALK, Bench  # noqa: E402

import ivsrt  # noqa: E402  (the installed package: `pip install -e .`, as `make` does)

IMPORTS = {
    "ivsrt": "import ivsrt",
    "aiobotocore.session": "import aiobotocore.session",
    "capo": "import capo_ivs_realtime",
    # What a first Real-Time call loads on top of ``import ivsrt`` (the operations, their
    # models, cattrs and the resources): where the cost of the lazy imports went.
    "ivsrt + operations": "import ivsrt, ivsrt.resources, ivsrt._generated.operations",
}
IMPORT_BUDGET_MS = 40.0


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
        command = [sys.executable, str(HERE / "server.py"), "--port", "0"]
        command += ["--participants", str(self.participants), "--page-size", str(PAGE_SIZE)]
        command += ["--tokens", str(TOKENS)]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
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


async def measure(work: Bench, calls_made: int) -> Sample:
    gc.collect()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    items = await work()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return Sample(cpu=cpu, wall=wall, calls=calls_made, items=items)


async def retained(walk: Callable[[], Awaitable[list[Any]]]) -> tuple[int, int]:
    """(bytes still allocated while the walked items are held, items): the memory they take."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        items = await walk()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, len(items)


async def run(
    args: argparse.Namespace, url: str
) -> tuple[dict[tuple[str, str], Row], dict[str, tuple[int, int]]]:
    pages = (args.participants + PAGE_SIZE - 1) // PAGE_SIZE
    rows: dict[tuple[str, str], Row] = {}
    async with AsyncExitStack() as stack:
        session = get_session()
        aio = await stack.enter_async_context(
            session.create_client(
                "ivs-realtime", region_name=REGION, endpoint_url=url, **peers.CREDENTIALS
            )
        )
        capo = await stack.enter_async_context(peers.capo_client(url))
        client = await stack.enter_async_context(peers.ivsrt_client(url))
        contenders: dict[str, dict[str, tuple[Bench, int]]] = {
            "raw": peers.raw_benches(aio, session, url, args.calls, pages),
            "capo": peers.capo_benches(capo, url, args.calls, pages),
            "ivsrt": peers.ivsrt_benches(client, url, args.calls, pages),
        }
        if args.resources:
            contenders["resources"] = peers.resource_benches(client, args.calls, pages)
        impls = list(contenders)
        # Warm up every path once (connections, lazily built hooks, caches).
        for impl in impls:
            for work, _ in contenders[impl].values():
                await work()
        for r in range(args.rounds):
            # Rotate who goes first, so that drift and warm caches favour no one.
            order = impls[r % len(impls) :] + impls[: r % len(impls)]
            if r // len(impls) % 2:
                order.reverse()
            for scenario in peers.SCENARIOS:
                for impl in order:
                    if scenario not in contenders[impl]:
                        continue
                    work, n_calls = contenders[impl][scenario]
                    sample = await measure(work, n_calls)
                    rows.setdefault((scenario, impl), Row(scenario, impl)).samples.append(sample)
            if not args.quiet:
                print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
        memory = {
            "raw": await retained(lambda: peers.raw_walk(aio)),
            "capo": await retained(lambda: peers.capo_walk(capo)),
            "ivsrt": await retained(lambda: peers.ivsrt_walk(client)),
        }
    return rows, memory


def import_times(rounds: int) -> dict[str, list[float]]:
    """Seconds each import statement takes in a fresh interpreter, interleaved per round.

    ivsrt's bytecode is compiled first, as installing a wheel does: an editable install under
    ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module from source on every
    import, while the peers' installed packages load from bytecode."""
    compileall.compile_dir(str(Path(ivsrt.__file__).parent), quiet=1)
    code = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    names = list(IMPORTS)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            done = subprocess.run(
                [sys.executable, "-c", code.format(IMPORTS[name])],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            times[name].append(float(done.stdout))
    return times


# -- report -----------------------------------------------------------------------------------


def report(
    rows: dict[tuple[str, str], Row],
    memory: dict[str, tuple[int, int]],
    imports: dict[str, list[float]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    impls = list(dict.fromkeys(i for _, i in rows))
    print()
    print(
        f"ivsrt vs capo-ivs-realtime and raw aiobotocore: medians of {args.rounds} rounds "
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
    for scenario in peers.SCENARIOS:
        for impl in impls:
            row = rows.get((scenario, impl))
            if row is None:
                continue
            walk = scenario == WALK
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

    def pick(scenario: str, impl: str) -> Row:
        return rows[(scenario, impl)]

    print("ratios: medians over rounds of the ratio measured within each round")
    for scenario in CALL_SCENARIOS:
        cpu = paired(pick(scenario, "capo"), pick(scenario, "ivsrt"), cpu_per_call)
        ratio(f"ivsrt/capo {scenario} CPU per call", cpu, "<= 1.0", cpu <= 1.0)
    walk_items = paired(pick(WALK, "capo"), pick(WALK, "ivsrt"), items_per_s)
    ratio(f"ivsrt/capo {WALK} items/s", walk_items, ">= 1.0", walk_items >= 1.0)
    ratio(
        f"ivsrt/capo {WALK} CPU per item",
        paired(pick(WALK, "capo"), pick(WALK, "ivsrt"), cpu_per_item),
    )
    ratio(
        f"ivsrt/capo {CONSTRUCTION} CPU",
        paired(pick(CONSTRUCTION, "capo"), pick(CONSTRUCTION, "ivsrt"), cpu_per_call),
    )
    for scenario in CALL_SCENARIOS:
        ratio(
            f"ivsrt/raw {scenario} CPU per call",
            paired(pick(scenario, "raw"), pick(scenario, "ivsrt"), cpu_per_call),
        )
    ratio(f"ivsrt/raw {WALK} items/s", paired(pick(WALK, "raw"), pick(WALK, "ivsrt"), items_per_s))
    ratio(
        f"ivsrt/raw {CONSTRUCTION} CPU",
        paired(pick(CONSTRUCTION, "raw"), pick(CONSTRUCTION, "ivsrt"), cpu_per_call),
    )
    if "resources" in impls:
        for scenario in ("GetStage c=1", WALK):
            metric = cpu_per_item if scenario == WALK else cpu_per_call
            unit = "item" if scenario == WALK else "call"
            over = paired(pick(scenario, "ivsrt"), pick(scenario, "resources"), metric)
            ratio(f"resources/typed {scenario} CPU per {unit}", over, "<= 1.05", over <= 1.05)

    print()
    medians = {name: statistics.median(t) * 1e3 for name, t in imports.items()}
    for name, ms in medians.items():
        print(f"import {name}: {ms:.0f} ms (median of {len(imports[name])})")
    extra = statistics.median(
        (a - b) * 1e3 for a, b in zip(imports["ivsrt"], imports["aiobotocore.session"], strict=True)
    )
    ok = extra <= IMPORT_BUDGET_MS
    print(
        f"import ivsrt - import aiobotocore.session: {extra:+.0f} ms "
        f"(target <= +{IMPORT_BUDGET_MS:.0f} ms){'  OK' if ok else '  MISSED'}"
    )
    loaded = statistics.median(
        (a - b) * 1e3
        for a, b in zip(imports["ivsrt + operations"], imports["aiobotocore.session"], strict=True)
    )
    print(f"import ivsrt + operations - import aiobotocore.session: {loaded:+.0f} ms (no target)")
    results["imports_ms"] = {name: round(ms, 1) for name, ms in medians.items()}
    results["import_loaded_extra_ms"] = round(loaded, 1)
    results["import_extra_ms"] = round(extra, 1)
    results["targets"]["import ivsrt - import aiobotocore.session"] = ok

    print()
    for impl, (size, count) in memory.items():
        each = size / max(count, 1)
        print(f"memory {impl}: {size / 1e6:.2f} MB for {count} participants ({each:.0f} B each)")
    results["memory_bytes"] = {impl: size for impl, (size, _) in memory.items()}
    results["memory_items"] = {impl: count for impl, (_, count) in memory.items()}
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
    parser.add_argument("--rounds", type=int, help="rounds per measurement (default 15; quick 1)")
    parser.add_argument("--calls", type=int, help="GetStage calls per round (default 200)")
    parser.add_argument("--participants", type=int, help="participants walked (default 10000)")
    parser.add_argument("--imports", type=int, help="import rounds (default 7; quick 1)")
    parser.add_argument(
        "--no-resources", dest="resources", action="store_false", help="skip the resource layer"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 15)
    args.calls = args.calls or (40 if args.quick else 200)
    args.participants = args.participants or (1_000 if args.quick else 10_000)
    args.imports = args.imports or (1 if args.quick else 7)

    started = time.perf_counter()
    with Server(args.participants) as server:
        rows, memory = asyncio.run(run(args, server.url))
    imports = import_times(args.imports)
    results = report(rows, memory, imports, args)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.check and not all(results["targets"].values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
