"""The ambient client (``current_client()``) is per task: tasks entering the same client or
view concurrently never change what another task sees."""

from __future__ import annotations

import asyncio

from ivsrt import RetryPolicy, Stage, current_client
from ivsrt.emulator import Emulator


async def test_sibling_tasks_entering_one_view_keep_their_ambient_client(
    ivs_emulator: Emulator,
) -> None:
    async with ivs_emulator.client() as ivs:
        patient = ivs.with_options(retry=RetryPolicy(max_attempts=5))
        first_left = asyncio.Event()

        async def child(name: str, leave_first: bool) -> tuple[bool, bool]:
            async with patient:
                inside = current_client() is patient
                if not leave_first:
                    await first_left.wait()  # exits after its sibling exited
                await Stage.create(name=name)
            if leave_first:
                first_left.set()
            await asyncio.sleep(0)
            return inside, current_client() is ivs

        results = await asyncio.wait_for(
            asyncio.gather(child("first", True), child("second", False)), 10
        )
        assert results == [(True, True), (True, True)]
        assert current_client() is ivs
    assert current_client() is None
    assert ivs_emulator.request_count("CreateStage") == 2


async def test_nested_blocks_restore_the_outer_client(ivs_emulator: Emulator) -> None:
    async with ivs_emulator.client() as outer:
        async with ivs_emulator.client() as inner:
            assert current_client() is inner
        assert current_client() is outer
    assert current_client() is None
