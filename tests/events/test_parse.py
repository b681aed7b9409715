"""parse_event on what handlers receive: the Lambda event, SQS records, JSON text and bytes."""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any

import pytest

import ivsrt
from ivsrt.events import (
    CompositionEventName,
    CompositionStateChange,
    MalformedEventError,
    ParticipantRecordingStateChange,
    RecordingEventName,
    StageEventName,
    StageUpdate,
    UnknownEvent,
    parse_event,
    parse_events,
)
from tests.events import payloads as p

UTC = datetime.timezone.utc


def test_stage_update_with_the_envelope() -> None:
    event = parse_event(p.PUBLISHED)
    assert isinstance(event, StageUpdate)
    assert event.id == "12345678-1a23-4567-a1bc-1a2b34567890"
    assert (event.detail_type, event.source, event.account, event.region, event.version) == (
        "IVS Stage Update",
        "aws.ivs",
        p.ACCOUNT,
        "us-west-2",
        "0",
    )
    assert event.time == datetime.datetime(2024, 6, 4, 12, 0, tzinfo=UTC)
    assert event.resources == (p.STAGE_ARN,)
    assert event.stage_arn == p.STAGE_ARN
    assert event.event_name is StageEventName.PARTICIPANT_PUBLISHED
    assert str(event.event_name) == "Participant Published"
    assert (event.session_id, event.participant_id, event.user_id) == (
        "st-ZyXwvu1T2s",
        "xYz1c2d3e4f",
        "Your User Id",
    )
    assert event.error_code is None
    assert event.detail == p.PUBLISHED["detail"]
    with pytest.raises(attrs_frozen_error()):
        event.user_id = "x"  # type: ignore[misc]


def attrs_frozen_error() -> type[Exception]:
    import attrs

    return attrs.exceptions.FrozenInstanceError


def test_publish_error_and_replication() -> None:
    error = parse_event(p.PUBLISH_ERROR)
    assert isinstance(error, StageUpdate)
    assert error.event_name is StageEventName.PARTICIPANT_PUBLISH_ERROR
    assert error.error_code == "INSUFFICIENT_CAPABILITIES"
    replication = parse_event(p.REPLICATION_STARTED)
    assert isinstance(replication, StageUpdate)
    assert replication.event_name is StageEventName.PARTICIPANT_REPLICATION_STARTED
    assert (replication.source_stage_arn, replication.destination_stage_arn) == (
        p.STAGE_ARN,
        p.OTHER_STAGE_ARN,
    )
    assert replication.destination_session_id == "st-AbCdef3G4h"


def test_composition_state_change() -> None:
    start = parse_event(p.COMPOSITION_SESSION_START)
    assert isinstance(start, CompositionStateChange)
    assert start.event_name is CompositionEventName.SESSION_START
    assert start.composition_arn == p.COMPOSITION_ARN
    assert start.stage_arn == p.STAGE_ARN
    failure = parse_event(p.DESTINATION_FAILURE)
    assert isinstance(failure, CompositionStateChange)
    assert failure.event_name is CompositionEventName.DESTINATION_FAILURE
    assert (failure.destination_id, failure.reason) == (
        "AbCdEfGhIjKl",
        "StreamTakeoverMediaMismatch",
    )
    assert failure.time == datetime.datetime(2024, 6, 4, 12, 3, 7, 123000, tzinfo=UTC)


def test_participant_recording_state_change() -> None:
    end = parse_event(p.RECORDING_END)
    assert isinstance(end, ParticipantRecordingStateChange)
    assert end.event_name is RecordingEventName.RECORDING_END
    assert end.stage_arn == p.STAGE_ARN
    assert end.recording_s3_bucket_name == "ivs-recordings"
    assert end.recording_s3_key_prefix is not None
    assert end.recording_s3_key_prefix.endswith("/xYz1c2d3e4f/1717502400")
    assert end.recording_duration_ms == 547327


@pytest.mark.parametrize(
    "wrap",
    [
        lambda e: e,
        json.dumps,
        lambda e: json.dumps(e).encode(),
        lambda e: bytearray(json.dumps(e).encode()),
        p.sqs_record,
        lambda e: json.dumps(p.sqs_record(e)),
        p.boto3_message,
    ],
    ids=["lambda-dict", "json-str", "json-bytes", "bytearray", "sqs-record", "sqs-json", "boto3"],
)
def test_every_shape_a_handler_receives(wrap: Any) -> None:
    assert parse_event(wrap(p.RECORDING_END)) == parse_event(p.RECORDING_END)


def test_a_parsed_event_is_returned_as_it_is() -> None:
    event = parse_event(p.PUBLISHED)
    assert parse_event(event) is event
    assert parse_events([event]) == [event]


def test_a_lambda_sqs_batch() -> None:
    batch = {"Records": [p.sqs_record(p.PUBLISHED), p.sqs_record(p.DESTINATION_FAILURE)]}
    events = parse_events(batch)
    assert [type(e) for e in events] == [StageUpdate, CompositionStateChange]
    assert parse_events(json.dumps(batch)) == events
    assert parse_events([p.PUBLISHED]) == [parse_event(p.PUBLISHED)]
    assert parse_events(p.PUBLISHED) == [parse_event(p.PUBLISHED)]
    with pytest.raises(MalformedEventError, match="parse_events"):
        parse_event(batch)
    broken = {"Records": [p.sqs_record(p.PUBLISHED), {"body": "{}"}]}
    with pytest.raises(MalformedEventError) as info:
        parse_events(broken)
    assert info.value.path == "Records[1].detail-type"


def test_unknown_detail_types_sources_and_names_never_raise() -> None:
    other = copy.deepcopy(p.PUBLISHED)
    other["detail-type"] = "IVS Stream State Change"  # a low-latency channel event
    other["detail"] = {"event_name": "Stream Start", "channel_name": "c"}
    unknown = parse_event(other)
    assert type(unknown) is UnknownEvent
    assert unknown.detail["channel_name"] == "c"
    assert unknown.key == ("IVS Stream State Change", p.STAGE_ARN)

    foreign = copy.deepcopy(p.PUBLISHED)
    foreign["source"] = "com.example.app"
    assert type(parse_event(foreign)) is UnknownEvent

    newer = copy.deepcopy(p.PUBLISHED)
    newer["detail"]["event_name"] = "Participant Teleported"
    newer["detail"]["brand_new_field"] = {"x": 1}
    event = parse_event(newer)
    assert isinstance(event, StageUpdate)
    assert event.event_name == "Participant Teleported"
    assert event.event_name.known is False
    assert event.event_name is not StageEventName.PARTICIPANT_PUBLISHED
    assert event.detail["brand_new_field"] == {"x": 1}
    assert event.participant_id == "xYz1c2d3e4f"


def _without(key: str) -> dict[str, Any]:
    out = copy.deepcopy(p.PUBLISHED)
    del out[key]
    return out


def _with(path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(p.PUBLISHED)
    where, _, key = path.rpartition(".")
    (out["detail"] if where == "detail" else out)[key] = value
    return out


@pytest.mark.parametrize(
    ("payload", "path", "match"),
    [
        ("not json", "", "not JSON"),
        (b"\xff\xfe", "", "not UTF-8"),
        ("[1, 2]", "", "JSON object"),
        (42, "", "JSON object"),
        (None, "", "JSON object"),
        ("[" * 100_000, "", "too deeply|not JSON"),
        (json.dumps(json.dumps(p.PUBLISHED)), "", "JSON object"),
        ({"body": {"body": {"body": {"body": {"body": {"body": "{}"}}}}}}, "", "too deeply"),
        ({"hello": "world"}, "detail-type", "not an EventBridge event"),
        (_without("id"), "id", "required"),
        (_without("time"), "time", "required"),
        (_with("time", "yesterday"), "time", "ISO 8601"),
        (_with("time", 1717502400), "time", "string"),
        (_with("resources", "arn"), "resources", "list"),
        (_with("resources", [1]), "resources", "list"),
        (_with("detail", []), "detail", "object"),
        (_with("detail.participant_id", 7), "detail.participant_id", "string"),
        (_with("detail.event_name", None), "detail.event_name", "required"),
    ],
)
def test_malformed_payloads_raise_a_clear_value_error(payload: Any, path: str, match: str) -> None:
    with pytest.raises(MalformedEventError, match=match) as info:
        parse_event(payload)
    assert info.value.path == path
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ivsrt.IvsrtError)


def test_wrong_typed_recording_duration() -> None:
    bad = copy.deepcopy(p.RECORDING_END)
    bad["detail"]["recording_duration_ms"] = "547327"
    with pytest.raises(MalformedEventError) as info:
        parse_event(bad)
    assert info.value.path == "detail.recording_duration_ms"
    bad["detail"]["recording_duration_ms"] = True
    with pytest.raises(MalformedEventError):
        parse_event(bad)
