"""Self-signed participant tokens: mint, exchange and verify them with no API call.

IVS accepts participant tokens that your backend signs itself: an ES384 JWT signed with the
private half of a P-384 key pair whose public half you imported with
[`PublicKey.import_key`][ivsrt.resources.PublicKey.import_key]. Minting one is a local
computation (thousands per second on one core), where ``CreateParticipantToken`` is a network
round trip capped at 50 TPS; and only self-signed tokens can be *exchanged* (a participant swaps
its token for one with other capabilities or attributes without reconnecting).

```python
from ivsrt import PublicKey
from ivsrt.tokens import TokenSigner, generate_key_pair

keys = generate_key_pair()                                   # or load your own PEM
key = await PublicKey.import_key(public_key_material=keys.public_pem)
signer = TokenSigner(private_key=keys.private_pem, public_key_arn=key.arn)
token = signer.mint(stage, user_id="alice", capabilities=["SUBSCRIBE"])  # no API call
promoted = signer.exchange(token, capabilities=["PUBLISH", "SUBSCRIBE"])
claims = verify(promoted.token, keys.public_pem)
```

The header and claims are the ones the IVS Real-Time User Guide documents for self-signed
tokens ("Distribute Participant Tokens", *Creating Tokens with a Key Pair*): header ``alg``
``ES384``, ``typ`` ``JWT``, ``kid`` the public key's ARN; claims ``exp``, ``iat``, ``jti`` (the
participant id), ``resource`` (the stage ARN), ``topic`` (the stage id), ``events_url`` and
``whip_url`` (the stage's endpoints), ``user_id``, ``attributes``, ``capabilities``
(``{"allow_publish": bool, "allow_subscribe": bool}``) and ``version`` ``"1.0"``.

Signing and verifying are done by PyJWT (with ``cryptography``); nothing here hand-writes JWT.
"""

from __future__ import annotations

import datetime
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt._exceptions import ConfigurationError, IvsrtError, ValidationError, Violation
from ivsrt._generated.constraints import INPUT_SHAPES
from ivsrt._generated.models import ParticipantTokenCapability, ParticipantTokenCapabilityLiteral
from ivsrt.client import Client, current_client
from ivsrt.resources import ParticipantToken, PublicKey, Stage
from ivsrt.validation import request_violations

__all__ = [
    "DEFAULT_CAPABILITIES",
    "DEFAULT_DURATION",
    "Capability",
    "InvalidTokenError",
    "KeyPair",
    "PrivateKeyLike",
    "PublicKeyLike",
    "TokenClaims",
    "TokenError",
    "TokenExpiredError",
    "TokenSigner",
    "generate_key_pair",
    "verify",
]

ALGORITHM = "ES384"
TOKEN_VERSION = "1.0"
DEFAULT_DURATION = 720
"""Minutes a minted token lasts unless told otherwise (12 hours, as ``CreateParticipantToken``)."""
DEFAULT_CAPABILITIES: tuple[ParticipantTokenCapabilityLiteral, ...] = ("PUBLISH", "SUBSCRIBE")
"""The capabilities a minted token has unless told otherwise (as ``CreateParticipantToken``)."""

PrivateKeyLike: TypeAlias = str | bytes | ec.EllipticCurvePrivateKey
"""A P-384 private key: PEM text or bytes (PKCS#8 or "EC PRIVATE KEY"), or a ``cryptography``
key."""
Capability: TypeAlias = ParticipantTokenCapability | ParticipantTokenCapabilityLiteral
"""``"PUBLISH"`` or ``"SUBSCRIBE"`` (a string or the enum member)."""
PublicKeyLike: TypeAlias = str | bytes | ec.EllipticCurvePublicKey | PublicKey
"""A P-384 public key: PEM text or bytes, a ``cryptography`` key, or an imported
[`PublicKey`][ivsrt.resources.PublicKey] (then only tokens whose ``kid`` is its ARN verify)."""

_PUBLIC_KEY_ARN = re.compile(INPUT_SHAPES["PublicKeyArn"]["pattern"])
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ID_SPACE = 62**12
_CAPABILITY_FLAGS = (("PUBLISH", "allow_publish"), ("SUBSCRIBE", "allow_subscribe"))


class TokenError(IvsrtError, ValueError):
    """A participant token that cannot be used. Never carries the token's value."""


class InvalidTokenError(TokenError):
    """Not a token of ours: malformed, not ES384, or its signature does not verify with any of
    the keys given (a foreign or tampered token)."""


class TokenExpiredError(TokenError):
    """The token's signature verifies but its ``exp`` has passed."""


# -- keys --------------------------------------------------------------------------------------


@attrs.frozen
class KeyPair:
    """A P-384 key pair in PEM form. The private half never appears in a repr."""

    private_pem: str = attrs.field(repr=False)
    """The private key (PKCS#8 PEM). Keep it secret: it signs tokens IVS will accept."""
    public_pem: str
    """The public key (SubjectPublicKeyInfo PEM): what ``PublicKey.import_key`` takes."""

    def signer(self, public_key_arn: str) -> TokenSigner:
        """A [`TokenSigner`][ivsrt.tokens.TokenSigner] for this pair, once the public half is
        imported under ``public_key_arn``."""
        return TokenSigner(private_key=self.private_pem, public_key_arn=public_key_arn)


def generate_key_pair() -> KeyPair:
    """A new random P-384 (secp384r1) key pair, as IVS self-signed tokens need."""
    key = ec.generate_private_key(ec.SECP384R1())
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return KeyPair(private_pem=private_pem, public_pem=_public_pem(key.public_key()))


def _public_pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _invalid(operation: str, path: str, rule: str) -> ValidationError:
    return ValidationError(operation, [Violation(path, rule)])


def _load_private(value: object, operation: str) -> ec.EllipticCurvePrivateKey:
    key: object = value
    if isinstance(value, (str, bytes)):
        data = value.encode() if isinstance(value, str) else value
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            # the material itself is a secret: never shown
            raise _invalid(
                operation, "private_key", "must be an unencrypted PEM private key"
            ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise _invalid(operation, "private_key", "must be an EC private key on curve P-384")
    if not isinstance(key.curve, ec.SECP384R1):
        raise _invalid(
            operation, "private_key", f"must be on curve P-384 (secp384r1), not {key.curve.name}"
        )
    return key


def _load_public(value: object, path: str, operation: str) -> ec.EllipticCurvePublicKey:
    key: object = value
    if isinstance(value, PublicKey):
        key = value.public_key_material
        if key is None:
            raise _invalid(operation, path, "this PublicKey has no public_key_material")
    if isinstance(key, (str, bytes)):
        data = key.encode() if isinstance(key, str) else key
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise _invalid(operation, path, "must be a PEM public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise _invalid(operation, path, "must be an EC public key on curve P-384")
    if not isinstance(key.curve, ec.SECP384R1):
        raise _invalid(operation, path, f"must be on curve P-384 (secp384r1), not {key.curve.name}")
    return key


# -- claims ------------------------------------------------------------------------------------


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


def _utc(seconds: float) -> datetime.datetime:
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
            ParticipantTokenCapability(cap) for cap, flag in _CAPABILITY_FLAGS if caps.get(flag)
        ),
        issued_at=None if iat is None else _utc(iat),
        expires_at=_utc(exp),
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


def _decode(
    token: object,
    public_key: PublicKeyLike | Iterable[PublicKeyLike],
    *,
    now: float,
    leeway: float,
    operation: str,
) -> tuple[TokenClaims, dict[str, Any]]:
    """The typed claims and the raw claims of a verified token."""
    loaded = [  # the caller's keys are checked first: a bad one is their mistake
        (c.arn if isinstance(c, PublicKey) else None, _load_public(c, path, operation))
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
    return _decode(token, public_key, now=at, leeway=leeway, operation="verify")[0]


# -- signing -----------------------------------------------------------------------------------


def _new_participant_id() -> str:
    """12 random letters and digits (71 bits), like the ids IVS assigns."""
    n = secrets.randbelow(_ID_SPACE)
    out = []
    for _ in range(12):
        n, digit = divmod(n, 62)
        out.append(_ID_ALPHABET[digit])
    return "".join(out)


class TokenSigner:
    """Mints and exchanges self-signed participant tokens with one private key.

    Args:
        private_key: the P-384 private key: PEM (``str`` or ``bytes``) or a ``cryptography``
            key. It never appears in a repr.
        public_key_arn: the ARN IVS gave the public half (``PublicKey.import_key``); it is the
            token header's ``kid``.
        clock: seconds since the epoch (default ``time.time``); for tests.

    Several signers work side by side (key rotation): IVS accepts a token signed by any
    imported key, and [`verify`][ivsrt.tokens.verify] takes several public keys.
    """

    __slots__ = ("_clock", "_headers", "_key", "_public_key", "_public_key_arn")

    def __init__(
        self,
        *,
        private_key: PrivateKeyLike,
        public_key_arn: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(public_key_arn, str) or not _PUBLIC_KEY_ARN.fullmatch(public_key_arn):
            raise _invalid(
                "TokenSigner",
                "public_key_arn",
                f"must be a public key ARN (pattern {_PUBLIC_KEY_ARN.pattern})",
            )
        self._key = _load_private(private_key, "TokenSigner")
        self._public_key = self._key.public_key()
        self._public_key_arn = public_key_arn
        self._headers = {"kid": public_key_arn}
        self._clock = clock

    def __repr__(self) -> str:
        return f"TokenSigner(public_key_arn={self._public_key_arn!r})"

    @property
    def public_key_arn(self) -> str:
        """The ARN of the public key (the tokens' ``kid``)."""
        return self._public_key_arn

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The public half of the signing key."""
        return self._public_key

    @property
    def public_key_pem(self) -> str:
        """The public half as PEM (what ``PublicKey.import_key`` takes)."""
        return _public_pem(self._public_key)

    def _check(
        self,
        operation: str,
        *,
        stage_arn: str,
        user_id: str | None,
        capabilities: Sequence[Capability],
        attributes: Mapping[str, str] | None,
        duration: int,
    ) -> None:
        """The rules of CreateParticipantToken, from the same tables the API calls use."""
        if isinstance(capabilities, str):
            raise _invalid(
                operation, "capabilities", 'must be a list of capabilities, e.g. ["PUBLISH"]'
            )
        params: dict[str, Any] = {
            "stageArn": stage_arn,
            "duration": duration,
            "capabilities": [str(c) for c in capabilities],
        }
        if user_id is not None:
            params["userId"] = user_id
        if attributes is not None:
            params["attributes"] = attributes
        violations = [
            Violation("stage" if v.path == "stage_arn" else v.path, v.rule)
            for v in request_violations("CreateParticipantToken", params)
        ]
        if violations:
            raise ValidationError(operation, violations)

    def _sign(
        self,
        *,
        client: Client,
        participant_id: str,
        stage_arn: str,
        claims_base: Mapping[str, Any],
        user_id: str | None,
        capabilities: Sequence[Capability],
        attributes: Mapping[str, str] | None,
        duration: int,
        expires: int | None = None,
    ) -> ParticipantToken:
        now = int(self._clock())
        exp = now + duration * 60 if expires is None else expires
        caps = {str(c) for c in capabilities}
        claims: dict[str, Any] = {
            **claims_base,
            "exp": exp,
            "iat": now,
            "jti": participant_id,
            "attributes": dict(attributes or {}),
            "capabilities": {flag: cap in caps for cap, flag in _CAPABILITY_FLAGS},
            "version": TOKEN_VERSION,
        }
        if user_id is not None:
            claims["user_id"] = user_id
        value = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers=self._headers)
        return ParticipantToken(
            client=client,
            stage_arn=stage_arn,
            participant_id=participant_id,
            token=value,
            user_id=user_id,
            attributes=dict(attributes or {}),
            duration=duration,
            capabilities=[ParticipantTokenCapability(c) for c in capabilities],
            expiration_time=_utc(exp),
        )

    def mint(
        self,
        stage: Stage,
        *,
        user_id: str | None = None,
        capabilities: Sequence[Capability] = DEFAULT_CAPABILITIES,
        attributes: Mapping[str, str] | None = None,
        duration: int = DEFAULT_DURATION,
    ) -> ParticipantToken:
        """A new participant token for ``stage``, signed here: no network call.

        The same rules as ``CreateParticipantToken`` apply before signing (``user_id`` at most
        128 characters, ``attributes`` at most 1 KB in total, ``capabilities`` among
        ``PUBLISH`` and ``SUBSCRIBE``, ``duration`` 1 to 20160 minutes).

        Args:
            stage: the stage, with its endpoints (as ``Stage.create``, ``Stage.get`` and
                ``refresh`` return it; a listed stage has none: ``await stage.refresh()``).
            user_id: your id for the participant (shown to every participant: no secrets).
            capabilities: what the participant may do.
            attributes: application attributes (shown to every participant: no secrets).
            duration: minutes until the token expires.

        Returns:
            The same [`ParticipantToken`][ivsrt.resources.ParticipantToken] the API returns:
            ``participant_id`` is the token's ``jti``, ``token`` the JWT (never in a repr).

        Raises:
            ValidationError: an argument breaks one of the rules; it names the argument.
        """
        if not isinstance(stage, Stage):
            raise _invalid("TokenSigner.mint", "stage", "must be an ivsrt.Stage")
        endpoints = stage.endpoints
        if endpoints is None or not endpoints.whip or not endpoints.events:
            raise _invalid(
                "TokenSigner.mint",
                "stage",
                "has no endpoints (a listed stage?): use `await stage.refresh()` first",
            )
        self._check(
            "TokenSigner.mint",
            stage_arn=stage.arn,
            user_id=user_id,
            capabilities=capabilities,
            attributes=attributes,
            duration=duration,
        )
        base = {
            "resource": stage.arn,
            "topic": stage.arn.rsplit("/", 1)[-1],
            "events_url": endpoints.events,
            "whip_url": endpoints.whip,
        }
        return self._sign(
            client=stage.client,
            participant_id=_new_participant_id(),
            stage_arn=stage.arn,
            claims_base=base,
            user_id=user_id,
            capabilities=capabilities,
            attributes=attributes,
            duration=duration,
        )

    def exchange(
        self,
        token: ParticipantToken | str,
        *,
        capabilities: Sequence[Capability] | None = None,
        attributes: Mapping[str, str] | None = None,
        user_id: str | None = None,
        duration: int | None = None,
        trusted_keys: Iterable[PublicKeyLike] = (),
        client: Client | None = None,
    ) -> ParticipantToken:
        """A new token for the same participant, for the token-exchange feature (the client
        swaps tokens without reconnecting). ``jti``, ``topic``, ``resource`` and the URLs are
        kept; what is not given is kept too.

        Args:
            token: the participant's current self-signed token (verified first).
            capabilities: the new capabilities (default: unchanged).
            attributes: the new attributes (default: unchanged; ``{}`` clears them).
            user_id: the new user id (default: unchanged).
            duration: minutes from now until the new token expires (default: the old token's
                expiry is kept).
            trusted_keys: more public keys that may have signed ``token`` (a token signed
                before a key rotation); this signer's own key is always trusted.
            client: for a ``str`` token, the client the returned resource keeps (default:
                the enclosing ``async with ivsrt.Client``); a ``ParticipantToken`` keeps its own.

        Raises:
            InvalidTokenError: ``token`` is not signed by this signer's key nor a trusted one.
            TokenExpiredError: ``token`` has expired.
            ValidationError: an argument breaks one of the rules of CreateParticipantToken.
        """
        op = "TokenSigner.exchange"
        if isinstance(token, ParticipantToken):
            client = token.client
        elif client is None:
            client = current_client()
            if client is None:
                raise ConfigurationError(
                    "exchange() of a token string needs client=<ivsrt.Client> (or run it "
                    "inside `async with ivsrt.Client(...)`); or pass the ParticipantToken"
                )
        keys: list[PublicKeyLike] = [self._public_key, *trusted_keys]
        old, raw = _decode(token, keys, now=self._clock(), leeway=0.0, operation=op)
        new_caps: Sequence[Capability] = (
            list(old.capabilities) if capabilities is None else capabilities
        )
        new_attrs = old.attributes if attributes is None else attributes
        new_user = old.user_id if user_id is None else user_id
        now = int(self._clock())
        remaining = max(1, -(-(int(old.expires_at.timestamp()) - now) // 60))
        self._check(
            op,
            stage_arn=old.stage_arn,
            user_id=new_user,
            capabilities=new_caps,
            attributes=new_attrs,
            duration=remaining if duration is None else duration,
        )
        base: dict[str, Any] = {
            k: raw[k] for k in ("resource", "topic", "events_url", "whip_url") if k in raw
        }
        return self._sign(
            client=client,
            participant_id=old.participant_id,
            stage_arn=old.stage_arn,
            claims_base=base,
            user_id=new_user,
            capabilities=new_caps,
            attributes=new_attrs,
            duration=remaining if duration is None else duration,
            expires=int(old.expires_at.timestamp()) if duration is None else None,
        )

    def verify(self, token: str | ParticipantToken, *, leeway: float = 0.0) -> TokenClaims:
        """[`verify`][ivsrt.tokens.verify] with this signer's public key and clock."""
        return _decode(
            token, self._public_key, now=self._clock(), leeway=leeway, operation="verify"
        )[0]
