"""Base exception classes. The public tree (with the generated per-code classes) is in
[`ivsrt.errors`][ivsrt.errors]."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import attrs

__all__ = [
    "ConfigurationError",
    "IvsrtError",
    "NoActiveSessionError",
    "OutcomeUnknownError",
    "ResponseParseError",
    "ServiceError",
    "ThrottlingError",
    "TransportError",
    "ValidationError",
    "Violation",
    "WaiterError",
    "WaiterFailedError",
    "WaiterTimeoutError",
]


class IvsrtError(Exception):
    """Root of every exception ivsrt raises."""


class ConfigurationError(IvsrtError):
    """The client cannot be set up as asked (no region, unknown profile, closed client...)."""


@attrs.frozen
class Violation:
    """One broken rule in a request."""

    path: str
    """Where in the request, e.g. ``participant_token_configurations[0].duration``."""
    rule: str
    """What the value must satisfy, e.g. ``must be between 1 and 20160``."""

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}" if self.path else self.rule


class ValidationError(IvsrtError, ValueError):
    """A request was rejected before anything was sent.

    ``violations`` lists each broken rule with the parameter path it applies to.
    """

    def __init__(self, operation: str, violations: Sequence[Violation]) -> None:
        self.operation = operation
        self.violations: tuple[Violation, ...] = tuple(violations)
        detail = "; ".join(str(v) for v in self.violations)
        super().__init__(f"invalid {operation} request: {detail}")

    @property
    def paths(self) -> tuple[str, ...]:
        """The parameter paths that failed, in the order found."""
        return tuple(v.path for v in self.violations)


class ServiceError(IvsrtError):
    """The service answered with an error.

    Attributes:
        code: the service's error code, e.g. ``ResourceNotFoundException``.
        message: the service's message (IVS sends it as ``exceptionMessage``).
        status: the HTTP status code.
        request_id: the request id, to quote to AWS support.
        operation: the operation that failed, e.g. ``GetStage``.
    """

    code_name: ClassVar[str] = ""
    default_status: ClassVar[int] = 0

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.code = code or self.code_name or type(self).__name__
        self.message = message
        self.status = status if status is not None else self.default_status
        self.request_id = request_id
        self.operation = operation
        where = f"{operation}: " if operation else ""
        rid = f" (request id {request_id})" if request_id else ""
        super().__init__(
            f"{where}{self.code} [HTTP {self.status}]: {message or '(no message)'}{rid}"
        )

    def __reduce__(self) -> Any:
        kwargs = {
            "code": self.code,
            "status": self.status,
            "request_id": self.request_id,
            "operation": self.operation,
        }
        return (_rebuild, (type(self), (self.message,), kwargs, self.__dict__))


class ThrottlingError(ServiceError):
    """The service throttled the request (HTTP 429 or a throttling code). Retryable."""

    code_name = "ThrottlingException"
    default_status = 429


class TransportError(IvsrtError):
    """The request did not complete over the network (connect failure, reset, timeout).

    ``may_have_been_applied`` is False only when the failure happened before the request was
    sent (for example the connection was refused), so the service cannot have acted on it.
    """

    def __init__(self, message: str, *, operation: str, may_have_been_applied: bool) -> None:
        self.operation = operation
        self.may_have_been_applied = may_have_been_applied
        super().__init__(f"{operation}: {message}")

    def __reduce__(self) -> Any:
        # Rebuilt from its finished message: the subclasses' __init__ differ, the state is the
        # same.
        return (_rebuild_message, (type(self), str(self), self.__dict__))


class OutcomeUnknownError(TransportError):
    """A call that changes state failed after it may have reached the service.

    The change may or may not have happened. ivsrt does not retry such a call (doing it twice
    could, for example, create two stages); look the resource up before trying again.
    """

    def __init__(self, message: str, *, operation: str) -> None:
        super().__init__(
            f"outcome unknown, the request may have been applied: {message}",
            operation=operation,
            may_have_been_applied=True,
        )


class ResponseParseError(IvsrtError):
    """A response did not match the service model (for example a required member is missing)."""


class WaiterError(IvsrtError):
    """A waiter stopped without reaching the state it waited for.

    ``last`` is the last snapshot it saw (None if it never got one).
    """

    def __init__(self, message: str, *, last: Any = None) -> None:
        self.last = last
        super().__init__(message)


class WaiterFailedError(WaiterError):
    """The resource reached a terminal state (FAILED, gone, ...) it cannot leave for the one
    waited for."""


class WaiterTimeoutError(WaiterError, TimeoutError):
    """The waiter's deadline passed before the resource reached the state."""


class NoActiveSessionError(IvsrtError):
    """The stage has no active session (nobody is connected), and none was named."""


def publish_exceptions(module: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Report the exception classes ``names`` of ``namespace`` under the public ``module``
    they are imported from (``ivsrt.ResourceNotFoundError``, not
    ``ivsrt._generated.errors.ResourceNotFoundError``), in tracebacks and reprs alike. Pickling
    finds them under the new path, which exports them."""
    for name in names:
        obj = namespace.get(name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            obj.__module__ = module


def _rebuild(
    cls: type[BaseException], args: tuple[Any, ...], kwargs: dict[str, Any], state: dict[str, Any]
) -> BaseException:
    """Unpickle an exception whose ``__init__`` takes keyword arguments."""
    exc = cls(*args, **kwargs)
    exc.__dict__.update(state)
    return exc


def _rebuild_message(
    cls: type[BaseException], message: str, state: dict[str, Any]
) -> BaseException:
    """Unpickle an exception from its final message and attributes."""
    exc = cls.__new__(cls)
    BaseException.__init__(exc, message)
    exc.__dict__.update(state)
    return exc
