"""The rules of CreateParticipantToken before signing, and typed errors for bad tokens."""

from __future__ import annotations

import datetime
from typing import Any

import attrs
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

import ivsrt
from ivsrt import PublicKey, Stage
from ivsrt.emulator import Emulator
from ivsrt.tokens import (
    InvalidTokenError,
    KeyPair,
    TokenError,
    TokenExpiredError,
    TokenSigner,
    generate_key_pair,
    verify,
)

Imported = tuple[KeyPair, PublicKey, TokenSigner]
ARN = "arn:aws:ivs:us-west-2:123456789012:public-key/abcdABCD1234"


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"user_id": "u" * 129}, "user_id"),
        ({"attributes": {"k": "v" * 1024}}, "attributes"),
        ({"capabilities": ["ADMIN"]}, "capabilities[0]"),
        ({"capabilities": "PUBLISH"}, "capabilities"),
        ({"capabilities": ["PUBLISH", "SUBSCRIBE", "PUBLISH"]}, "capabilities"),
        ({"duration": 0}, "duration"),
        ({"duration": 20161}, "duration"),
        ({"duration": True}, "duration"),
    ],
)
async def test_mint_applies_the_rules_of_create_participant_token(
    stage: Stage, imported: Imported, ivs_emulator: Emulator, kwargs: dict[str, Any], path: str
) -> None:
    _, _, signer = imported
    before = ivs_emulator.request_count()
    with pytest.raises(ivsrt.ValidationError) as info:
        signer.mint(stage, **kwargs)
    assert info.value.paths == (path,)
    assert info.value.operation == "TokenSigner.mint"
    assert ivs_emulator.request_count() == before


async def test_the_limits_themselves_are_allowed(stage: Stage, imported: Imported) -> None:
    _, _, signer = imported
    token = signer.mint(
        stage, user_id="u" * 128, attributes={"k": "v" * 1023}, capabilities=[], duration=20160
    )
    assert signer.verify(token).capabilities == ()


async def test_a_stage_without_endpoints_is_refused(stage: Stage, imported: Imported) -> None:
    _, _, signer = imported
    listed = attrs.evolve(stage, endpoints=None)  # what Stage.list gives
    with pytest.raises(ivsrt.ValidationError, match=r"stage: has no endpoints") as info:
        signer.mint(listed)
    assert info.value.paths == ("stage",)
    with pytest.raises(ivsrt.ValidationError) as info:
        signer.mint(stage.arn)  # type: ignore[arg-type]
    assert info.value.paths == ("stage",)


def test_signer_rejects_keys_it_cannot_use_without_showing_them() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ivsrt.ValidationError, match="P-384") as info:
        TokenSigner(private_key=p256, public_key_arn=ARN)
    assert info.value.paths == ("private_key",)
    secret = "-----BEGIN PRIVATE KEY-----\nnot really a key but secret\n-----END PRIVATE KEY-----\n"
    with pytest.raises(ivsrt.ValidationError) as info:
        TokenSigner(private_key=secret, public_key_arn=ARN)
    assert info.value.paths == ("private_key",)
    assert "secret" not in str(info.value)
    with pytest.raises(ivsrt.ValidationError) as info:
        TokenSigner(private_key=generate_key_pair().private_pem, public_key_arn="key-1")
    assert info.value.paths == ("public_key_arn",)
    # bytes and cryptography keys are accepted too
    keys = generate_key_pair()
    TokenSigner(private_key=keys.private_pem.encode(), public_key_arn=ARN)
    TokenSigner(private_key=ec.generate_private_key(ec.SECP384R1()), public_key_arn=ARN)


async def test_expired_foreign_tampered_and_garbage_tokens(
    stage: Stage, imported: Imported
) -> None:
    keys, _, signer = imported
    token = signer.mint(stage, duration=1)
    value = token.token
    assert value is not None
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=2)

    with pytest.raises(TokenExpiredError) as expired:
        verify(value, keys.public_pem, now=later)
    assert verify(value, keys.public_pem, now=later, leeway=120).participant_id == (
        token.participant_id
    )
    with pytest.raises(InvalidTokenError, match="does not verify") as foreign:
        verify(value, generate_key_pair().public_pem)
    head, _body, sig = value.split(".")
    forged_body = jwt.utils.base64url_encode(b'{"jti":"x","resource":"y","exp":9999999999}')
    with pytest.raises(InvalidTokenError) as tampered:
        verify(f"{head}.{forged_body.decode()}.{sig}", keys.public_pem)
    with pytest.raises(InvalidTokenError, match="not a JWT") as garbage:
        verify("not-a-jwt", keys.public_pem)
    hs256 = jwt.encode({"jti": "x"}, "k" * 32, algorithm="HS256")
    with pytest.raises(InvalidTokenError, match="ES384"):
        verify(hs256, keys.public_pem)
    for info in (expired, foreign, tampered, garbage):
        assert isinstance(info.value, TokenError)
        assert isinstance(info.value, ivsrt.IvsrtError)
        assert isinstance(info.value, ValueError)
        assert value not in str(info.value)
        assert sig not in str(info.value)


async def test_signer_clock_and_exchange_refusals(stage: Stage, imported: Imported) -> None:
    keys, _, signer = imported
    past = TokenSigner(
        private_key=keys.private_pem,
        public_key_arn=signer.public_key_arn,
        clock=lambda: 1_000_000_000.0,
    )
    old = past.mint(stage, duration=5)
    with pytest.raises(TokenExpiredError):
        signer.verify(old)  # now is long after 2001
    with pytest.raises(TokenExpiredError):
        signer.exchange(old)
    assert past.verify(old).issued_at == datetime.datetime(
        2001, 9, 9, 1, 46, 40, tzinfo=datetime.timezone.utc
    )

    other = generate_key_pair()
    foreign = other.signer(ARN).mint(stage)
    with pytest.raises(InvalidTokenError):
        signer.exchange(foreign)
    # a token signed before a key rotation: trusted explicitly
    rotated = signer.exchange(foreign, trusted_keys=[other.public_pem], user_id="bob")
    claims = signer.verify(rotated)
    assert (claims.participant_id, claims.user_id) == (foreign.participant_id, "bob")
    assert claims.key_id == signer.public_key_arn
    with pytest.raises(ivsrt.ValidationError) as info:
        signer.exchange(rotated, user_id="x" * 200)
    assert info.value.operation == "TokenSigner.exchange"
    assert info.value.paths == ("user_id",)


def test_bad_public_keys_name_the_argument() -> None:
    with pytest.raises(ivsrt.ValidationError) as bad:
        verify("a.b.c", "nonsense")  # the key is checked before the token
    assert bad.value.paths == ("public_key",)
    with pytest.raises(ivsrt.ValidationError) as listed:
        verify("a.b.c", [generate_key_pair().public_pem, "nonsense"])
    assert listed.value.paths == ("public_key[1]",)
    with pytest.raises(ivsrt.ValidationError) as p256:
        verify("a.b.c", ec.generate_private_key(ec.SECP256R1()).public_key())
    assert p256.value.paths == ("public_key",)
