"""The operation -> handler table the HTTP layer dispatches through.

Every operation of the model ivsrt ships has exactly one entry (a test checks it against
``ivsrt._generated.constraints.OPERATIONS``): a new operation is one function in its area's
module and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ivsrt.emulator.state import (
    channel_handlers,
    compositions,
    configurations,
    ingest,
    public_keys,
    replication,
    sessions,
    stages,
    streams,
    tags,
    timeline,
)
from ivsrt.emulator.state.arns import parse_arn
from ivsrt.emulator.state.errors import not_found
from ivsrt.emulator.state.records import Body
from ivsrt.emulator.state.store import Store

__all__ = ["HANDLERS", "SERVICE_HANDLERS", "Handler", "call"]

Handler = Callable[[Store, Body, str], Body]
"""``handler(store, params, region) -> body``: the validated request (wire names) in, the
response body (wire names, datetimes left as ``datetime``) out; `ApiError` for service
errors."""

HANDLERS: Mapping[str, Handler] = {
    "CreateEncoderConfiguration": configurations.create_encoder_configuration,
    "CreateIngestConfiguration": ingest.create_ingest_configuration,
    "CreateParticipantToken": stages.create_participant_token,
    "CreateStage": stages.create_stage,
    "CreateStorageConfiguration": configurations.create_storage_configuration,
    "DeleteEncoderConfiguration": configurations.delete_encoder_configuration,
    "DeleteIngestConfiguration": ingest.delete_ingest_configuration,
    "DeletePublicKey": public_keys.delete_public_key,
    "DeleteStage": stages.delete_stage,
    "DeleteStorageConfiguration": configurations.delete_storage_configuration,
    "DisconnectParticipant": sessions.disconnect_participant,
    "RevokeConnectionToken": sessions.revoke_connection_token,
    "GetComposition": compositions.get_composition,
    "GetEncoderConfiguration": configurations.get_encoder_configuration,
    "GetIngestConfiguration": ingest.get_ingest_configuration,
    "GetParticipant": sessions.get_participant,
    "GetPublicKey": public_keys.get_public_key,
    "GetStage": stages.get_stage,
    "GetStageSession": sessions.get_stage_session,
    "GetStorageConfiguration": configurations.get_storage_configuration,
    "ImportPublicKey": public_keys.import_public_key,
    "ListCompositions": compositions.list_compositions,
    "ListEncoderConfigurations": configurations.list_encoder_configurations,
    "ListIngestConfigurations": ingest.list_ingest_configurations,
    "ListParticipantEvents": sessions.list_participant_events,
    "ListParticipantReplicas": replication.list_participant_replicas,
    "ListParticipants": sessions.list_participants,
    "ListPublicKeys": public_keys.list_public_keys,
    "ListStageSessions": sessions.list_stage_sessions,
    "ListStages": stages.list_stages,
    "ListStorageConfigurations": configurations.list_storage_configurations,
    "ListTagsForResource": tags.list_tags_for_resource,
    "StartComposition": compositions.start_composition,
    "StartParticipantReplication": replication.start_participant_replication,
    "StopComposition": compositions.stop_composition,
    "StopParticipantReplication": replication.stop_participant_replication,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "UpdateIngestConfiguration": ingest.update_ingest_configuration,
    "UpdateStage": stages.update_stage,
}

SERVICE_HANDLERS: Mapping[str, Mapping[str, Handler]] = {
    "ivs-realtime": HANDLERS,
    "ivs": channel_handlers.CHANNEL_HANDLERS,
}
"""The handler table of each service (botocore service name)."""

_SCOPED_ARNS = (
    "arn",
    "resourceArn",
    "stageArn",
    "sourceStageArn",
    "destinationStageArn",
    "channelArn",
)
"""Request fields naming a resource that must be in the request's (signing) region."""


def call(
    store: Store, operation: str, params: Body, region: str, service: str = "ivs-realtime"
) -> Body:
    """Run ``operation``'s handler of ``service`` (a KeyError for an operation without one)."""
    handler = SERVICE_HANDLERS[service][operation]
    # state is per region: an ARN of another region names nothing in this one
    for key in _SCOPED_ARNS:
        value = params.get(key)
        if isinstance(value, str) and value:
            arn = parse_arn(value)
            if arn is None or arn.region != region:
                raise not_found("Resource" if arn is None else arn.kind, value)
    timeline.settle(store)
    if service == "ivs":
        streams.sync(store)
    return handler(store, params, region)
