"""The `Service`: one emulator's configuration, state, faults and request log, and every action
on them. The HTTP layer and the `Emulator` facade both sit on it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization

from ivsrt.emulator._clock import Clock
from ivsrt.emulator._faults import AttemptLog, Faults, Invocation
from ivsrt.emulator._rates import Rates
from ivsrt.emulator.state import (
    bus,
    compositions,
    handlers,
    ingest,
    media,
    media_faults,
    snapshot,
    streams,
    timeline,
)
from ivsrt.emulator.state.limits import Limits
from ivsrt.emulator.state.records import Body
from ivsrt.emulator.state.store import Store

__all__ = ["Service"]

_POLL_SECONDS = 0.02
"""How often a waiter for events looks again."""


class Service:
    """Thread-safe: every action takes `lock`."""

    def __repr__(self) -> str:
        return f"<ivsrt.emulator Service {self.endpoint_url or 'not serving'}>"

    def __init__(
        self,
        *,
        seed: int | None,
        access_key: str,
        secret_key: str,
        account_id: str,
        region: str,
        composition_start_delay: float,
        composition_stop_delay: float,
        limits: Limits,
        allowed_hosts: frozenset[str] = frozenset(),
        control_token: str | None = None,
        frozen_clock: bool = False,
    ) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.account_id = account_id
        self.region = region
        """Default region (of `Emulator.client`, and of requests refused before signing)."""
        self.limits = limits
        self.allowed_hosts = frozenset(h.rstrip(".").lower() for h in allowed_hosts)
        """Host names (besides IP addresses and localhost) the emulator answers to."""
        self.control_token = control_token
        """When set, control requests over HTTP must carry it (secret: never logged)."""
        self.clock = Clock(frozen=frozen_clock)
        self.faults = Faults(seed)
        self.rates = Rates(limits.rate_limits, limits.rate_clock, self.clock)
        """The API call rates enforced (when `Limits.rate_limits` asks) and the throttled count."""
        self._seed = seed
        self._delays = (composition_start_delay, composition_stop_delay)
        self.store = self._new_store()
        self.lock = threading.RLock()
        self.attempt_log = AttemptLog(limits.max_invocations_tracked)
        self.endpoint_url: str | None = None
        """Set by the `Emulator` while it serves."""
        self._requests: Counter[str] = Counter()
        self._total_requests = 0

    def _new_store(self) -> Store:
        store = Store(
            clock=self.clock,
            account_id=self.account_id,
            limits=self.limits,
            composition_start_delay=self._delays[0],
            composition_stop_delay=self._delays[1],
            seed=self._seed,
        )
        # event sequence numbers go on across reset and restore: a watcher's cursor stays valid
        previous = getattr(self, "store", None)
        if previous is not None:
            store.bus.last_seq = previous.bus.last_seq
        return store

    # -- reset and snapshot ------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the state of a new emulator: no resources, no faults, no request log, the
        clock at real time (frozen there with ``frozen_clock``). The token-signing key stays."""
        with self.lock:
            key = self.store.signing_key
            self.store = self._new_store()
            self.store.signing_key = key
            self.faults.reset()
            self.rates.reset()
            self.attempt_log.clear()
            self._requests.clear()
            self._total_requests = 0
            self.clock.reset()

    def snapshot(self) -> dict[str, Any]:
        """Every resource and the clock, as plain JSON (`restore` takes it back)."""
        with self.lock:
            timeline.settle(self.store)
            body = snapshot.dump(self.store)
            body["clock"] = self.clock.snapshot()
            return body

    def restore(self, data: Any) -> None:
        """Replace every resource and the clock with a `snapshot` (``ValueError`` when ``data``
        is not one; nothing changes then)."""
        with self.lock:
            store = self._new_store()
            snapshot.load(store, data)
            clock = Clock()
            clock.restore(data.get("clock", {}))
            self.clock.restore(data.get("clock", {}))
            self.store = store

    # -- EventBridge events ------------------------------------------------------------------
    def events_after(
        self,
        after: int,
        detail_type: str | None = None,
        resource: str | None = None,
        event_name: str | None = None,
    ) -> tuple[list[Body], int]:
        """The events kept with a sequence number above ``after`` that match, and the last
        sequence number (the cursor to pass next time)."""
        with self.lock:
            timeline.settle(self.store)
            found = [
                e
                for _, e in self.store.bus.since(after)
                if bus.matches(e, detail_type, resource, event_name)
            ]
            return [bus.copy_event(e) for e in found], self.store.bus.last_seq

    async def wait_events(
        self,
        after: int,
        timeout: float,
        detail_type: str | None = None,
        resource: str | None = None,
        event_name: str | None = None,
    ) -> tuple[list[Body], int]:
        """`events_after`, waiting up to ``timeout`` seconds for at least one (polling, so
        that changes made by time alone, and from other threads, are seen)."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            found, last = self.events_after(after, detail_type, resource, event_name)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return found, last
            after = last
            await asyncio.sleep(min(_POLL_SECONDS, remaining))

    # -- the API -----------------------------------------------------------------------------
    def call(
        self, operation: str, params: Body, region: str, service: str = "ivs-realtime"
    ) -> Body:
        """Run one validated operation of ``service`` in ``region`` (`ApiError` for service
        errors)."""
        with self.lock:
            return handlers.call(self.store, operation, params, region, service)

    def count(self, operation: str | None) -> None:
        """Count one API request (None: it matched no operation)."""
        with self.lock:
            self._total_requests += 1
            if operation is not None:
                self._requests[operation] += 1

    def request_count(self, operation: str | None = None) -> int:
        with self.lock:
            if operation is None:
                return self._total_requests
            return self._requests[operation]

    def stats(self) -> dict[str, object]:
        """Request counts and throttling (the control surface's ``GET stats``)."""
        with self.lock:
            requests = {"requests": self._total_requests, "byOperation": dict(self._requests)}
        return {**requests, **self.rates.stats()}

    def attempts(self, invocation_id: str) -> int:
        return self.attempt_log.attempts(invocation_id)

    def invocations(self, operation: str | None = None) -> list[Invocation]:
        return self.attempt_log.invocations(operation)

    @property
    def token_public_key_pem(self) -> str:
        return self.store.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    # -- media and failures (the control surface) --------------------------------------------
    def join(self, token: str, client: Mapping[str, str] | None = None) -> str:
        """``client``: the participant's client fields, wire names (``osName``...)."""
        checked = media.client_fields(client or {})
        with self.lock:
            timeline.settle(self.store)
            return media.join(self.store, token, checked)

    def leave(self, token: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            media.leave(self.store, token)

    def publish(self, token: str) -> bool:
        with self.lock:
            timeline.settle(self.store)
            return media.publish(self.store, token)

    def unpublish(self, token: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            media.unpublish(self.store, token)

    def subscribe(self, token: str) -> bool:
        with self.lock:
            timeline.settle(self.store)
            return media.subscribe(self.store, token)

    def unsubscribe(self, token: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            media.unsubscribe(self.store, token)

    def start_rtmp(self, stream_key: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            ingest.start_rtmp(self.store, stream_key)

    def stop_rtmp(self, stream_key: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            ingest.stop_rtmp(self.store, stream_key)

    def start_stream(self, channel_or_stream_key: str, multitrack: bool = False) -> str:
        with self.lock:
            timeline.settle(self.store)
            return streams.start_encoder(self.store, channel_or_stream_key, multitrack=multitrack)

    def stop_stream(self, channel_or_stream_key: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            streams.stop_encoder(self.store, channel_or_stream_key)

    def fail_composition(self, arn: str, reason: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            compositions.fail_composition(self.store, arn, reason)

    def fail_destination(self, composition_arn: str, destination_id: str) -> None:
        with self.lock:
            timeline.settle(self.store)
            compositions.fail_destination(self.store, composition_arn, destination_id)

    def disconnect_destination(
        self,
        composition_arn: str,
        destination_id: str,
        recover_after: float | None,
        retry_for: float,
    ) -> None:
        with self.lock:
            timeline.settle(self.store)
            compositions.disconnect_destination(
                self.store, composition_arn, destination_id, recover_after, retry_for
            )

    def inject_media_error(self, participant_id: str, action: str, code: str) -> None:
        with self.lock:
            media_faults.inject_media_error(self.store, participant_id, action, code)
