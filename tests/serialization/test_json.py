"""ivsrt.to_dict / to_json / from_dict: hypothesis round trips over every generated model and
every resource class, secrets, key styles, and strict reading with errors that name the path."""

from __future__ import annotations

import asyncio
import collections.abc
import datetime
import json
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivsrt
import ivsrt.resources
from ivsrt import channels as ch
from ivsrt import models as m
from ivsrt._enum import TolerantEnum
from ivsrt._json import wire_name
from ivsrt.emulator import Emulator

UTC = datetime.timezone.utc
SECRET = "SECRET-do-not-show"


def _attrs_classes(module: types.ModuleType) -> list[type]:
    found = {getattr(module, n) for n in module.__all__ if attrs.has(getattr(module, n))}
    return sorted(found, key=lambda c: c.__name__)


MODELS = _attrs_classes(m) + _attrs_classes(ch)
RESOURCES = _attrs_classes(ivsrt.resources)


def _id(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}".replace("ivsrt._generated.", "")


def _is_secret(f: attrs.Attribute[Any]) -> bool:
    return bool(f.metadata.get("sensitive")) or f.repr is False


def _strategy(tp: Any, client: ivsrt.Client | None = None) -> st.SearchStrategy[Any]:
    """Values of type ``tp``; secret string members always hold ``SECRET`` (or None)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        enums = [a for a in args if isinstance(a, type) and issubclass(a, TolerantEnum)]
        choices = [_strategy(e) for e in enums]
        choices += [
            _strategy(a, client)
            for a in args
            if a not in enums and a is not type(None) and typing.get_origin(a) is not typing.Literal
        ]
        if type(None) in args:
            choices.append(st.none())
        return st.one_of(*choices)
    if origin is collections.abc.Sequence:
        (inner,) = typing.get_args(tp)
        return st.lists(_strategy(inner, client), max_size=2).map(tuple)
    if origin is collections.abc.Mapping:
        key, value = typing.get_args(tp)
        return st.dictionaries(_strategy(key), _strategy(value), max_size=2)
    if isinstance(tp, type) and issubclass(tp, TolerantEnum):
        # Known members, and a value this ivsrt does not know (kept, not raised).
        return st.one_of(st.sampled_from(list(tp)), st.just(tp("NEW_SERVICE_VALUE")))
    if tp is str:
        return st.text(max_size=8)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=-(2**53), max_value=2**53)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is datetime.datetime:
        return st.datetimes(
            min_value=datetime.datetime(1971, 1, 1),
            max_value=datetime.datetime(2200, 1, 1),
            timezones=st.just(UTC),
        )
    if attrs.has(tp):
        hints = typing.get_type_hints(tp)
        kwargs: dict[str, st.SearchStrategy[Any]] = {}
        for f in attrs.fields(tp):
            if f.name == "_client":
                assert client is not None
                kwargs["client"] = st.just(client)
            elif _is_secret(f):
                nullable = type(None) in typing.get_args(hints[f.name])
                kwargs[f.name] = (
                    st.one_of(st.just(SECRET), st.none()) if nullable else st.just(SECRET)
                )
            else:
                kwargs[f.alias or f.name] = _strategy(hints[f.name], client)
        return st.builds(tp, **kwargs)
    raise AssertionError(f"no strategy for {tp!r}")


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _check_json_values(out: Any) -> None:
    """Only JSON types: no enum objects, tuples, datetimes or clients."""
    for item in _walk(out):
        assert item is None or type(item) in (dict, list, str, int, float, bool), type(item)


@pytest.fixture(scope="module")
def client() -> Iterator[ivsrt.Client]:
    """A client for resources to hold (never opened: nothing here is sent)."""
    c = ivsrt.Client(region="us-west-2", aws_access_key_id="test", aws_secret_access_key="test")
    yield c
    asyncio.run(c.close())


_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("cls", MODELS + RESOURCES, ids=_id)
@_SETTINGS
@given(data=st.data())
def test_round_trip_through_json(cls: type, data: st.DataObject, client: ivsrt.Client) -> None:
    value = data.draw(_strategy(cls, client))
    for keys in ("snake", "wire"):
        text = ivsrt.to_json(value, keys=keys, include_secrets=True)
        out = json.loads(text)
        assert out == ivsrt.to_dict(value, keys=keys, include_secrets=True)
        _check_json_values(out)
        back: object = ivsrt.from_dict(cls, out, keys=keys, client=client)
        assert back == value
        assert type(back) is cls


@pytest.mark.parametrize("cls", MODELS + RESOURCES, ids=_id)
@settings(_SETTINGS, max_examples=5)
@given(data=st.data())
def test_secrets_are_left_out_unless_asked_for(
    cls: type, data: st.DataObject, client: ivsrt.Client
) -> None:
    value = data.draw(_strategy(cls, client))
    for keys in ("snake", "wire"):
        assert SECRET not in ivsrt.to_json(value, keys=keys)
        assert SECRET not in repr(ivsrt.to_dict(value, keys=keys))
    if SECRET in repr(attrs.asdict(value, recurse=True)):
        assert SECRET in ivsrt.to_json(value, include_secrets=True)


@pytest.mark.parametrize("cls", MODELS, ids=_id)
def test_wire_keys_are_the_models_wire_names(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in attrs.fields(cls):
        if f.default is attrs.NOTHING:
            kwargs[f.name] = _minimal(hints[f.name])
    out = ivsrt.to_dict(cls(**kwargs), keys="wire", include_secrets=True)
    assert set(out) == {f.metadata["wire"] for f in attrs.fields(cls)}
    snake = ivsrt.to_dict(cls(**kwargs), include_secrets=True)
    assert set(snake) == {f.name for f in attrs.fields(cls)}  # None members written as null


def _minimal(tp: Any) -> Any:
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _minimal(args[0])
    if origin is collections.abc.Sequence:
        return ()
    if origin is collections.abc.Mapping:
        return {}
    if isinstance(tp, type) and issubclass(tp, TolerantEnum):
        return next(iter(tp))
    if attrs.has(tp):
        hints = typing.get_type_hints(tp)
        return tp(
            **{
                f.name: _minimal(hints[f.name])
                for f in attrs.fields(tp)
                if f.default is attrs.NOTHING
            }
        )
    if tp is datetime.datetime:
        return datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    return tp()


def test_fields_resources_add_take_wire_names_from_the_models() -> None:
    """A participant's ``stage_arn`` is not a member of the Participant model; its wire key is
    the one the models use for that member elsewhere, not a guess."""
    from ivsrt._json import _wire_names

    known = _wire_names()
    added = {
        f.name
        for cls in RESOURCES
        for f in attrs.fields(cls)
        if "wire" not in f.metadata and not f.name.startswith("_")
    }
    assert added >= {"stage_arn", "session_id"}
    assert {name: known.get(name) for name in added} == {
        name: wire_name(next(f for c in RESOURCES for f in attrs.fields(c) if f.name == name))
        for name in added
    }
    assert all(name in known for name in added), sorted(added - set(known))


# -- over the emulator: resources and pages as a web handler gets them ---------------------------


async def test_resources_and_pages_from_the_emulator(
    ivs_client: ivsrt.Client, ivs_emulator: Emulator
) -> None:
    stage = await ivsrt.Stage.create(name="town-hall", tags={"team": "live"}, client=ivs_client)
    token = await stage.create_participant_token(user_id="alice", capabilities=["PUBLISH"])
    assert token.token

    out = ivsrt.to_dict(stage)
    assert out["arn"] == stage.arn
    assert out["tags"] == {"team": "live"}
    assert "client" not in out
    assert "_client" not in out
    assert json.loads(ivsrt.to_json(stage)) == out
    wire = ivsrt.to_dict(stage, keys="wire")
    assert wire["activeSessionId"] is None
    assert "active_session_id" not in wire
    back = ivsrt.from_dict(ivsrt.Stage, out, client=ivs_client)
    assert back == stage
    assert back.client is ivs_client
    async with ivs_emulator.client() as ambient:  # the ambient client when none is given
        again = ivsrt.from_dict(ivsrt.Stage, wire, keys="wire")
    assert again == stage
    assert again.client is ambient

    as_json = ivsrt.to_json(token)
    assert token.token not in as_json
    assert "token" not in json.loads(as_json)  # left out, key and all
    assert json.loads(ivsrt.to_json(token, include_secrets=True))["token"] == token.token
    assert json.loads(ivsrt.to_json(token, keys="wire"))["stageArn"] == stage.arn

    await ivsrt.Stage.create(name="second", client=ivs_client)
    pages = [p async for p in ivsrt.Stage.list(page_size=1, client=ivs_client).pages()]
    first = ivsrt.to_dict(pages[0], keys="wire")
    assert set(first) == {"items", "nextToken"}
    assert len(first["items"]) == 1
    assert isinstance(first["nextToken"], str)
    assert ivsrt.to_dict(pages[-1])["next_token"] is None
    listed = ivsrt.to_dict(list(pages[0].items) + list(pages[1].items))
    assert sorted(s["name"] for s in listed) == ["second", "town-hall"]

    created = datetime.datetime(2026, 12, 2, 10, 0, 1, 500, tzinfo=UTC)
    event = m.Event(name=m.EventName.JOINED, participant_id="p1", event_time=created)
    assert ivsrt.to_dict(event)["event_time"] == "2026-12-02T10:00:01.000500+00:00"


# -- reading strictly ----------------------------------------------------------------------------


def test_wrong_types_are_errors_naming_the_path_not_coerced() -> None:
    ok = {"arn": "arn:aws:ivs:us-west-2:123456789012:stage/abc"}
    assert ivsrt.from_dict(m.Stage, ok).arn == ok["arn"]
    cases = {
        "from_dict(Stage): .endpoints.whip: expected a string, got a number (5)": {
            **ok,
            "endpoints": {"whip": 5},
        },
        "from_dict(Stage): .tags.team: expected a string, got a boolean": {
            **ok,
            "tags": {"team": True},
        },
        "from_dict(Stage): .arn: missing": {"name": "x"},
        "from_dict(Stage): .: expected an object, got an array": [],
    }
    for message, data in cases.items():
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            ivsrt.from_dict(m.Stage, typing.cast(Any, data))
    with pytest.raises(ValueError, match=r"\.published: expected a boolean, got a string"):
        ivsrt.from_dict(m.Participant, {"participant_id": "p", "published": "false"})
    with pytest.raises(ValueError, match=r"\.first_join_time: expected an ISO-8601"):
        ivsrt.from_dict(m.Participant, {"participant_id": "p", "first_join_time": "yesterday"})
    with pytest.raises(ValueError, match=r"\.width: expected an integer, got a boolean"):
        ivsrt.from_dict(m.Video, {"width": True})
    ingest = ivsrt.to_dict(_minimal(m.IngestConfiguration), keys="wire")
    with pytest.raises(ValueError, match=r"streamKey: missing \(a secret: to_dict writes it only"):
        ivsrt.from_dict(m.IngestConfiguration, ingest, keys="wire")


def test_bad_arguments() -> None:
    stage = m.Stage(arn="arn:aws:ivs:us-west-2:123456789012:stage/abc")
    with pytest.raises(ValueError, match=r'keys= must be "snake" or "wire", got \'camel\''):
        ivsrt.to_dict(stage, keys="camel")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"keys= must be"):
        ivsrt.from_dict(m.Stage, {}, keys="camel")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"take an ivsrt model, resource, page or event"):
        ivsrt.to_json(object())
    with pytest.raises(TypeError, match=r"from_dict takes an ivsrt model class"):
        ivsrt.from_dict(dict, {})
    with pytest.raises(ivsrt.ConfigurationError, match=r"no ivsrt client for this call"):
        ivsrt.from_dict(ivsrt.Stage, ivsrt.to_dict(stage))
