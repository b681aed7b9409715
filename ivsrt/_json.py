"""JSON-ready dicts of ivsrt's objects, and models back from them.

[`to_dict`][ivsrt.to_dict] and [`to_json`][ivsrt.to_json] take any model (generated, resource,
page, event: every attrs class ivsrt hands out), or a list or dict of them, and give plain JSON
values: snake_case keys (or the service's wire names with ``keys="wire"``), ISO-8601 datetimes,
enums as their values, lists for sequences. Private fields (a resource's client) are never
written, and secret members (participant tokens, stream keys: the fields whose ``repr`` leaves
them out) only with ``include_secrets=True``. Members that are None are written as ``null``, so
every object of a class has the same keys.

[`from_dict`][ivsrt.from_dict] reads such a dict back into the class, strictly: a value of the
wrong JSON type is an error naming its path, never coerced (``"false"`` is not ``True``).

This is not the converter of the wire path (``ivsrt._convert``): that one reads botocore's
parsed replies as fast as it can; this one is for your own storage and HTTP responses.
"""

from __future__ import annotations

import collections.abc
import datetime
import json
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from ivsrt._convert import parse_timestamp
from ivsrt._enum import TolerantEnum

__all__ = ["Keys", "from_dict", "to_dict", "to_json"]

T = TypeVar("T")

Keys = Literal["snake", "wire"]
"""``"snake"``: the Python field names (``active_session_id``); ``"wire"``: the service's member
names (``activeSessionId``), as in the API reference and botocore's dicts."""

_KEYS = ("snake", "wire")
_NONE = type(None)


# -- which fields, under which names -----------------------------------------------------------


def _is_private(field: attrs.Attribute[Any]) -> bool:
    """A field that is not data (a resource's ``_client``)."""
    return field.name.startswith("_")


def _is_secret(field: attrs.Attribute[Any]) -> bool:
    """A secret member: marked ``sensitive`` by the generator, or kept out of the ``repr``."""
    return bool(field.metadata.get("sensitive")) or field.repr is False


_CAMEL = re.compile(r"_([a-z0-9])")
_WIRE_NAMES: dict[str, str] | None = None


def _wire_names() -> dict[str, str]:
    """Field name -> wire name, from every generated model (a name the models spell two ways
    is left out). Resource fields that are not members of their own model (a participant's
    ``stage_arn``) take their wire name from the models where they are members."""
    global _WIRE_NAMES
    if _WIRE_NAMES is None:
        from ivsrt._generated import models, request_models
        from ivsrt._generated.channels import models as channel_models
        from ivsrt._generated.channels import request_models as channel_request_models

        found: dict[str, set[str]] = {}
        for module in (models, request_models, channel_models, channel_request_models):
            for value in vars(module).values():
                if isinstance(value, type) and attrs.has(value):
                    for f in attrs.fields(value):
                        if "wire" in f.metadata:
                            found.setdefault(f.name, set()).add(f.metadata["wire"])
        _WIRE_NAMES = {name: next(iter(w)) for name, w in found.items() if len(w) == 1}
    return _WIRE_NAMES


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The key of ``field`` with ``keys="wire"``: the model's wire name; for a field ivsrt adds
    (``stage_arn`` on a ``Participant``), the wire name the models give that member elsewhere;
    failing both, the name in camelCase (``next_token`` -> ``nextToken``)."""
    wire = field.metadata.get("wire")
    if wire is not None:
        return str(wire)
    known = _wire_names().get(field.name)
    if known is not None:
        return known
    return _CAMEL.sub(lambda m: m[1].upper(), field.name)


def _origin(t: Any) -> Any:
    return typing.get_origin(t)


def _key(field: attrs.Attribute[Any], keys: Keys) -> str:
    return wire_name(field) if keys == "wire" else field.name


# -- out: objects to JSON values ----------------------------------------------------------------


def _make_out(keys: Keys, include_secrets: bool) -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(datetime.datetime, lambda v: v.isoformat())
    conv.register_unstructure_hook(datetime.date, lambda v: v.isoformat())
    conv.register_unstructure_hook(
        TolerantEnum, lambda v: str(v.value) if isinstance(v, TolerantEnum) else v
    )
    conv.register_unstructure_hook_factory(
        lambda t: _origin(t) in (collections.abc.Sequence, tuple, list),
        lambda t: lambda v: [conv.unstructure(x) for x in v],
    )

    def attrs_out(cls: type) -> Callable[[Any], Any]:
        overrides: dict[str, Any] = {}
        for f in attrs.fields(cls):
            if _is_private(f) or (_is_secret(f) and not include_secrets):
                overrides[f.name] = override(omit=True)
            else:
                overrides[f.name] = override(rename=_key(f, keys))
        return make_dict_unstructure_fn(cls, conv, **overrides)

    conv.register_unstructure_hook_factory(attrs.has, attrs_out)
    return conv


_OUT: dict[tuple[str, bool], cattrs.Converter] = {}


def _out(keys: str, include_secrets: bool) -> cattrs.Converter:
    if keys not in _KEYS:
        raise ValueError(f'keys= must be "snake" or "wire", got {keys!r}')
    conv = _OUT.get((keys, include_secrets))
    if conv is None:
        conv = _OUT[(keys, include_secrets)] = _make_out(
            typing.cast(Keys, keys), bool(include_secrets)
        )
    return conv


def _unstructure(obj: Any, keys: str, include_secrets: bool) -> Any:
    conv = _out(keys, include_secrets)
    if isinstance(obj, Mapping):
        return {str(k): conv.unstructure(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [conv.unstructure(v) for v in obj]
    if not attrs.has(type(obj)):
        raise TypeError(
            f"to_dict/to_json take an ivsrt model, resource, page or event (or a list or dict of "
            f"them), got {type(obj).__name__}"
        )
    return conv.unstructure(obj)


@overload
def to_dict(
    obj: attrs.AttrsInstance, *, keys: Keys = "snake", include_secrets: bool = False
) -> dict[str, Any]: ...
@overload
def to_dict(
    obj: Sequence[attrs.AttrsInstance], *, keys: Keys = "snake", include_secrets: bool = False
) -> list[dict[str, Any]]: ...
@overload
def to_dict(
    obj: Mapping[str, attrs.AttrsInstance],
    *,
    keys: Keys = "snake",
    include_secrets: bool = False,
) -> dict[str, dict[str, Any]]: ...
def to_dict(obj: Any, *, keys: Keys = "snake", include_secrets: bool = False) -> Any:
    """``obj`` as plain JSON values: dicts, lists, strings, numbers, booleans and None.

    Args:
        obj: a model, resource, page or event (any attrs class ivsrt hands out), or a list,
            tuple or dict of them.
        keys: ``"snake"`` for the Python field names, ``"wire"`` for the service's member names
            (``activeSessionId``), as the API reference writes them.
        include_secrets: also write secret members (participant tokens, stream keys), which are
            left out by default, keys and all.

    Datetimes become ISO-8601 strings (``2026-12-02T10:00:00+00:00``), enums their values
    (unknown ones included), sequences lists. A resource's client is never written.

    Raises:
        TypeError: ``obj`` is not an attrs instance (or a list or dict of them).
        ValueError: ``keys`` is neither ``"snake"`` nor ``"wire"``.
    """
    result: Any = _unstructure(obj, keys, include_secrets)
    return result


def to_json(
    obj: Any,
    *,
    keys: Keys = "snake",
    include_secrets: bool = False,
    indent: int | None = None,
) -> str:
    """[`to_dict`][ivsrt.to_dict] written as a JSON string (UTF-8 text, non-ASCII kept).

    Args:
        obj: as for `to_dict`.
        keys: as for `to_dict`.
        include_secrets: as for `to_dict`.
        indent: as for `json.dumps`: None for one line.
    """
    return json.dumps(_unstructure(obj, keys, include_secrets), ensure_ascii=False, indent=indent)


# -- in: JSON values to models ------------------------------------------------------------------


class _Invalid(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _expect(kind: type, value: Any, what: str) -> Any:
    """``value`` if it is a ``kind`` (a bool is not an int here), else an error."""
    ok = value.__class__ is bool if kind is bool else isinstance(value, kind)
    if not ok:
        raise _Invalid("", f"expected {what}, got {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def _union_args(t: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(t)
    return typing.get_args(t) if origin is typing.Union or origin is types.UnionType else ()


def _make_in(keys: Keys) -> cattrs.Converter:
    conv = cattrs.Converter()

    def str_in(v: Any, _: Any) -> str:
        return str(_expect(str, v, "a string"))

    def bool_in(v: Any, _: Any) -> bool:
        return bool(_expect(bool, v, "a boolean"))

    def int_in(v: Any, _: Any) -> int:
        if v.__class__ is bool or not isinstance(v, int):
            raise _Invalid("", f"expected an integer, got {_json_type(v)}")
        return v

    def float_in(v: Any, _: Any) -> float:
        if v.__class__ is bool or not isinstance(v, (int, float)):
            raise _Invalid("", f"expected a number, got {_json_type(v)}")
        return float(v)

    def datetime_in(v: Any, _: Any) -> datetime.datetime:
        if isinstance(v, datetime.datetime):
            return parse_timestamp(v)
        if not isinstance(v, str):
            raise _Invalid("", f"expected an ISO-8601 date and time, got {_json_type(v)}")
        try:
            return parse_timestamp(v)
        except ValueError:
            raise _Invalid("", f"expected an ISO-8601 date and time, got {v!r}") from None

    conv.register_structure_hook(str, str_in)
    conv.register_structure_hook(bool, bool_in)
    conv.register_structure_hook(int, int_in)
    conv.register_structure_hook(float, float_in)
    conv.register_structure_hook(datetime.datetime, datetime_in)

    def enum_of(t: Any) -> type[TolerantEnum] | None:
        if isinstance(t, type) and issubclass(t, TolerantEnum):
            return t
        enums = [a for a in _union_args(t) if isinstance(a, type) and issubclass(a, TolerantEnum)]
        rest = [a for a in _union_args(t) if a not in enums and a is not _NONE]
        if len(enums) == 1 and all(typing.get_origin(a) is Literal for a in rest):
            return enums[0]
        return None

    def enum_in(t: Any) -> Callable[[Any, Any], Any]:
        enum_cls = enum_of(t)
        assert enum_cls is not None
        nullable = _NONE in _union_args(t)

        def structure(v: Any, _: Any) -> Any:
            if v is None and nullable:
                return None
            return enum_cls(_expect(str, v, f"a {enum_cls.__name__} value (a string)"))

        return structure

    conv.register_structure_hook_factory(lambda t: enum_of(t) is not None, enum_in)

    def optional_in(t: Any) -> Callable[[Any, Any], Any]:
        (inner,) = [a for a in _union_args(t) if a is not _NONE]
        hook = conv.get_structure_hook(inner)
        return lambda v, _: None if v is None else hook(v, inner)

    conv.register_structure_hook_factory(
        lambda t: _NONE in _union_args(t) and len(_union_args(t)) == 2, optional_in
    )

    def sequence_in(t: Any) -> Callable[[Any, Any], Any]:
        (inner,) = typing.get_args(t) or (Any,)
        hook = conv.get_structure_hook(inner)

        def structure(v: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(v, (list, tuple)):
                raise _Invalid("", f"expected an array, got {_json_type(v)}")
            items = []
            for i, x in enumerate(v):
                try:
                    items.append(hook(x, inner))
                except _Invalid as exc:
                    raise _Invalid(f"[{i}]{exc.path}", exc.message) from None
            return tuple(items)

        return structure

    conv.register_structure_hook_factory(
        lambda t: _origin(t) is collections.abc.Sequence, sequence_in
    )

    def mapping_in(t: Any) -> Callable[[Any, Any], Any]:
        _, inner = typing.get_args(t) or (str, Any)
        hook = conv.get_structure_hook(inner)

        def structure(v: Any, _: Any) -> dict[str, Any]:
            if not isinstance(v, Mapping):
                raise _Invalid("", f"expected an object, got {_json_type(v)}")
            out: dict[str, Any] = {}
            for k, x in v.items():
                if not isinstance(k, str):
                    raise _Invalid("", f"expected string keys, got {_json_type(k)}")
                try:
                    out[k] = hook(x, inner)
                except _Invalid as exc:
                    raise _Invalid(f".{k}{exc.path}", exc.message) from None
            return out

        return structure

    conv.register_structure_hook_factory(
        lambda t: _origin(t) is collections.abc.Mapping, mapping_in
    )

    def attrs_in(cls: type) -> Callable[[Any, Any], Any]:
        read = _field_reader(conv, cls, keys)
        return lambda v, _: cls(**read(v))

    conv.register_structure_hook_factory(attrs.has, attrs_in)
    return conv


def _field_reader(conv: cattrs.Converter, cls: type, keys: Keys) -> Callable[[Any], dict[str, Any]]:
    """``read(data) -> keyword arguments of cls`` for its public fields."""
    hints = typing.get_type_hints(cls)
    plan = []
    for f in attrs.fields(cls):
        if _is_private(f):
            continue
        t = hints[f.name]
        plan.append((f, _key(f, keys), conv.get_structure_hook(t), t))

    def read(data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise _Invalid("", f"expected an object, got {_json_type(data)}")
        kwargs: dict[str, Any] = {}
        for f, key, hook, t in plan:
            if key not in data:
                if f.default is attrs.NOTHING:
                    hint = ""
                    if _is_secret(f):
                        hint = " (a secret: to_dict writes it only with include_secrets=True)"
                    raise _Invalid(f".{key}", f"missing{hint}")
                continue
            try:
                kwargs[f.alias or f.name] = hook(data[key], t)
            except _Invalid as exc:
                raise _Invalid(f".{key}{exc.path}", exc.message) from None
        return kwargs

    return read


_IN: dict[str, cattrs.Converter] = {}


def _is_attrs_class(cls: object) -> bool:
    """(Not a TypeGuard: ``attrs.has`` would narrow ``type[T]`` to ``type[AttrsInstance]``.)"""
    return isinstance(cls, type) and attrs.has(cls)


def from_dict(
    cls: type[T], data: Mapping[str, Any], *, keys: Keys = "snake", client: Any = None
) -> T:
    """Build ``cls`` (a model, resource or event class) from a dict `to_dict` wrote (or one
    decoded from its JSON).

    Args:
        cls: the class to build, e.g. ``ivsrt.models.Stage`` or ``ivsrt.Stage``.
        data: the dict. Keys it does not know are ignored; a member it lacks is None (an error
            for a member the class requires).
        keys: the key style ``data`` was written with (``"snake"`` or ``"wire"``).
        client: for a resource class (which keeps the client its methods use): that client.
            None: the client of the enclosing ``async with ivsrt.Client(...)``.

    Raises:
        ValueError: a value has the wrong JSON type, is missing, or is not a valid datetime;
            the message names its path (``from_dict(Stage): .endpoints.whip: expected a
            string, got a number (5)``). Also: ``keys`` is not ``"snake"`` or ``"wire"``.
        TypeError: ``cls`` is not an attrs class.
        ivsrt.ConfigurationError: ``cls`` is a resource class, and there is no client.
    """
    if keys not in _KEYS:
        raise ValueError(f'keys= must be "snake" or "wire", got {keys!r}')
    if not _is_attrs_class(cls):
        raise TypeError(f"from_dict takes an ivsrt model class, got {cls!r}")
    conv = _IN.get(keys)
    if conv is None:
        conv = _IN[keys] = _make_in(keys)
    klass: Any = cls
    private = [f for f in attrs.fields(klass) if _is_private(f)]
    try:
        if not private:
            result: T = conv.structure(data, cls)
            return result
        if [f.name for f in private] != ["_client"]:
            raise TypeError(f"{cls.__name__} cannot be built from a dict")
        kwargs = _field_reader(conv, cls, keys)(data)
    except _Invalid as exc:
        raise ValueError(f"from_dict({cls.__name__}): {exc.path or '.'}: {exc.message}") from None
    from ivsrt.resources._base import resolve_client

    built: T = klass(**kwargs, client=resolve_client(client))
    return built
