"""Regression tests of the second review of the typed layer, all over real HTTP on 127.0.0.1:
credentials of a role profile out of DEBUG logs, bodies that are not JSON objects, a string where
a list is expected, endpoint and credential arguments, timestamps in UTC without dateutil,
parse errors that quote no wire value, and closing a client while calls are in flight."""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.parsers import ResponseParserError

import ivsrt
from ivsrt import _convert
from ivsrt._redact import redact
from ivsrt.retry import RetryPolicy
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import make_client

REGION = "eu-central-1"
STAGE_ARN = f"arn:aws:ivs:{REGION}:123456789012:stage/AbCdEfGh1234"
CHANNEL_ARN = f"arn:aws:ivs:{REGION}:123456789012:channel/AbCdEfGh1234"


# -- B1: credentials fetched by botocore's providers stay out of DEBUG logs ---------------------

STS_SECRET = "STSSECRETcanary0123456789abcdefghijklmnop"
STS_TOKEN = "STSSESSIONcanary0123456789//////////wEaDA"
BASE_SECRET = "BASESECRETcanary0123456789abcdefghijklmno"
STS_REPLY = f"""<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult><Credentials><AccessKeyId>ASIASTSKEYID0001</AccessKeyId>
<SecretAccessKey>{STS_SECRET}</SecretAccessKey><SessionToken>{STS_TOKEN}</SessionToken>
<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>
<AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>
<ResponseMetadata><RequestId>rid-sts</RequestId></ResponseMetadata></AssumeRoleResponse>"""


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()}")


@pytest.fixture
def debug_logs() -> Iterator[_Capture]:
    root = logging.getLogger()
    handler = _Capture()
    saved = {name: logging.getLogger(name).level for name in ("", "botocore", "aiobotocore")}
    root.addHandler(handler)
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def test_assumed_role_credentials_stay_out_of_debug_logs(
    debug_logs: _Capture,
    server: RecordingServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A role profile whose AssumeRole call goes to the local server (AWS_ENDPOINT_URL_STS).
    (tmp_path / "aws-config").write_text(
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n"
        f"region = {REGION}\n[profile base]\nregion = {REGION}\n"
    )
    (tmp_path / "aws-credentials").write_text(
        f"[base]\naws_access_key_id = AKIDBASE00000001\naws_secret_access_key = {BASE_SECRET}\n"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", server.url)
    server.reply("POST", "/", Reply(raw=STS_REPLY.encode(), content_type="text/xml"))
    server.reply("POST", "/GetStage", Reply({"stage": {"arn": STAGE_ARN}}))
    async with ivsrt.Client(
        profile="role", endpoint_url=server.url, retry=RetryPolicy.none()
    ) as ivs:
        stage = (await ivs.api.get_stage(arn=STAGE_ARN)).stage
    assert stage is not None
    assert stage.arn == STAGE_ARN
    assert [r.path for r in server.requests] == ["/", "/GetStage"]
    assert b"AssumeRole" in server.requests[0].body
    # The call was signed with the assumed role's credentials...
    assert "ASIASTSKEYID0001" in server.requests[1].headers["Authorization"]
    assert server.requests[1].headers["X-Amz-Security-Token"] == STS_TOKEN
    # ...and botocore logged the STS reply, but not its secrets.
    text = "\n".join(debug_logs.lines)
    assert "<SecretAccessKey>***</SecretAccessKey>" in text
    assert "ASIASTSKEYID0001" in text  # the key id is not secret and is kept
    for secret in (STS_SECRET, STS_TOKEN, BASE_SECRET):
        assert secret not in text


def test_sso_and_container_credential_replies_are_redacted() -> None:
    # The JSON that the SSO (GetRoleCredentials, CreateToken) and container providers receive.
    sso = (
        '{"roleCredentials": {"accessKeyId": "ASIASSOKEYID0001", "secretAccessKey": "SSOSECRET1",'
        ' "sessionToken": "SSOTOKEN1", "expiration": 4102444800000}}'
    )
    token = '{"accessToken": "SSOACCESS1", "expiresIn": 3600, "refreshToken": "x"}'
    container = '{"AccessKeyId": "ASIACONT0001", "SecretAccessKey": "CONT1", "Token": "CONT2"}'
    for text in (sso, token, container, repr(sso.encode())):
        cleaned = redact(text)
        for secret in ("SSOSECRET1", "SSOTOKEN1", "SSOACCESS1", "CONT1", "CONT2"):
            assert secret not in cleaned
    assert "ASIASSOKEYID0001" in redact(sso)
    assert "ASIACONT0001" in redact(container)


# -- B2/B3: bodies that are not JSON objects -----------------------------------------------------

NOT_AN_OBJECT = [
    pytest.param(b"[1]", "application/json", id="list"),
    pytest.param(b'"x"', "application/json", id="string"),
    pytest.param(b"null", "application/json", id="null"),
    pytest.param(b"\xff\xfe{", "application/json", id="not-utf8"),
]


@pytest.mark.parametrize(("raw", "ctype"), NOT_AN_OBJECT)
async def test_a_5xx_whose_body_is_not_an_object_is_a_retried_service_error(
    server: RecordingServer, raw: bytes, ctype: str
) -> None:
    server.reply("POST", "/GetStage", Reply(raw=raw, content_type=ctype, status=500))
    retry = RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0, deadline=5.0)
    async with make_client(server.url, retry=retry) as ivs:
        with pytest.raises(ivsrt.ServiceError) as info:
            await ivs.api.get_stage(arn=STAGE_ARN)
    assert info.value.status == 500
    assert info.value.code == "500"
    assert len(server.requests) == 2  # retried like any 5xx


@pytest.mark.parametrize(("raw", "ctype"), NOT_AN_OBJECT)
async def test_a_4xx_whose_body_is_not_an_object_keeps_the_header_code(
    client: ivsrt.Client, server: RecordingServer, raw: bytes, ctype: str
) -> None:
    server.reply(
        "POST",
        "/GetStage",
        Reply(
            raw=raw,
            content_type=ctype,
            status=404,
            headers={"x-amzn-ErrorType": "ResourceNotFoundException:http://internal/"},
        ),
    )
    with pytest.raises(ivsrt.ResourceNotFoundError) as info:
        await client.api.get_stage(arn=STAGE_ARN)
    assert info.value.status == 404
    server.reply("POST", "/GetStage", Reply(raw=raw, content_type=ctype, status=400))
    with pytest.raises(ivsrt.ServiceError) as info2:
        await client.api.get_stage(arn=STAGE_ARN)
    assert (info2.value.status, info2.value.code) == (400, "400")


@pytest.mark.parametrize(
    ("raw", "ctype"),
    [
        *NOT_AN_OBJECT,
        pytest.param(b'"hello"', "application/json", id="string2"),
        pytest.param(b"<html><body>login</body></html>", "text/html", id="html"),
        pytest.param(b"{not json", "application/json", id="broken-json"),
    ],
)
async def test_a_success_whose_body_is_not_an_object_is_a_parse_error(
    client: ivsrt.Client, server: RecordingServer, raw: bytes, ctype: str
) -> None:
    server.reply("POST", "/GetStage", Reply(raw=raw, content_type=ctype))
    with pytest.raises(ivsrt.ResponseParseError) as info:
        await client.api.get_stage(arn=STAGE_ARN)
    assert isinstance(info.value.__cause__, ResponseParserError)
    assert "GetStage" in str(info.value)
    assert len(server.requests) == 1


async def test_empty_success_bodies_still_work(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    server.reply("POST", "/DeleteStage", Reply({}))
    await client.api.delete_stage(arn=STAGE_ARN)
    server.reply("POST", "/DeleteStage", Reply(raw=b"", status=200))
    await client.api.delete_stage(arn=STAGE_ARN)
    server.reply("POST", "/DeleteChannel", Reply(raw=b"", status=204))
    await client.channels.delete_channel(arn=CHANNEL_ARN)
    assert [r.path for r in server.requests] == ["/DeleteStage", "/DeleteStage", "/DeleteChannel"]


# -- B4: a string or a dict where the model has a list ------------------------------------------


@pytest.mark.parametrize("value", ["abc", {"a": 1}], ids=["string", "dict"])
async def test_a_non_list_where_a_list_is_expected_is_a_parse_error(
    client: ivsrt.Client, server: RecordingServer, value: object
) -> None:
    server.reply("POST", "/ListStages", Reply({"stages": value}))
    with pytest.raises(ivsrt.ResponseParseError) as info:
        await client.api.list_stages()
    assert "'stages'" in str(info.value)
    assert isinstance(info.value.__cause__, TypeError)
    server.reply(
        "POST",
        "/CreateParticipantToken",
        Reply({"participantToken": {"participantId": "p", "capabilities": "PUBLISH"}}),
    )
    with pytest.raises(ivsrt.ResponseParseError):
        await client.api.create_participant_token(stage_arn=STAGE_ARN)
    # A tuple-free list still structures.
    server.reply("POST", "/ListStages", Reply({"stages": [{"arn": STAGE_ARN}]}))
    assert (await client.api.list_stages()).stages[0].arn == STAGE_ARN


# -- B5: endpoint and credential arguments -------------------------------------------------------


@pytest.mark.parametrize("url", ["not a url", "http://", "http://[::1"])
async def test_an_unusable_endpoint_url_is_a_configuration_error(url: str) -> None:
    client = make_client(url)
    with pytest.raises(ivsrt.ConfigurationError) as info:
        await client.open()
    assert isinstance(info.value.__cause__, ValueError)
    await client.close()


def test_a_session_token_needs_the_key_pair() -> None:
    with pytest.raises(ivsrt.ConfigurationError, match="aws_session_token"):
        ivsrt.Client(REGION, aws_session_token="token-without-keys")


# -- B6/T1/T4: timestamps ------------------------------------------------------------------------


async def test_timestamps_arrive_raw_from_botocore_and_leave_ivsrt_in_utc(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    wire = "2024-05-01T14:34:56.12345+02:00"
    server.reply(
        "POST",
        "/CreateParticipantToken",
        Reply({"participantToken": {"participantId": "p", "token": "t", "expirationTime": wire}}),
    )
    # botocore's own timestamp parsing (dateutil) is off for ivsrt's aiobotocore client.
    raw = await client._aio.create_participant_token(stageArn=STAGE_ARN)
    assert raw["participantToken"]["expirationTime"] == wire
    # ivsrt parses it, converted to UTC, with the stdlib's UTC (not dateutil's tzutc).
    token = (await client.api.create_participant_token(stage_arn=STAGE_ARN)).participant_token
    when = token.expiration_time
    assert when is not None
    assert when.tzinfo is datetime.timezone.utc
    assert when == datetime.datetime(2024, 5, 1, 12, 34, 56, 123450, tzinfo=datetime.timezone.utc)
    assert when.hour == 12


@pytest.mark.parametrize(
    "wire",
    [
        "2024-05-01T12:34:56Z",
        "2024-05-01T12:34:56.1Z",
        "2024-05-01T12:34:56.123Z",
        "2024-05-01T12:34:56.12345Z",
        "2024-05-01T12:34:56.123456789Z",
        "2024-05-01T12:34:56.5+00:00",
        "2024-05-01T08:34:56-04:00",
    ],
)
def test_iso_normalisation_for_python_310(wire: str) -> None:
    # Python 3.10's fromisoformat accepts no "Z" and only 3 or 6 fraction digits: ivsrt
    # rewrites the string to that form there (and parses it without dateutil).
    normal = _convert._normalise_iso(wire)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d", normal)
    parsed = _convert.parse_timestamp(wire)
    assert parsed.tzinfo is datetime.timezone.utc
    assert datetime.datetime.fromisoformat(normal) == parsed
    assert (
        _convert.parse_timestamp(parsed.astimezone(datetime.timezone(-datetime.timedelta(hours=3))))
        == parsed
    )


# -- B7: parse errors quote no wire value -------------------------------------------------------


async def test_a_parse_error_quotes_no_wire_value(
    client: ivsrt.Client, server: RecordingServer
) -> None:
    canary = "CANARYtoken0123456789"
    for token in (
        {"participantId": "p", "token": canary, "expirationTime": f"garbage-{canary}"},
        {"participantId": "p", "token": canary, "duration": f"x{canary}"},
        {"participantId": "p", "token": canary, "attributes": [canary]},
    ):
        server.reply("POST", "/CreateParticipantToken", Reply({"participantToken": token}))
        with pytest.raises(ivsrt.ResponseParseError) as info:
            await client.api.create_participant_token(stage_arn=STAGE_ARN)
        assert canary not in str(info.value)
        assert "CreateParticipantToken" in str(info.value)
        assert info.value.__cause__ is not None  # the original, for debugging


# -- T3: closing the client while calls are in flight --------------------------------------------


async def _close_when_sent(
    client: ivsrt.Client, server: RecordingServer, sent: int, *calls: asyncio.Task[object]
) -> list[object]:
    for _ in range(150):  # bounded: the caller's wait_for cuts it at 1.5 s anyway
        if len(server.requests) >= sent:
            break
        await asyncio.sleep(0.01)
    await client.close()
    return await asyncio.gather(*calls, return_exceptions=True)


async def test_closing_the_client_fails_calls_in_flight(server: RecordingServer) -> None:
    server.reply("POST", "/GetStage", Reply({"stage": {"arn": STAGE_ARN}}, delay=2.0))
    server.reply("POST", "/CreateStage", Reply({"stage": {"arn": STAGE_ARN}}, delay=2.0))
    # Without retries: the connections are closed under the calls, which fail as a transport
    # error (a read, safe to send again) and an unknown outcome (a create).
    client = make_client(server.url)
    await client.open()
    read = asyncio.create_task(client.api.get_stage(arn=STAGE_ARN))
    create = asyncio.create_task(client.api.create_stage(name="in-flight"))
    results = await asyncio.wait_for(_close_when_sent(client, server, 2, read, create), 1.5)
    assert type(results[0]) is ivsrt.TransportError
    assert results[0].may_have_been_applied is True
    assert type(results[1]) is ivsrt.OutcomeUnknownError
    # With retries: the read is not sent again on the closed client.
    retry = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0)
    client = make_client(server.url, retry=retry)
    await client.open()
    read = asyncio.create_task(client.api.get_stage(arn=STAGE_ARN))
    (result,) = await asyncio.wait_for(_close_when_sent(client, server, 3, read), 1.5)
    assert isinstance(result, ivsrt.ConfigurationError)
    assert "closed" in str(result)
    assert len(server.requests) == 3
