"""AsyncPager over every paginated list operation, against the emulator (and a fake server for a
service that repeats a token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ivsrt
from ivsrt import (
    AsyncPager,
    Composition,
    EncoderConfiguration,
    IngestConfiguration,
    PublicKey,
    Stage,
    StorageConfiguration,
)
from ivsrt import models as m
from ivsrt.emulator import Emulator

from .conftest import FakeService

STORAGE = m.S3StorageConfiguration(bucket_name="bucket")


async def _joined_participants(emu: Emulator, client: ivsrt.Client, n: int) -> Stage:
    stage = await Stage.create(name="crowd", client=client)
    for i in range(n):
        token = await stage.create_participant_token(user_id=f"user-{i:03d}")
        assert token.token
        emu.join(token.token)
    return stage


async def test_items_across_pages_and_laziness(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await _joined_participants(ivs_emulator, ivs_client, 23)
    before = ivs_emulator.request_count("ListParticipants")
    total_before = ivs_emulator.request_count()
    pager = stage.participants(page_size=5)
    assert ivs_emulator.request_count() == total_before  # nothing sent yet
    assert ivs_emulator.request_count("ListParticipants") == before
    users = [p.user_id async for p in pager]
    assert sorted(users) == [f"user-{i:03d}" for i in range(23)]
    assert ivs_emulator.request_count("ListParticipants") - before == 5  # ceil(23 / 5)
    assert pager.resume_token is None
    assert pager.items_yielded == 23


async def test_pages(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    stage = await _joined_participants(ivs_emulator, ivs_client, 12)
    sizes = []
    tokens = []
    async for page in stage.participants(page_size=5).pages():
        sizes.append(len(page.items))
        tokens.append(page.next_token)
    assert sizes == [5, 5, 2]
    assert tokens[-1] is None
    assert all(tokens[:-1])


async def test_max_items_and_resume_inside_a_page(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await _joined_participants(ivs_emulator, ivs_client, 20)
    everyone = [p.participant_id async for p in stage.participants(page_size=6)]

    first = stage.participants(page_size=6, max_items=9)
    got = [p.participant_id async for p in first]
    assert got == everyone[:9]
    token = first.resume_token
    assert token is not None

    rest = stage.participants(page_size=6, starting_token=token)
    assert [p.participant_id async for p in rest] == everyone[9:]


async def test_break_and_continue_and_resume_token(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await _joined_participants(ivs_emulator, ivs_client, 10)
    everyone = [p.participant_id async for p in stage.participants(page_size=4)]
    pager = stage.participants(page_size=4)
    got = []
    async for p in pager:
        got.append(p.participant_id)
        if len(got) == 6:
            break
    token = pager.resume_token
    assert token is not None
    resumed = [
        p.participant_id async for p in stage.participants(page_size=4, starting_token=token)
    ]
    assert got + resumed == everyone
    got += [p.participant_id async for p in pager]  # the same pager continues
    assert got == everyone


async def test_resume_with_a_smaller_or_no_page_size_skips_across_pages(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    """A token taken 55 items into a 100-item page, resumed with the service default of 50
    items a page (or 20): the skip is more than the first page holds, and the rest of it
    applies to the next page instead of being lost (which repeated items)."""
    stage = await _joined_participants(ivs_emulator, ivs_client, 60)
    everyone = [p.participant_id async for p in stage.participants(page_size=100)]
    assert len(set(everyone)) == 60
    head = stage.participants(page_size=100)
    first = [p.participant_id async for p in _take(head, 55)]
    token = head.resume_token
    assert token is not None
    for page_size in (None, 20):
        rest = [
            p.participant_id
            async for p in stage.participants(starting_token=token, page_size=page_size)
        ]
        assert rest == everyone[55:], page_size
        assert first + rest == everyone
    # page by page too
    resumed = stage.participants(starting_token=token, page_size=None)
    pages = [page.items async for page in resumed.pages()]
    assert [p.participant_id for page in pages for p in page] == everyone[55:]


async def test_max_items_limits_requests(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    stage = await _joined_participants(ivs_emulator, ivs_client, 30)
    before = ivs_emulator.request_count("ListParticipants")
    got = await stage.participants(max_items=3).to_list()
    assert len(got) == 3
    assert ivs_emulator.request_count("ListParticipants") - before == 1


async def test_invalid_page_size_and_token(ivs_client: ivsrt.Client) -> None:
    with pytest.raises(ivsrt.ValidationError, match="page_size") as raised:
        Stage.list(page_size=101, client=ivs_client)
    assert raised.value.paths == ("page_size",)
    with pytest.raises(ivsrt.ValidationError) as raised:
        Stage.list(page_size=0, max_items=-1, client=ivs_client)
    assert raised.value.paths == ("max_items", "page_size")
    with pytest.raises(ivsrt.PaginationError):
        Stage.list(starting_token="ivsrt1:not-base64!!", client=ivs_client)


def _kw(kw: dict[str, Any]) -> dict[str, Any]:
    return {"page_size": 2, **kw}


async def _make(kind: str, emu: Emulator, client: ivsrt.Client) -> Callable[..., AsyncPager[Any]]:
    """Five items of ``kind`` and a factory of pagers over them (page_size=2 unless overridden,
    e.g. ``make(starting_token=..., page_size=None)``)."""
    if kind == "ListStages":
        for i in range(5):
            await Stage.create(name=f"s{i}", client=client)
        return lambda **kw: Stage.list(client=client, **_kw(kw))
    if kind == "ListEncoderConfigurations":
        for i in range(5):
            await EncoderConfiguration.create(name=f"e{i}", client=client)
        return lambda **kw: EncoderConfiguration.list(client=client, **_kw(kw))
    if kind == "ListStorageConfigurations":
        for i in range(5):
            await StorageConfiguration.create(s3=STORAGE, name=f"c{i}", client=client)
        return lambda **kw: StorageConfiguration.list(client=client, **_kw(kw))
    if kind == "ListPublicKeys":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        for i in range(5):
            pem = (
                ec.generate_private_key(ec.SECP384R1())
                .public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                .decode()
            )
            await PublicKey.import_key(public_key_material=pem, name=f"k{i}", client=client)
        return lambda **kw: PublicKey.list(client=client, **_kw(kw))
    if kind == "ListIngestConfigurations":
        stage = await Stage.create(name="ingest", client=client)
        for i in range(5):
            await IngestConfiguration.create(
                ingest_protocol="RTMPS", stage=stage, name=f"i{i}", client=client
            )
        return lambda **kw: IngestConfiguration.list(stage=stage, client=client, **_kw(kw))
    if kind == "ListCompositions":
        stage = await Stage.create(name="comp", client=client)
        storage = await StorageConfiguration.create(s3=STORAGE, client=client)
        encoder = await EncoderConfiguration.create(client=client)
        dest = m.DestinationConfiguration(
            s3=m.S3DestinationConfiguration(
                storage_configuration_arn=storage.arn, encoder_configuration_arns=[encoder.arn]
            )
        )
        for _ in range(5):
            await stage.start_composition(destinations=[dest])
        return lambda **kw: stage.compositions(**_kw(kw))
    stage = await Stage.create(name="people", client=client)
    if kind == "ListStageSessions":
        for i in range(5):
            token = await stage.create_participant_token(user_id=f"u{i}")
            assert token.token
            emu.join(token.token)
            emu.leave(token.token)
        return lambda **kw: stage.sessions(**_kw(kw))
    token = await stage.create_participant_token(user_id="p")
    assert token.token
    emu.join(token.token)
    emu.publish(token.token)
    participant = await token.participant()
    if kind == "ListParticipants":
        for i in range(4):
            other = await stage.create_participant_token(user_id=f"o{i}")
            assert other.token
            emu.join(other.token)
        return lambda **kw: stage.participants(**_kw(kw))
    if kind == "ListParticipantEvents":
        emu.subscribe(token.token)
        emu.unsubscribe(token.token)
        emu.unpublish(token.token)
        # JOINED, PUBLISH_STARTED, SUBSCRIBE_STARTED, SUBSCRIBE_STOPPED, PUBLISH_STOPPED
        return lambda **kw: participant.events(**_kw(kw))
    assert kind == "ListParticipantReplicas"
    for i in range(5):
        dest_stage = await Stage.create(name=f"d{i}", client=client)
        await participant.start_replication(dest_stage)
    return lambda **kw: participant.replicas(**_kw(kw))


@pytest.mark.parametrize(
    "operation",
    [
        "ListStages",
        "ListStageSessions",
        "ListParticipants",
        "ListParticipantEvents",
        "ListParticipantReplicas",
        "ListCompositions",
        "ListEncoderConfigurations",
        "ListStorageConfigurations",
        "ListPublicKeys",
        "ListIngestConfigurations",
    ],
)
async def test_every_list_operation_pages(
    operation: str, ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    make = await _make(operation, ivs_emulator, ivs_client)
    pager = make()
    assert pager.operation == operation
    before = ivs_emulator.request_count(operation)
    items = await pager.to_list()
    assert len(items) == 5
    assert ivs_emulator.request_count(operation) - before == 3  # 2 + 2 + 1
    # pages() and a resumed pager see the same items
    pages = [page.items async for page in make().pages()]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [x for page in pages for x in page] == items
    head = make()
    first = [x async for x in _take(head, 3)]
    token = head.resume_token
    assert token is not None
    # the resource's own list method takes the token back, with the same page size, another
    # one, or none (the service default)
    for page_size in (2, 1, 3, None):
        rest = await make(starting_token=token, page_size=page_size).to_list()
        assert first + rest == items, page_size


async def _take(pager: AsyncPager[Any], n: int) -> Any:
    async for item in pager:
        yield item
        n -= 1
        if n == 0:
            return


async def test_repeated_token_raises_instead_of_looping(fake_service: FakeService) -> None:
    stage = {"arn": "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCD1234", "name": "x"}
    fake_service.handlers["ListStages"] = lambda body: {"stages": [stage], "nextToken": "same"}
    async with fake_service.client() as client:
        pager = Stage.list(client=client)
        with pytest.raises(ivsrt.PaginationError, match="already"):
            async for _ in pager:
                pass
    assert fake_service.count("ListStages") == 2  # the first page, then the repeat: no more


async def test_ingest_filters_one_at_a_time(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    stage = await Stage.create(name="ingest-filters", client=ivs_client)
    with pytest.raises(ivsrt.ValidationError, match="only one of"):
        await IngestConfiguration.list(stage=stage, state="ACTIVE", client=ivs_client).to_list()
    assert ivs_emulator.request_count("ListIngestConfigurations") == 0


async def test_composition_list_filters(ivs_emulator: Emulator, ivs_client: ivsrt.Client) -> None:
    storage = await StorageConfiguration.create(s3=STORAGE, client=ivs_client)
    encoder = await EncoderConfiguration.create(client=ivs_client)
    other_encoder = await EncoderConfiguration.create(client=ivs_client)
    a = await Stage.create(name="a", client=ivs_client)
    b = await Stage.create(name="b", client=ivs_client)
    dest = m.DestinationConfiguration(
        s3=m.S3DestinationConfiguration(
            storage_configuration_arn=storage.arn, encoder_configuration_arns=[encoder.arn]
        )
    )
    ca = await a.start_composition(destinations=[dest])
    await b.start_composition(destinations=[dest])
    assert [c.arn async for c in Composition.list(stage=a, client=ivs_client)] == [ca.arn]
    by_encoder = Composition.list(encoder_configuration=encoder, client=ivs_client)
    assert len(await by_encoder.to_list()) == 2
    none = Composition.list(encoder_configuration=other_encoder, client=ivs_client)
    assert await none.to_list() == []
    summary = (await Composition.list(stage=a, client=ivs_client).to_list())[0]
    assert (await summary.fetch()) == await ca.refresh()
