"""pytest fixtures for testing against the emulator.

Load it from your ``conftest.py``::

    pytest_plugins = ["ivsrt.emulator.pytest_plugin"]

Fixtures:

- ``ivs_emulator``: a started `~ivsrt.emulator.Emulator`, one per test;
- ``ivs_client``: an open `ivsrt.Client` bound to it, and the ambient client of the test
  (``ivsrt.current_client()``, what resources use when given no client);
- ``ivs_emulator_factory``: ``await ivs_emulator_factory(**options)`` starts one more
  emulator (options: `~ivsrt.emulator.Emulator`'s keyword arguments, over the configured
  ones), stopped after the test;
- ``ivs_emulator_shared``: one emulator for the whole session (per pytest-xdist worker),
  serving from a background thread; ``ivs_emulator_reset``: the same, reset before the test.

The async fixtures need pytest-asyncio (without it they fail saying so; the shared ones work).

Options of the emulators these fixtures start, from the ini file::

    [tool.pytest.ini_options]
    ivsrt_emulator_region = "eu-west-1"      # default us-west-2
    ivsrt_emulator_seed = "7"                # default 0; "none": not deterministic
    ivsrt_emulator_frozen_clock = true       # default false
    ivsrt_emulator_limits = ["max_stages=500", "max_active_compositions=20"]

and for one test (or a module, with ``pytestmark``), over the ini file, any keyword argument
of `~ivsrt.emulator.Emulator`: ``@pytest.mark.ivsrt_emulator(region="eu-west-1",
frozen_clock=True)``, or ``@pytest.mark.ivsrt_limits(max_stages=3)`` for `Limits` fields.
Markers do not apply to the session's shared emulator.

``ivs_events`` waits for the EventBridge events of ``ivs_emulator`` (an `EventWaiter`)::

    async def test_composition_starts(ivs_client, ivs_emulator, ivs_events):
        composition = await stage.start_composition(destinations=[...])
        ivs_emulator.clock.advance(10)
        event = await ivs_events.next(
            "IVS Composition State Change", resource=composition.arn, timeout=5
        )
        assert event.event_name is CompositionEventName.SESSION_START

Every emulator listens on a free port of 127.0.0.1, so pytest-xdist workers never clash.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, NoReturn

import attrs
import pytest

from ivsrt.client import Client
from ivsrt.emulator._emulator import Emulator, EventDetailType
from ivsrt.emulator.state.limits import Limits, parse_limits
from ivsrt.events import IvsEvent, parse_event

try:
    import pytest_asyncio
except ImportError:  # the shared fixtures still work; the async ones say what is missing
    _async_fixture: Callable[[Any], Any] | None = None
else:
    _async_fixture = pytest_asyncio.fixture

__all__ = [
    "EventWaiter",
    "ivs_client",
    "ivs_emulator",
    "ivs_emulator_factory",
    "ivs_emulator_reset",
    "ivs_emulator_shared",
    "ivs_events",
]

EmulatorFactory = Callable[..., Awaitable[Emulator]]
"""``ivs_emulator_factory``: ``await factory(**options)`` -> a started `Emulator`."""

_INI = "ivsrt_emulator_"
_OPTIONS = frozenset(inspect.signature(Emulator).parameters)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        f"{_INI}limits",
        type="linelist",
        default=[],
        help="NAME=VALUE quotas and bounds (ivsrt.emulator.Limits) of the ivsrt emulator fixtures",
    )
    parser.addini(f"{_INI}region", type="string", default="us-west-2", help="their region")
    parser.addini(
        f"{_INI}seed", type="string", default="0", help="their seed (an integer, or none)"
    )
    parser.addini(
        f"{_INI}frozen_clock", type="bool", default=False, help="start their clock frozen"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ivsrt_emulator(**options): Emulator keyword arguments for this test's ivs_emulator "
        "(e.g. region='eu-west-1', frozen_clock=True), over the ivsrt_emulator_* ini options",
    )
    config.addinivalue_line(
        "markers",
        "ivsrt_limits(**fields): Limits fields for this test's ivs_emulator "
        "(e.g. max_stages=300), over ivsrt_emulator_limits",
    )


def _ini_options(config: pytest.Config) -> dict[str, Any]:
    """The emulator options the ini file sets (`pytest.UsageError` for a bad value)."""
    try:
        limits = parse_limits(config.getini(f"{_INI}limits"))
    except ValueError as exc:
        raise pytest.UsageError(f"{_INI}limits: {exc}") from None
    seed_text = str(config.getini(f"{_INI}seed")).strip()
    try:
        seed = None if seed_text.lower() == "none" else int(seed_text)
    except ValueError:
        raise pytest.UsageError(f"{_INI}seed: {seed_text!r} is not an integer or none") from None
    return {
        "region": str(config.getini(f"{_INI}region")).strip(),
        "seed": seed,
        "frozen_clock": bool(config.getini(f"{_INI}frozen_clock")),
        "limits": limits,
    }


def _checked(options: dict[str, Any], where: str) -> dict[str, Any]:
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        pytest.fail(
            f"{where}: {', '.join(unknown)} not an option of ivsrt.emulator.Emulator "
            f"(one of {', '.join(sorted(_OPTIONS))})",
            pytrace=False,
        )
    return options


def _test_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ini options, then the test's ``ivsrt_emulator`` and ``ivsrt_limits`` markers."""
    options = _ini_options(request.config)
    marker = request.node.get_closest_marker("ivsrt_emulator")
    if marker is not None:
        options.update(_checked(dict(marker.kwargs), "@pytest.mark.ivsrt_emulator"))
    marker = request.node.get_closest_marker("ivsrt_limits")
    if marker is not None:
        limits: Limits = options["limits"] or Limits()
        try:
            options["limits"] = attrs.evolve(limits, **marker.kwargs)
        except TypeError as exc:
            pytest.fail(f"@pytest.mark.ivsrt_limits: {exc}", pytrace=False)
    return options


def _needs_asyncio(name: str) -> NoReturn:
    pytest.fail(
        f"the {name} fixture (ivsrt.emulator.pytest_plugin) needs pytest-asyncio: "
        "pip install pytest-asyncio (ivs_emulator_shared and ivs_emulator_reset work without "
        "it)",
        pytrace=False,
    )


def _async(func: Callable[..., AsyncIterator[Any]]) -> Any:
    """An async fixture, or without pytest-asyncio one that fails saying it is needed."""
    if _async_fixture is not None:
        return _async_fixture(func)

    def missing() -> NoReturn:
        _needs_asyncio(func.__name__)

    missing.__doc__ = func.__doc__
    return pytest.fixture(name=func.__name__)(missing)


@_async
async def ivs_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    """A started emulator, stopped after the test: seed 0, region us-west-2, or what the
    ``ivsrt_emulator_*`` ini options and the test's ``@pytest.mark.ivsrt_emulator(...)`` /
    ``@pytest.mark.ivsrt_limits(...)`` say."""
    async with Emulator(**_test_options(request)) as emu:
        yield emu


@_async
async def ivs_client(ivs_emulator: Emulator) -> AsyncIterator[Client]:
    """An open ``ivsrt.Client`` for ``ivs_emulator``, closed after the test. It is the test's
    ambient client: ``ivsrt.current_client()`` returns it, and resources given no client use
    it."""
    async with ivs_emulator.client() as client:
        yield client


@_async
async def ivs_emulator_factory(request: pytest.FixtureRequest) -> AsyncIterator[EmulatorFactory]:
    """``await ivs_emulator_factory(**options)``: one more started emulator (say, a second
    account), with `Emulator`'s keyword arguments over the options ``ivs_emulator`` would
    have; every one is stopped after the test."""
    base = _test_options(request)
    started: list[Emulator] = []

    async def start(**options: Any) -> Emulator:
        emu = Emulator(**{**base, **_checked(options, "ivs_emulator_factory")})
        await emu.start()
        started.append(emu)
        return emu

    try:
        yield start
    finally:
        for emu in reversed(started):
            await emu.stop()


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
    """One started emulator for the whole session (each pytest-xdist worker has its own),
    serving from a background thread, with the ``ivsrt_emulator_*`` ini options. State
    carries over from test to test: use ``ivs_emulator_reset`` to start each test clean."""
    with _Background(Emulator(**_ini_options(pytestconfig))) as emu:
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
