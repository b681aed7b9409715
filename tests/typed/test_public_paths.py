"""Public exceptions report the public path they are imported from, in tracebacks and reprs,
and still pickle."""

from __future__ import annotations

import pickle
import traceback

import pytest

import ivsrt
import ivsrt.tokens
from ivsrt import channels

PUBLIC = [
    (ivsrt, name)
    for name in ivsrt.__all__
    if isinstance(getattr(ivsrt, name), type) and issubclass(getattr(ivsrt, name), BaseException)
] + [
    (mod, name)
    for mod in (channels, ivsrt.tokens)
    for name in mod.__all__
    if isinstance(getattr(mod, name), type) and issubclass(getattr(mod, name), BaseException)
]


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m.__name__}.{n}" for m, n in PUBLIC])
def test_exception_reports_its_public_module(module: object, name: str) -> None:
    cls = getattr(module, name)
    assert cls.__module__ == module.__name__  # type: ignore[attr-defined]


def test_traceback_names_the_public_class_and_pickling_round_trips() -> None:
    exc = ivsrt.ResourceNotFoundError(
        "gone", code="ResourceNotFoundException", status=404, request_id="r1", operation="GetStage"
    )
    try:
        raise exc
    except ivsrt.ResourceNotFoundError:
        last = traceback.format_exc().splitlines()[-1]
    assert last.startswith("ivsrt.ResourceNotFoundError: GetStage")
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is ivsrt.ResourceNotFoundError
    assert str(again) == str(exc)
    assert channels.ChannelNotBroadcastingError.__module__ == "ivsrt.channels"


def test_transport_errors_pickle_with_their_state() -> None:
    for exc in (
        ivsrt.TransportError("reset", operation="GetStage", may_have_been_applied=True),
        ivsrt.OutcomeUnknownError("reset after send", operation="CreateStage"),
    ):
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc)
        assert str(again) == str(exc)
        assert again.may_have_been_applied is exc.may_have_been_applied
        assert again.operation == exc.operation
