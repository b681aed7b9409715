"""The IVS channel API's part of a snapshot (`ChannelState` as plain JSON, and back). Stream
keys and SRT passphrases are in it: a snapshot is a secret of your test setup."""

from __future__ import annotations

from typing import Any

from ivsrt.emulator.state.channel_records import Channel, ChannelState, StreamKey, StreamSession
from ivsrt.emulator.state.records import Simple
from ivsrt.emulator.state.snapshot_json import parse_time, snapshot_converter

__all__ = ["dump_channels", "load_channels"]

_conv = snapshot_converter((Channel, StreamKey, StreamSession))


def _event_time(value: Any) -> Any:
    """truncatedEvents keep their times as datetimes (the wire layer formats them)."""
    if isinstance(value, dict) and "eventTime" in value:
        return dict(value, eventTime=parse_time(value["eventTime"]))
    return value


_TABLES = {
    "recordingConfigurations": "recordings",
    "playbackKeyPairs": "key_pairs",
    "playbackRestrictionPolicies": "policies",
    "adConfigurations": "ads",
    "failoverSlateConfigurations": "slates",
}


def _simple(res: Simple) -> dict[str, Any]:
    return {
        "arn": res.arn,
        "name": res.name,
        "tags": dict(res.tags),
        "body": res.body,
        "seq": res.seq,
    }


def dump_channels(state: ChannelState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "channels": [_conv.unstructure(c) for c in state.channels.values()],
        "streamKeys": [_conv.unstructure(k) for k in state.stream_keys.values()],
        "streamSessions": [_conv.unstructure(s) for s in state.sessions],
    }
    for key, attr in _TABLES.items():
        out[key] = [_simple(x) for x in getattr(state, attr).values()]
    return out


def load_channels(data: Any) -> tuple[ChannelState, list[int]]:
    """The `ChannelState` of a snapshot's ``ivs`` member (absent: none), and the creation
    numbers it holds. Raises what `cattrs` raises for a malformed one (the caller turns it
    into ``ValueError``)."""
    state = ChannelState()
    if data is None:
        return state, []
    channels = [_conv.structure(c, Channel) for c in data["channels"]]
    keys = [_conv.structure(k, StreamKey) for k in data["streamKeys"]]
    sessions = [_conv.structure(s, StreamSession) for s in data["streamSessions"]]
    for session in sessions:
        session.events = [_event_time(e) for e in session.events]
    state.channels = {c.arn: c for c in channels}
    state.stream_keys = {k.arn: k for k in keys}
    state.sessions = sessions
    seqs = [c.seq for c in channels] + [k.seq for k in keys] + [x.seq for x in sessions]
    for key, attr in _TABLES.items():
        table: dict[str, Simple] = {}
        for raw in data[key]:
            res = Simple(
                arn=str(raw["arn"]),
                name=str(raw["name"]),
                tags=dict(raw["tags"]),
                body=dict(raw["body"]),
            )
            res.seq = int(raw["seq"])
            table[res.arn] = res
            seqs.append(res.seq)
        setattr(state, attr, table)
    return state, seqs
