"""A client left unclosed says where it was created; a client used from another event loop says
so before sending."""

from __future__ import annotations

import asyncio
import gc
import sys
import warnings
from typing import Any

import pytest

import ivsrt
from ivsrt.emulator import Emulator


def _ours(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and "ivsrt.Client" in str(w.message)
    ]


@pytest.mark.parametrize("via", ["Client", "Emulator.client"])
async def test_unclosed_client_warns_with_the_line_that_created_it(
    ivs_emulator: Emulator, via: str
) -> None:
    settings: dict[str, Any] = {
        "endpoint_url": ivs_emulator.endpoint_url,
        "aws_access_key_id": ivs_emulator.access_key,
        "aws_secret_access_key": ivs_emulator.secret_key,
    }
    if via == "Client":
        line = sys._getframe().f_lineno + 1
        client = ivsrt.Client(region="us-west-2", **settings)
    else:
        line = sys._getframe().f_lineno + 1
        client = ivs_emulator.client()  # through ivsrt's own code: the caller's line counts
    await client.api.list_stages()
    core = client._core  # kept to close the connections once the client is gone
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del client
        gc.collect()
    await core.close()
    assert _ours(caught) == [
        f"unclosed ivsrt.Client created at {__file__}:{line}: close it with "
        "`await client.close()` or use `async with ivsrt.Client(...)`"
    ]


async def test_closed_unopened_and_view_clients_do_not_warn(ivs_emulator: Emulator) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        never_opened = ivs_emulator.client()
        async with ivs_emulator.client() as closed:
            view = closed.with_options(retry=ivsrt.RetryPolicy.none())
            await view.api.list_stages()
            del view
            gc.collect()
        del never_opened, closed
        gc.collect()
    assert _ours(caught) == []


def test_client_from_another_event_loop_is_a_configuration_error(
    ivs_emulator_reset: Emulator,
) -> None:
    """The loop a second ``asyncio.run`` makes: the same check, with the first loop kept alive
    here so the client can still be closed in it."""
    emu = ivs_emulator_reset
    client = emu.client()
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        first.run_until_complete(client.api.list_stages())
        sent = emu.request_count()

        async def enter() -> None:
            async with client:
                pass  # pragma: no cover - the block is never entered

        for attempt in (client.api.list_stages, client.channels.list_channels, enter):
            with pytest.raises(
                ivsrt.ConfigurationError, match="this client belongs to another event loop"
            ):
                second.run_until_complete(attempt())
        assert emu.request_count() == sent
        assert not client.closed
        # in its own loop it still works
        first.run_until_complete(client.api.list_stages())
        assert emu.request_count() == sent + 1
        first.run_until_complete(client.close())
    finally:
        first.close()
        second.close()


def test_two_asyncio_runs_with_a_client_made_in_each(ivs_emulator_reset: Emulator) -> None:
    async def use() -> int:
        async with ivs_emulator_reset.client() as client:
            return len((await client.api.list_stages()).stages)

    assert asyncio.run(use()) == asyncio.run(use()) == 0
