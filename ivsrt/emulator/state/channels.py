"""IVS channels and their stream keys (service ``ivs``): CreateChannel, GetChannel,
UpdateChannel, DeleteChannel, ListChannels, BatchGetChannel, CreateStreamKey, GetStreamKey,
DeleteStreamKey, ListStreamKeys, BatchGetStreamKey.

The multitrack rules of the 2024-11-14 update hold for the channel as it ends up (an update
is checked merged with what the channel already has): multitrack input "can be set to true
only if channel type is STANDARD", and then "containerFormat is required and must be set to
FRAGMENTED_MP4"; ``preset`` "is selectable only for ADVANCED_HD and ADVANCED_SD channel
types" (for the others it is the empty string)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.channel_records import ADVANCED_TYPES, Channel, StreamKey
from ivsrt.emulator.state.errors import ApiError, invalid, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Simple, rand
from ivsrt.emulator.state.store import Store

_DEFAULTS: Body = {
    "latencyMode": "LOW",
    "type": "STANDARD",
    "authorized": False,
    "insecureIngest": False,
    "recordingConfigurationArn": "",
    "playbackRestrictionPolicyArn": "",
    "adConfigurationArn": "",
    "failoverSlateConfigurationArn": "",
    "containerFormat": "TS",
    "preset": "",
}
"""The documented defaults of CreateChannel."""

_SETTABLE = (*_DEFAULTS, "multitrackInputConfiguration")


def find_channel(store: Store, arn: str) -> Channel:
    channel = store.ivs.channels.get(arn)
    if channel is None:
        raise not_found("Channel", arn)
    return channel


def _references(store: Store) -> dict[str, tuple[str, Mapping[str, Simple]]]:
    """Channel members that name another resource -> (its kind, where it is kept)."""
    ivs = store.ivs
    return {
        "recordingConfigurationArn": ("RecordingConfiguration", ivs.recordings),
        "playbackRestrictionPolicyArn": ("PlaybackRestrictionPolicy", ivs.policies),
        "adConfigurationArn": ("AdConfiguration", ivs.ads),
        "failoverSlateConfigurationArn": ("FailoverSlateConfiguration", ivs.slates),
    }


def _check_references(store: Store, p: Body, region: str) -> None:
    for member, (kind, table) in _references(store).items():
        arn = p.get(member)
        if arn and (arn not in table or arn_region(arn) != region):
            raise not_found(kind, arn)


def _check_config(config: Body) -> None:
    """The rules that hold for the channel as configured (after an update, too)."""
    multitrack = config.get("multitrackInputConfiguration") or {}
    if multitrack.get("enabled") is True:
        if config["type"] != "STANDARD":
            raise invalid(
                "type",
                "multitrack input can be enabled only on STANDARD channels "
                f"(multitrackInputConfiguration.enabled is true, type is {config['type']})",
            )
        if config["containerFormat"] != "FRAGMENTED_MP4":
            raise invalid(
                "containerFormat",
                "must be FRAGMENTED_MP4 when multitrackInputConfiguration.enabled is true "
                f"(got {config['containerFormat']})",
            )
        for member in ("policy", "maximumResolution"):
            if not multitrack.get(member):
                raise invalid(
                    f"multitrackInputConfiguration.{member}",
                    "is required when multitrackInputConfiguration.enabled is true",
                )


def _settle_preset(config: Body, given: Body) -> None:
    if config["type"] in ADVANCED_TYPES:
        if not config.get("preset"):
            config["preset"] = "HIGHER_BANDWIDTH_DELIVERY"
    elif given.get("preset"):
        raise invalid(
            "preset",
            "is selectable only for ADVANCED_SD and ADVANCED_HD channels "
            f"(type is {config['type']})",
        )
    else:
        config["preset"] = ""


def create_channel(store: Store, p: Body, region: str) -> Body:
    store.quota("Channel", store.ivs.channels.values(), region, store.limits.max_channels)
    tags = store.new_tags(p)
    _check_references(store, p, region)
    config = dict(_DEFAULTS)
    config.update({k: json.loads(json.dumps(p[k])) for k in _SETTABLE if k in p})
    _check_config(config)
    _settle_preset(config, p)
    arn, cid = store.new_arn(region, "channel")
    channel = Channel(
        arn=arn,
        id=cid,
        name=p.get("name", ""),
        tags=tags,
        config=config,
        host=rand(store.rng, 12).lower(),
        region=region,
        account=store.account_id,
        srt_passphrase=rand(store.rng, 32),
    )
    store.ivs.channels[arn] = channel
    key = _new_stream_key(store, channel, region, {})
    return {"channel": channel.full(), "streamKey": key.full()}


def get_channel(store: Store, p: Body, region: str) -> Body:
    return {"channel": find_channel(store, p["arn"]).full()}


def update_channel(store: Store, p: Body, region: str) -> Body:
    channel = find_channel(store, p["arn"])
    if store.ivs.live_session(channel.arn) is not None:
        # the reference: "Live channels cannot be updated. You must stop the ongoing stream,
        # update the channel, and restart the stream for the changes to take effect."
        raise ApiError("ConflictException", f"Channel {channel.arn} is live and cannot be updated")
    _check_references(store, p, region)
    config = dict(channel.config)
    config.update({k: json.loads(json.dumps(p[k])) for k in _SETTABLE if k in p})
    _check_config(config)
    _settle_preset(config, p)
    channel.config = config
    if "name" in p:
        channel.name = p["name"]
    return {"channel": channel.full()}


def delete_channel(store: Store, p: Body, region: str) -> Body:
    channel = find_channel(store, p["arn"])
    if store.ivs.live_session(channel.arn) is not None:
        raise ApiError(
            "ConflictException", f"Channel {channel.arn} is live: stop its stream to delete it"
        )
    ivs = store.ivs
    for key in [k for k in ivs.stream_keys.values() if k.channel_arn == channel.arn]:
        del ivs.stream_keys[key.arn]
    ivs.sessions = [s for s in ivs.sessions if s.channel_arn != channel.arn]
    del ivs.channels[channel.arn]
    return {}


_CHANNEL_FILTERS = {
    "filterByName": "name",
    "filterByRecordingConfigurationArn": "recordingConfigurationArn",
    "filterByPlaybackRestrictionPolicyArn": "playbackRestrictionPolicyArn",
    "filterByAdConfigurationArn": "adConfigurationArn",
    "filterByFailoverSlateConfigurationArn": "failoverSlateConfigurationArn",
}


def list_channels(store: Store, p: Body, region: str) -> Body:
    given = [f for f in _CHANNEL_FILTERS if f in p]
    if len(given) > 1:
        # the reference: the filters "are mutually exclusive and cannot be used together"
        raise ApiError(
            "ConflictException",
            f"ListChannels filters cannot be used together (got {', '.join(given)})",
        )
    items = [c for c in store.ivs.channels.values() if arn_region(c.arn) == region]
    for f in given:
        member = _CHANNEL_FILTERS[f]
        items = [
            c for c in items if (c.name if member == "name" else c.config.get(member, "")) == p[f]
        ]
    scope = json.dumps({k: p[k] for k in given})
    page, nxt = store.pager.page("ListChannels", p, items, Channel.summary, scope)
    return with_token({"channels": page}, nxt)


def _batch(
    store: Store,
    arns: list[str],
    region: str,
    table: Mapping[str, Any],
    kind: str,
    render: Callable[[Any], Body],
) -> tuple[list[Body], list[Body]]:
    found, errors = [], []
    for arn in arns:
        res = table.get(arn)
        if res is None or arn_region(arn) != region:
            errors.append(
                {"arn": arn, "code": "ResourceNotFoundException", "message": f"{kind} not found"}
            )
        else:
            found.append(render(res))
    return found, errors


def batch_get_channel(store: Store, p: Body, region: str) -> Body:
    found, errors = _batch(store, p["arns"], region, store.ivs.channels, "Channel", Channel.full)
    return {"channels": found, "errors": errors}


# -- stream keys ----------------------------------------------------------------------------
def _new_stream_key(store: Store, channel: Channel, region: str, tags: dict[str, str]) -> StreamKey:
    arn, _ = store.new_arn(region, "stream-key")
    key = StreamKey(
        arn=arn,
        channel_arn=channel.arn,
        tags=tags,
        value=f"sk_{region}_{rand(store.rng, 36)}",
    )
    store.ivs.stream_keys[arn] = key
    return key


def find_stream_key(store: Store, arn: str) -> StreamKey:
    key = store.ivs.stream_keys.get(arn)
    if key is None:
        raise not_found("StreamKey", arn)
    return key


def create_stream_key(store: Store, p: Body, region: str) -> Body:
    channel = find_channel(store, p["channelArn"])
    tags = store.new_tags(p)
    if any(k.channel_arn == channel.arn for k in store.ivs.stream_keys.values()):
        # the reference: "there is a limit of 1 stream key per channel. To reset the stream
        # key on a channel, use DeleteStreamKey and then CreateStreamKey."
        raise ApiError(
            "ServiceQuotaExceededException",
            f"Channel {channel.arn} already has a stream key (at most 1 per channel)",
        )
    return {"streamKey": _new_stream_key(store, channel, region, tags).full()}


def get_stream_key(store: Store, p: Body, region: str) -> Body:
    return {"streamKey": find_stream_key(store, p["arn"]).full()}


def delete_stream_key(store: Store, p: Body, region: str) -> Body:
    key = find_stream_key(store, p["arn"])
    del store.ivs.stream_keys[key.arn]
    return {}


def list_stream_keys(store: Store, p: Body, region: str) -> Body:
    channel = find_channel(store, p["channelArn"])
    items = [k for k in store.ivs.stream_keys.values() if k.channel_arn == channel.arn]
    page, nxt = store.pager.page("ListStreamKeys", p, items, StreamKey.summary, channel.arn)
    return with_token({"streamKeys": page}, nxt)


def batch_get_stream_key(store: Store, p: Body, region: str) -> Body:
    table = store.ivs.stream_keys
    found, errors = _batch(store, p["arns"], region, table, "StreamKey", StreamKey.full)
    return {"streamKeys": found, "errors": errors}


__all__ = [
    "batch_get_channel",
    "batch_get_stream_key",
    "create_channel",
    "create_stream_key",
    "delete_channel",
    "delete_stream_key",
    "find_channel",
    "get_channel",
    "get_stream_key",
    "list_channels",
    "list_stream_keys",
    "update_channel",
]
