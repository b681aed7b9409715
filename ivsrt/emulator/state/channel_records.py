"""The resources of the IVS channel API (service ``ivs``) and their wire shapes: channels,
stream keys, stream sessions, and `ChannelState`, the part of the `Store` that holds them.

Stream keys and SRT passphrases are secrets: never in a repr (``repr=False``)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import attrs

from ivsrt.emulator.state.records import Body, Simple, _seq_field

__all__ = [
    "ADVANCED_TYPES",
    "Channel",
    "ChannelState",
    "StreamKey",
    "StreamSession",
]

ADVANCED_TYPES = ("ADVANCED_SD", "ADVANCED_HD")

_SUMMARY_FIELDS = (
    "latencyMode",
    "authorized",
    "recordingConfigurationArn",
    "insecureIngest",
    "type",
    "preset",
    "playbackRestrictionPolicyArn",
    "adConfigurationArn",
    "failoverSlateConfigurationArn",
)
_FULL_FIELDS = (*_SUMMARY_FIELDS, "containerFormat", "multitrackInputConfiguration")


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


@attrs.define
class Channel:
    arn: str
    id: str
    name: str
    tags: dict[str, str]
    config: Body
    """Every settable member (wire names), defaults filled in."""
    host: str
    region: str
    account: str
    srt_passphrase: str = attrs.field(repr=False)
    seq: int = _seq_field()

    def summary(self) -> Body:
        out: Body = {"arn": self.arn, "name": self.name, "tags": dict(self.tags)}
        out.update({k: _copy(self.config[k]) for k in _SUMMARY_FIELDS if k in self.config})
        return out

    def playback_url(self) -> str:
        return (
            f"https://{self.host}.{self.region}.playback.live-video.net/api/video/v1/"
            f"{self.region}.{self.account}.channel.{self.id}.m3u8"
        )

    def full(self) -> Body:
        out: Body = {"arn": self.arn, "name": self.name, "tags": dict(self.tags)}
        out.update({k: _copy(self.config[k]) for k in _FULL_FIELDS if k in self.config})
        out["ingestEndpoint"] = f"{self.host}.global-contribute.live-video.net"
        out["playbackUrl"] = self.playback_url()
        srt: Body = {"endpoint": f"{self.host}.srt.live-video.net"}
        if not self.config.get("insecureIngest"):
            # the reference: "applicable only if the end user has not enabled the
            # insecureIngest option for the channel"
            srt["passphrase"] = self.srt_passphrase
        out["srt"] = srt
        return out


@attrs.define
class StreamKey:
    arn: str
    channel_arn: str
    tags: dict[str, str]
    value: str = attrs.field(repr=False)
    seq: int = _seq_field()

    def summary(self) -> Body:
        return {"arn": self.arn, "channelArn": self.channel_arn, "tags": dict(self.tags)}

    def full(self) -> Body:
        out = self.summary()
        out["value"] = self.value
        return out


@attrs.define
class StreamSession:
    """One live period of a channel: an encoder on its stream key, or a composition's
    destination (``source`` is ``"encoder"`` or ``"<composition ARN>#<destination id>"``)."""

    stream_id: str
    channel_arn: str
    source: str
    start: datetime.datetime
    channel: Body
    """The channel as it was when the stream started (GetStreamSession's ``channel``)."""
    end: datetime.datetime | None = None
    multitrack: bool = False
    events: list[Body] = attrs.field(factory=list)
    """truncatedEvents, oldest first (GetStreamSession returns them most recent first)."""
    seq: int = _seq_field()

    def live(self) -> bool:
        return self.end is None

    def has_error(self) -> bool:
        return any(e.get("code") for e in self.events)

    def summary(self) -> Body:
        out: Body = {
            "streamId": self.stream_id,
            "startTime": self.start,
            "hasErrorEvent": self.has_error(),
        }
        if self.end is not None:
            out["endTime"] = self.end
        return out

    def stream(self, playback_url: str) -> Body:
        """GetStream's ``stream`` (ListStreams drops ``playbackUrl``)."""
        return {
            "channelArn": self.channel_arn,
            "streamId": self.stream_id,
            "playbackUrl": playback_url,
            "startTime": self.start,
            "state": "LIVE",
            "health": "HEALTHY",
            "viewerCount": 0,
        }


@attrs.define
class ChannelState:
    """Every resource of the channel API, by ARN; stream sessions oldest first."""

    channels: dict[str, Channel] = attrs.field(factory=dict)
    stream_keys: dict[str, StreamKey] = attrs.field(factory=dict)
    recordings: dict[str, Simple] = attrs.field(factory=dict)
    key_pairs: dict[str, Simple] = attrs.field(factory=dict)
    policies: dict[str, Simple] = attrs.field(factory=dict)
    ads: dict[str, Simple] = attrs.field(factory=dict)
    slates: dict[str, Simple] = attrs.field(factory=dict)
    sessions: list[StreamSession] = attrs.field(factory=list)
    metadata_times: dict[str, list[datetime.datetime]] = attrs.field(factory=dict)
    """When PutMetadata last succeeded, per channel (its rate limit; not in snapshots)."""

    def tagged(self) -> Iterator[Channel | StreamKey | Simple]:
        yield from self.channels.values()
        yield from self.stream_keys.values()
        for table in (self.recordings, self.key_pairs, self.policies, self.ads, self.slates):
            yield from table.values()

    def live_session(self, channel_arn: str) -> StreamSession | None:
        for session in reversed(self.sessions):
            if session.channel_arn == channel_arn and session.live():
                return session
        return None
