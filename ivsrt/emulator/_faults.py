"""Fault injection and attempt counting."""

from __future__ import annotations

import hashlib
import math
import random
import threading
from collections import OrderedDict
from typing import Literal

import attrs

__all__ = ["MAX_LATENCY", "FaultDecision", "FaultKind", "FaultRule", "Faults", "Invocation"]

MAX_LATENCY = 300.0
"""Largest latency (seconds) one fault may add: longer would only hang clients."""

FaultKind = Literal[
    "throttle", "server_error", "latency", "reset_before", "reset_after", "reset_reading"
]
_KINDS: frozenset[str] = frozenset(
    ["throttle", "server_error", "latency", "reset_before", "reset_after", "reset_reading"]
)
_READING: frozenset[str] = frozenset(["reset_reading"])
"""Kinds drawn when the request's head has arrived, before its body is read."""


@attrs.frozen
class Invocation:
    """One botocore invocation (``amz-sdk-invocation-id``) and how many attempts it took."""

    id: str
    operation: str
    attempts: int


@attrs.define
class FaultRule:
    """One injected fault (see `Faults.inject`)."""

    operation: str | None
    kind: FaultKind
    probability: float | None
    remaining: int | None
    latency: float
    status: int
    id: int = 0


@attrs.frozen
class FaultDecision:
    """What to do with one request: sleep ``latency`` seconds, then ``kind`` (None: serve it)."""

    latency: float = 0.0
    kind: FaultKind | None = None
    status: int = 503


class Faults:
    """Faults to inject, per operation.

    Deterministic with a seed, whatever order concurrent requests arrive in: for a request that
    carries botocore's ``amz-sdk-invocation-id``, a probability fault is drawn from a hash of
    (seed, rule, the invocation's ordinal, attempt number), where the ordinal counts invocations
    in the order their first attempt arrived. So with a given seed, the n-th invocation always
    meets the same faults on its 1st, 2nd, ... attempt, and "how many calls fail every attempt"
    is fixed by the seed rather than by timing. Requests without an invocation id draw from a
    ``random.Random(seed)`` stream.
    """

    def __init__(self, seed: int | None = 0) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._next_rule_id = 0
        self._lock = threading.Lock()

    def _draw(self, rule_id: int, ordinal: int | None, attempt: int) -> float:
        if ordinal is None or self._seed is None:
            return self._rng.random()
        key = f"{self._seed}:{rule_id}:{ordinal}:{attempt}".encode()
        digest = hashlib.blake2b(key, digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def inject(
        self,
        operation: str | None,
        kind: FaultKind,
        *,
        probability: float | None = None,
        count: int | None = None,
        latency: float = 0.0,
        status: int = 503,
    ) -> None:
        """Inject a fault into ``operation`` (an operation name of either API, such as
        ``"GetStage"`` or ``"GetChannel"``; None for every operation).

        ``count``: only the next N matching calls. ``probability``: each matching call with
        that chance (seeded). Neither: every matching call until `clear`.

        Kinds: ``throttle`` (429 ThrottlingException), ``server_error`` (``status``, 500 or
        503 by default), ``latency`` (sleep ``latency`` seconds, then serve), ``reset_before``
        (drop the connection without applying the request), ``reset_after`` (apply it, then drop
        the connection without a response), ``reset_reading`` (reset the connection, TCP RST
        with ``SO_LINGER`` 0, once the request's head has arrived and before its body is read:
        nothing is applied, and the client cannot tell whether it was).

        ``latency`` must be finite, from 0 to `MAX_LATENCY` (300) seconds.
        """
        from ivsrt._generated.channels.constraints import OPERATIONS as CHANNEL_OPERATIONS
        from ivsrt._generated.constraints import OPERATIONS

        if kind not in _KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(_KINDS)}")
        if operation is not None and operation not in OPERATIONS | CHANNEL_OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        if not math.isfinite(latency) or not 0.0 <= latency <= MAX_LATENCY:
            raise ValueError(f"latency must be a number of seconds from 0 to {MAX_LATENCY:g}")
        if kind == "server_error" and not 500 <= status <= 599:
            raise ValueError("status of a server_error must be a 5xx code")
        with self._lock:
            self._rules.append(
                FaultRule(operation, kind, probability, count, latency, status, self._next_rule_id)
            )
            self._next_rule_id += 1

    def clear(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._rules.clear()

    def reset(self) -> None:
        """Remove every injected fault and start the seeded draws over, as a new `Faults`."""
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(self._seed)
            self._next_rule_id = 0

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        with self._lock:
            return tuple(attrs.evolve(r) for r in self._rules)

    def decide(
        self, operation: str, ordinal: int | None = None, attempt: int = 1, *, reading: bool = False
    ) -> FaultDecision:
        """Draw the faults for one request of ``operation`` (attempt ``attempt`` of the
        ``ordinal``-th invocation, when known). ``reading``: draw only the kinds applied while
        the request is read (``reset_reading``); otherwise every other kind."""
        latency = 0.0
        with self._lock:
            for rule in list(self._rules):
                if rule.operation is not None and rule.operation != operation:
                    continue
                if (rule.kind in _READING) != reading:
                    continue
                if (
                    rule.probability is not None
                    and self._draw(rule.id, ordinal, attempt) >= rule.probability
                ):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                if rule.kind == "latency":
                    latency += rule.latency
                    continue
                return FaultDecision(
                    latency=latency + rule.latency, kind=rule.kind, status=rule.status
                )
        return FaultDecision(latency=latency)


class AttemptLog:
    """Attempts per invocation id, bounded (oldest invocations forgotten first)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: OrderedDict[str, Invocation] = OrderedDict()
        self._ordinals: dict[str, int] = {}
        self._next_ordinal = 0
        self._lock = threading.Lock()

    def record(self, invocation_id: str, operation: str) -> tuple[int, int]:
        """Count one attempt; return (the invocation's ordinal, this attempt's number)."""
        with self._lock:
            prev = self._seen.pop(invocation_id, None)
            attempts = 1 if prev is None else prev.attempts + 1
            if prev is None:
                self._ordinals[invocation_id] = self._next_ordinal
                self._next_ordinal += 1
            self._seen[invocation_id] = Invocation(invocation_id, operation, attempts)
            while len(self._seen) > self._limit:
                old, _ = self._seen.popitem(last=False)
                self._ordinals.pop(old, None)
            return self._ordinals[invocation_id], attempts

    def peek(self, invocation_id: str) -> tuple[int, int]:
        """What ``record`` would return for the next attempt, without counting it."""
        with self._lock:
            prev = self._seen.get(invocation_id)
            if prev is None:
                return self._next_ordinal, 1
            return self._ordinals[invocation_id], prev.attempts + 1

    def clear(self) -> None:
        """Forget every invocation."""
        with self._lock:
            self._seen.clear()
            self._ordinals.clear()
            self._next_ordinal = 0

    def attempts(self, invocation_id: str) -> int:
        with self._lock:
            inv = self._seen.get(invocation_id)
            return 0 if inv is None else inv.attempts

    def invocations(self, operation: str | None = None) -> list[Invocation]:
        with self._lock:
            return [i for i in self._seen.values() if operation is None or i.operation == operation]
