"""pytest fixtures for testing against the emulator.

Load it from your ``conftest.py``::

    pytest_plugins = ["ivsrt.emulator.pytest_plugin"]

and use ``ivs_emulator`` (a started `~ivsrt.emulator.Emulator`, one per test) or
``ivs_client`` (an open `ivsrt.Client` bound to it). Needs pytest-asyncio.

For a faster suite, ``ivs_emulator_reset`` gives every test the same emulator (started once per
session, serving from a background thread), reset before the test: no resources, no faults, no
request log, the clock at real time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from ivsrt.client import Client
from ivsrt.emulator._emulator import Emulator

__all__ = ["ivs_client", "ivs_emulator", "ivs_emulator_reset", "ivs_emulator_shared"]


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


class _Background:
    """An emulator serving from its own event loop in a daemon thread, so that it answers
    whatever event loop each test runs on."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="ivsrt-emulator", daemon=True
        )

    def __enter__(self) -> Emulator:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.emu.start(), self._loop).result(timeout=30)
        return self.emu

    def __exit__(self, *exc: object) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.emu.stop(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()


@pytest.fixture(scope="session")
def ivs_emulator_shared() -> Iterator[Emulator]:
    """One started emulator (seed 0) for the whole session, serving from a background thread.
    State carries over from test to test: use ``ivs_emulator_reset`` to start each test
    clean."""
    with _Background(Emulator(seed=0)) as emu:
        yield emu


@pytest.fixture
def ivs_emulator_reset(ivs_emulator_shared: Emulator) -> Emulator:
    """The session's shared emulator, reset before the test (`Emulator.reset`)."""
    ivs_emulator_shared.reset()
    return ivs_emulator_shared
