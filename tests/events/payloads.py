"""Event payloads as IVS sends them, written from the IVS Real-Time User Guide ("Using Amazon
EventBridge with IVS Real-Time Streaming"): the EventBridge envelope, ``resources[0]`` the stage
(or the composition), and the ``detail`` fields of each detail-type."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
STAGE_ARN = f"arn:aws:ivs:us-west-2:{ACCOUNT}:stage/AbCdef1G2hij"
OTHER_STAGE_ARN = f"arn:aws:ivs:us-west-2:{ACCOUNT}:stage/ZyXwvu9T8srq"
COMPOSITION_ARN = f"arn:aws:ivs:us-west-2:{ACCOUNT}:composition/aBcDeF1gHiJk"


def envelope(
    detail_type: str, resource: str, detail: dict[str, Any], **over: Any
) -> dict[str, Any]:
    event = {
        "version": "0",
        "id": "12345678-1a23-4567-a1bc-1a2b34567890",
        "detail-type": detail_type,
        "source": "aws.ivs",
        "account": ACCOUNT,
        "time": "2024-06-04T12:00:00Z",
        "region": "us-west-2",
        "resources": [resource],
        "detail": detail,
    }
    event.update(over)
    return event


PUBLISHED = envelope(
    "IVS Stage Update",
    STAGE_ARN,
    {
        "session_id": "st-ZyXwvu1T2s",
        "event_name": "Participant Published",
        "user_id": "Your User Id",
        "participant_id": "xYz1c2d3e4f",
    },
)
PUBLISH_ERROR = envelope(
    "IVS Stage Update",
    STAGE_ARN,
    {
        "session_id": "st-ZyXwvu1T2s",
        "event_name": "Participant Publish Error",
        "user_id": "Your User Id",
        "participant_id": "xYz1c2d3e4f",
        "error_code": "INSUFFICIENT_CAPABILITIES",
    },
    id="a4c2eacb-eaa1-fbf2-030e-6fba889e54d3",
)
REPLICATION_STARTED = envelope(
    "IVS Stage Update",
    STAGE_ARN,
    {
        "session_id": "st-ZyXwvu1T2s",
        "event_name": "Participant Replication Started",
        "user_id": "Your User Id",
        "participant_id": "xYz1c2d3e4f",
        "source_stage_arn": STAGE_ARN,
        "source_session_id": "st-ZyXwvu1T2s",
        "destination_stage_arn": OTHER_STAGE_ARN,
        "destination_session_id": "st-AbCdef3G4h",
    },
    id="b1e2c3d4-0000-4000-8000-000000000001",
)
COMPOSITION_SESSION_START = envelope(
    "IVS Composition State Change",
    COMPOSITION_ARN,
    {"event_name": "Session Start", "stage_arn": STAGE_ARN, "session_id": "st-ZyXwvu1T2s"},
    id="c1e2c3d4-0000-4000-8000-000000000002",
)
DESTINATION_FAILURE = envelope(
    "IVS Composition State Change",
    COMPOSITION_ARN,
    {
        "event_name": "Destination Failure",
        "stage_arn": STAGE_ARN,
        "session_id": "st-ZyXwvu1T2s",
        "destination_id": "AbCdEfGhIjKl",
        "reason": "StreamTakeoverMediaMismatch",
    },
    id="d1e2c3d4-0000-4000-8000-000000000003",
    time="2024-06-04T12:03:07.123Z",
)
RECORDING_END = envelope(
    "IVS Participant Recording State Change",
    STAGE_ARN,
    {
        "session_id": "st-ZyXwvu1T2s",
        "event_name": "Recording End",
        "participant_id": "xYz1c2d3e4f",
        "user_id": "Your User Id",
        "recording_s3_bucket_name": "ivs-recordings",
        "recording_s3_key_prefix": f"{ACCOUNT}/AbCdef1G2hij/st-ZyXwvu1T2s/xYz1c2d3e4f/1717502400",
        "recording_duration_ms": 547327,
    },
    id="e1e2c3d4-0000-4000-8000-000000000004",
    time="2024-06-04T12:09:07Z",
)


def sqs_record(event: dict[str, Any]) -> dict[str, Any]:
    """One record of the event a Lambda gets from an SQS queue that an EventBridge rule feeds."""
    return {
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": json.dumps(event),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-west-2:{ACCOUNT}:ivs-events",
        "awsRegion": "us-west-2",
    }


def boto3_message(event: dict[str, Any]) -> dict[str, Any]:
    """A message as boto3's ``sqs.receive_message`` returns it."""
    return {"MessageId": "m-1", "ReceiptHandle": "r-1", "MD5OfBody": "x", "Body": json.dumps(event)}
