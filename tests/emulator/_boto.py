"""A plain boto3 client of the emulator, for the tests of its documented behaviours."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

import ivsrt
from ivsrt.emulator import Emulator

__all__ = ["ACCOUNT", "REGION", "Boto"]

ACCOUNT, REGION = "123456789012", "us-west-2"


class Boto:
    """A plain boto3 ivs-realtime client (the service model ivsrt ships on its loader path,
    for the newest members), called from a thread: the emulator serves on the test's loop."""

    def __init__(self, emu: Emulator) -> None:
        core = botocore.session.get_session()
        core.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
        self._client = boto3.Session(botocore_session=core).client(
            "ivs-realtime",
            region_name=REGION,
            endpoint_url=emu.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )

    async def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.to_thread(getattr(self._client, operation), **params)
        return result
