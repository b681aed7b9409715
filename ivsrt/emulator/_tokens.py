"""ES384 JSON Web Tokens: participant tokens the emulator issues, and self-signed tokens made
with the private half of an imported public key."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = ["TokenError", "b64url", "load_p384_public_key", "sign_es384", "verify_es384"]

_COORD = 48  # bytes per coordinate on P-384


class TokenError(ValueError):
    """A token that cannot be used (malformed, bad signature)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise TokenError("the token is not a JWT (bad base64)") from exc


def sign_es384(key: ec.EllipticCurvePrivateKey, kid: str, claims: Mapping[str, Any]) -> str:
    """A compact JWS (``header.payload.signature``) with the raw ``r||s`` signature."""
    header = {"alg": "ES384", "typ": "JWT", "kid": kid}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    )
    der = key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA384()))
    r, s = decode_dss_signature(der)
    return signing_input + "." + b64url(r.to_bytes(_COORD, "big") + s.to_bytes(_COORD, "big"))


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS, without checking the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("the token is not a JWT (expected three dot-separated parts)")
    try:
        header = json.loads(_unb64url(parts[0]))
        claims = json.loads(_unb64url(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenError("the token is not a JWT (bad JSON)") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("the token is not a JWT (header and claims must be objects)")
    if header.get("alg") != "ES384":
        raise TokenError("the token must be signed with ES384")
    return header, claims


def verify_es384(token: str, keys: Iterable[ec.EllipticCurvePublicKey]) -> bool:
    """True if one of ``keys`` verifies the token's signature."""
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():
        return False
    try:
        raw = _unb64url(parts[2])
    except TokenError:
        return False
    if len(raw) != 2 * _COORD:
        return False
    der = encode_dss_signature(
        int.from_bytes(raw[:_COORD], "big"), int.from_bytes(raw[_COORD:], "big")
    )
    data = (parts[0] + "." + parts[1]).encode("ascii")
    for key in keys:
        try:
            key.verify(der, data, ec.ECDSA(hashes.SHA384()))
        except InvalidSignature:
            continue
        return True
    return False


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
