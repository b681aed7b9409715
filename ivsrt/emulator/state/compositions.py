"""Compositions: StartComposition, GetComposition, StopComposition, ListCompositions, and the
control actions that fail a composition or one of its destinations."""

from __future__ import annotations

import datetime
import hashlib
import json

from ivsrt.emulator.state import streams
from ivsrt.emulator.state.arns import arn_account, arn_region
from ivsrt.emulator.state.errors import ApiError, ControlError, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Composition, Destination, Stage, rand
from ivsrt.emulator.state.store import Store, encoders_of


def start_composition(store: Store, p: Body, region: str) -> Body:
    token = p.get("idempotencyToken")
    request_hash = hashlib.sha256(
        json.dumps({k: v for k, v in p.items() if k != "idempotencyToken"}, sort_keys=True).encode()
    ).hexdigest()
    if token and token in store.idempotency:
        arn, known_hash = store.idempotency[token]
        existing = store.compositions.get(arn)
        if existing is not None:
            if known_hash != request_hash:
                raise ApiError(
                    "ConflictException",
                    "idempotencyToken was already used by a StartComposition request with "
                    f"different parameters (composition {arn})",
                )
            return {"composition": existing.full(store.now())}
    stage = store.stage(p["stageArn"])
    tags = store.new_tags(p)
    dests = []
    for i, d in enumerate(p["destinations"]):
        conf = json.loads(json.dumps(d))
        if "channel" in d:
            _same_place(
                store, stage, f"destinations[{i}].channel.channelArn", d["channel"]["channelArn"]
            )
            streams.check_composition_channel(store, d["channel"]["channelArn"])
            enc = d["channel"].get("encoderConfigurationArn")
            if enc:
                _same_place(store, stage, f"destinations[{i}].channel.encoderConfigurationArn", enc)
                if enc not in store.encoders:
                    raise not_found("EncoderConfiguration", enc)
        if "s3" in d:
            sarn = d["s3"]["storageConfigurationArn"]
            _same_place(store, stage, f"destinations[{i}].s3.storageConfigurationArn", sarn)
            if sarn not in store.storages:
                raise not_found("StorageConfiguration", sarn)
            for j, enc in enumerate(d["s3"]["encoderConfigurationArns"]):
                _same_place(
                    store, stage, f"destinations[{i}].s3.encoderConfigurationArns[{j}]", enc
                )
                if enc not in store.encoders:
                    raise not_found("EncoderConfiguration", enc)
            conf["s3"].setdefault("recordingConfiguration", {"format": "HLS"})
        conf.setdefault("name", f"destination-{i + 1}")
        dests.append(Destination(id=rand(store.rng, 12), configuration=conf))
    store.quota(
        "Composition",
        store.active_compositions(),
        region,
        store.limits.max_active_compositions,
        "concurrent compositions per account and region",
    )
    arn, cid = store.new_arn(region, "composition")
    for d in dests:
        if "s3" in d.configuration:
            d.detail = {"s3": {"recordingPrefix": f"{stage.id}/{cid}/composite"}}
    layout = json.loads(json.dumps(p.get("layout") or {"grid": {}}))
    comp = Composition(
        arn=arn,
        stage_arn=stage.arn,
        layout=layout,
        destinations=dests,
        tags=tags,
        created=store.now(),
        start_delay=store.start_delay,
        stop_delay=store.stop_delay,
    )
    store.compositions[arn] = comp
    _trim(store)
    if token:
        store.idempotency[token] = (arn, request_hash)
        while len(store.idempotency) > store.limits.max_idempotency_tokens:
            store.idempotency.popitem(last=False)
    return {"composition": comp.full(store.now())}


def _same_place(store: Store, stage: Stage, field: str, arn: str) -> None:
    """A destination resource must be in the stage's region and account."""
    region, account = arn_region(stage.arn), arn_account(stage.arn)
    if arn_region(arn) != region or arn_account(arn) != account:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value at '{field}' failed to satisfy "
            f"constraint: must be in the stage's region and account ({region}, {account}), "
            f"got ({arn_region(arn)}, {arn_account(arn)})",
        )


def _trim(store: Store) -> None:
    now = store.now()
    while len(store.compositions) > store.limits.max_compositions_kept:
        for arn, comp in store.compositions.items():
            if comp.finished(now):
                del store.compositions[arn]
                break
        else:
            return


def find(store: Store, arn: str) -> Composition:
    comp = store.compositions.get(arn)
    if comp is None:
        raise not_found("Composition", arn)
    return comp


def get_composition(store: Store, p: Body, region: str) -> Body:
    return {"composition": find(store, p["arn"]).full(store.now())}


def stop_composition(store: Store, p: Body, region: str) -> Body:
    comp = find(store, p["arn"])
    if comp.stop_requested is None and comp.state(store.now()) != "FAILED":
        comp.stop_requested = store.now()
        comp.drop_failures_after(comp.stop_requested)
    return {}


def list_compositions(store: Store, p: Body, region: str) -> Body:
    now = store.now()
    comps = [c for c in store.compositions.values() if arn_region(c.arn) == region]
    if "filterByStageArn" in p:
        comps = [c for c in comps if c.stage_arn == p["filterByStageArn"]]
    if "filterByEncoderConfigurationArn" in p:
        enc = p["filterByEncoderConfigurationArn"]
        comps = [c for c in comps if enc in encoders_of(c)]
    scope = json.dumps({k: v for k, v in p.items() if k.startswith("filter")})
    page, nxt = store.pager.page("ListCompositions", p, comps, lambda c: c.summary(now), scope)
    return with_token({"compositions": page}, nxt)


def fail_composition(store: Store, arn: str, reason: str) -> None:
    comp = store.compositions.get(arn)
    if comp is None:
        raise ControlError("NOT_FOUND", f"composition not found: {arn}")
    if comp.finished(store.now()):
        raise ControlError("NOT_ACTIVE", f"composition {arn} has already ended")
    comp.failed_at = store.now()
    comp.failure_reason = reason
    for d in comp.destinations:
        if d.failed_at is None:
            d.failed_at = comp.failed_at


def fail_destination(store: Store, arn: str, destination_id: str) -> None:
    comp = store.compositions.get(arn)
    if comp is None:
        raise ControlError("NOT_FOUND", f"composition not found: {arn}")
    for d in comp.destinations:
        if d.id == destination_id:
            if comp.finished(store.now()):
                raise ControlError("NOT_ACTIVE", f"composition {arn} has already ended")
            d.failed_at = store.now()
            if all(x.failed_at is not None for x in comp.destinations):
                comp.failed_at = d.failed_at
                comp.failure_reason = "every destination failed"
            return
    raise ControlError("NOT_FOUND", f"composition {arn} has no destination {destination_id}")


DESTINATION_RETRY_SECONDS = 60.0
"""Default seconds a disconnected destination stays RECONNECTING before its retries are
exhausted and it is FAILED (`disconnect_destination`)."""


def disconnect_destination(
    store: Store,
    arn: str,
    destination_id: str,
    recover_after: float | None,
    retry_for: float = DESTINATION_RETRY_SECONDS,
) -> None:
    """The destination's broadcast is disconnected now: RECONNECTING, then ACTIVE again after
    ``recover_after`` seconds, or (None) FAILED after ``retry_for`` seconds of retries, the
    composition with it once every destination failed."""
    for name, value in (("recoverAfter", recover_after), ("retryFor", retry_for)):
        if value is not None and not 0 < value <= 24 * 3600:
            raise ControlError("BAD_REQUEST", f"'{name}' must be from 0 to 86400 seconds")
    comp = store.compositions.get(arn)
    if comp is None:
        raise ControlError("NOT_FOUND", f"composition not found: {arn}")
    now = store.now()
    dest = next((d for d in comp.destinations if d.id == destination_id), None)
    if dest is None:
        raise ControlError("NOT_FOUND", f"composition {arn} has no destination {destination_id}")
    if comp.state(now) != "ACTIVE" or comp.dest_state(dest, now) != "ACTIVE":
        raise ControlError("NOT_ACTIVE", f"destination {destination_id} is not ACTIVE")
    dest.reconnecting_at = now
    if recover_after is not None:
        dest.recovers_at = now + datetime.timedelta(seconds=recover_after)
        return
    dest.recovers_at = None
    dest.failed_at = now + datetime.timedelta(seconds=retry_for)
    ends = [d.failed_at for d in comp.destinations]
    if all(t is not None for t in ends):
        comp.failed_at = max(t for t in ends if t is not None)
        comp.failure_reason = "every destination failed after its reconnection attempts"
