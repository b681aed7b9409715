"""Enums that are strict going out and tolerant coming in.

Generated enums subclass [`TolerantEnum`][ivsrt.models.TolerantEnum]. Requests are typed with the
enum or its
``Literal`` twin, so a type checker catches ``capabilities=["PUBLSH"]``. Responses are parsed with
``EnumClass(value)``: a value the model does not know yet (the service adds states every few
months) does not raise, it becomes a *pseudo-member* of the same class, an ``str`` equal to the
raw value, whose ``known`` is ``False``. Code that compares with ``==`` or matches on known members
keeps working, and a newer service cannot crash a deployed client.
"""

from __future__ import annotations

import enum
from typing import Any

from typing_extensions import Self

__all__ = ["TolerantEnum"]


class TolerantEnum(str, enum.Enum):
    """A ``str`` enum that keeps unknown values instead of raising."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        cache: dict[str, Self] = cls.__dict__.get("_ivsrt_unknown_", None) or {}
        if "_ivsrt_unknown_" not in cls.__dict__:
            type.__setattr__(cls, "_ivsrt_unknown_", cache)
        member = cache.get(value)
        if member is None:
            member = str.__new__(cls, value)
            member._name_ = value
            member._value_ = value
            cache[value] = member
        return member

    @property
    def known(self) -> bool:
        """False for a value this version of ivsrt does not know (kept as it came)."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self._value_)

    def __repr__(self) -> str:
        suffix = "" if self.known else " (unknown to this ivsrt)"
        return f"<{type(self).__name__}.{self._name_}: {self._value_!r}{suffix}>"

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (self._value_,)
