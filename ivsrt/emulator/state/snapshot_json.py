"""The JSON form shared by every part of a snapshot: times as ISO-8601 with their UTC offset,
records as plain dicts of their fields."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

__all__ = ["parse_time", "snapshot_converter"]


def parse_time(value: Any, _: Any = None) -> datetime.datetime:
    """A snapshot's time (``ValueError`` for anything but ISO-8601 with a UTC offset)."""
    if not isinstance(value, str):
        raise ValueError("expected an ISO-8601 time")
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("expected a time with its UTC offset")
    return parsed


def snapshot_converter(records: Iterable[type]) -> cattrs.Converter:
    """A converter for snapshots that turns each of ``records`` (attrs classes) into a dict of
    all its fields, ``init=False`` ones included, and back."""
    conv = cattrs.Converter()
    conv.register_unstructure_hook(datetime.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(datetime.datetime, parse_time)
    for cls in records:
        conv.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, conv, _cattrs_include_init_false=True)
        )
        conv.register_structure_hook(
            cls, make_dict_structure_fn(cls, conv, _cattrs_include_init_false=True)
        )
    return conv
