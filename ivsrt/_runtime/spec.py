"""`OperationSpec`: the static facts about one operation that the generated code declares.

A leaf module: it imports nothing of ivsrt, so every layer can name the type.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

__all__ = ["OperationSpec"]

T = TypeVar("T")


@attrs.frozen
class OperationSpec(Generic[T]):
    """Static facts about one operation (generated)."""

    name: str
    """Operation name in the model, e.g. ``CreateStage``."""
    method_name: str
    """The aiobotocore client method, e.g. ``create_stage``."""
    input_shape: str | None
    output_type: type[T]
    idempotency_tokens: tuple[str, ...] = ()
    """Wire names of members the SDK fills with a fresh token when the caller gives none."""
    read_only: bool = False
    """Get/List calls: they change nothing."""
    retry_safe: bool = False
    """Safe to send again when a previous attempt may have been applied: reads, calls the model
    marks idempotent, and calls carrying an idempotency token."""
    service: str = "ivs-realtime"
    """botocore service name: picks the aiobotocore client and the constraint tables."""
    arn_members: tuple[str, ...] = ()
    """Wire names of the top-level ARN members (``arn``, ``stageArn``...): they also take an
    object with an ``arn`` (a resource, a model), sent as that ARN."""
