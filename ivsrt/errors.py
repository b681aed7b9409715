"""Every exception ivsrt raises.

```
IvsrtError
├── ConfigurationError          the client cannot be set up (no region, closed client, ...)
├── ValidationError             rejected before sending: names each parameter path and rule
├── ServiceError                code, message (from `exceptionMessage`), status, request_id
│   ├── AccessDeniedError           403
│   ├── ConflictError               409
│   ├── InternalServerError         500
│   ├── PendingVerificationError    403
│   ├── ResourceNotFoundError       404
│   ├── ServiceQuotaExceededError   402
│   ├── ServiceValidationError      400 (the service's own ValidationException)
│   └── ThrottlingError             429 / throttling codes; retryable
├── TransportError              connection, reset, timeout; `may_have_been_applied`
│   └── OutcomeUnknownError         a state-changing call may have been applied
├── ResponseParseError          a response that does not match the model
└── WaiterError                 carries the last snapshot (`last`)
    ├── WaiterFailedError           a terminal state (FAILED, gone)
    └── WaiterTimeoutError          the deadline passed
```

No botocore or aiohttp exception reaches callers undecorated: each is wrapped in one of these,
with the original kept as ``__cause__``.
"""

from ivsrt._exceptions import (
    ConfigurationError,
    IvsrtError,
    OutcomeUnknownError,
    ResponseParseError,
    ServiceError,
    ThrottlingError,
    TransportError,
    ValidationError,
    Violation,
    WaiterError,
    WaiterFailedError,
    WaiterTimeoutError,
)
from ivsrt._generated.errors import (
    ERRORS_BY_CODE,
    AccessDeniedError,
    ConflictError,
    InternalServerError,
    PendingVerificationError,
    ResourceNotFoundError,
    ServiceQuotaExceededError,
    ServiceValidationError,
)

__all__ = [
    "ERRORS_BY_CODE",
    "AccessDeniedError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "IvsrtError",
    "OutcomeUnknownError",
    "PendingVerificationError",
    "ResourceNotFoundError",
    "ResponseParseError",
    "ServiceError",
    "ServiceQuotaExceededError",
    "ServiceValidationError",
    "ThrottlingError",
    "TransportError",
    "ValidationError",
    "Violation",
    "WaiterError",
    "WaiterFailedError",
    "WaiterTimeoutError",
]
