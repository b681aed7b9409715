"""Soak: ivsrt's retry, idempotency, cancellation and connection handling under the emulator's
fault injection, over loopback HTTP. Bounded in count and time; prints one table.

    python bench/soak.py [--quick] [--json PATH]        # or: make soak

Scenarios (issue 12, item 4), against ``python -m ivsrt.emulator`` in its own process (so every
socket of this process is the client's):

1. ``storm``: 10,000 GetStage calls at concurrency 200 with 10% of requests answered 429 or 503
   (seeded), once with the default `RetryPolicy` and once with ``max_attempts=5``;
2. ``mixed``: 2,000 creates, gets, lists and deletes of stages under the same faults, then the
   stages the service holds compared with what the client was told (duplicates, orphans, lost);
3. ``reset``: every CreateStage and StartComposition attempt is applied and then its connection
   reset (no reply), counting resources per call (duplicates);
4. ``outage``: every request answered 503, then the outage ends (requests per call, time to fail,
   recovery);
5. ``cancel``: 1,000 calls cancelled at random moments while the service is slow or failing
   (requests sent after the cancellations, retry budget left, sockets left).

Targets: 0 in every duplicates / orphans / lost / untyped / leaked column. The default policy's
failures in ``storm`` are expected: 3 attempts each failing with p ~ 0.0975 leave about
N * p**3 (~9 of 10,000) calls failing every attempt; 5 attempts leave ~N * p**5 (< 0.1).
A full run takes a few minutes; ``--quick`` is the smoke run of the test suite (seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import attrs

import ivsrt
from ivsrt import RetryPolicy, models
from ivsrt.emulator import ControlClient
from ivsrt.retry import BUDGET_EXHAUSTED_NOTE, RetryBudget

CHANNEL = "arn:aws:ivs:us-west-2:123456789012:channel/soakSOAK1234"
FULL = {"storm": 10_000, "concurrency": 200, "mixed": 2_000, "reset": 200, "outage": 400}
FULL |= {"cancel": 1_000}
QUICK = {"storm": 400, "concurrency": 40, "mixed": 200, "reset": 20, "outage": 60, "cancel": 100}
FAST = RetryPolicy(base_delay=0.005, max_delay=0.05)
"""Short backoffs: the scenarios measure counts, not the service's patience."""


async def all_stages(client: ivsrt.Client) -> list[models.StageSummary]:
    """Every stage the service holds (every page)."""
    out: list[models.StageSummary] = []
    token: str | None = None
    while True:
        page = await client.api.list_stages(max_results=100, next_token=token)
        out += page.stages
        token = page.next_token
        if not token:
            return out


def cause(error: BaseException) -> str:
    """Why a call failed: its class and which retry limit ended it."""
    notes = " ".join(getattr(error, "__notes__", ()))
    if BUDGET_EXHAUSTED_NOTE in notes:
        limit = "retry budget exhausted"
    elif "deadline" in notes:
        limit = "deadline"
    else:
        limit = "attempts exhausted" if "attempt" in notes else "not retried"
    return f"{type(error).__name__}, {limit}"


async def new_stage(client: ivsrt.Client, name: str) -> str:
    stage = (await client.api.create_stage(name=name)).stage
    assert stage is not None
    return stage.arn


@attrs.define
class Row:
    scenario: str
    metric: str
    value: float
    target: str = ""

    def met(self) -> bool | None:
        if not self.target:
            return None
        return self.value == 0 if self.target == "0" else True


def open_sockets() -> int:
    """Sockets this process holds open (Linux ``/proc``; -1 elsewhere)."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return -1
    count = 0
    for name in names:
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
    return count


class Server:
    """``python -m ivsrt.emulator`` on 127.0.0.1, a free port."""

    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc, self.url = proc, url

    @classmethod
    async def start(cls) -> Server:
        args = ["-m", "ivsrt.emulator", "--host", "127.0.0.1", "--port", "0", "--seed", "12"]
        for limit in ("max_stages=100000", "max_active_compositions=100000"):
            args += ["--limit", limit]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        return cls(proc, line.decode().strip())

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), timeout=30)


class Soak:
    def __init__(self, server: Server, control: ControlClient, sizes: dict[str, int]) -> None:
        self.server, self.control, self.sizes = server, control, sizes
        self.rows: list[Row] = []

    def row(self, scenario: str, metric: str, value: float, target: str = "") -> None:
        self.rows.append(Row(scenario, metric, value, target))

    def client(self, policy: RetryPolicy, budget: RetryBudget | None = None) -> ivsrt.Client:
        return ivsrt.Client(
            region="us-west-2",
            endpoint_url=self.server.url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            max_pool_connections=self.sizes["concurrency"],
            retry=policy,
            retry_budget=budget,
        )

    async def fresh(self) -> None:
        await self.control.reset()

    async def ten_percent(self, operation: str | None) -> None:
        """5% of requests throttled (429), then 5% of the rest answered 503: 9.75% fail."""
        await self.control.inject_fault(operation, "throttle", probability=0.05)
        await self.control.inject_fault(operation, "server_error", probability=0.05, status=503)

    async def guarded(
        self, scenario: str, body: Callable[[], Awaitable[None]], after_close: bool = True
    ) -> None:
        """Run ``body`` counting ResourceWarnings and the sockets it leaves open."""
        gc.collect()
        before = open_sockets()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            await body()
            await asyncio.sleep(0.2)  # transports closed by the loop's next iterations
            gc.collect()
        if after_close:
            self.row(scenario, "sockets open after close", open_sockets() - before, "0")
        n = sum(1 for w in caught if issubclass(w.category, ResourceWarning))
        self.row(scenario, "ResourceWarnings", n, "0")

    # -- 1. storm ---------------------------------------------------------------------------
    async def storm(self, label: str, policy: RetryPolicy) -> None:
        scenario = f"storm {label}"
        await self.fresh()
        n, width = self.sizes["storm"], self.sizes["concurrency"]

        async def body() -> None:
            async with self.client(policy) as client:
                arn = await new_stage(client, "storm")
                await self.ten_percent("GetStage")
                causes: Counter[str] = Counter()
                untyped = 0
                todo = iter(range(n))

                async def worker() -> None:
                    nonlocal untyped
                    for _ in todo:
                        try:
                            await client.api.get_stage(arn=arn)
                        except ivsrt.IvsrtError as exc:
                            causes[cause(exc)] += 1
                        except Exception:
                            untyped += 1

                started = time.monotonic()
                await asyncio.gather(*(worker() for _ in range(width)))
                took = time.monotonic() - started
            requests = await self.control.request_count("GetStage")
            self.row(scenario, "calls", n)
            failed = sum(causes.values())
            self.row(scenario, "failed calls", failed, "0" if policy.max_attempts >= 5 else "")
            for why, count in sorted(causes.items()):
                self.row(scenario, f"  failed: {why}", count)
            self.row(scenario, "untyped exceptions", untyped, "0")
            self.row(scenario, "requests per call", round(requests / n, 3))
            self.row(scenario, "calls per second", round(n / took, 1))

        await self.guarded(scenario, body)

    # -- 2. mixed ---------------------------------------------------------------------------
    async def mixed(self) -> None:
        scenario = "mixed"
        await self.fresh()
        n, width = self.sizes["mixed"], min(self.sizes["concurrency"], 50)
        rng = random.Random(5)
        plan = [rng.choice("ccggld") for _ in range(n)]

        async def body() -> None:
            created: dict[str, str] = {}  # name -> arn, as the client was told
            deleted: set[str] = set()
            unsure: set[str] = set()  # names of creates whose outcome the client does not know
            lost = untyped = failed = 0
            policy = attrs.evolve(FAST, max_attempts=5)
            async with self.client(policy) as client:
                await self.ten_percent(None)
                todo = iter(enumerate(plan))

                async def one(i: int, op: str) -> None:
                    nonlocal lost
                    live = [a for a in created.values() if a not in deleted]
                    if op == "c" or not live:
                        name = f"mixed-{i}"
                        try:
                            created[name] = await new_stage(client, name)
                        except ivsrt.OutcomeUnknownError:
                            unsure.add(name)
                    elif op == "g":
                        arn = rng.choice(live)
                        try:
                            await client.api.get_stage(arn=arn)
                        except ivsrt.ResourceNotFoundError:
                            lost += arn not in deleted  # deleted meanwhile is fine
                    elif op == "l":
                        await client.api.list_stages(max_results=100)
                    else:
                        arn = rng.choice(live)
                        deleted.add(arn)
                        # two deletes of one stage may race: the stage is gone either way
                        with contextlib.suppress(ivsrt.ResourceNotFoundError):
                            await client.api.delete_stage(arn=arn)

                async def worker() -> None:
                    nonlocal failed, untyped
                    for i, op in todo:
                        try:
                            await one(i, op)
                        except ivsrt.IvsrtError:
                            failed += 1
                        except Exception:
                            untyped += 1

                await asyncio.gather(*(worker() for _ in range(width)))
                await self.control.clear_faults()
                held: dict[str, list[str]] = {}
                for stage in await all_stages(client):
                    held.setdefault(stage.name or "", []).append(stage.arn)
            alive = {name for name, arn in created.items() if arn not in deleted}
            self.row(scenario, "calls", n)
            self.row(scenario, "failed calls", failed)
            self.row(scenario, "untyped exceptions", untyped, "0")
            self.row(scenario, "duplicates", sum(len(v) - 1 for v in held.values()), "0")
            orphans = set(held) - alive - unsure - {n for n, a in created.items() if a in deleted}
            self.row(scenario, "orphans (held, never reported created)", len(orphans), "0")
            self.row(scenario, "lost (reported, not held)", lost + len(alive - set(held)), "0")
            self.row(scenario, "outcome unknown", len(unsure))

        await self.guarded(scenario, body)

    # -- 3. reset after apply --------------------------------------------------------------
    async def reset_after_apply(self) -> None:
        scenario = "reset after apply"
        await self.fresh()
        n = self.sizes["reset"]

        async def body() -> None:
            policy = FAST
            unknown = untyped = other = 0
            async with self.client(policy) as client:
                stage = await new_stage(client, "compose")
                await self.control.inject_fault("CreateStage", "reset_after")
                await self.control.inject_fault("StartComposition", "reset_after")
                dest = models.DestinationConfiguration(
                    channel=models.ChannelDestinationConfiguration(channel_arn=CHANNEL)
                )

                async def call(i: int) -> None:
                    nonlocal unknown, untyped, other
                    try:
                        if i % 2:
                            await client.api.create_stage(name=f"reset-{i}")
                        else:
                            await client.api.start_composition(stage_arn=stage, destinations=[dest])
                    except ivsrt.OutcomeUnknownError:
                        unknown += 1
                    except ivsrt.IvsrtError:
                        other += 1
                    except Exception:
                        untyped += 1

                await asyncio.gather(*(call(i) for i in range(n)))
                await self.control.clear_faults()
                stages = await all_stages(client)
                comps: list[models.CompositionSummary] = []
                token: str | None = None
                while True:
                    page = await client.api.list_compositions(max_results=100, next_token=token)
                    comps += page.compositions
                    token = page.next_token
                    if not token:
                        break
            names = [s.name for s in stages if s.name != "compose"]
            stage_calls, comp_calls = n // 2, n - n // 2
            self.row(scenario, "calls (half CreateStage, half StartComposition)", n)
            self.row(scenario, "untyped exceptions", untyped, "0")
            self.row(scenario, "CreateStage outcome unknown", unknown)
            self.row(scenario, "duplicate stages", len(names) - len(set(names)), "0")
            self.row(scenario, "stages per CreateStage call", round(len(names) / stage_calls, 3))
            self.row(scenario, "duplicate compositions", max(0, len(comps) - comp_calls), "0")
            self.row(scenario, "StartComposition failed calls", other)

        await self.guarded(scenario, body)

    # -- 4. outage --------------------------------------------------------------------------
    async def outage(self) -> None:
        scenario = "outage (100% 503)"
        await self.fresh()
        n = self.sizes["outage"]

        async def body() -> None:
            budget = RetryBudget()
            times: list[float] = []
            untyped = succeeded = 0
            async with self.client(FAST, budget) as client:
                arn = await new_stage(client, "outage")
                await self.control.inject_fault("GetStage", "server_error", status=503)

                async def call() -> None:
                    nonlocal untyped, succeeded
                    started = time.monotonic()
                    try:
                        await client.api.get_stage(arn=arn)
                        succeeded += 1
                    except ivsrt.ServiceError:
                        pass
                    except Exception:
                        untyped += 1
                    times.append(time.monotonic() - started)

                for start in range(0, n, 20):
                    await asyncio.gather(*(call() for _ in range(min(20, n - start))))
                requests = await self.control.request_count("GetStage")
                await self.control.clear_faults()
                started = time.monotonic()
                await client.api.get_stage(arn=arn)
                recovery = time.monotonic() - started
            self.row(scenario, "calls", n)
            self.row(scenario, "succeeded during outage", succeeded, "0")
            self.row(scenario, "untyped exceptions", untyped, "0")
            self.row(scenario, "requests per call", round(requests / n, 3))
            self.row(scenario, "median time to fail (ms)", round(statistics.median(times) * 1e3, 1))
            self.row(scenario, "max time to fail (ms)", round(max(times) * 1e3, 1))
            self.row(scenario, "first call after the outage (ms)", round(recovery * 1e3, 1))
            self.row(scenario, "budget left after the outage", budget.available)

        await self.guarded(scenario, body)

    # -- 5. cancellations -------------------------------------------------------------------
    async def cancellations(self) -> None:
        scenario = "cancel"
        await self.fresh()
        n = self.sizes["cancel"]
        rng = random.Random(9)

        async def body() -> None:
            budget = RetryBudget()
            untyped = 0
            async with self.client(attrs.evolve(FAST, max_attempts=5), budget) as client:
                arn = await new_stage(client, "cancel")
                await self.control.inject_fault("GetStage", "latency", latency=0.02)
                await self.ten_percent("GetStage")
                for start in range(0, n, 50):
                    tasks = [
                        asyncio.ensure_future(client.api.get_stage(arn=arn))
                        for _ in range(min(50, n - start))
                    ]
                    for task in tasks:
                        asyncio.get_running_loop().call_later(rng.uniform(0, 0.05), task.cancel)
                    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                        untyped += not isinstance(
                            outcome, (models.GetStageResponse, asyncio.CancelledError)
                        ) and not isinstance(outcome, ivsrt.IvsrtError)
                settled = await self.control.request_count("GetStage")
                await asyncio.sleep(0.3)  # longer than any backoff of the policy
                sends_after = await self.control.request_count("GetStage") - settled
                left = budget.available
            self.row(scenario, "calls cancelled at random", n)
            self.row(scenario, "untyped exceptions", untyped, "0")
            self.row(scenario, "requests sent after the cancellations", sends_after, "0")
            self.row(scenario, f"budget left (of {budget.capacity})", left)

        await self.guarded(scenario, body)


def render(rows: list[Row]) -> str:
    width = max(len(r.metric) for r in rows)
    lines = [f"{'scenario':<20} {'metric':<{width}} {'value':>10}  target", "-" * (width + 42)]
    for r in rows:
        value = f"{r.value:g}" if isinstance(r.value, float) else str(r.value)
        mark = {None: "", True: "ok", False: "MISSED"}[r.met()]
        target = f"{r.target} {mark}" if r.target else ""
        lines.append(f"{r.scenario:<20} {r.metric:<{width}} {value:>10}  {target}")
    return "\n".join(lines)


async def main(quick: bool) -> list[Row]:
    sizes = QUICK if quick else FULL
    server = await Server.start()
    try:
        async with ControlClient(server.url) as control:
            soak = Soak(server, control, sizes)
            await soak.storm("default policy", RetryPolicy())
            await soak.storm("max_attempts=5", RetryPolicy(max_attempts=5))
            await soak.mixed()
            await soak.reset_after_apply()
            await soak.outage()
            await soak.cancellations()
            return soak.rows
    finally:
        await server.stop()


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke-sized run (seconds)")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = asyncio.run(asyncio.wait_for(main(args.quick), timeout=600))
    print(render(rows))
    print(f"took {time.monotonic() - started:.1f} s")
    if args.json is not None:
        args.json.write_text(json.dumps([attrs.asdict(r) for r in rows], indent=1))
    return 0 if all(r.met() is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(cli())
