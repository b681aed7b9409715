"""The operation -> handler table of the IVS channel API (service ``ivs``).

Every operation of the ``ivs`` model ivsrt ships has exactly one entry (a test checks it
against ``ivsrt._generated.channels.constraints.OPERATIONS``). The tag operations are the
real-time ones: both APIs tag by ARN, in one store."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ivsrt.emulator.state import channel_configs as configs
from ivsrt.emulator.state import channels, streams, tags
from ivsrt.emulator.state.records import Body
from ivsrt.emulator.state.store import Store

__all__ = ["CHANNEL_HANDLERS"]

CHANNEL_HANDLERS: Mapping[str, Callable[[Store, Body, str], Body]] = {
    "BatchGetChannel": channels.batch_get_channel,
    "BatchGetStreamKey": channels.batch_get_stream_key,
    "BatchStartViewerSessionRevocation": streams.batch_start_viewer_session_revocation,
    "CreateAdConfiguration": configs.create_ad_configuration,
    "CreateChannel": channels.create_channel,
    "CreateFailoverSlateConfiguration": configs.create_failover_slate_configuration,
    "CreatePlaybackRestrictionPolicy": configs.create_playback_restriction_policy,
    "CreateRecordingConfiguration": configs.create_recording_configuration,
    "CreateStreamKey": channels.create_stream_key,
    "DeleteAdConfiguration": configs.delete_ad_configuration,
    "DeleteChannel": channels.delete_channel,
    "DeleteFailoverSlateConfiguration": configs.delete_failover_slate_configuration,
    "DeletePlaybackKeyPair": configs.delete_playback_key_pair,
    "DeletePlaybackRestrictionPolicy": configs.delete_playback_restriction_policy,
    "DeleteRecordingConfiguration": configs.delete_recording_configuration,
    "DeleteStreamKey": channels.delete_stream_key,
    "GetAdConfiguration": configs.get_ad_configuration,
    "GetChannel": channels.get_channel,
    "GetFailoverSlateConfiguration": configs.get_failover_slate_configuration,
    "GetPlaybackKeyPair": configs.get_playback_key_pair,
    "GetPlaybackRestrictionPolicy": configs.get_playback_restriction_policy,
    "GetRecordingConfiguration": configs.get_recording_configuration,
    "GetStream": streams.get_stream,
    "GetStreamKey": channels.get_stream_key,
    "GetStreamSession": streams.get_stream_session,
    "ImportPlaybackKeyPair": configs.import_playback_key_pair,
    "InsertAdBreak": streams.insert_ad_break,
    "ListAdConfigurations": configs.list_ad_configurations,
    "ListChannels": channels.list_channels,
    "ListFailoverSlateConfigurations": configs.list_failover_slate_configurations,
    "ListPlaybackKeyPairs": configs.list_playback_key_pairs,
    "ListPlaybackRestrictionPolicies": configs.list_playback_restriction_policies,
    "ListRecordingConfigurations": configs.list_recording_configurations,
    "ListStreamKeys": channels.list_stream_keys,
    "ListStreamSessions": streams.list_stream_sessions,
    "ListStreams": streams.list_streams,
    "ListTagsForResource": tags.list_tags_for_resource,
    "PutMetadata": streams.put_metadata,
    "StartViewerSessionRevocation": streams.start_viewer_session_revocation,
    "StopStream": streams.stop_stream,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "UpdateAdConfiguration": configs.update_ad_configuration,
    "UpdateChannel": channels.update_channel,
    "UpdateFailoverSlateConfiguration": configs.update_failover_slate_configuration,
    "UpdatePlaybackRestrictionPolicy": configs.update_playback_restriction_policy,
}
