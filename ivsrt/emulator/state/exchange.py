"""What a participant token says, token exchange, and the tokens that may never join again.

A participant that is connected and joins again with a *different* valid token of its id (the
JWT's ``jti``; `ivsrt.tokens.TokenSigner.exchange` keeps it) exchanges its token: it stays the
same participant, takes the new token's capabilities, attributes and user id, and a
``TOKEN_EXCHANGED`` event records both tokens (the model's ``ExchangedParticipantToken``:
capabilities, attributes, userId, expirationTime). Joining again with the same token is still
``ALREADY_CONNECTED``.

A token whose participant was disconnected (DisconnectParticipant, in that stage) or revoked
(RevokeConnectionToken, in that region) never joins again: the join is refused
(`ControlError` ``TOKEN_REVOKED``) and, when the emulator still has the participant, a
``JOIN_ERROR`` event with error code ``INSUFFICIENT_CAPABILITIES`` is recorded, the model's
code for "the participant tried to take an action that the participant's token is not allowed
to do" (the closest of the codes it offers: the token is fine, what it may do is nothing)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from ivsrt.emulator import _tokens
from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.records import ExchangedToken, Participant, Stage
from ivsrt.emulator.state.store import Store

__all__ = [
    "ALL_CAPABILITIES",
    "JOIN_REFUSED_CODE",
    "TokenFields",
    "latest_participant",
    "refusal",
    "remember_disconnected",
    "remember_token",
    "token_fields",
    "token_record",
]

ALL_CAPABILITIES = ["PUBLISH", "SUBSCRIBE"]
JOIN_REFUSED_CODE = "INSUFFICIENT_CAPABILITIES"
"""The ``errorCode`` of the JOIN_ERROR event of a refused (disconnected or revoked) token."""


@attrs.frozen
class TokenFields:
    """What a participant token grants."""

    user_id: str
    attributes: dict[str, str]
    capabilities: list[str]
    expires: datetime.datetime


def token_fields(claims: Mapping[str, Any]) -> TokenFields:
    """The grants of a verified token's claims (``exp`` already checked to be a number)."""
    caps_claim = claims.get("capabilities")
    if isinstance(caps_claim, dict):
        caps = [
            c
            for c, flag in (("PUBLISH", "allow_publish"), ("SUBSCRIBE", "allow_subscribe"))
            if caps_claim.get(flag)
        ]
    elif isinstance(caps_claim, list):
        caps = [str(c) for c in caps_claim]
    else:
        caps = list(ALL_CAPABILITIES)
    attributes = claims.get("attributes")
    return TokenFields(
        user_id=str(claims.get("user_id") or ""),
        attributes=(
            {str(k): str(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {}
        ),
        capabilities=caps,
        expires=_expiry(claims["exp"]),
    )


def _expiry(exp: float) -> datetime.datetime:
    try:
        return datetime.datetime.fromtimestamp(int(exp), datetime.timezone.utc)
    except (OverflowError, ValueError, OSError):  # far beyond any date the clock reaches
        return datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)


def remember_token(part: Participant, token: str, fields: TokenFields) -> None:
    """``part`` now holds ``token`` (only its digest is kept)."""
    part.token_digest = _tokens.digest(token)
    part.token_expires = fields.expires


def token_record(part: Participant) -> ExchangedToken:
    """The token ``part`` holds now, as a TOKEN_EXCHANGED event shows it."""
    return ExchangedToken(
        capabilities=list(part.capabilities),
        attributes=dict(part.attributes),
        user_id=part.user_id,
        expiration_time=part.token_expires or datetime.datetime.now(datetime.timezone.utc),
    )


def refusal(store: Store, stage: Stage, pid: str) -> str | None:
    """Why a token of participant ``pid`` for ``stage`` may not join (None: it may)."""
    if (arn_region(stage.arn), pid) in store.revoked:
        return (
            f"the connection token {pid} was revoked (RevokeConnectionToken) and can never "
            "join again"
        )
    if (stage.arn, pid) in store.disconnected:
        return (
            f"participant {pid} was disconnected from this stage (DisconnectParticipant): its "
            "tokens can never join it again"
        )
    return None


def remember_disconnected(store: Store, stage_arn: str, pid: str) -> None:
    key = (stage_arn, pid)
    store.disconnected[key] = None
    store.disconnected.move_to_end(key)
    while len(store.disconnected) > store.limits.max_total_participants:
        store.disconnected.popitem(last=False)


def latest_participant(stage: Stage, pid: str) -> Participant | None:
    """The record of ``pid`` in the stage's latest session that has one."""
    for session in reversed(stage.sessions.values()):
        part = session.participants.get(pid)
        if part is not None:
            return part
    return None
