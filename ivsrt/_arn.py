"""Resources in place of ARNs: `HasArn` and `arn_of`, shared by the typed and resource layers.

Wherever a call takes an ARN (``arn``, ``stage_arn``, ``stage=``...), it also takes anything with
an ``arn`` attribute: a [`Stage`][ivsrt.resources.Stage], a
[`PublicKey`][ivsrt.resources.PublicKey], a generated model. Anything else is a
[`ValidationError`][ivsrt.errors.ValidationError] naming the argument, before anything is sent.
"""

from __future__ import annotations

from typing import Protocol

from ivsrt._exceptions import ValidationError, Violation

__all__ = ["HasArn", "arn_of"]


class HasArn(Protocol):
    """Anything with an ``arn`` (a resource object or a generated model, whose ``arn`` may be
    typed optional: one that is None is a ``ValidationError`` when passed)."""

    @property
    def arn(self) -> str | None: ...


_EXPECTED = "expected an ARN string or an object with .arn"


def arn_of(value: str | HasArn, name: str, operation: str) -> str:
    """The ARN of ``value``: the string itself, or its ``.arn``.

    Args:
        value: what the caller passed.
        name: the caller's argument, e.g. ``stage`` or ``arn`` (named in the error).
        operation: the operation the ARN is for (named in the error).

    Raises:
        ValidationError: ``value`` is neither a string nor an object whose ``.arn`` is one.
    """
    if isinstance(value, str):
        return value
    arn = getattr(value, "arn", None)
    if isinstance(arn, str):
        return arn
    kind = type(value).__name__
    got = kind if arn is None and not hasattr(value, "arn") else f"{kind} whose .arn is {arn!r}"
    raise ValidationError(operation, [Violation(name, f"{_EXPECTED}, got {got}")])
