"""ES384 JSON Web Tokens, with PyJWT: participant tokens the emulator issues, and self-signed
tokens made with the private half of an imported public key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "TokenError",
    "decode_unverified",
    "digest",
    "fingerprint",
    "load_p384_public_key",
    "sign_es384",
    "verify_es384",
]

_ALGORITHM = "ES384"


class TokenError(ValueError):
    """A token that cannot be used (malformed, bad signature)."""


def sign_es384(key: ec.EllipticCurvePrivateKey, kid: str, claims: Mapping[str, Any]) -> str:
    """A compact JWS (``header.payload.signature``), ES384, with ``kid`` in its header."""
    return jwt.encode(dict(claims), key, algorithm=_ALGORITHM, headers={"kid": kid})


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS, without checking the signature (nor the time
    claims: the emulator checks ``exp`` against its own clock, not the machine's)."""
    if not token.isascii():
        raise TokenError("the token is not a JWT (not ASCII)")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(
            token,
            options={
                "verify_signature": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise TokenError("the token is not a JWT") from exc
    if header.get("alg") != _ALGORITHM:
        raise TokenError("the token must be signed with ES384")
    return dict(header), dict(claims)


def verify_es384(token: str, keys: Iterable[ec.EllipticCurvePublicKey]) -> bool:
    """True if one of ``keys`` verifies the token's ES384 signature (expiry not checked)."""
    if not token.isascii():
        return False
    for key in keys:
        try:
            jwt.decode(
                token,
                key,
                algorithms=[_ALGORITHM],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidSignatureError:
            continue
        except (jwt.InvalidTokenError, ValueError, TypeError):
            return False
        return True
    return False


def digest(token: str) -> str:
    """A digest that tells tokens apart without keeping them (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def load_p384_public_key(pem: str) -> ec.EllipticCurvePublicKey:
    """Parse an EC P-384 public key in PEM form, or raise ``ValueError`` saying why not."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError("the public key material is not a valid PEM public key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("the public key must be an EC key on curve P-384 (secp384r1)")
    if not isinstance(key.curve, ec.SECP384R1):
        raise ValueError(f"the public key must be on curve P-384 (secp384r1), not {key.curve.name}")
    return key


def fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(der).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
