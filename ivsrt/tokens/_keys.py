"""Loading the P-384 keys self-signed tokens are signed and verified with."""

from __future__ import annotations

from typing import TypeAlias

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt._exceptions import ValidationError, Violation
from ivsrt.resources import PublicKey

__all__ = [
    "PrivateKeyLike",
    "PublicKeyLike",
    "invalid",
    "load_private",
    "load_public",
    "public_pem",
]

PrivateKeyLike: TypeAlias = str | bytes | ec.EllipticCurvePrivateKey
"""A P-384 private key: PEM text or bytes (PKCS#8 or "EC PRIVATE KEY"), or a ``cryptography``
key."""
PublicKeyLike: TypeAlias = str | bytes | ec.EllipticCurvePublicKey | PublicKey
"""A P-384 public key: PEM text or bytes, a ``cryptography`` key, or an imported
[`PublicKey`][ivsrt.resources.PublicKey] (then only tokens whose ``kid`` is its ARN verify)."""


def public_pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def invalid(operation: str, path: str, rule: str) -> ValidationError:
    return ValidationError(operation, [Violation(path, rule)])


def load_private(value: object, operation: str) -> ec.EllipticCurvePrivateKey:
    key: object = value
    if isinstance(value, (str, bytes)):
        data = value.encode() if isinstance(value, str) else value
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            # the material itself is a secret: never shown
            raise invalid(
                operation, "private_key", "must be an unencrypted PEM private key"
            ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise invalid(operation, "private_key", "must be an EC private key on curve P-384")
    if not isinstance(key.curve, ec.SECP384R1):
        raise invalid(
            operation, "private_key", f"must be on curve P-384 (secp384r1), not {key.curve.name}"
        )
    return key


def load_public(value: object, path: str, operation: str) -> ec.EllipticCurvePublicKey:
    key: object = value
    if isinstance(value, PublicKey):
        key = value.public_key_material
        if key is None:
            raise invalid(operation, path, "this PublicKey has no public_key_material")
    if isinstance(key, (str, bytes)):
        data = key.encode() if isinstance(key, str) else key
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise invalid(operation, path, "must be a PEM public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise invalid(operation, path, "must be an EC public key on curve P-384")
    if not isinstance(key.curve, ec.SECP384R1):
        raise invalid(operation, path, f"must be on curve P-384 (secp384r1), not {key.curve.name}")
    return key
