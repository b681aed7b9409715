"""The cattrs converter: a hypothesis round trip over every generated model, and the
tolerance rules for what comes in (unknown keys, unknown enum values, timestamps)."""

from __future__ import annotations

import collections.abc
import datetime
import json
import types
import typing
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivsrt
from ivsrt import models as m
from ivsrt._enum import TolerantEnum

UTC = datetime.timezone.utc
MODEL_CLASSES = sorted(
    (getattr(m, n) for n in m.__all__ if attrs.has(getattr(m, n))), key=lambda c: c.__name__
)

_text = st.text(max_size=12)


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        enums = [a for a in args if isinstance(a, type) and issubclass(a, TolerantEnum)]
        rest = [
            a for a in args if a is not type(None) and typing.get_origin(a) is not typing.Literal
        ]
        choices = [st.sampled_from(list(e)) for e in enums] + [
            _strategy(a) for a in rest if a not in enums
        ]
        if type(None) in args:
            choices.append(st.none())
        return st.one_of(*choices)
    if origin is collections.abc.Sequence:
        (inner,) = typing.get_args(tp)
        return st.lists(_strategy(inner), max_size=3).map(tuple)
    if origin is collections.abc.Mapping:
        key, value = typing.get_args(tp)
        return st.dictionaries(_strategy(key), _strategy(value), max_size=3)
    if isinstance(tp, type) and issubclass(tp, TolerantEnum):
        return st.sampled_from(list(tp))
    if tp is str:
        return _text
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
        return st.builds(tp, **{f.name: _strategy(hints[f.name]) for f in attrs.fields(tp)})
    raise AssertionError(f"no strategy for {tp!r}")


def _walk(value: Any) -> collections.abc.Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _wire_names_ok(cls: type, wire: dict[str, Any]) -> None:
    """Keys of ``wire`` are exactly the wire names of the non-None fields (recursively)."""
    hints = typing.get_type_hints(cls)
    by_wire = {f.metadata["wire"]: f for f in attrs.fields(cls)}
    assert set(wire) <= set(by_wire)
    for key, value in wire.items():
        inner = hints[by_wire[key].name]
        union = typing.get_origin(inner) in (typing.Union, types.UnionType)
        for arg in typing.get_args(inner) if union else (inner,):
            target = arg
            if typing.get_origin(arg) is collections.abc.Sequence:
                target = typing.get_args(arg)[0]
                if attrs.has(target):
                    for item in value:
                        _wire_names_ok(target, item)
            elif attrs.has(target):
                _wire_names_ok(target, value)


def _json_default(o: Any) -> Any:
    if isinstance(o, datetime.datetime):
        return o.isoformat().replace("+00:00", "Z")
    raise TypeError(type(o))


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_every_model(cls: type, data: st.DataObject) -> None:
    value = data.draw(_strategy(cls))
    wire = ivsrt.converter.unstructure(value)
    assert isinstance(wire, dict)
    # None is never sent; enums go out as plain strings; sequences as lists.
    for item in _walk(wire):
        assert item is not None
        assert not isinstance(item, (TolerantEnum, tuple))
    _wire_names_ok(cls, wire)
    assert ivsrt.converter.structure(wire, cls) == value
    # And through JSON, the way it really comes back (timestamps as ISO-8601 'Z' strings).
    again = json.loads(json.dumps(wire, default=_json_default))
    assert ivsrt.converter.structure(again, cls) == value


def test_none_members_are_omitted_going_out() -> None:
    cfg = m.ParticipantTokenConfiguration(user_id="alice", capabilities=["PUBLISH"])
    assert ivsrt.converter.unstructure(cfg) == {"userId": "alice", "capabilities": ["PUBLISH"]}
    video = m.Video(width=1280, height=720)
    assert ivsrt.converter.unstructure(video) == {"width": 1280, "height": 720}
    # An empty string is a value, not an absence (it disables participant recording).
    rec = m.AutoParticipantRecordingConfiguration(storage_configuration_arn="")
    assert ivsrt.converter.unstructure(rec) == {"storageConfigurationArn": ""}


def test_unknown_keys_are_ignored_coming_in() -> None:
    wire = {
        "stage": {
            "arn": "arn:aws:ivs:us-west-2:123456789012:stage/abcd",
            "brandNewMember": {"nested": [1, 2]},
            "endpoints": {"whip": "https://w", "futureProtocol": "x"},
        },
        "somethingElse": 1,
    }
    got = ivsrt.converter.structure(wire, m.GetStageResponse)
    assert got == m.GetStageResponse(
        stage=m.Stage(
            arn="arn:aws:ivs:us-west-2:123456789012:stage/abcd",
            endpoints=m.StageEndpoints(whip="https://w"),
        )
    )


def test_unknown_enum_values_are_kept() -> None:
    wire = {
        "participantId": "p1",
        "state": "RECONNECTING",
        "protocol": "WHIP",
        "firstJoinTime": "2025-03-01T10:00:00Z",
    }
    p = ivsrt.converter.structure(wire, m.Participant)
    assert isinstance(p.state, m.ParticipantState)
    assert p.state.known is False
    assert p.state == "RECONNECTING"
    assert str(p.state) == "RECONNECTING"
    assert p.state not in (m.ParticipantState.CONNECTED, m.ParticipantState.DISCONNECTED)
    assert p.protocol is m.ParticipantProtocol.WHIP
    assert p.protocol.known is True
    # The same unknown value is the same pseudo-member, and it goes out unchanged.
    assert m.ParticipantState("RECONNECTING") is p.state
    assert ivsrt.converter.unstructure(p)["state"] == "RECONNECTING"
    assert "RECONNECTING" in repr(p)

    token = ivsrt.converter.structure(
        {"capabilities": ["PUBLISH", "TELEPORT"]}, m.ExchangedParticipantToken
    )
    assert token.capabilities is not None
    assert [c.known for c in token.capabilities] == [True, False]
    assert token.capabilities == ("PUBLISH", "TELEPORT")

    comp = ivsrt.converter.structure(
        {"arn": "a", "stageArn": "s", "state": "PAUSED", "destinations": [], "layout": {}},
        m.Composition,
    )
    assert comp.state == "PAUSED"
    assert comp.state.known is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T10:00:00Z", datetime.datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00+00:00", datetime.datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00.5Z", datetime.datetime(2025, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2025-03-01T10:00:00.123Z", datetime.datetime(2025, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)),
        (
            "2025-03-01T10:00:00.123456+00:00",
            datetime.datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=UTC),
        ),
        ("2025-03-01T12:00:00+02:00", datetime.datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_timestamps_are_timezone_aware(text: str, expected: datetime.datetime) -> None:
    s = ivsrt.converter.structure(
        {"sessionId": "st-AbCdEfGh12345", "startTime": text}, m.StageSession
    )
    assert s.start_time is not None
    assert s.start_time.tzinfo is not None
    assert s.start_time.utcoffset() is not None
    assert s.start_time == expected
