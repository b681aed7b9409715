"""The rest-json serializers compiled by ``ivsrt._runtime.serializer`` return exactly what
botocore's ``serialize_to_request`` returns: for every operation of both services they cover,
on hypothesis-generated inputs of the model's types (nested nulls, floats that are not finite,
timestamps, renamed members included), the same request dict and the same body bytes; an
unknown member fails alike. Operations they do not cover are named, and are few."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel
from botocore.serialize import create_serializer
from botocore.session import get_session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivsrt import _model_data
from ivsrt._runtime.serializer import compile_request


def _models() -> Iterator[tuple[str, ServiceModel]]:
    session = get_session()
    _model_data.own_session_uses_model(session)
    for service in ("ivs-realtime", "ivs"):
        yield service, ServiceModel(session.get_service_data(service), service)


_SERVICES = dict(_models())
_OPERATIONS = [
    (service, name) for service, model in _SERVICES.items() for name in model.operation_names
]


def _serializer(service: str) -> Any:
    return create_serializer("rest-json", include_validation=False)


def _value(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth > 3:
            return st.just({})
        members = {n: _value(s, depth + 1) for n, s in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members)
    nested_null = st.none() if depth > 1 else st.nothing()
    if kind == "list":
        return st.lists(st.one_of(_value(shape.member, depth + 1), nested_null), max_size=3)
    if kind == "map":
        return st.dictionaries(
            st.text(max_size=5), st.one_of(_value(shape.value, depth + 1), nested_null), max_size=3
        )
    if kind == "string":
        return st.sampled_from(shape.enum) if shape.enum else st.text(max_size=10)
    if kind in ("integer", "long"):
        return st.integers(-(2**40), 2**40)
    if kind in ("float", "double"):
        return st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-5, 5),
            st.decimals(allow_nan=False, allow_infinity=False, places=2),
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.one_of(
            st.datetimes(timezones=st.just(datetime.timezone.utc)),
            st.integers(0, 2**31),
        )
    if kind == "blob":
        return st.binary(max_size=8)
    raise AssertionError(kind)  # pragma: no cover


def _same(left: dict[str, Any], right: dict[str, Any]) -> None:
    assert left == right
    assert left["body"] == right["body"]  # the bytes themselves (dict equality already)


@pytest.mark.parametrize(("service", "name"), _OPERATIONS, ids=[f"{s}:{n}" for s, n in _OPERATIONS])
def test_compiled_serializer_matches_botocore(service: str, name: str) -> None:
    operation: OperationModel = _SERVICES[service].operation_model(name)
    botocore_serializer = _serializer(service)
    compiled = compile_request(botocore_serializer, operation)
    if compiled is None:
        assert (service, name) in _NOT_COVERED
        return
    assert (service, name) not in _NOT_COVERED

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_value(operation.input_shape))
    def check(params: dict[str, Any]) -> None:
        try:
            expected = botocore_serializer.serialize_to_request(params, operation)
        except (AttributeError, KeyError, TypeError) as exc:  # the compiled one fails alike
            with pytest.raises(type(exc)):
                compiled(params)
            return
        _same(compiled(params), expected)

    check()
    # an unknown member fails as botocore fails
    with pytest.raises(KeyError):
        botocore_serializer.serialize_to_request({"notAMember": 1}, operation)
    with pytest.raises(KeyError):
        compiled({"notAMember": 1})


_NOT_COVERED = {
    ("ivs-realtime", "UntagResource"),  # tagKeys is a query-string member
    ("ivs", "UntagResource"),
}


@pytest.mark.parametrize(
    "framerate",
    [float("inf"), float("-inf"), float("nan"), decimal.Decimal("29.97"), 30, 0.5],
    ids=str,
)
def test_floats_are_written_as_botocore_writes_them(framerate: Any) -> None:
    operation = _SERVICES["ivs-realtime"].operation_model("CreateEncoderConfiguration")
    botocore_serializer = _serializer("ivs-realtime")
    compiled = compile_request(botocore_serializer, operation)
    assert compiled is not None
    params = {"name": "e", "video": {"framerate": framerate, "width": 640}}
    expected = botocore_serializer.serialize_to_request(params, operation)
    _same(compiled(params), expected)
