"""Probability faults are fixed by the seed, not by the order concurrent requests arrive in."""

from __future__ import annotations

import random

from ivsrt.emulator import Faults


def _plan(seed: int, order: list[tuple[int, int]]) -> dict[tuple[int, int], str | None]:
    faults = Faults(seed)
    faults.inject("GetStage", "throttle", probability=0.05)
    faults.inject("GetStage", "server_error", probability=0.05, status=503)
    return {key: faults.decide("GetStage", *key).kind for key in order}


def test_each_invocation_meets_the_same_faults_whatever_the_arrival_order() -> None:
    keys = [(ordinal, attempt) for ordinal in range(500) for attempt in range(1, 6)]
    shuffled = keys[:]
    random.Random(7).shuffle(shuffled)
    in_order = _plan(0, keys)
    assert _plan(0, shuffled) == in_order
    faulted = [k for k, kind in in_order.items() if kind is not None]
    # about 9.75% of requests: 5% throttled, then 5% of the rest a 503
    assert 0.06 * len(keys) < len(faulted) < 0.14 * len(keys)
    assert {in_order[k] for k in faulted} == {"throttle", "server_error"}


def test_another_seed_gives_another_plan() -> None:
    keys = [(ordinal, 1) for ordinal in range(500)]
    assert _plan(0, keys) != _plan(1, keys)
