"""pytest fixtures for testing against the emulator.

Load it from your ``conftest.py``::

    pytest_plugins = ["ivsrt.emulator.pytest_plugin"]

and use ``ivs_emulator`` (a started `~ivsrt.emulator.Emulator`, one per test) or
``ivs_client`` (an open `ivsrt.Client` bound to it). Needs pytest-asyncio.

Quotas and bounds of the emulators these fixtures start come from the ini option
``ivsrt_emulator_limits`` (one ``NAME=VALUE`` per line, fields of `~ivsrt.emulator.Limits`)::

    [tool.pytest.ini_options]
    ivsrt_emulator_limits = ["max_stages=500", "max_active_compositions=20"]

or for one test, ``@pytest.mark.ivsrt_limits(max_stages=3)``.

``ivs_events`` waits for the EventBridge events of ``ivs_emulator`` (an `EventWaiter`)::

    async def test_composition_starts(ivs_client, ivs_emulator, ivs_events):
        composition = await stage.start_composition(destinations=[...])
        ivs_emulator.clock.advance(10)
        event = await ivs_events.next(
            "IVS Composition State Change", resource=composition.arn, timeout=5
        )
        assert event.event_name is CompositionEventName.SESSION_START

For a faster suite, ``ivs_emulator_reset`` gives every test the same emulator (started once per
session, serving from a background thread), reset before the test: no resources, no faults, no
request log, the clock at real time.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator

import attrs
import pytest
import pytest_asyncio

from ivsrt.client import Client
from ivsrt.emulator._emulator import Emulator, EventDetailType
from ivsrt.emulator.state.limits import Limits, parse_limits
from ivsrt.events import IvsEvent, parse_event

__all__ = [
    "EventWaiter",
    "ivs_client",
    "ivs_emulator",
    "ivs_emulator_reset",
    "ivs_emulator_shared",
    "ivs_events",
]


_LIMITS_INI = "ivsrt_emulator_limits"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        _LIMITS_INI,
        type="linelist",
        default=[],
        help="NAME=VALUE quotas and bounds (ivsrt.emulator.Limits) of the ivsrt emulator fixtures",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ivsrt_limits(**fields): Limits fields for this test's ivs_emulator "
        "(e.g. max_stages=300), over ivsrt_emulator_limits",
    )


def _limits(config: pytest.Config) -> Limits:
    try:
        return parse_limits(config.getini(_LIMITS_INI))
    except ValueError as exc:
        raise pytest.UsageError(f"{_LIMITS_INI}: {exc}") from None


@pytest_asyncio.fixture
async def ivs_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    """A started emulator (seed 0), stopped after the test. Its limits: the ini option
    ``ivsrt_emulator_limits``, then the test's ``@pytest.mark.ivsrt_limits(...)``."""
    limits = _limits(request.config)
    marker = request.node.get_closest_marker("ivsrt_limits")
    if marker is not None:
        limits = attrs.evolve(limits, **marker.kwargs)
    async with Emulator(seed=0, limits=limits) as emu:
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
def ivs_emulator_shared(pytestconfig: pytest.Config) -> Iterator[Emulator]:
    """One started emulator (seed 0) for the whole session, serving from a background thread.
    State carries over from test to test: use ``ivs_emulator_reset`` to start each test
    clean."""
    with _Background(Emulator(seed=0, limits=_limits(pytestconfig))) as emu:
        yield emu


@pytest.fixture
def ivs_emulator_reset(ivs_emulator_shared: Emulator) -> Emulator:
    """The session's shared emulator, reset before the test (`Emulator.reset`)."""
    ivs_emulator_shared.reset()
    return ivs_emulator_shared


class EventWaiter:
    """Waits for an emulator's EventBridge events, parsed (`ivsrt.events.parse_event`).

    It sees the events emitted since it was made, and returns each at most once, oldest
    first: ``next(...)`` is the oldest matching event not returned yet, waited for up to
    ``timeout`` seconds (``TimeoutError`` then, naming what was awaited). Make one for any
    emulator, e.g. ``EventWaiter(ivs_emulator_reset)``.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._start = emulator.event_cursor
        self._returned: set[str] = set()

    def all(
        self,
        detail_type: EventDetailType | None = None,
        *,
        resource: str | None = None,
        event_name: str | None = None,
    ) -> list[IvsEvent]:
        """Every matching event emitted since the waiter was made (returned or not)."""
        found = self.emulator.events(
            detail_type=detail_type, resource=resource, event_name=event_name, after=self._start
        )
        return [parse_event(e) for e in found]

    async def next(
        self,
        detail_type: EventDetailType | None = None,
        *,
        resource: str | None = None,
        event_name: str | None = None,
        timeout: float = 10.0,
    ) -> IvsEvent:
        """The oldest matching event not returned yet, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.all(detail_type, resource=resource, event_name=event_name):
                if event.id not in self._returned:
                    self._returned.add(event.id)
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                wanted = ", ".join(
                    f"{k}={v!r}"
                    for k, v in (
                        ("detail_type", detail_type),
                        ("resource", resource),
                        ("event_name", event_name),
                    )
                    if v is not None
                )
                raise TimeoutError(f"no event ({wanted or 'any'}) within {timeout} seconds")
            await asyncio.sleep(min(0.02, remaining))


@pytest.fixture
def ivs_events(ivs_emulator: Emulator) -> EventWaiter:
    """An `EventWaiter` for ``ivs_emulator``'s events of this test."""
    return EventWaiter(ivs_emulator)
