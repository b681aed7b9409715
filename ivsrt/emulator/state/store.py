"""The `Store`: every resource of one emulator, and the helpers every API area shares."""

from __future__ import annotations

import datetime
import random
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt.emulator._clock import Clock
from ivsrt.emulator.state import bus
from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.channel_records import Channel, ChannelState, StreamKey
from ivsrt.emulator.state.errors import ApiError, invalid, not_found
from ivsrt.emulator.state.limits import Limits
from ivsrt.emulator.state.paging import Pager
from ivsrt.emulator.state.records import (
    Composition,
    Ingest,
    Replica,
    Simple,
    Stage,
    rand,
)

__all__ = ["COMPOSITION_IDLE_TIMEOUT", "Store", "Tagged", "check_tag_keys", "encoders_of"]

COMPOSITION_IDLE_TIMEOUT = 60.0
"""Seconds a composition survives with no participant connected to its stage (the reference:
"after a 1-minute timeout, when all participants are disconnected from the stage")."""

Tagged = Stage | Composition | Simple | Ingest | Channel | StreamKey
"""The resources that carry tags."""


class Store:
    """All resources of one emulator. Not thread-safe by itself: the service calls it under
    its lock."""

    def __init__(
        self,
        *,
        clock: Clock,
        account_id: str,
        limits: Limits,
        composition_start_delay: float,
        composition_stop_delay: float,
        seed: int | None,
    ) -> None:
        self.clock = clock
        self.account_id = account_id
        self.limits = limits
        self.start_delay = composition_start_delay
        self.stop_delay = composition_stop_delay
        self.rng = random.Random(seed)
        self.pager = Pager(self.rng.randbytes(32))
        self.signing_key = ec.generate_private_key(ec.SECP384R1())
        """The key the emulator signs participant tokens with."""
        self.kid = rand(self.rng, 12)
        self.stages: dict[str, Stage] = {}
        self.compositions: OrderedDict[str, Composition] = OrderedDict()
        self.idempotency: OrderedDict[str, tuple[str, str]] = OrderedDict()
        """idempotencyToken -> (composition ARN, hash of the rest of the request)."""
        self.encoders: dict[str, Simple] = {}
        self.storages: dict[str, Simple] = {}
        self.public_keys: dict[str, Simple] = {}
        self.ingests: dict[str, Ingest] = {}
        self.replicas: list[Replica] = []
        self.revoked: OrderedDict[tuple[str, str], None] = OrderedDict()
        """(region, connection token id) revoked by RevokeConnectionToken, oldest first
        (bounded by Limits.max_total_participants)."""
        self.disconnected: OrderedDict[tuple[str, str], None] = OrderedDict()
        """(stage ARN, participant id) disconnected by DisconnectParticipant, oldest first
        (bounded by Limits.max_total_participants): their tokens never join again."""
        self.bus = bus.Bus(limits.max_eventbridge_events, seed)
        """The EventBridge events emitted so far."""
        self.n_participants = 0
        """Participants over every kept stage session (bounded by max_total_participants)."""
        self.n_events = 0
        """Events over every kept participant (bounded by max_total_events)."""
        self.media_errors: dict[tuple[str, str], str] = {}
        """(participant id, "join" | "publish" | "subscribe") -> the error code its next such
        action fails with (injected from the control surface; not part of a snapshot)."""
        self.ivs = ChannelState()
        """The resources of the IVS channel API (service ``ivs``)."""

    def now(self) -> datetime.datetime:
        return self.clock.now()

    def new_arn(self, region: str, kind: str) -> tuple[str, str]:
        """A fresh ARN of resource type ``kind`` in ``region``, and its resource id."""
        rid = rand(self.rng, 12)
        return f"arn:aws:ivs:{region}:{self.account_id}:{kind}/{rid}", rid

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The key the emulator signs participant tokens with."""
        return self.signing_key.public_key()

    def take_media_error(self, participant_id: str, action: str) -> str | None:
        """The error code injected for the participant's next ``action`` (consumed), or None."""
        return self.media_errors.pop((participant_id, action), None)

    def stage(self, arn: str) -> Stage:
        stage = self.stages.get(arn)
        if stage is None:
            raise not_found("Stage", arn)
        return stage

    def region_quota(self, region: str) -> None:
        """402 when ``region`` holds nothing yet and ``max_regions`` regions already do."""
        regions = {arn_region(res.arn) for res in self.all_tagged()}
        if region not in regions and len(regions) >= self.limits.max_regions:
            raise ApiError(
                "ServiceQuotaExceededException",
                f"this emulator already holds resources in {len(regions)} regions "
                f"(Limits.max_regions); {region} would be one more",
            )

    def quota(
        self,
        kind: str,
        existing: Iterable[Tagged],
        region: str,
        limit: int,
        unit: str = "per account and region",
    ) -> None:
        """402 when the ``existing`` resources of ``kind`` in ``region`` already reach
        ``limit`` (the service: "all quotas are enforced per region")."""
        prefix = f"arn:aws:ivs:{region}:"  # every ARN the emulator makes starts so
        n = sum(1 for res in existing if res.arn.startswith(prefix))
        if n == 0:
            self.region_quota(region)
        if n >= limit:
            raise ApiError(
                "ServiceQuotaExceededException",
                f"{kind} quota exceeded: at most {limit} {unit} ({region})",
            )

    @staticmethod
    def new_tags(p: Mapping[str, Any]) -> dict[str, str]:
        """The tags of a Create* request (their number is checked by the model: at most 50)."""
        tags = dict(p.get("tags") or {})
        check_tag_keys(tags)
        return tags

    def all_tagged(self) -> Iterator[Tagged]:
        yield from self.stages.values()
        yield from self.compositions.values()
        yield from self.encoders.values()
        yield from self.storages.values()
        yield from self.public_keys.values()
        yield from self.ingests.values()
        yield from self.ivs.tagged()

    def active_compositions(self) -> list[Composition]:
        now = self.now()
        return [c for c in self.compositions.values() if not c.finished(now)]

    def active_replicas(
        self,
        *,
        source: str | None = None,
        destination: str | None = None,
        participant: str | None = None,
    ) -> list[Replica]:
        """ACTIVE replicas matching every filter given."""
        return [
            r
            for r in self.replicas
            if r.state == "ACTIVE"
            and (source is None or r.source_stage_arn == source)
            and (destination is None or r.destination_stage_arn == destination)
            and (participant is None or r.participant_id == participant)
        ]

    def settle(self) -> None:
        """Apply what time alone does: a composition whose stage has had no participant
        connected for `COMPOSITION_IDLE_TIMEOUT` seconds (counted from its start at the
        earliest) stops. Called before every operation and control action."""
        now = self.now()
        timeout = datetime.timedelta(seconds=COMPOSITION_IDLE_TIMEOUT)
        for comp in self.compositions.values():
            if comp.stop_requested is not None or comp.finished(now):
                continue
            stage = self.stages.get(comp.stage_arn)
            if stage is None or stage.empty_since is None:
                continue
            deadline = max(comp.created, stage.empty_since) + timeout
            if now >= deadline and (comp.failed_at is None or comp.failed_at > deadline):
                comp.stop_requested = deadline
                comp.failure_reason = None
        bus.sync_compositions(self)


def check_tag_keys(tags: Mapping[str, str]) -> None:
    for key in tags:
        if key.lower().startswith("aws:"):
            raise invalid("tags", f"tag keys beginning with 'aws:' are reserved (got {key!r})")


def encoders_of(comp: Composition) -> set[str]:
    """The encoder configurations a composition's destinations use."""
    out: set[str] = set()
    for d in comp.destinations:
        enc = d.configuration.get("channel", {}).get("encoderConfigurationArn")
        if enc:
            out.add(enc)
        out.update(d.configuration.get("s3", {}).get("encoderConfigurationArns", []))
    return out
