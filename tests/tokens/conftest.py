"""Fixtures of the token tests: a stage on the emulator, a key pair imported into it, and the
emulator's HTTP control surface (what a real media client does with a token)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

import ivsrt
from ivsrt import PublicKey, Stage
from ivsrt.emulator import Emulator
from ivsrt.tokens import KeyPair, TokenSigner, generate_key_pair

__all__ = ["Media", "imported", "media", "stage"]


class Media:
    """POSTs to the emulator's control surface (``/_emulator/<action>``) over HTTP."""

    def __init__(self, endpoint_url: str, http: aiohttp.ClientSession) -> None:
        self._base = endpoint_url.rstrip("/") + "/_emulator/"
        self._http = http

    async def post(self, action: str, token: str | None) -> tuple[int, dict[str, Any]]:
        async with self._http.post(self._base + action, json={"token": token}) as resp:
            body: dict[str, Any] = await resp.json()
            return resp.status, body


@pytest_asyncio.fixture
async def media(ivs_emulator: Emulator) -> AsyncIterator[Media]:
    async with aiohttp.ClientSession() as http:
        yield Media(ivs_emulator.endpoint_url, http)


@pytest_asyncio.fixture
async def stage(ivs_client: ivsrt.Client) -> Stage:
    return await Stage.create(name="tokens", client=ivs_client)


@pytest_asyncio.fixture
async def imported(ivs_client: ivsrt.Client) -> tuple[KeyPair, PublicKey, TokenSigner]:
    """A fresh key pair whose public half is imported into the emulator, and its signer."""
    keys = generate_key_pair()
    key = await PublicKey.import_key(public_key_material=keys.public_pem, client=ivs_client)
    assert key.arn is not None
    return keys, key, keys.signer(key.arn)
