"""Verifying self-signed tokens: typed claims and typed errors."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt._exceptions import IvsrtError
from ivsrt._generated.models import ParticipantTokenCapability
from ivsrt.resources import ParticipantToken, PublicKey
from ivsrt.tokens._keys import PublicKeyLike, load_public

__all__ = [
    "ALGORITHM",
    "CAPABILITY_FLAGS",
    "InvalidTokenError",
    "TokenClaims",
    "TokenError",
    "TokenExpiredError",
    "decode",
    "utc",
    "verify",
]

ALGORITHM = "ES384"
CAPABILITY_FLAGS = (("PUBLISH", "allow_publish"), ("SUBSCRIBE", "allow_subscribe"))
"""The ``capabilities`` claim's flags, by capability."""


class TokenError(IvsrtError, ValueError):
    """A participant token that cannot be used. Never carries the token's value."""


class InvalidTokenError(TokenError):
    """Not a token of ours: malformed, not ES384, or its signature does not verify with any of
    the keys given (a foreign or tampered token)."""


class TokenExpiredError(TokenError):
    """The token's signature verifies but its ``exp`` has passed."""


@attrs.frozen(kw_only=True)
class TokenClaims:
    """The decoded, verified claims of a participant token."""

    participant_id: str
    """``jti``: the participant id the token joins as."""
    stage_arn: str
    """``resource``: the stage the token is for."""
    stage_id: str | None
    """``topic``: the stage's id."""
    user_id: str | None
    """``user_id``, if the token has one."""
    attributes: Mapping[str, str]
    """``attributes`` (empty if none)."""
    capabilities: tuple[ParticipantTokenCapability, ...]
    """From the ``capabilities`` claim (``allow_publish`` / ``allow_subscribe``)."""
    issued_at: datetime.datetime | None
    """``iat``, in UTC."""
    expires_at: datetime.datetime
    """``exp``, in UTC."""
    events_url: str | None
    """``events_url``: the stage's events endpoint."""
    whip_url: str | None
    """``whip_url``: the stage's WHIP endpoint."""
    version: str | None
    """``version`` (``"1.0"``)."""
    key_id: str | None
    """The header's ``kid``: the ARN of the public key that verifies the token."""


def utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _opt_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidTokenError(f"the token's {name} claim must be a string")
    return value


def _typed_claims(claims: Mapping[str, Any], kid: object) -> TokenClaims:
    jti, resource, exp = claims.get("jti"), claims.get("resource"), claims.get("exp")
    if not isinstance(jti, str) or not jti:
        raise InvalidTokenError("the token has no jti claim (participant id)")
    if not isinstance(resource, str) or not resource:
        raise InvalidTokenError("the token has no resource claim (stage ARN)")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        raise InvalidTokenError("the token has no numeric exp claim")
    iat = claims.get("iat")
    if iat is not None and (isinstance(iat, bool) or not isinstance(iat, (int, float))):
        raise InvalidTokenError("the token's iat claim must be a number")
    attributes = claims.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise InvalidTokenError("the token's attributes claim must map strings to strings")
    caps = claims.get("capabilities") or {}
    if not isinstance(caps, dict):
        raise InvalidTokenError("the token's capabilities claim must be an object")
    return TokenClaims(
        participant_id=jti,
        stage_arn=resource,
        stage_id=_opt_str(claims, "topic"),
        user_id=_opt_str(claims, "user_id") or None,
        attributes=dict(attributes),
        capabilities=tuple(
            ParticipantTokenCapability(cap) for cap, flag in CAPABILITY_FLAGS if caps.get(flag)
        ),
        issued_at=None if iat is None else utc(iat),
        expires_at=utc(exp),
        events_url=_opt_str(claims, "events_url"),
        whip_url=_opt_str(claims, "whip_url"),
        version=_opt_str(claims, "version"),
        key_id=kid if isinstance(kid, str) else None,
    )


def _candidates(public_key: object) -> list[tuple[str, object]]:
    """``(argument path, key)`` for one key or several."""
    if isinstance(public_key, (str, bytes, ec.EllipticCurvePublicKey, PublicKey)) or not (
        isinstance(public_key, Iterable)
    ):
        return [("public_key", public_key)]
    return [(f"public_key[{i}]", k) for i, k in enumerate(public_key)]


def decode(
    token: object,
    public_key: PublicKeyLike | Iterable[PublicKeyLike],
    *,
    now: float,
    leeway: float,
    operation: str,
) -> tuple[TokenClaims, dict[str, Any]]:
    """The typed claims and the raw claims of a verified token."""
    loaded = [  # the caller's keys are checked first: a bad one is their mistake
        (c.arn if isinstance(c, PublicKey) else None, load_public(c, path, operation))
        for path, c in _candidates(public_key)
    ]
    if isinstance(token, ParticipantToken):
        token = token.token
    if not isinstance(token, str) or not token:
        raise InvalidTokenError("the token must be a non-empty string (the JWT)")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise InvalidTokenError("the token is not a JWT") from None
    if header.get("alg") != ALGORITHM:
        raise InvalidTokenError(f"the token must be signed with {ALGORITHM}")
    kid = header.get("kid")
    # an imported PublicKey verifies only the tokens that name it
    keys = [key for arn, key in loaded if arn is None or arn == kid]
    if not keys:
        raise InvalidTokenError("no key given verifies this token (its kid matches none)")
    claims: dict[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError:
            raise InvalidTokenError("the token is malformed") from None
        break
    if claims is None:
        raise InvalidTokenError("the token's signature does not verify with the key(s) given")
    typed = _typed_claims(claims, kid)
    if typed.expires_at.timestamp() + leeway <= now:
        raise TokenExpiredError(
            f"the participant token {typed.participant_id} expired at "
            f"{typed.expires_at.isoformat()}"
        )
    return typed, claims


def verify(
    token: str | ParticipantToken,
    public_key: PublicKeyLike | Iterable[PublicKeyLike],
    *,
    now: datetime.datetime | None = None,
    leeway: float = 0.0,
) -> TokenClaims:
    """Check a self-signed token's signature and expiry, and return its typed claims.

    Args:
        token: the JWT, or a [`ParticipantToken`][ivsrt.resources.ParticipantToken].
        public_key: the public key, or several (key rotation: the token verifies if one of
            them verifies it). An imported `PublicKey` only verifies tokens whose ``kid`` is
            its ARN.
        now: the time to check ``exp`` against (default: the current time).
        leeway: seconds of clock skew to tolerate on ``exp``.

    Raises:
        InvalidTokenError: malformed, not ES384, or no key verifies the signature.
        TokenExpiredError: the signature verifies but the token has expired.
        ValidationError: a ``public_key`` that is not a P-384 public key.
    """
    at = time.time() if now is None else now.timestamp()
    return decode(token, public_key, now=at, leeway=leeway, operation="verify")[0]
