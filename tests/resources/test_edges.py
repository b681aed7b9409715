"""Edges of listing and waiting: a token cycle and an endless run of empty pages end with a
``PaginationError``; a waiter's last pause and last poll are clipped to its deadline."""

from __future__ import annotations

import time

import pytest

import ivsrt
from ivsrt import IngestConfiguration, Stage
from ivsrt.emulator import Emulator
from ivsrt.paging import MAX_EMPTY_PAGES

from .conftest import FakeService

STAGE = {"arn": "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCD1234", "name": "x"}


async def test_a_token_cycle_raises_instead_of_looping(fake_service: FakeService) -> None:
    cycle = {None: "A", "A": "B", "B": "A"}
    fake_service.handlers["ListStages"] = lambda body: {
        "stages": [STAGE],
        "nextToken": cycle[body.get("nextToken")],
    }
    async with fake_service.client() as client:
        with pytest.raises(ivsrt.PaginationError, match="already"):
            async for _ in Stage.list(client=client):
                pass
    assert fake_service.count("ListStages") == 3  # None -> A -> B -> A: caught at the third


async def test_an_endless_run_of_empty_pages_raises(fake_service: FakeService) -> None:
    counter = iter(range(10 * MAX_EMPTY_PAGES))
    fake_service.handlers["ListStages"] = lambda body: {
        "stages": [],
        "nextToken": f"t{next(counter)}",
    }
    async with fake_service.client() as client:
        with pytest.raises(ivsrt.PaginationError, match="empty pages"):
            async for _ in Stage.list(client=client):
                pass
    assert fake_service.count("ListStages") == MAX_EMPTY_PAGES


async def test_empty_pages_between_items_are_fine(fake_service: FakeService) -> None:
    """Filtered listings may send some empty pages: the run restarts at every item."""
    pages = iter(range(3 * MAX_EMPTY_PAGES))

    def handler(body: dict[str, object]) -> dict[str, object]:
        n = next(pages)
        if n == 3 * MAX_EMPTY_PAGES - 1:
            return {"stages": [STAGE]}
        return {"stages": [STAGE] if n % (MAX_EMPTY_PAGES - 1) == 0 else [], "nextToken": f"t{n}"}

    fake_service.handlers["ListStages"] = handler
    async with fake_service.client() as client:
        found = [s async for s in Stage.list(client=client)]
    assert len(found) == 5
    assert fake_service.count("ListStages") == 3 * MAX_EMPTY_PAGES


async def _inactive_ingest(client: ivsrt.Client) -> IngestConfiguration:
    stage = await Stage.create(name="rtmp", client=client)
    return await IngestConfiguration.create(
        ingest_protocol="RTMP", insecure_ingest=True, stage=stage, client=client
    )


async def test_the_last_pause_is_clipped_to_the_deadline(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    ingest = await _inactive_ingest(ivs_client)
    started = time.monotonic()
    with pytest.raises(ivsrt.WaiterTimeoutError):
        await ingest.wait_until_active(timeout=0.5, min_delay=5, max_delay=5)
    elapsed = time.monotonic() - started
    assert 0.45 < elapsed < 1.5, "it slept a whole 5 s pause past the 0.5 s deadline"
    assert ivs_emulator.request_count("GetIngestConfiguration") == 1


async def test_the_last_poll_is_bounded_by_the_deadline(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    ingest = await _inactive_ingest(ivs_client)
    ivs_emulator.faults.inject("GetIngestConfiguration", "latency", latency=5)
    started = time.monotonic()
    with pytest.raises(ivsrt.WaiterTimeoutError) as caught:
        await ingest.wait_until_active(timeout=0.5, min_delay=0.01, max_delay=0.01)
    elapsed = time.monotonic() - started
    assert 0.45 < elapsed < 1.5, "it waited for a poll that ends past the deadline"
    assert caught.value.last == ingest
