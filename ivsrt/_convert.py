"""cattrs converter between the generated models and botocore's wire-named dicts.

- Field names are renamed to the wire names kept in each field's ``metadata["wire"]``.
- Going out, members that are None are omitted; enums become their values; sequences lists.
- Coming in, unknown keys are ignored, sequences become tuples, enum values the model does not
  know are kept (see `ivsrt._enum`), and timestamps are parsed here with
  ``datetime.fromisoformat`` (botocore's dateutil parsing is switched off for ivsrt clients:
  it costs more than the rest of a ListParticipants page put together).
"""

from __future__ import annotations

import collections.abc
import datetime
import linecache
import re
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

__all__ = ["converter", "make_builder", "parse_timestamp", "structure", "unstructure"]

T = TypeVar("T")
_UTC = datetime.timezone.utc
_NONE = type(None)
_fromisoformat = datetime.datetime.fromisoformat


_FRACTION = re.compile(r"\.(\d+)")


def _normalise_iso(value: str) -> str:
    """``value`` in the form Python 3.10's ``fromisoformat`` reads: ``Z`` written ``+00:00``,
    the fraction (if any) with exactly 6 digits."""
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    match = _FRACTION.search(value)
    if match is not None and len(match.group(1)) != 6:
        digits = match.group(1)[:6].ljust(6, "0")
        value = value[: match.start(1)] + digits + value[match.end(1) :]
    return value


if sys.version_info >= (3, 11):
    _iso = _fromisoformat
else:  # pragma: no cover - Python 3.10: the wire's "Z" and 3-digit fractions, without dateutil

    def _iso(value: str) -> datetime.datetime:
        return _fromisoformat(_normalise_iso(value))


def _utc(parsed: datetime.datetime) -> datetime.datetime:
    if parsed.tzinfo is _UTC:
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


def parse_timestamp(value: Any) -> datetime.datetime:
    """Parse a wire timestamp (ISO-8601 string, epoch number or datetime) into an aware UTC
    datetime (``tzinfo`` is ``datetime.timezone.utc``; other offsets are converted, naive
    values taken as UTC)."""
    if value.__class__ is str:  # the wire's case, first
        try:
            parsed = _iso(value)
        except ValueError:
            parsed = _botocore_parse_timestamp(value)
        return _utc(parsed)
    if isinstance(value, datetime.datetime):
        return _utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, _UTC)
    if isinstance(value, str):  # a str subclass
        return parse_timestamp(str(value))
    raise TypeError(f"cannot parse a timestamp from {type(value).__name__}")


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
    # Output-side members are typed with the bare enum; cattrs' ``str`` hook would pass the
    # member through (it is a ``str``), so ``unstructure`` would hand out enum objects.
    # (A singledispatch registration: it outranks cattrs' ``str`` one, a predicate does not.)
    conv.register_unstructure_hook(
        TolerantEnum, lambda v: v.value if isinstance(v, TolerantEnum) else v
    )

    def sequence_structure(t: Any) -> Callable[[Any, Any], Any]:
        (inner,) = typing.get_args(t) or (Any,)
        hook = conv.get_structure_hook(inner)
        return lambda v, _: tuple([hook(x, inner) for x in _list(v)])

    def sequence_unstructure(t: Any) -> Callable[[Any], Any]:
        (inner,) = typing.get_args(t) or (Any,)
        hook = conv.get_unstructure_hook(inner)
        return lambda v: [hook(x) for x in v]

    conv.register_structure_hook_factory(_is_sequence, sequence_structure)
    conv.register_unstructure_hook_factory(_is_sequence, sequence_unstructure)

    def model_structure(cls: type) -> Callable[[Any, Any], Any]:
        fast = _make_model_structure(conv, cls)
        if fast is not None:
            return fast
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


# -- generated structure functions ------------------------------------------------------------
#
# Responses are structured on every call (a ListParticipants page is 100 models), so each model
# class gets one generated function that reads its wire keys and builds the instance with keyword
# arguments, the per-member conversion written inline: no per-member hook call, no intermediate
# dict. It gives the same results as cattrs' generated function with the hooks above (missing
# and null members become None, unknown keys ignored, enums tolerant, sequences tuples), except
# that scalars are never coerced: a value of the wrong JSON type (``"false"`` for a boolean,
# ``1.9`` for an integer, an object for a string) is a `WrongTypeError`, which the call path
# reports as a ``ResponseParseError``. An integer is accepted where the model has a float.

_SCALARS = (str, int, bool, float)


_LISTS = (list, tuple)


class NotAListError(TypeError):
    """A response member the model types as a list holds something else."""

    def __init__(self, member: str, got: type) -> None:
        super().__init__(f"{member or 'a member'}: expected a list, got {got.__name__}")
        self.member = member
        """The member's wire name ('' when not known)."""


class MissingMemberError(LookupError):
    """A member the model (or ivsrt's list of members the service always returns) requires is
    missing from a response, or null."""

    def __init__(self, member: str) -> None:
        super().__init__(f"{member}: missing from the response")
        self.member = member
        """The member's wire name."""


def _missing(member: str) -> Any:
    raise MissingMemberError(member)


class WrongTypeError(TypeError):
    """A response member holds a value of another type than the model's (its text names the
    member and the types, never the value, which may be a secret)."""

    def __init__(self, member: str, expected: str, got: type) -> None:
        super().__init__(f"{member or 'a member'}: expected {expected}, got {got.__name__}")
        self.member = member
        """The member's wire name ('' when not known)."""


def _as_str(value: Any, member: str = "") -> str:
    if isinstance(value, str):
        return str(value)
    raise WrongTypeError(member, "a string", type(value))


def _as_int(value: Any, member: str = "") -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise WrongTypeError(member, "an integer", type(value))


def _as_bool(value: Any, member: str = "") -> bool:
    raise WrongTypeError(member, "a boolean", type(value))


def _as_float(value: Any, member: str = "") -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise WrongTypeError(member, "a number", type(value))


def _list(value: Any, member: str = "") -> Any:
    """``value`` when it is a list (or tuple); NotAListError otherwise: a string or a dict where
    the model has a list must not be split into characters or keys."""
    if value.__class__ in _LISTS:
        return value
    raise NotAListError(member, type(value))


def _str_map(value: Any, member: str = "") -> dict[str, str]:
    if value.__class__ is not dict:
        raise WrongTypeError(member, "an object", type(value))
    for k, v in value.items():
        if k.__class__ is not str or v.__class__ is not str:
            return {_as_str(k, member): _as_str(v, member) for k, v in value.items()}
    return dict(value)


def _enum_lookup(enum_cls: type[TolerantEnum]) -> Callable[[Any], Any]:
    members = {member.value: member for member in enum_cls}
    get = members.get

    def lookup(value: Any) -> Any:
        if value.__class__ is str:
            member = get(value)
            if member is not None:
                return member
        return enum_cls(value)

    return lookup


def _optional_arg(t: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(t, False)``."""
    args = _union_args(t)
    if args and _NONE in args:
        rest = tuple(a for a in args if a is not _NONE)
        return (rest[0] if len(rest) == 1 else t), True
    return t, False


def _member_lines(
    conv: cattrs.Converter, cls: type, names: dict[str, Any]
) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The lines that read and convert each member of model ``cls`` from the wire dict ``o``
    into ``v0``, ``v1``...; and ``(field name or alias, variable)`` per member. None when a
    field has a default other than None (the generated models have none)."""
    hints = typing.get_type_hints(cls)
    body: list[str] = []
    values: list[tuple[str, str]] = []
    for i, f in enumerate(attrs.fields(cls)):
        if f.default is not attrs.NOTHING and f.default is not None:
            return None
        wire: str = f.metadata["wire"]
        inner, _ = _optional_arg(hints[f.name])
        enum_cls = _enum_of_union(hints[f.name])
        v = f"v{i}"
        if f.default is None:
            body.append(f"    {v} = o.get({wire!r})")
            guard = f"{v} is not None and "
            indent = f"    if {v} is not None:\n        "
        else:  # required: missing or null is a MissingMemberError
            body.append(f"    {v} = o.get({wire!r})")
            body.append(f"    if {v} is None:\n        _missing({wire!r})")
            guard, indent = "", "    "
        if inner in _SCALARS:
            body.append(f"    if {guard}{v}.__class__ is not _{inner.__name__}:")
            body.append(f"        {v} = _as_{inner.__name__}({v}, {wire!r})")
        elif inner is datetime.datetime:
            body.append(f"{indent}{v} = _parse_ts({v})")
        elif enum_cls is not None or (isinstance(inner, type) and issubclass(inner, TolerantEnum)):
            names[f"_h{i}"] = _enum_lookup(enum_cls or inner)
            body.append(f"{indent}{v} = _h{i}({v})")
        elif typing.get_origin(inner) is collections.abc.Mapping and typing.get_args(inner) == (
            str,
            str,
        ):
            body.append(f"{indent}{v} = _str_map({v}, {wire!r})")
        elif _is_sequence(inner) and typing.get_args(inner):
            (item,) = typing.get_args(inner)
            item_enum = _enum_of_union(item) if _union_args(item) else None
            if item_enum is None and isinstance(item, type) and issubclass(item, TolerantEnum):
                item_enum = item
            if item in _SCALARS:
                convert = (
                    f"x if x.__class__ is _{item.__name__} else _as_{item.__name__}(x, {wire!r})"
                )
            elif item_enum is not None:
                names[f"_h{i}"] = _enum_lookup(item_enum)
                convert = f"_h{i}(x)"
            else:
                names[f"_h{i}"], names[f"_t{i}"] = conv.get_structure_hook(item), item
                convert = f"_h{i}(x, _t{i})"
            items = f"({v} if {v}.__class__ in _LISTS else _list({v}, {wire!r}))"
            body.append(f"{indent}{v} = tuple([{convert} for x in {items}])")
        else:
            names[f"_h{i}"], names[f"_t{i}"] = conv.get_structure_hook(inner), inner
            body.append(f"{indent}{v} = _h{i}({v}, _t{i})")
        values.append((f.alias or f.name, v))
    return body, values


def _base_names() -> dict[str, Any]:
    names: dict[str, Any] = {
        "_str_map": _str_map,
        "_parse_ts": parse_timestamp,
        "_list": _list,
        "_missing": _missing,
        "_LISTS": _LISTS,
    }
    for scalar in _SCALARS:
        names[f"_{scalar.__name__}"] = scalar
    names.update(_as_str=_as_str, _as_int=_as_int, _as_bool=_as_bool, _as_float=_as_float)
    return names


def _compile(name: str, source: str, label: str, names: dict[str, Any]) -> Any:
    filename = f"<ivsrt generated {label}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)
    return names[name]


def _make_model_structure(conv: cattrs.Converter, cls: type) -> Callable[[Any, Any], Any] | None:
    """A generated structure function for ``cls``; None when a field has a default other than
    None (the generated models have none; cattrs' own function then serves)."""
    names = _base_names()
    names["__cl"] = cls
    lines = _member_lines(conv, cls, names)
    if lines is None:
        return None
    body, values = lines
    name = f"structure_{cls.__name__}"
    if _fillable(cls):
        # Slot by slot, as `make_builder` does: far cheaper than the generated __init__.
        names["__new"] = object.__new__
        body.append("    self = __new(__cl)")
        for i, (f, (_, v)) in enumerate(zip(attrs.fields(cls), values, strict=True)):
            names[f"_s{i}"] = _slot_setter(cls, f.name)
            body.append(f"    _s{i}(self, {v})")
        body.append("    return self")
    else:
        kwargs = ", ".join(f"{arg}={v}" for arg, v in values)
        body.append(f"    return __cl({kwargs})")
    source = "\n".join([f"def {name}(o, _=None):", *body, ""])
    fn: Callable[[Any, Any], Any] = _compile(
        name, source, f"structure {cls.__module__}.{cls.__qualname__}", names
    )
    return fn


def _fillable(cls: type) -> bool:
    """Whether an instance of ``cls`` can be made by setting its slots: a slotted attrs class
    without init hooks, validators or converters, whose __init__ would do nothing more."""
    return (
        "__slots__" in cls.__dict__
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(f.validator is None and f.converter is None and f.init for f in attrs.fields(cls))
    )


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None and type(descriptor).__name__ == "member_descriptor":
            setter: Callable[[Any, Any], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__qualname__}.{name} is not a slot")


def make_builder(
    cls: type[T], wire_model: type, extra: tuple[str, ...] = ()
) -> Callable[[Mapping[str, Any], tuple[Any, ...]], T]:
    """A function ``build(wire_dict, extra_values) -> cls`` for classes that extend a generated
    model (the resource classes), building each instance once, straight from the wire.

    ``wire_model`` is the generated model whose members the wire dict carries (``cls`` or one of
    its bases' smaller siblings, e.g. ``ParticipantSummary`` for a listed ``Participant``); they
    are read and converted exactly as the converter does for ``wire_model``. The fields named in
    ``extra`` (e.g. ``_client``, ``stage_arn``) are set from ``extra_values``, in that order;
    every other field of ``cls`` is None (its default). The instance is filled slot by slot
    (frozen slotted attrs classes without validators, converters or post-init only), which costs
    far less than the generated ``__init__`` with 25 keyword arguments.
    """
    if not (attrs.has(cls) and "__slots__" in cls.__dict__):
        raise TypeError(f"{cls.__qualname__} is not a slotted attrs class")
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        raise TypeError(f"{cls.__qualname__} has an init hook: build it with its __init__")
    fields = {f.name: f for f in attrs.fields(cls)}
    names = _base_names()
    names["__new"], names["__cl"] = object.__new__, cls
    lines = _member_lines(converter, wire_model, names)
    if lines is None:
        raise TypeError(f"{wire_model.__qualname__} has a field with a non-None default")
    body, values = lines
    by_name = {f.name: v for f, (_, v) in zip(attrs.fields(wire_model), values, strict=True)}
    unknown = (set(by_name) | set(extra)) - set(fields)
    if unknown:
        raise TypeError(f"{cls.__qualname__} has no field {sorted(unknown)}")
    extras = {n: f"x[{i}]" for i, n in enumerate(extra)}
    body.append("    self = __new(__cl)")
    for i, (fname, f) in enumerate(fields.items()):
        if f.validator is not None or f.converter is not None:
            raise TypeError(f"{cls.__qualname__}.{fname} has a validator or converter")
        value = by_name.get(fname) or extras.get(fname)
        if value is None:
            if f.default is not None:
                raise TypeError(f"{cls.__qualname__}.{fname} is neither on the wire nor extra")
            value = "None"
        names[f"_s{i}"] = _slot_setter(cls, fname)
        body.append(f"    _s{i}(self, {value})")
    name = f"build_{cls.__name__}"
    source = "\n".join([f"def {name}(o, x):", *body, "    return self", ""])
    fn: Callable[[Mapping[str, Any], tuple[Any, ...]], T] = _compile(
        name, source, f"builder {cls.__module__}.{cls.__qualname__}", names
    )
    return fn


converter = _make_converter()
"""The converter ivsrt uses for every model (public for users who store models as JSON)."""


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build ``cls`` from a wire-named dict (as botocore returns it)."""
    return converter.structure(data, cls)


def unstructure(value: Any) -> Any:
    """Turn a model (or a list/map of them, or a scalar) into a wire-named dict."""
    return converter.unstructure(value)
