"""TokenSigner: minting and exchanging self-signed participant tokens."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt._arn import HasArn, arn_of
from ivsrt._exceptions import ConfigurationError, ValidationError, Violation
from ivsrt._generated.constraints import INPUT_SHAPES
from ivsrt._generated.models import ParticipantTokenCapability, ParticipantTokenCapabilityLiteral
from ivsrt.client import Client, current_client
from ivsrt.resources import ParticipantToken, Stage
from ivsrt.tokens._claims import ALGORITHM, CAPABILITY_FLAGS, TokenClaims, decode, utc
from ivsrt.tokens._keys import PrivateKeyLike, PublicKeyLike, invalid, load_private, public_pem
from ivsrt.validation import request_violations

__all__ = [
    "DEFAULT_CAPABILITIES",
    "DEFAULT_DURATION",
    "Capability",
    "KeyPair",
    "TokenSigner",
    "generate_key_pair",
]

TOKEN_VERSION = "1.0"
DEFAULT_DURATION = 720
"""Minutes a minted token lasts unless told otherwise (12 hours, as ``CreateParticipantToken``)."""
DEFAULT_CAPABILITIES: tuple[ParticipantTokenCapabilityLiteral, ...] = ("PUBLISH", "SUBSCRIBE")
"""The capabilities a minted token has unless told otherwise (as ``CreateParticipantToken``)."""


Capability: TypeAlias = ParticipantTokenCapability | ParticipantTokenCapabilityLiteral
"""``"PUBLISH"`` or ``"SUBSCRIBE"`` (a string or the enum member)."""

_PUBLIC_KEY_ARN = re.compile(INPUT_SHAPES["PublicKeyArn"]["pattern"])
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ID_SPACE = 62**12


# -- keys ---------------------------------------------------------------------------------------


@attrs.frozen
class KeyPair:
    """A P-384 key pair in PEM form. The private half never appears in a repr."""

    private_pem: str = attrs.field(repr=False)
    """The private key (PKCS#8 PEM). Keep it secret: it signs tokens IVS will accept."""
    public_pem: str
    """The public key (SubjectPublicKeyInfo PEM): what ``PublicKey.import_key`` takes."""

    def signer(self, public_key_arn: str | HasArn) -> TokenSigner:
        """A [`TokenSigner`][ivsrt.tokens.TokenSigner] for this pair, once the public half is
        imported under ``public_key_arn`` (the ARN, or the imported ``PublicKey``)."""
        return TokenSigner(private_key=self.private_pem, public_key_arn=public_key_arn)


def generate_key_pair() -> KeyPair:
    """A new random P-384 (secp384r1) key pair, as IVS self-signed tokens need."""
    key = ec.generate_private_key(ec.SECP384R1())
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return KeyPair(private_pem=private_pem, public_pem=public_pem(key.public_key()))


# -- signing ------------------------------------------------------------------------------------


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
        public_key_arn: the ARN IVS gave the public half (``PublicKey.import_key``), or the
            imported ``PublicKey`` itself; it is the token header's ``kid``.
        clock: seconds since the epoch (default ``time.time``); for tests.

    Several signers work side by side (key rotation): IVS accepts a token signed by any
    imported key, and [`verify`][ivsrt.tokens.verify] takes several public keys.
    """

    __slots__ = ("_clock", "_headers", "_key", "_public_key", "_public_key_arn")

    def __init__(
        self,
        *,
        private_key: PrivateKeyLike,
        public_key_arn: str | HasArn,
        clock: Callable[[], float] = time.time,
    ) -> None:
        public_key_arn = arn_of(public_key_arn, "public_key_arn", "TokenSigner")
        if not _PUBLIC_KEY_ARN.fullmatch(public_key_arn):
            raise invalid(
                "TokenSigner",
                "public_key_arn",
                f"must be a public key ARN (pattern {_PUBLIC_KEY_ARN.pattern})",
            )
        self._key = load_private(private_key, "TokenSigner")
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
        return public_pem(self._public_key)

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
            raise invalid(
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
            "capabilities": {flag: cap in caps for cap, flag in CAPABILITY_FLAGS},
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
            expiration_time=utc(exp),
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
            raise invalid("TokenSigner.mint", "stage", "must be an ivsrt.Stage")
        endpoints = stage.endpoints
        if endpoints is None or not endpoints.whip or not endpoints.events:
            raise invalid(
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
        old, raw = decode(token, keys, now=self._clock(), leeway=0.0, operation=op)
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
        return decode(
            token, self._public_key, now=self._clock(), leeway=leeway, operation="verify"
        )[0]
