"""``stage.participants(details=True)``: every listed participant fetched whole (GetParticipant),
concurrently and bounded, in the listing's order; without it, a listing carries no attributes
(ListParticipants returns ParticipantSummary, which has none)."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

import ivsrt
from ivsrt import RetryPolicy, Stage
from ivsrt.emulator import Emulator
from ivsrt.models import ParticipantTokenConfiguration
from ivsrt.resources import participant as participant_module

STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"
SESSION = "st-0123456789abc"


async def test_details_fill_the_attributes_a_listing_leaves_out(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    users = [f"user-{i}" for i in range(12)]
    stage, tokens = await Stage.create_with_tokens(
        name="detailed",
        participant_token_configurations=[
            ParticipantTokenConfiguration(user_id=u, attributes={"seat": u[-2:]}) for u in users
        ],
        client=ivs_client,
    )
    for token in tokens:
        ivs_emulator.join(token.token, os_name="Linux")

    listed = [p async for p in stage.participants(page_size=5)]
    assert [p.attributes for p in listed] == [None] * 12
    assert [p.os_name for p in listed] == [None] * 12

    before = ivs_emulator.request_count("GetParticipant")
    detailed = [p async for p in stage.participants(page_size=5, details=True)]
    assert ivs_emulator.request_count("GetParticipant") - before == 12
    # The listing's order, each with its own record.
    assert [p.participant_id for p in detailed] == [p.participant_id for p in listed]
    assert all(p.attributes == {"seat": p.user_id[-2:]} for p in detailed if p.user_id)
    assert sorted(p.user_id or "" for p in detailed) == sorted(users)
    assert {p.os_name for p in detailed} == {"Linux"}
    assert all(p.session_id == listed[0].session_id for p in detailed)


async def test_at_most_the_bound_is_in_flight_and_order_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A local server that answers GetParticipant slowly, later ids faster, and counts the
    calls in flight."""
    ids = [f"p{i}" for i in range(7)]
    in_flight, peak = 0, 0

    async def handle(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        body = await request.json()
        if request.match_info["op"] == "ListParticipants":
            rows = [{"participantId": pid, "state": "CONNECTED"} for pid in ids]
            return web.json_response({"participants": rows})
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.02 * (len(ids) - ids.index(body["participantId"])))
        finally:
            in_flight -= 1
        pid = body["participantId"]
        return web.json_response({"participant": {"participantId": pid, "attributes": {"id": pid}}})

    app = web.Application()
    app.router.add_route("POST", "/{op}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setattr(participant_module, "_DETAILS_CONCURRENCY", 3)
    try:
        async with ivsrt.Client(
            region="us-west-2",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        ) as client:
            stage = Stage(client=client, arn=STAGE_ARN)
            got = await asyncio.wait_for(
                stage.participants(session_id=SESSION, details=True).to_list(), 30
            )
    finally:
        await runner.cleanup()
    assert [p.participant_id for p in got] == ids
    assert [p.attributes for p in got] == [{"id": pid} for pid in ids]
    assert peak == 3


async def test_a_failed_fetch_fails_the_iteration(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage, (token,) = await Stage.create_with_tokens(
        name="gone",
        participant_token_configurations=[ParticipantTokenConfiguration()],
        client=ivs_client,
    )
    ivs_emulator.join(token.token)
    ivs_emulator.faults.inject("GetParticipant", "server_error", count=1)
    with pytest.raises(ivsrt.ServiceError):
        await stage.with_options(retry=RetryPolicy.none()).participants(details=True).to_list()
