"""What the rate limiter costs an uncontended call: the rate-limit stage
(``ivsrt._runtime.limiting.admit`` and the attempt wrapper it returns) with a bucket that
always has a token, against the stage with pacing off, per call in microseconds (median of
rounds, CPU time of one core). Compare with a local GetStage through the whole pipeline,
about a millisecond.

    .venv/bin/python bench/limiter_cost.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from ivsrt import RateLimits
from ivsrt._generated import operations
from ivsrt._runtime import limiting

CALLS = 20_000
ROUNDS = 7


class _Sender:
    def __init__(self, limiter: limiting.Limiter | None) -> None:
        self._rate_limiter = limiter


async def _attempt(number: int) -> dict[str, Any]:
    return {}


async def _round(sender: _Sender, spec: Any) -> float:
    started = time.process_time()
    for _ in range(CALLS):
        paced = await limiting.admit(sender, spec, _attempt)
        await paced(1)
    return (time.process_time() - started) / CALLS * 1e6


async def main() -> None:
    spec = operations._GET_STAGE
    on = _Sender(limiting.Limiter(RateLimits(default=1e9)))  # never waits
    off = _Sender(None)
    figures: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(ROUNDS):
        figures["on"].append(await _round(on, spec))
        figures["off"].append(await _round(off, spec))
    on_us, off_us = (statistics.median(figures[k]) for k in ("on", "off"))
    print(f"rate-limit stage per uncontended call: {on_us:.2f} us on, {off_us:.2f} us off")
    print(f"limiter cost per call: {on_us - off_us:.2f} us")


if __name__ == "__main__":
    asyncio.run(main())
