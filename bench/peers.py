"""The contenders of ``bench/overhead.py``: the same work done by raw aiobotocore, by
capo-ivs-realtime (the peer SDK), by ivsrt's typed layer and by its resource layer.

Every contender gets the same scenarios, each an async callable returning how many items it
produced (for the walk) or 0; ``overhead.py`` times them round by round. Inputs are built once,
outside the timed work, in each contender's own form (wire dicts for raw, capo's snake_case
TypedDicts, ivsrt's models).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import capo_ivs_realtime
from aiobotocore.session import AioSession
from server import SESSION_ID, STAGE_ARN

import ivsrt
from ivsrt import models

REGION = "us-west-2"
ACCESS_KEY = "AKIDBENCHMARK"
SECRET_KEY = "bench-secret"
CREDENTIALS = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY}
PAGE_SIZE = 100
TOKENS = 12
"""participantTokenConfigurations in the CreateStage scenario."""
CONSTRUCTIONS = 5
"""Clients constructed (and opened and closed) per round of the construction scenario."""

Bench = Callable[[], Awaitable[int]]
"""One measured unit of work; returns how many items it produced."""

SCENARIOS = (
    "GetStage c=1",
    "GetStage c=32",
    f"CreateStage {TOKENS} tokens",
    "ListParticipants walk",
    "Client construction",
)
CALL_SCENARIOS = SCENARIOS[:3]
"""The scenarios whose figure is CPU per call."""
WALK = "ListParticipants walk"
CONSTRUCTION = "Client construction"


async def calls(call: Callable[[], Awaitable[Any]], n: int, concurrency: int) -> int:
    """``n`` calls, at most ``concurrency`` in flight."""
    if concurrency == 1:
        for _ in range(n):
            await call()
        return 0
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return 0


def _scenarios(
    get_stage: Callable[[], Awaitable[Any]],
    create_stage: Callable[[], Awaitable[Any]],
    walk: Bench,
    construct: Callable[[], Awaitable[Any]],
    n: int,
    pages: int,
) -> dict[str, tuple[Bench, int]]:
    """Each scenario as (work, calls it makes)."""

    async def constructions() -> int:
        for _ in range(CONSTRUCTIONS):
            await construct()
        return 0

    creates = max(1, n // 4)
    return {
        "GetStage c=1": (lambda: calls(get_stage, n, 1), n),
        "GetStage c=32": (lambda: calls(get_stage, n, 32), n),
        f"CreateStage {TOKENS} tokens": (lambda: calls(create_stage, creates, 1), creates),
        WALK: (walk, pages),
        CONSTRUCTION: (constructions, CONSTRUCTIONS),
    }


def _token_configurations() -> list[dict[str, Any]]:
    """The wire form of the CreateStage scenario's token configurations."""
    return [
        {
            "userId": f"user-{i}",
            "capabilities": ["PUBLISH", "SUBSCRIBE"],
            "duration": 720,
            "attributes": {"role": "speaker", "seat": str(i)},
        }
        for i in range(TOKENS)
    ]


# -- raw aiobotocore ----------------------------------------------------------------------------


def raw_benches(
    aio: Any, session: AioSession, url: str, n: int, pages: int
) -> dict[str, tuple[Bench, int]]:
    configurations = _token_configurations()

    async def get_stage() -> None:
        await aio.get_stage(arn=STAGE_ARN)

    async def create_stage() -> None:
        await aio.create_stage(
            name="bench", participantTokenConfigurations=configurations, tags={"env": "bench"}
        )

    async def walk() -> int:
        return len(await raw_walk(aio))

    async def construct() -> None:
        client = session.create_client(
            "ivs-realtime", region_name=REGION, endpoint_url=url, **CREDENTIALS
        )
        async with client:
            pass

    return _scenarios(get_stage, create_stage, walk, construct, n, pages)


async def raw_walk(aio: Any) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {
            "stageArn": STAGE_ARN,
            "sessionId": SESSION_ID,
            "maxResults": PAGE_SIZE,
        }
        if token:
            kwargs["nextToken"] = token
        page = await aio.list_participants(**kwargs)
        items.extend(page["participants"])
        token = page.get("nextToken")
        if not token:
            return items


# -- capo-ivs-realtime --------------------------------------------------------------------------


def capo_client(url: str) -> capo_ivs_realtime.AsyncIVSRealTimeClient:
    return capo_ivs_realtime.AsyncIVSRealTimeClient(
        region=REGION,
        endpoint=url,
        credentials=capo_ivs_realtime.Credentials(access_key=ACCESS_KEY, secret_key=SECRET_KEY),
    )


def capo_benches(
    capo: capo_ivs_realtime.AsyncIVSRealTimeClient, url: str, n: int, pages: int
) -> dict[str, tuple[Bench, int]]:
    configurations: Any = [
        {
            "user_id": c["userId"],
            "capabilities": c["capabilities"],
            "duration": c["duration"],
            "attributes": c["attributes"],
        }
        for c in _token_configurations()
    ]

    async def get_stage() -> None:
        await capo.get_stage(STAGE_ARN)

    async def create_stage() -> None:
        await capo.create_stage(
            name="bench", participant_token_configurations=configurations, tags={"env": "bench"}
        )

    async def walk() -> int:
        return len(await capo_walk(capo))

    async def construct() -> None:
        async with capo_client(url):
            pass

    return _scenarios(get_stage, create_stage, walk, construct, n, pages)


async def capo_walk(capo: capo_ivs_realtime.AsyncIVSRealTimeClient) -> list[Any]:
    items: list[Any] = []
    async for page in capo.iter_list_participants(STAGE_ARN, SESSION_ID, max_results=PAGE_SIZE):
        items.extend(page.get("participants", ()))
    return items


# -- ivsrt ----------------------------------------------------------------------------------------


def ivsrt_client(url: str) -> ivsrt.Client:
    return ivsrt.Client(
        region=REGION,
        endpoint_url=url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def _ivsrt_configurations() -> list[models.ParticipantTokenConfiguration]:
    return [
        models.ParticipantTokenConfiguration(
            user_id=c["userId"],
            capabilities=c["capabilities"],
            duration=c["duration"],
            attributes=c["attributes"],
        )
        for c in _token_configurations()
    ]


def ivsrt_benches(
    client: ivsrt.Client, url: str, n: int, pages: int
) -> dict[str, tuple[Bench, int]]:
    api = client.api
    configurations = _ivsrt_configurations()

    async def get_stage() -> None:
        await api.get_stage(arn=STAGE_ARN)

    async def create_stage() -> None:
        await api.create_stage(
            name="bench", participant_token_configurations=configurations, tags={"env": "bench"}
        )

    async def walk() -> int:
        return len(await ivsrt_walk(client))

    async def construct() -> None:
        async with ivsrt_client(url):
            pass

    return _scenarios(get_stage, create_stage, walk, construct, n, pages)


async def ivsrt_walk(client: ivsrt.Client) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        page = await client.api.list_participants(
            stage_arn=STAGE_ARN, session_id=SESSION_ID, max_results=PAGE_SIZE, next_token=token
        )
        items.extend(page.participants)
        token = page.next_token
        if not token:
            return items


def resource_benches(client: ivsrt.Client, n: int, pages: int) -> dict[str, tuple[Bench, int]]:
    """The resource layer, where it has the scenario: Stage.get and stage.participants()
    (Stage.create takes no token configurations; construction is the same Client)."""
    from ivsrt.resources import Stage

    stage_holder: list[Stage] = []

    async def get_stage() -> None:
        stage_holder[:] = [await Stage.get(STAGE_ARN, client=client)]

    async def walk() -> int:
        if not stage_holder:
            await get_stage()
        items = 0
        async for _ in stage_holder[0].participants(page_size=PAGE_SIZE):
            items += 1
        return items

    return {
        "GetStage c=1": (lambda: calls(get_stage, n, 1), n),
        "GetStage c=32": (lambda: calls(get_stage, n, 32), n),
        WALK: (walk, pages),
    }
