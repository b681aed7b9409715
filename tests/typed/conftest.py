"""Fixtures of the typed-layer tests: a recording server on 127.0.0.1 and an ivsrt client
pointed at it (the AWS environment is isolated by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiobotocore.session import AioSession, get_session

import ivsrt
from ivsrt.retry import RetryPolicy
from tests.typed._server import RecordingServer

REGION = "eu-central-1"
ACCESS_KEY = "AKIDTYPEDLAYERTEST01"
SECRET_KEY = "SECRETcanary0wJalrXUtnFEMIK7MDENGbPxRfiCY"
SESSION_TOKEN = "SESSIONcanary0FwoGZXIvYXdzEJr//////////wEaDAtoken"


@pytest.fixture
async def server() -> AsyncIterator[RecordingServer]:
    srv = RecordingServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


_shared_session: AioSession | None = None


def shared_session() -> AioSession:
    """One aiobotocore session for the folder's clients (it caches the loaded service model;
    a fresh session per test costs ~0.1 s). Credentials and region are always explicit."""
    global _shared_session
    if _shared_session is None:
        _shared_session = get_session()
    return _shared_session


def make_client(endpoint_url: str, **kwargs: object) -> ivsrt.Client:
    options: dict[str, object] = {
        "session": shared_session(),
        "region": REGION,
        "endpoint_url": endpoint_url,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "aws_session_token": SESSION_TOKEN,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        # One attempt per call: these tests look at single requests, not at the retry policy.
        "retry": RetryPolicy.none(),
    }
    options.update(kwargs)
    return ivsrt.Client(**options)  # type: ignore[arg-type]


@pytest.fixture
async def client(server: RecordingServer) -> AsyncIterator[ivsrt.Client]:
    async with make_client(server.url) as c:
        yield c
