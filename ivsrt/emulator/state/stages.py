"""Stages and participant tokens: CreateStage, GetStage, UpdateStage, DeleteStage, ListStages,
CreateParticipantToken."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from ivsrt.emulator import _tokens
from ivsrt.emulator.state import ingest, media
from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.errors import ApiError, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Stage, rand
from ivsrt.emulator.state.store import Store


def make_token(
    store: Store,
    stage: Stage,
    *,
    duration: int | None,
    user_id: str | None,
    attributes: Mapping[str, str] | None,
    capabilities: Sequence[str] | None,
) -> Body:
    now = store.now()
    duration = 720 if duration is None else duration
    caps = list(media.ALL_CAPABILITIES if capabilities is None else capabilities)
    pid = rand(store.rng, 12)
    expires = now + datetime.timedelta(minutes=duration)
    claims = {
        "jti": pid,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "resource": stage.arn,
        "topic": stage.id,
        "user_id": user_id or "",
        "attributes": dict(attributes or {}),
        "capabilities": {
            "allow_publish": "PUBLISH" in caps,
            "allow_subscribe": "SUBSCRIBE" in caps,
        },
        "whip_url": stage.endpoints["whip"],
        "events_url": stage.endpoints["events"],
        "version": "1.0",
    }
    token = _tokens.sign_es384(store.signing_key, store.kid, claims)
    out: Body = {
        "participantId": pid,
        "token": token,
        "attributes": dict(attributes or {}),
        "duration": duration,
        "capabilities": caps,
        "expirationTime": expires.replace(microsecond=0),
    }
    if user_id is not None:
        out["userId"] = user_id
    return out


def create_stage(store: Store, p: Body, region: str) -> Body:
    store.quota("Stage", store.stages.values(), region, store.limits.max_stages)
    tags = store.new_tags(p)
    recording = p.get("autoParticipantRecordingConfiguration")
    if recording and recording.get("storageConfigurationArn"):
        sarn = recording["storageConfigurationArn"]
        if sarn not in store.storages or arn_region(sarn) != region:
            raise ApiError(
                "ValidationException",
                f"Value at 'autoParticipantRecordingConfiguration.storageConfigurationArn' "
                f"failed to satisfy constraint: storage configuration not found: {sarn}",
            )
    arn, sid = store.new_arn(region, "stage")
    host = rand(store.rng, 12).lower()
    stage = Stage(
        arn=arn,
        id=sid,
        name=p.get("name", ""),
        tags=tags,
        recording=_recording_config(recording),
        endpoints={
            "events": "wss://global.events.live-video.net",
            "whip": f"https://{host}.global-bm.whip.live-video.net",
            "rtmp": f"rtmp://{host}.global-contribute.live-video.net/app/",
            "rtmps": f"rtmps://{host}.global-contribute.live-video.net:443/app/",
        },
        empty_since=store.now(),
    )
    store.stages[arn] = stage
    tokens = [
        make_token(
            store,
            stage,
            duration=c.get("duration"),
            user_id=c.get("userId"),
            attributes=c.get("attributes"),
            capabilities=c.get("capabilities"),
        )
        for c in p.get("participantTokenConfigurations") or []
    ]
    return {"stage": stage.full(), "participantTokens": tokens}


def get_stage(store: Store, p: Body, region: str) -> Body:
    return {"stage": store.stage(p["arn"]).full()}


def update_stage(store: Store, p: Body, region: str) -> Body:
    stage = store.stage(p["arn"])
    if "name" in p:
        stage.name = p["name"]
    if "autoParticipantRecordingConfiguration" in p:
        session = stage.active
        if session is not None and any(
            x.recording_state in ("STARTING", "ACTIVE") for x in session.connected()
        ):
            raise ApiError(
                "ConflictException",
                "autoParticipantRecordingConfiguration cannot be updated while recording is active",
            )
        recording = p["autoParticipantRecordingConfiguration"]
        sarn = recording.get("storageConfigurationArn")
        if sarn and (sarn not in store.storages or arn_region(sarn) != region):
            raise not_found("StorageConfiguration", sarn)
        stage.recording = _recording_config(recording)
    return {"stage": stage.full()}


def delete_stage(store: Store, p: Body, region: str) -> Body:
    stage = store.stage(p["arn"])
    # the reference: deleting a stage "removes the stageArn from the associated
    # IngestConfiguration, if there are participants using [it] to publish to the stage"
    for ing in store.ingests.values():
        if ing.stage_arn == stage.arn and ing.state == "ACTIVE":
            ingest.detach(ing)
    if stage.active is not None:
        for part in list(stage.active.connected()):
            media.leave_stage(store, stage, part, reason="stage deleted")
    for rep in store.active_replicas(source=stage.arn) + store.active_replicas(
        destination=stage.arn
    ):
        media.stop_replica(store, rep)
    now = store.now()
    for comp in store.compositions.values():
        if comp.stage_arn == stage.arn and comp.stop_requested is None:
            comp.stop_requested = now
    for session in stage.sessions.values():
        media.forget_session_counts(store, session)
    del store.stages[stage.arn]
    return {}


def list_stages(store: Store, p: Body, region: str) -> Body:
    items = [s for s in store.stages.values() if arn_region(s.arn) == region]
    page, nxt = store.pager.page("ListStages", p, items, Stage.summary)
    return with_token({"stages": page}, nxt)


def create_participant_token(store: Store, p: Body, region: str) -> Body:
    stage = store.stage(p["stageArn"])
    token = make_token(
        store,
        stage,
        duration=p.get("duration"),
        user_id=p.get("userId"),
        attributes=p.get("attributes"),
        capabilities=p.get("capabilities"),
    )
    return {"participantToken": token}


def _recording_config(raw: Mapping[str, Any] | None) -> Body:
    """autoParticipantRecordingConfiguration with the documented defaults filled in."""
    raw = dict(raw or {})
    arn = raw.get("storageConfigurationArn", "")
    if not arn:  # "" disables recording: the other fields go back to their defaults
        raw = {}
    thumb = dict(raw.get("thumbnailConfiguration") or {})
    return {
        "storageConfigurationArn": arn,
        "mediaTypes": list(raw.get("mediaTypes") or ["AUDIO_VIDEO"]),
        "thumbnailConfiguration": {
            "targetIntervalSeconds": thumb.get("targetIntervalSeconds", 60),
            "storage": list(thumb.get("storage") or ["SEQUENTIAL"]),
            "recordingMode": thumb.get("recordingMode", "DISABLED"),
        },
        "recordingReconnectWindowSeconds": raw.get("recordingReconnectWindowSeconds", 0),
        "hlsConfiguration": {
            "targetSegmentDurationSeconds": (raw.get("hlsConfiguration") or {}).get(
                "targetSegmentDurationSeconds", 6
            )
        },
        "recordParticipantReplicas": raw.get("recordParticipantReplicas", True),
    }
