"""Media-level errors injected from the control surface: a participant's next join, publish or
subscribe fails with one of the model's event error codes (a JOIN_ERROR, PUBLISH_ERROR or
SUBSCRIBE_ERROR event carrying it)."""

from __future__ import annotations

import typing
from typing import Literal

from ivsrt._generated.models import EventErrorCodeLiteral
from ivsrt.emulator.state.errors import ControlError
from ivsrt.emulator.state.store import Store

__all__ = ["ERROR_CODES", "MEDIA_ACTIONS", "MediaAction", "inject_media_error"]

MediaAction = Literal["join", "publish", "subscribe"]
"""What a media error makes fail: the next join (JOIN_ERROR), publish (PUBLISH_ERROR, also an
RTMP encoder going live) or subscribe (SUBSCRIBE_ERROR)."""
MEDIA_ACTIONS: tuple[str, ...] = typing.get_args(MediaAction)
ERROR_CODES: tuple[str, ...] = typing.get_args(EventErrorCodeLiteral)
"""The model's event error codes (``EventErrorCode``)."""


def inject_media_error(store: Store, participant_id: str, action: str, code: str) -> None:
    """The participant's next ``action`` fails with ``code`` (`ControlError` ``BAD_REQUEST`` for
    an unknown action or code). Injecting again for the same action replaces the code."""
    if action not in MEDIA_ACTIONS:
        raise ControlError("BAD_REQUEST", f"'action' must be one of {', '.join(MEDIA_ACTIONS)}")
    if code not in ERROR_CODES:
        raise ControlError(
            "BAD_REQUEST",
            f"'code' must be an event error code of the model: {', '.join(ERROR_CODES)}",
        )
    if not participant_id or len(participant_id) > 128:
        raise ControlError("BAD_REQUEST", "'participantId' must be a participant id")
    key = (participant_id, action)
    if (
        key not in store.media_errors
        and len(store.media_errors) >= store.limits.max_total_participants
    ):
        raise ControlError(
            "QUOTA_EXCEEDED",
            f"already {len(store.media_errors)} media errors pending "
            "(Limits.max_total_participants)",
        )
    store.media_errors[key] = code
