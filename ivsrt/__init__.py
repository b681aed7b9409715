"""ivsrt: a typed async Python SDK for Amazon IVS Real-Time.

```python
import ivsrt

async with ivsrt.Client(region="us-west-2") as ivs:
    created = await ivs.api.create_stage(name="town-hall")
    print(created.stage.arn)
```
"""

from typing import TYPE_CHECKING, Any

from ivsrt._exceptions import (
    ConfigurationError,
    IvsrtError,
    NoActiveSessionError,
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
from ivsrt._model_data import botocore_data_path
from ivsrt._version import __version__
from ivsrt.client import Client, current_client
from ivsrt.limits import RateLimits
from ivsrt.paging import AsyncPager, Page, PaginationError
from ivsrt.retry import RetryPolicy

if TYPE_CHECKING:
    import ivsrt.channels as channels
    import ivsrt.events as events
    import ivsrt.models as models
    import ivsrt.tokens as tokens
    from ivsrt._convert import converter
    from ivsrt._generated.channels.operations import ChannelsApi
    from ivsrt._generated.operations import RealtimeApi
    from ivsrt._json import from_dict, to_dict, to_json
    from ivsrt.resources import (
        Composition,
        CompositionSummary,
        EncoderConfiguration,
        IngestConfiguration,
        IngestConfigurationSummary,
        Participant,
        ParticipantEvent,
        ParticipantReplica,
        ParticipantToken,
        PublicKey,
        Replication,
        Stage,
        StageSession,
        StorageConfiguration,
    )

__all__ = [
    "AccessDeniedError",
    "AsyncPager",
    "ChannelsApi",
    "Client",
    "Composition",
    "CompositionSummary",
    "ConfigurationError",
    "ConflictError",
    "EncoderConfiguration",
    "IngestConfiguration",
    "IngestConfigurationSummary",
    "InternalServerError",
    "IvsrtError",
    "NoActiveSessionError",
    "OutcomeUnknownError",
    "Page",
    "PaginationError",
    "Participant",
    "ParticipantEvent",
    "ParticipantReplica",
    "ParticipantToken",
    "PendingVerificationError",
    "PublicKey",
    "RateLimits",
    "RealtimeApi",
    "Replication",
    "ResourceNotFoundError",
    "ResponseParseError",
    "RetryPolicy",
    "ServiceError",
    "ServiceQuotaExceededError",
    "ServiceValidationError",
    "Stage",
    "StageSession",
    "StorageConfiguration",
    "ThrottlingError",
    "TransportError",
    "ValidationError",
    "Violation",
    "WaiterError",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "__version__",
    "botocore_data_path",
    "channels",
    "converter",
    "current_client",
    "events",
    "from_dict",
    "models",
    "to_dict",
    "to_json",
    "tokens",
]

from ivsrt._exceptions import publish_exceptions as _publish_exceptions

_publish_exceptions("ivsrt", globals(), __all__)


_LAZY_MODULES = frozenset({"channels", "events", "models", "tokens"})
"""Submodules imported on first use: the models (and cattrs, which builds them), the channel
models, the event parser and the token signer (PyJWT and ``cryptography``) only load in programs
that use them. ``import ivsrt`` and ``ivsrt.Client(...)`` load the client and its call path."""

_LAZY_NAMES = {
    "ChannelsApi": "ivsrt.channels",
    "RealtimeApi": "ivsrt._generated.operations",
    "converter": "ivsrt._convert",
    **dict.fromkeys(("from_dict", "to_dict", "to_json"), "ivsrt._json"),
    **dict.fromkeys(
        (
            "Composition",
            "CompositionSummary",
            "EncoderConfiguration",
            "IngestConfiguration",
            "IngestConfigurationSummary",
            "Participant",
            "ParticipantEvent",
            "ParticipantReplica",
            "ParticipantToken",
            "PublicKey",
            "Replication",
            "Stage",
            "StageSession",
            "StorageConfiguration",
        ),
        "ivsrt.resources",
    ),
}
"""Names imported on first use from the module that defines them (the resources build on the
models, ``RealtimeApi`` names their classes)."""


def __getattr__(name: str) -> Any:
    """The names of `_LAZY_MODULES` and `_LAZY_NAMES`, imported on first use."""
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f"ivsrt.{name}")
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'ivsrt' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
