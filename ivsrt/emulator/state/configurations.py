"""Encoder and storage configurations."""

from __future__ import annotations

from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.errors import ApiError, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Simple
from ivsrt.emulator.state.store import Store, encoders_of


def find(table: dict[str, Simple], kind: str, arn: str) -> Simple:
    res = table.get(arn)
    if res is None:
        raise not_found(kind, arn)
    return res


def create_encoder_configuration(store: Store, p: Body, region: str) -> Body:
    store.quota(
        "EncoderConfiguration",
        store.encoders.values(),
        region,
        store.limits.max_encoder_configurations,
    )
    tags = store.new_tags(p)
    arn, _ = store.new_arn(region, "encoder-configuration")
    video = {"width": 1280, "height": 720, "framerate": 30.0, "bitrate": 2500000}
    video.update(p.get("video") or {})
    enc = Simple(arn, p.get("name", ""), tags, {"video": video})
    store.encoders[arn] = enc
    return {"encoderConfiguration": enc.wire("video")}


def get_encoder_configuration(store: Store, p: Body, region: str) -> Body:
    enc = find(store.encoders, "EncoderConfiguration", p["arn"])
    return {"encoderConfiguration": enc.wire("video")}


def delete_encoder_configuration(store: Store, p: Body, region: str) -> Body:
    enc = find(store.encoders, "EncoderConfiguration", p["arn"])
    users = [c.arn for c in store.active_compositions() if enc.arn in encoders_of(c)]
    if users:
        raise ApiError(
            "ConflictException",
            f"EncoderConfiguration {enc.arn} is used by composition {users[0]}; stop it first",
        )
    del store.encoders[enc.arn]
    return {}


def list_encoder_configurations(store: Store, p: Body, region: str) -> Body:
    items = [e for e in store.encoders.values() if arn_region(e.arn) == region]
    page, nxt = store.pager.page("ListEncoderConfigurations", p, items, Simple.wire)
    return with_token({"encoderConfigurations": page}, nxt)


def create_storage_configuration(store: Store, p: Body, region: str) -> Body:
    store.quota(
        "StorageConfiguration",
        store.storages.values(),
        region,
        store.limits.max_storage_configurations,
    )
    tags = store.new_tags(p)
    arn, _ = store.new_arn(region, "storage-configuration")
    res = Simple(arn, p.get("name", ""), tags, {"s3": dict(p["s3"])})
    store.storages[arn] = res
    return {"storageConfiguration": res.wire("s3")}


def get_storage_configuration(store: Store, p: Body, region: str) -> Body:
    res = find(store.storages, "StorageConfiguration", p["arn"])
    return {"storageConfiguration": res.wire("s3")}


def delete_storage_configuration(store: Store, p: Body, region: str) -> Body:
    res = find(store.storages, "StorageConfiguration", p["arn"])
    for comp in store.active_compositions():
        for d in comp.destinations:
            if d.configuration.get("s3", {}).get("storageConfigurationArn") == res.arn:
                raise ApiError(
                    "ConflictException",
                    f"StorageConfiguration {res.arn} is used by composition {comp.arn}; "
                    f"stop it and wait for it to complete first",
                )
    for stage in store.stages.values():
        if stage.recording.get("storageConfigurationArn") == res.arn:
            raise ApiError(
                "ConflictException",
                f"StorageConfiguration {res.arn} is used for participant recording by "
                f"stage {stage.arn}",
            )
    del store.storages[res.arn]
    return {}


def list_storage_configurations(store: Store, p: Body, region: str) -> Body:
    items = [s for s in store.storages.values() if arn_region(s.arn) == region]
    page, nxt = store.pager.page("ListStorageConfigurations", p, items, lambda s: s.wire("s3"))
    return with_token({"storageConfigurations": page}, nxt)
