"""Secrets stay secret: with DEBUG logging on for every logger, canary participant tokens,
stream keys and credentials appear in no log record, no repr/str and no exception text."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import ivsrt
from ivsrt import models as m
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import SECRET_KEY, SESSION_TOKEN, make_client

REGION = "eu-central-1"
STAGE_ARN = f"arn:aws:ivs:{REGION}:123456789012:stage/AbCdEfGh1234"
INGEST_ARN = f"arn:aws:ivs:{REGION}:123456789012:ingest-configuration/Ing0123abcd"

TOKEN_1 = "eyJhbGciOiJLTVMifQ.CANARYTOKEN1.sig"
TOKEN_2 = 'CANARY"TOKEN2\\with-quote'
TOKEN_3 = "CANARYTOKEN3-eyJ0eXAiOiJKV1Qi"
STREAM_KEY = "sk_eu-central-1_CANARYSTREAMKEY1"
STREAM_KEY_BACKUP = "sk_eu-central-1_CANARYSTREAMKEY2"
STREAM_KEY_UPDATED = "sk_eu-central-1_CANARYSTREAMKEY3"
CANARIES = [
    TOKEN_1,
    TOKEN_2,
    TOKEN_3,
    STREAM_KEY,
    STREAM_KEY_BACKUP,
    STREAM_KEY_UPDATED,
    SESSION_TOKEN,
    SECRET_KEY,
]


def _ingest(stream_key: str) -> dict[str, Any]:
    return {
        "arn": INGEST_ARN,
        "name": "obs-main",
        "ingestProtocol": "RTMPS",
        "streamKey": stream_key,
        "stageArn": STAGE_ARN,
        "participantId": "pIng0123abcd",
        "state": "ACTIVE",
        "redundantIngest": True,
        "redundantIngestCredentials": [
            {"participantId": "pIng0123bkup", "streamKey": STREAM_KEY_BACKUP}
        ],
    }


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name)
        self.lines.append(self.format(record))


@pytest.fixture
def debug_logs() -> Iterator[_Capture]:
    root = logging.getLogger()
    handler = _Capture()
    saved = {name: logging.getLogger(name).level for name in ("", "botocore", "aiobotocore")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("botocore").setLevel(logging.DEBUG)
    logging.getLogger("aiobotocore").setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"secret {canary[:12]}... found in {where}: {text[:300]}"
    # Nor any piece of the token with a quote in it (escaped differently in JSON, in a bytes
    # repr and in a str repr).
    for fragment in ("TOKEN2", "with-quote"):
        assert fragment not in text, f"part of a secret found in {where}: {text[:300]}"


async def test_no_secret_in_logs_reprs_or_errors(
    debug_logs: _Capture, server: RecordingServer
) -> None:
    server.reply(
        "POST",
        "/CreateStage",
        Reply(
            {
                "stage": {"arn": STAGE_ARN, "name": "town-hall"},
                "participantTokens": [
                    {"participantId": "pA", "token": TOKEN_1, "userId": "alice"},
                    {"participantId": "pB", "token": TOKEN_2, "userId": "bob"},
                ],
            }
        ),
    )
    server.reply(
        "POST",
        "/CreateParticipantToken",
        Reply({"participantToken": {"participantId": "pC", "token": TOKEN_3}}),
    )
    server.reply(
        "POST", "/CreateIngestConfiguration", Reply({"ingestConfiguration": _ingest(STREAM_KEY)})
    )
    server.reply(
        "POST", "/GetIngestConfiguration", Reply({"ingestConfiguration": _ingest(STREAM_KEY)})
    )
    server.reply(
        "POST",
        "/UpdateIngestConfiguration",
        Reply({"ingestConfiguration": _ingest(STREAM_KEY_UPDATED)}),
    )
    # A reply that breaks the model (no `state`) while carrying a stream key.
    broken = _ingest(STREAM_KEY)
    del broken["state"]
    server.reply("POST", "/ListIngestConfigurations", Reply({"ingestConfigurations": [broken]}))

    texts: list[tuple[str, str]] = []
    async with make_client(server.url) as ivs:
        created = await ivs.api.create_stage(
            name="town-hall",
            participant_token_configurations=[m.ParticipantTokenConfiguration(user_id="alice")],
        )
        token = await ivs.api.create_participant_token(stage_arn=STAGE_ARN, user_id="carol")
        ingest = await ivs.api.create_ingest_configuration(
            ingest_protocol="RTMPS", stage_arn=STAGE_ARN
        )
        got = await ivs.api.get_ingest_configuration(arn=INGEST_ARN)
        updated = await ivs.api.update_ingest_configuration(arn=INGEST_ARN, stage_arn=STAGE_ARN)
        with pytest.raises(ivsrt.ResponseParseError) as parse_error:
            await ivs.api.list_ingest_configurations()
        with pytest.raises(ivsrt.ValidationError) as validation_error:
            await ivs.api.create_participant_token(stage_arn=STAGE_ARN, duration=0)
        texts.append(("client repr", repr(ivs)))

    # The values did arrive (so the test would see them if they leaked).
    assert [t.token for t in created.participant_tokens] == [TOKEN_1, TOKEN_2]
    assert token.participant_token is not None
    assert token.participant_token.token == TOKEN_3
    assert ingest.ingest_configuration is not None
    assert ingest.ingest_configuration.stream_key == STREAM_KEY
    assert got.ingest_configuration is not None
    assert got.ingest_configuration.redundant_ingest_credentials is not None
    assert got.ingest_configuration.redundant_ingest_credentials[0].stream_key == STREAM_KEY_BACKUP
    assert updated.ingest_configuration is not None
    assert updated.ingest_configuration.stream_key == STREAM_KEY_UPDATED
    assert server.requests[0].headers["X-Amz-Security-Token"] == SESSION_TOKEN

    for name, value in [
        ("created", created),
        ("token", token),
        ("ingest", ingest),
        ("got", got),
        ("updated", updated),
    ]:
        texts += [
            (f"repr({name})", repr(value)),
            (f"str({name})", str(value)),
            (f"f-string {name}", f"{value}"),
        ]
    texts += [
        ("repr(tokens)", repr(created.participant_tokens)),
        ("str(stage)", str(created.stage)),
    ]
    for name, exc in [
        ("parse error", parse_error.value),
        ("validation error", validation_error.value),
    ]:
        texts.append((name, "".join(traceback.format_exception(exc))))
        texts.append((f"repr {name}", repr(exc)))

    # botocore and aiobotocore did log at DEBUG (bodies, headers, canonical requests).
    assert any(n.startswith("botocore") for n in debug_logs.names)
    assert any("Response body" in line for line in debug_logs.lines)
    assert any("CanonicalRequest" in line or "Canonical" in line for line in debug_logs.lines)
    for line in debug_logs.lines:
        _assert_clean(line, "a log record")
    for where, text in texts:
        _assert_clean(text, where)


async def test_service_error_text_carries_no_token(
    debug_logs: _Capture, server: RecordingServer
) -> None:
    # A (hypothetical) error reply that echoes a token in a field next to the message.
    server.reply(
        "POST",
        "/GetStage",
        Reply(
            {"exceptionMessage": "stage not found", "token": TOKEN_1, "streamKey": STREAM_KEY},
            status=404,
            headers={
                "x-amzn-ErrorType": "ResourceNotFoundException",
                "x-amzn-RequestId": "rid-404",
            },
        ),
    )
    async with make_client(server.url) as ivs:
        with pytest.raises(ivsrt.ResourceNotFoundError) as info:
            await ivs.api.get_stage(arn=STAGE_ARN)
    _assert_clean("".join(traceback.format_exception(info.value)), "the exception")
    for line in debug_logs.lines:
        _assert_clean(line, "a log record")
