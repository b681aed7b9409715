"""What users see of the typed operation layer, pinned for type checkers.

Nothing here is collected by pytest (no ``test_*`` functions) and the coroutines are never run:
``mypy --strict ivsrt tests/typing`` checks the ``assert_type`` lines. The runtime check that a
misspelt enum value is a mypy error lives in ``tests/typed/test_mypy.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from typing_extensions import assert_type

import ivsrt
from ivsrt import models as m

ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcd"


async def pinned_get_stage(ivs: ivsrt.Client) -> None:
    got = await ivs.api.get_stage(arn=ARN)
    assert_type(got, m.GetStageResponse)
    # The one resource of a Get response is always there (ivsrt checks it is).
    assert_type(got.stage, m.Stage)
    assert_type(got.stage.arn, str)
    assert_type(got.stage.name, str | None)
    assert_type(got.stage.tags, Mapping[str, str] | None)
    assert_type(got.stage.endpoints, m.StageEndpoints | None)


async def pinned_create_stage(ivs: ivsrt.Client) -> None:
    created = await ivs.api.create_stage(
        name="town-hall",
        participant_token_configurations=[
            m.ParticipantTokenConfiguration(user_id="alice", capabilities=["PUBLISH"]),
            m.ParticipantTokenConfiguration(capabilities=[m.ParticipantTokenCapability.SUBSCRIBE]),
        ],
        tags={"team": "live"},
    )
    assert_type(created, m.CreateStageResponse)
    assert_type(created.participant_tokens, Sequence[m.ParticipantToken] | None)
    for token in created.participant_tokens or ():
        assert_type(token.token, str)
        assert_type(token.participant_id, str)
        assert_type(token.capabilities, Sequence[m.ParticipantTokenCapability] | None)
        assert_type(token.expiration_time, datetime.datetime | None)


async def pinned_enums_and_times(ivs: ivsrt.Client) -> None:
    page = await ivs.api.list_participants(
        stage_arn=ARN, session_id="st-AbCdEfGh12345", filter_by_state="CONNECTED"
    )
    assert_type(page, m.ListParticipantsResponse)
    assert_type(page.participants, Sequence[m.ParticipantSummary])
    assert_type(page.next_token, str | None)
    p = page.participants[0]
    assert_type(p.state, m.ParticipantState | None)
    assert_type(p.first_join_time, datetime.datetime | None)
    assert_type(p.published, bool | None)
    if p.state is not None:
        assert_type(p.state.known, bool)

    comp = (await ivs.api.get_composition(arn=ARN)).composition
    assert_type(comp.state, m.CompositionState)
    assert_type(comp.destinations, Sequence[m.Destination])
    assert_type(comp.destinations[0].state, m.DestinationState)

    ingest = await ivs.api.create_ingest_configuration(
        ingest_protocol=m.IngestProtocol.RTMP, insecure_ingest=True
    )
    assert_type(ingest.ingest_configuration, m.IngestConfiguration)
    assert_type(ingest.ingest_configuration.stream_key, str)
    assert_type(ingest.ingest_configuration.state, m.IngestConfigurationState)


async def pinned_other_operations(ivs: ivsrt.Client) -> None:
    assert_type(await ivs.api.delete_stage(arn=ARN), m.DeleteStageResponse)
    assert_type(
        await ivs.api.untag_resource(resource_arn=ARN, tag_keys=["team"]), m.UntagResourceResponse
    )
    assert_type(
        await ivs.api.list_tags_for_resource(resource_arn=ARN), m.ListTagsForResourceResponse
    )
    token = await ivs.api.create_participant_token(
        stage_arn=ARN, duration=60, capabilities=["PUBLISH", "SUBSCRIBE"]
    )
    assert_type(token, m.CreateParticipantTokenResponse)


def pinned_errors(
    exc: ivsrt.ServiceError, t: ivsrt.TransportError, v: ivsrt.ValidationError
) -> None:
    assert_type(exc.code, str)
    assert_type(exc.message, str)
    assert_type(exc.status, int)
    assert_type(exc.request_id, str | None)
    assert_type(t.may_have_been_applied, bool)
    assert_type(v.paths, tuple[str, ...])
