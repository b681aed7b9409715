"""cattrs converter between the generated models and botocore's wire-named dicts.

- Field names are renamed to the wire names kept in each field's ``metadata["wire"]``.
- Going out, members that are None are omitted; enums become their values; sequences lists.
- Coming in, unknown keys are ignored, sequences become tuples, enum values the model does not
  know are kept (see :mod:`ivsrt._enum`), and timestamps are parsed here with
  ``datetime.fromisoformat`` (botocore's dateutil parsing is switched off for ivsrt clients:
  it costs more than the rest of a ListParticipants page put together).
"""

from __future__ import annotations

import collections.abc
import datetime
import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from botocore.utils import parse_timestamp as _botocore_parse_timestamp
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ivsrt._enum import TolerantEnum

__all__ = ["converter", "parse_timestamp", "structure", "unstructure"]

T = TypeVar("T")
_UTC = datetime.timezone.utc
_NONE = type(None)


def parse_timestamp(value: Any) -> datetime.datetime:
    """Parse a wire timestamp (ISO-8601 string, epoch number or datetime) into an aware UTC
    datetime."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, _UTC)
    if not isinstance(value, str):
        raise TypeError(f"cannot parse a timestamp from {type(value).__name__}")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        # Python 3.10's fromisoformat knows neither "Z" nor odd fraction lengths.
        parsed = _botocore_parse_timestamp(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and attrs.has(t) and t.__module__.startswith("ivsrt._generated")


def _union_args(t: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(t)
    if origin is typing.Union or (sys.version_info >= (3, 10) and origin is types.UnionType):
        return typing.get_args(t)
    return None


def _enum_of_union(t: Any) -> type[TolerantEnum] | None:
    """``E | Literal[...]`` (optionally ``| None``) -> ``E``."""
    args = _union_args(t)
    if not args:
        return None
    enums = [a for a in args if isinstance(a, type) and issubclass(a, TolerantEnum)]
    rest = [a for a in args if a not in enums and a is not _NONE]
    if len(enums) == 1 and all(typing.get_origin(a) is typing.Literal for a in rest):
        return enums[0]
    return None


def _is_sequence(t: Any) -> bool:
    return typing.get_origin(t) is collections.abc.Sequence


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)

    conv.register_structure_hook(datetime.datetime, lambda v, _: parse_timestamp(v))
    conv.register_unstructure_hook(datetime.datetime, lambda v: v)

    def enum_union_structure(t: Any) -> Callable[[Any, Any], Any]:
        enum_cls = _enum_of_union(t)
        assert enum_cls is not None
        if _NONE in (_union_args(t) or ()):
            return lambda v, _: None if v is None else enum_cls(v)
        return lambda v, _: enum_cls(v)

    conv.register_structure_hook_factory(
        lambda t: _enum_of_union(t) is not None, enum_union_structure
    )
    conv.register_unstructure_hook_factory(
        lambda t: _enum_of_union(t) is not None,
        lambda t: lambda v: v.value if isinstance(v, TolerantEnum) else v,
    )
    conv.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, TolerantEnum), lambda t: lambda v, _: t(v)
    )

    def sequence_structure(t: Any) -> Callable[[Any, Any], Any]:
        (inner,) = typing.get_args(t) or (Any,)
        hook = conv.get_structure_hook(inner)
        return lambda v, _: tuple([hook(x, inner) for x in v])

    def sequence_unstructure(t: Any) -> Callable[[Any], Any]:
        (inner,) = typing.get_args(t) or (Any,)
        hook = conv.get_unstructure_hook(inner)
        return lambda v: [hook(x) for x in v]

    conv.register_structure_hook_factory(_is_sequence, sequence_structure)
    conv.register_unstructure_hook_factory(_is_sequence, sequence_unstructure)

    def model_structure(cls: type) -> Callable[[Any, Any], Any]:
        renames: dict[str, Any] = {
            f.name: override(rename=f.metadata["wire"]) for f in attrs.fields(cls)
        }
        return make_dict_structure_fn(cls, conv, _cattrs_detailed_validation=False, **renames)

    def model_unstructure(cls: type) -> Callable[[Any], Any]:
        renames: dict[str, Any] = {
            f.name: override(rename=f.metadata["wire"]) for f in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True, **renames)

    conv.register_structure_hook_factory(_is_model, model_structure)
    conv.register_unstructure_hook_factory(_is_model, model_unstructure)
    return conv


converter = _make_converter()
"""The converter ivsrt uses for every model (public for users who store models as JSON)."""


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build ``cls`` from a wire-named dict (as botocore returns it)."""
    return converter.structure(data, cls)


def unstructure(value: Any) -> Any:
    """Turn a model (or a list/map of them, or a scalar) into a wire-named dict."""
    return converter.unstructure(value)
