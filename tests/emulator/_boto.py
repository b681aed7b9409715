"""Plain boto3 clients of the emulator (ivs and ivs-realtime), for the tests of its documented
behaviours, loading the service models ivsrt ships (newer than an older installed botocore's).
Call them through ``asyncio.to_thread`` (or `Boto`): the emulator serves on the test's loop."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

import ivsrt
from ivsrt.emulator import Emulator

__all__ = [
    "ACCOUNT",
    "REGION",
    "Boto",
    "a_channel",
    "boto",
    "client_channel",
    "code",
    "new_channel",
]

ACCOUNT, REGION = "123456789012", "us-west-2"


def boto(endpoint_url: str, service: str = "ivs", region: str = REGION) -> Any:
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
    return boto3.Session(botocore_session=session).client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )


class Boto:
    """A plain boto3 ivs-realtime client, called from a thread."""

    def __init__(self, emu: Emulator) -> None:
        self.endpoint_url = emu.endpoint_url
        self._client = boto(emu.endpoint_url, "ivs-realtime")

    async def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.to_thread(getattr(self._client, operation), **params)
        return result


def code(exc: ClientError) -> tuple[str, int]:
    """The error code and HTTP status of a boto3 error."""
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def new_channel(endpoint_url: str, region: str = "us-west-2") -> str:
    """The ARN of a new IVS channel of the emulator (a composition's destination)."""
    arn: str = boto(endpoint_url, "ivs", region).create_channel()["channel"]["arn"]
    return arn


async def a_channel(endpoint_url: str, region: str = "us-west-2") -> str:
    """`new_channel` from async code."""
    return await asyncio.to_thread(new_channel, endpoint_url, region)


async def client_channel(client: ivsrt.Client) -> str:
    """The ARN of a new IVS channel, created through ivsrt's own channel calls."""
    created = await client.channels.create_channel()
    assert created.channel is not None
    assert created.channel.arn is not None
    return created.channel.arn
