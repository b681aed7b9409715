"""RTMP(S) ingest: the ingest configuration operations, and the control actions of an encoder
going live and stopping."""

from __future__ import annotations

import hmac
import json

from ivsrt.emulator.state import media
from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.errors import ApiError, ControlError, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Ingest, rand
from ivsrt.emulator.state.store import Store


def detach(ing: Ingest) -> None:
    """The ingest configuration loses its stage (its publisher was disconnected)."""
    ing.stage_arn = ""
    ing.state = "INACTIVE"


def find(store: Store, arn: str) -> Ingest:
    ing = store.ingests.get(arn)
    if ing is None:
        raise not_found("IngestConfiguration", arn)
    return ing


def create_ingest_configuration(store: Store, p: Body, region: str) -> Body:
    store.quota(
        "IngestConfiguration",
        store.ingests.values(),
        region,
        store.limits.max_ingest_configurations,
    )
    tags = store.new_tags(p)
    stage_arn = p.get("stageArn", "")
    if stage_arn and (stage_arn not in store.stages or arn_region(stage_arn) != region):
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value at 'stageArn' failed to satisfy "
            f"constraint: stage not found: {stage_arn}",
        )
    arn, iid = store.new_arn(region, "ingest-configuration")
    anchor = store.stages[stage_arn].id if stage_arn else iid
    key = f"rt_{store.account_id}_{region}_{anchor}_{rand(store.rng, 32)}"
    ing = Ingest(
        arn=arn,
        name=p.get("name", ""),
        protocol=p["ingestProtocol"],
        stream_key=key,
        stage_arn=stage_arn,
        participant_id=rand(store.rng, 12),
        user_id=p.get("userId", ""),
        attributes=dict(p.get("attributes") or {}),
        redundant=bool(p.get("redundantIngest", False)),
        tags=tags,
    )
    _credentials(store, ing, region, anchor)
    store.ingests[arn] = ing
    return {"ingestConfiguration": ing.full()}


def _credentials(store: Store, ing: Ingest, region: str, anchor: str) -> None:
    """Redundant ingest's second credential (a participant id and a stream key of its own),
    made the first time ``redundantIngest`` is true."""
    if ing.redundant and not ing.backup_stream_key:
        ing.backup_participant_id = rand(store.rng, 12)
        ing.backup_stream_key = f"rt_{store.account_id}_{region}_{anchor}_{rand(store.rng, 32)}"


def get_ingest_configuration(store: Store, p: Body, region: str) -> Body:
    return {"ingestConfiguration": find(store, p["arn"]).full()}


def update_ingest_configuration(store: Store, p: Body, region: str) -> Body:
    ing = find(store, p["arn"])
    if ing.state == "ACTIVE":
        raise ApiError(
            "ConflictException",
            f"IngestConfiguration {ing.arn} is active and cannot be updated",
        )
    if "stageArn" in p:
        if p["stageArn"] and (
            p["stageArn"] not in store.stages or arn_region(p["stageArn"]) != region
        ):
            raise not_found("Stage", p["stageArn"])
        ing.stage_arn = p["stageArn"]
    if "redundantIngest" in p:
        ing.redundant = p["redundantIngest"]
        _credentials(store, ing, region, ing.arn.rsplit("/", 1)[-1])
    return {"ingestConfiguration": ing.full()}


def delete_ingest_configuration(store: Store, p: Body, region: str) -> Body:
    ing = find(store, p["arn"])
    if ing.state == "ACTIVE":
        if not p.get("force"):
            raise ApiError(
                "ConflictException",
                f"IngestConfiguration {ing.arn} is actively publishing; pass force=true "
                f"to disconnect the publisher and delete it",
            )
        end_ingest(store, ing)
    del store.ingests[ing.arn]
    return {}


def list_ingest_configurations(store: Store, p: Body, region: str) -> Body:
    items = [i for i in store.ingests.values() if arn_region(i.arn) == region]
    if "filterByStageArn" in p:
        items = [i for i in items if i.stage_arn == p["filterByStageArn"]]
    if "filterByState" in p:
        items = [i for i in items if i.state == p["filterByState"]]
    scope = json.dumps({k: v for k, v in p.items() if k.startswith("filter")})
    page, nxt = store.pager.page("ListIngestConfigurations", p, items, Ingest.summary, scope)
    return with_token({"ingestConfigurations": page}, nxt)


def _by_key(store: Store, stream_key: str) -> Ingest:
    for ing in store.ingests.values():
        if hmac.compare_digest(ing.stream_key, stream_key):
            return ing
    raise ControlError("INVALID_STREAM_KEY", "no ingest configuration has this stream key")


def start_rtmp(store: Store, stream_key: str) -> None:
    ing = _by_key(store, stream_key)
    if ing.state == "ACTIVE":
        raise ControlError(
            "REUSE_OF_STREAM_KEY", f"ingest configuration {ing.arn} is already publishing"
        )
    stage = store.stages.get(ing.stage_arn) if ing.stage_arn else None
    if stage is None:
        raise ControlError(
            "NOT_FOUND", f"ingest configuration {ing.arn} is not attached to a stage"
        )
    part = media.join_stage(
        store,
        stage,
        ing.participant_id,
        user_id=ing.user_id,
        attributes=ing.attributes,
        capabilities=["PUBLISH"],
        protocol=ing.protocol,
    )
    part.ingest_arn = ing.arn
    part.redundant_ingest = ing.redundant
    if not media.start_publishing(store, stage, part):
        # refused (the PUBLISH_ERROR event says why): the RTMP connection is dropped
        code = part.events[-1].error_code or "QUOTA_EXCEEDED"
        media.leave_stage(store, stage, part)
        raise ControlError(
            code,
            f"stage {stage.arn} already has {store.limits.max_publishers_per_stage} publishers"
            if code == "QUOTA_EXCEEDED"
            else f"publishing failed: PUBLISH_ERROR {code}",
        )
    ing.state = "ACTIVE"


def stop_rtmp(store: Store, stream_key: str) -> None:
    ing = _by_key(store, stream_key)
    if ing.state != "ACTIVE":
        raise ControlError("NOT_CONNECTED", f"ingest configuration {ing.arn} is not live")
    end_ingest(store, ing)


def end_ingest(store: Store, ing: Ingest) -> None:
    ing.state = "INACTIVE"
    stage = store.stages.get(ing.stage_arn)
    session = None if stage is None else stage.active
    part = None if session is None else session.participants.get(ing.participant_id)
    if stage is not None and part is not None and part.state == "CONNECTED":
        media.leave_stage(store, stage, part)
