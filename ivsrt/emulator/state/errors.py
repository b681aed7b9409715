"""The two errors of the emulated service: `ApiError` (answered on the wire) and `ControlError`
(a control-surface action that cannot be done)."""

from __future__ import annotations

__all__ = ["ApiError", "ControlError", "invalid", "not_found"]


class ApiError(Exception):
    """A service error: ``code`` (the ``x-amzn-ErrorType``) and a message."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class ControlError(Exception):
    """A control-surface action that cannot be done (unknown token, not joined, ...).

    ``code`` says why, e.g. ``INVALID_TOKEN``, ``NOT_FOUND``, ``NOT_CONNECTED``,
    ``INVALID_STREAM_KEY``, ``REUSE_OF_STREAM_KEY``, ``QUOTA_EXCEEDED``, ``TOKEN_REVOKED``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(kind: str, arn: str) -> ApiError:
    return ApiError("ResourceNotFoundException", f"{kind} not found: {arn}")


def invalid(field: str, constraint: str) -> ApiError:
    """A ValidationException worded as the service words them."""
    return ApiError(
        "ValidationException",
        f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
        f"{constraint}",
    )
