"""ivsrt: a typed async Python SDK for Amazon IVS Real-Time.

```python
import ivsrt

async with ivsrt.Client(region="us-west-2") as ivs:
    created = await ivs.api.create_stage(name="town-hall")
    print(created.stage.arn)
```
"""

from ivsrt import models
from ivsrt._convert import converter
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
    AccessDeniedError,
    ConflictError,
    InternalServerError,
    PendingVerificationError,
    ResourceNotFoundError,
    ServiceQuotaExceededError,
    ServiceValidationError,
)
from ivsrt._generated.operations import RealtimeApi
from ivsrt.client import Client, current_client

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "IvsrtError",
    "OutcomeUnknownError",
    "PendingVerificationError",
    "RealtimeApi",
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
    "__version__",
    "converter",
    "current_client",
    "models",
]
