"""Fixtures of the emulator tests: a raw aiobotocore client (no client-side validation, no
retries) next to the plugin's ``ivs_emulator`` / ``ivs_client``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

import ivsrt
from ivsrt.emulator import Emulator
from tests.emulator._boto import Boto


def raw_config(attempts: int = 1) -> AioConfig:
    return AioConfig(
        parameter_validation=False,
        retries={"total_max_attempts": attempts, "mode": "standard"},
    )


def model_session() -> Any:
    """A plain aiobotocore session that loads the service model ivsrt ships (botocore's own
    data, newer than an older installed botocore's), so both ends of a comparison parse the
    same members."""
    session = get_session()
    session.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
    return session


@pytest_asyncio.fixture
async def aio(ivs_emulator: Emulator) -> AsyncIterator[Any]:
    """A plain aiobotocore ivs-realtime client for the emulator, with the service model ivsrt
    ships (botocore's own data, newer than the installed botocore's) on its loader path."""
    session = get_session()
    session.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
    async with session.create_client(
        "ivs-realtime",
        region_name=ivs_emulator.region,
        endpoint_url=ivs_emulator.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=raw_config(),
    ) as client:
        yield client


@pytest.fixture
def boto(ivs_emulator: Emulator) -> Boto:
    """A plain boto3 client of ``ivs_emulator`` (`Boto`: ``await boto("create_stage", ...)``)."""
    return Boto(ivs_emulator)
