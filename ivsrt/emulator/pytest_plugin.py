"""pytest fixtures for testing against the emulator.

Load it from your ``conftest.py``::

    pytest_plugins = ["ivsrt.emulator.pytest_plugin"]

and use ``ivs_emulator`` (a started `~ivsrt.emulator.Emulator`, one per test) or
``ivs_client`` (an open `ivsrt.Client` bound to it). Needs pytest-asyncio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from ivsrt.client import Client
from ivsrt.emulator._emulator import Emulator

__all__ = ["ivs_client", "ivs_emulator"]


@pytest_asyncio.fixture
async def ivs_emulator() -> AsyncIterator[Emulator]:
    """A started emulator (seed 0), stopped after the test."""
    async with Emulator(seed=0) as emu:
        yield emu


@pytest_asyncio.fixture
async def ivs_client(ivs_emulator: Emulator) -> AsyncIterator[Client]:
    """An open ``ivsrt.Client`` for ``ivs_emulator``, closed after the test."""
    async with ivs_emulator.client() as client:
        yield client
