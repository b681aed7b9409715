"""Streams of IVS channels: GetStream, ListStreams, StopStream, PutMetadata, GetStreamSession,
ListStreamSessions, InsertAdBreak, StartViewerSessionRevocation,
BatchStartViewerSessionRevocation; the control actions of an encoder going live and stopping;
and a composition publishing to a channel.

A channel is LIVE while an encoder streams on its stream key (the control surface) or while
a composition publishes to it: from the composition's ACTIVE time until it is asked to stop,
fails, or that destination fails. `sync` records those periods as stream sessions; it runs
before every channel operation and control action."""

from __future__ import annotations

import datetime
import hmac

from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.channel_records import Channel, StreamSession
from ivsrt.emulator.state.errors import ApiError, ControlError, invalid, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Composition, rand
from ivsrt.emulator.state.store import Store

ENCODER = "encoder"
"""`StreamSession.source` of a stream from an encoder (the control surface)."""

_STATE_CHANGE = "IVS Stream State Change"
METADATA_MAX_BYTES = 1024
"""PutMetadata: "Maximum: 1 KB per request"."""
METADATA_TPS = 5
"""PutMetadata: "At most 5 requests per second per channel are allowed"."""


def _channel(store: Store, arn: str) -> Channel:
    channel = store.ivs.channels.get(arn)
    if channel is None:
        raise not_found("Channel", arn)
    return channel


def _event(name: str, when: datetime.datetime, code: str | None = None) -> Body:
    out: Body = {"name": name, "type": _STATE_CHANGE, "eventTime": when}
    if code is not None:
        out["code"] = code
    return out


def _open(
    store: Store,
    channel: Channel,
    source: str,
    start: datetime.datetime,
    *,
    multitrack: bool = False,
) -> StreamSession:
    session = StreamSession(
        stream_id="st-" + rand(store.rng, 23),
        channel_arn=channel.arn,
        source=source,
        start=start,
        channel=channel.full(),
        multitrack=multitrack,
        events=[_event("Session Created", start), _event("Stream Start", start)],
    )
    ivs = store.ivs
    ivs.sessions.append(session)
    while len(ivs.sessions) > store.limits.max_stream_sessions_kept:
        ended = next((s for s in ivs.sessions if not s.live()), None)
        if ended is None:
            break
        ivs.sessions.remove(ended)
    return session


def _close(session: StreamSession, end: datetime.datetime, code: str | None = None) -> None:
    session.end = end
    if code is None:
        session.events.append(_event("Stream End", end))
    session.events.append(_event("Session Ended", end, code))


def _publishing(
    comp: Composition, dest_failed: datetime.datetime | None, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime | None] | None:
    """(start, end) of a composition destination's broadcast as of ``now`` (None: it has
    not been live); ``end`` is None while it still is."""
    active_at = comp.created + datetime.timedelta(seconds=comp.start_delay)
    ends = [t for t in (comp.stop_requested, comp.failed_at, dest_failed) if t is not None]
    end = min(ends) if ends else None
    if now < active_at or (end is not None and end <= active_at):
        return None
    return active_at, (end if end is not None and end <= now else None)


def sync(store: Store) -> None:
    """Record the broadcasts of compositions to channels as stream sessions (idempotent)."""
    now = store.now()
    ivs = store.ivs
    by_source = {s.source: s for s in ivs.sessions if s.source != ENCODER}
    seen = set()
    for comp in store.compositions.values():
        for dest in comp.destinations:
            target = dest.configuration.get("channel")
            if not target:
                continue
            source = f"{comp.arn}#{dest.id}"
            seen.add(source)
            period = _publishing(comp, dest.failed_at, now)
            session = by_source.get(source)
            if period is None:
                continue
            start, end = period
            if session is None:
                channel = ivs.channels.get(target["channelArn"])
                if channel is None:
                    continue
                session = _open(store, channel, source, start)
            if session.live() and end is not None:
                _close(session, end)
    for source, session in by_source.items():
        if session.live() and source not in seen:  # its composition was forgotten
            _close(session, now)


def check_composition_channel(store: Store, arn: str) -> None:
    """StartComposition's channel destination: it must exist and "must be offline (not
    broadcasting)" (nor be the destination of another composition still running)."""
    sync(store)
    if arn not in store.ivs.channels:
        raise not_found("Channel", arn)
    busy = store.ivs.live_session(arn) is not None
    now = store.now()
    for comp in store.compositions.values():
        if comp.stop_requested is not None or comp.finished(now):
            continue
        for dest in comp.destinations:
            target = dest.configuration.get("channel") or {}
            if target.get("channelArn") == arn and dest.failed_at is None:
                busy = True
    if busy:
        raise ApiError(
            "ConflictException",
            f"Channel {arn} is broadcasting: the channel must be offline (not broadcasting)",
        )


# -- the API --------------------------------------------------------------------------------
def _live(store: Store, channel: Channel) -> StreamSession:
    session = store.ivs.live_session(channel.arn)
    if session is None:
        raise ApiError("ChannelNotBroadcasting", f"Channel {channel.arn} is not live")
    return session


def get_stream(store: Store, p: Body, region: str) -> Body:
    channel = _channel(store, p["channelArn"])
    return {"stream": _live(store, channel).stream(channel.playback_url())}


def list_streams(store: Store, p: Body, region: str) -> Body:
    health = (p.get("filterBy") or {}).get("health")
    live = [
        s
        for s in store.ivs.sessions
        if s.live() and arn_region(s.channel_arn) == region and health in (None, "HEALTHY")
    ]

    def render(s: StreamSession) -> Body:
        body = s.stream("")
        del body["playbackUrl"]
        return body

    page, nxt = store.pager.page("ListStreams", p, live, render, str(health))
    return with_token({"streams": page}, nxt)


def stop_stream(store: Store, p: Body, region: str) -> Body:
    channel = _channel(store, p["channelArn"])
    session = _live(store, channel)
    now = store.now()
    if session.source != ENCODER:
        # a composition's broadcast is disconnected: that destination fails
        comp_arn, _, dest_id = session.source.partition("#")
        comp = store.compositions.get(comp_arn)
        if comp is not None:
            for dest in comp.destinations:
                if dest.id == dest_id and dest.failed_at is None:
                    dest.failed_at = now
            if all(d.failed_at is not None for d in comp.destinations):
                comp.failed_at = now
                comp.failure_reason = "every destination failed"
    _close(session, now)
    return {}


def put_metadata(store: Store, p: Body, region: str) -> Body:
    channel = _channel(store, p["channelArn"])
    size = len(p["metadata"].encode())
    if size > METADATA_MAX_BYTES:
        raise invalid("metadata", f"at most 1 KB per request (got {size} bytes)")
    _live(store, channel)
    now = store.now()
    window = now - datetime.timedelta(seconds=1)
    recent = [t for t in store.ivs.metadata_times.get(channel.arn, []) if t > window]
    if len(recent) >= METADATA_TPS:
        raise ApiError(
            "ThrottlingException",
            f"PutMetadata: at most {METADATA_TPS} requests per second per channel",
            429,
        )
    recent.append(now)
    store.ivs.metadata_times[channel.arn] = recent
    return {}


def _session_of(store: Store, channel: Channel, stream_id: str | None) -> StreamSession:
    for session in reversed(store.ivs.sessions):
        if session.channel_arn == channel.arn and stream_id in (None, session.stream_id):
            return session
    raise not_found("StreamSession", stream_id or channel.arn)


_VIDEO = {
    "avcProfile": "Main",
    "avcLevel": "4.1",
    "codec": "avc1.4D4029",
    "encoder": "ivsrt-emulator",
    "targetBitrate": 6000000,
    "targetFramerate": 30,
    "videoHeight": 1080,
    "videoWidth": 1920,
    "level": "4.1",
    "profile": "Main",
    "track": "Track0",
}
_AUDIO = {"codec": "mp4a.40.2", "targetBitrate": 160000, "sampleRate": 48000, "channels": 2}


def get_stream_session(store: Store, p: Body, region: str) -> Body:
    channel = _channel(store, p["channelArn"])
    session = _session_of(store, channel, p.get("streamId"))
    out: Body = {
        "streamId": session.stream_id,
        "startTime": session.start,
        "channel": dict(session.channel),
        "truncatedEvents": [dict(e) for e in reversed(session.events[-500:])],
    }
    if session.end is not None:
        out["endTime"] = session.end
    audio = dict(_AUDIO, track="Track0")
    if session.multitrack:
        out["ingestConfigurations"] = {
            "videoConfigurations": [dict(_VIDEO, track=f"Track{i}") for i in range(3)],
            "audioConfigurations": [audio],
        }
    else:
        out["ingestConfiguration"] = {"video": dict(_VIDEO), "audio": audio}
    recording = store.ivs.recordings.get(session.channel.get("recordingConfigurationArn", ""))
    if recording is not None:
        out["recordingConfiguration"] = recording.wire(*recording.body)
    slate = store.ivs.slates.get(session.channel.get("failoverSlateConfigurationArn", ""))
    if slate is not None:
        out["failoverSlateConfiguration"] = slate.wire(*slate.body)
    return {"streamSession": out}


def list_stream_sessions(store: Store, p: Body, region: str) -> Body:
    channel = _channel(store, p["channelArn"])
    items = [s for s in reversed(store.ivs.sessions) if s.channel_arn == channel.arn]
    page, nxt = store.pager.page(
        "ListStreamSessions", p, items, StreamSession.summary, channel.arn, descending=True
    )
    return with_token({"streamSessions": page}, nxt)


def insert_ad_break(store: Store, p: Body, region: str) -> Body:
    channel = _channel(store, p["channelArn"])
    if not channel.config.get("adConfigurationArn"):
        raise invalid("channelArn", f"Channel {channel.arn} has no ad configuration")
    _live(store, channel)
    return {
        "adBreakId": p.get("adBreakId") or rand(store.rng, 12),
        "targetStartAt": p.get("targetStartAt") or store.now(),
    }


def start_viewer_session_revocation(store: Store, p: Body, region: str) -> Body:
    _channel(store, p["channelArn"])
    return {}


def batch_start_viewer_session_revocation(store: Store, p: Body, region: str) -> Body:
    errors = []
    for item in p["viewerSessions"]:
        arn = item["channelArn"]
        if arn not in store.ivs.channels or arn_region(arn) != region:
            errors.append(
                {
                    "channelArn": arn,
                    "viewerId": item["viewerId"],
                    "code": "ResourceNotFoundException",
                    "message": "Channel not found",
                }
            )
    return {"errors": errors}


# -- the control surface --------------------------------------------------------------------
def _target(store: Store, channel_or_stream_key: str) -> Channel:
    if channel_or_stream_key.startswith("arn:"):
        channel = store.ivs.channels.get(channel_or_stream_key)
        if channel is None:
            raise ControlError("NOT_FOUND", f"channel not found: {channel_or_stream_key}")
        return channel
    for key in store.ivs.stream_keys.values():
        if hmac.compare_digest(key.value.encode(), channel_or_stream_key.encode()):
            return store.ivs.channels[key.channel_arn]
    raise ControlError("INVALID_STREAM_KEY", "no channel has this stream key")


def start_encoder(store: Store, channel_or_stream_key: str, *, multitrack: bool = False) -> str:
    """An encoder goes live on the channel (by ARN or stream key value); returns the stream
    id. The multitrack rules end the session at once, with the documented event code, when
    the encoder's input does not fit the channel's ``multitrackInputConfiguration``."""
    sync(store)
    channel = _target(store, channel_or_stream_key)
    if store.ivs.live_session(channel.arn) is not None:
        raise ControlError("CHANNEL_LIVE", f"channel {channel.arn} is already live")
    config = channel.config.get("multitrackInputConfiguration") or {}
    enabled = config.get("enabled") is True
    refusal = None
    if multitrack and not enabled:
        refusal = "MultitrackInputNotAllowed"
    elif not multitrack and enabled and config.get("policy") == "REQUIRE":
        refusal = "MultitrackInputRequired"
    now = store.now()
    session = _open(store, channel, ENCODER, now, multitrack=multitrack and enabled)
    if refusal is not None:
        session.events = [_event("Session Created", now)]
        _close(session, now, refusal)
        raise ControlError(
            "MULTITRACK_INPUT_NOT_ALLOWED" if multitrack else "MULTITRACK_INPUT_REQUIRED",
            f"channel {channel.arn} refused the stream: {refusal}",
        )
    return session.stream_id


def stop_encoder(store: Store, channel_or_stream_key: str) -> None:
    """The encoder on the channel (by ARN or stream key value) stops."""
    sync(store)
    channel = _target(store, channel_or_stream_key)
    session = store.ivs.live_session(channel.arn)
    if session is None or session.source != ENCODER:
        raise ControlError("NOT_CONNECTED", f"no encoder is live on channel {channel.arn}")
    _close(session, store.now())
