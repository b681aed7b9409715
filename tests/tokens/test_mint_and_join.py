"""Self-signed tokens against the emulator: minted locally, verified by PyJWT, joined over the
emulator's HTTP control surface with the public key imported through ``PublicKey.import_key``."""

from __future__ import annotations

import contextvars
import datetime

import jwt
import pytest

import ivsrt
from ivsrt import ParticipantToken, PublicKey, Stage
from ivsrt.emulator import Emulator
from ivsrt.tokens import KeyPair, TokenSigner, generate_key_pair, verify
from tests.tokens.conftest import Media

Imported = tuple[KeyPair, PublicKey, TokenSigner]


def test_key_pair_hides_its_private_half() -> None:
    keys = generate_key_pair()
    assert keys.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert keys.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in repr(keys)
    assert keys.private_pem.splitlines()[1] not in repr(keys)
    assert keys.public_pem.splitlines()[1] in repr(keys)
    signer = keys.signer("arn:aws:ivs:us-west-2:123456789012:public-key/abcdABCD1234")
    assert repr(signer) == (
        "TokenSigner(public_key_arn='arn:aws:ivs:us-west-2:123456789012:public-key/abcdABCD1234')"
    )
    assert signer.public_key_pem == keys.public_pem


async def test_minted_token_has_the_documented_header_and_claims(
    stage: Stage, imported: Imported, ivs_emulator: Emulator
) -> None:
    keys, key, signer = imported
    before = ivs_emulator.request_count()
    token = signer.mint(
        stage, user_id="alice", capabilities=["PUBLISH"], attributes={"seat": "3"}, duration=90
    )
    assert ivs_emulator.request_count() == before  # minted locally: no API call

    assert isinstance(token, ParticipantToken)
    assert token.token is not None
    assert token.token not in repr(token)
    assert token.client is stage.client
    assert token.stage_arn == stage.arn
    header = jwt.get_unverified_header(token.token)
    assert header == {"alg": "ES384", "typ": "JWT", "kid": key.arn}
    claims = jwt.decode(token.token, keys.public_pem, algorithms=["ES384"])  # PyJWT verifies
    assert stage.endpoints is not None
    assert claims == {
        "exp": claims["iat"] + 90 * 60,
        "iat": claims["iat"],
        "jti": token.participant_id,
        "resource": stage.arn,
        "topic": stage.arn.rsplit("/", 1)[1],
        "events_url": stage.endpoints.events,
        "whip_url": stage.endpoints.whip,
        "user_id": "alice",
        "attributes": {"seat": "3"},
        "capabilities": {"allow_publish": True, "allow_subscribe": False},
        "version": "1.0",
    }
    assert token.expiration_time == datetime.datetime.fromtimestamp(
        claims["exp"], datetime.timezone.utc
    )
    assert (token.user_id, token.duration, token.attributes) == ("alice", 90, {"seat": "3"})
    assert token.capabilities == ["PUBLISH"]
    assert token.participant_id is not None
    assert len(token.participant_id) == 12
    # every mint is a new participant
    assert signer.mint(stage).participant_id != token.participant_id


async def test_minted_token_joins_the_stage_as_its_jti(
    stage: Stage, imported: Imported, media: Media
) -> None:
    _, _, signer = imported
    token = signer.mint(stage, user_id="alice", attributes={"role": "host"})
    status, body = await media.post("join", token.token)
    assert status == 200, body
    assert body == {"participantId": token.participant_id}

    participant = await token.participant()  # GetParticipant through the SDK
    assert participant.participant_id == token.participant_id
    assert participant.user_id == "alice"
    assert participant.attributes == {"role": "host"}
    assert participant.state == "CONNECTED"
    status, _ = await media.post("publish", token.token)
    assert status == 200
    assert (await token.participant()).published is True


async def test_a_token_whose_key_was_not_imported_cannot_join(stage: Stage, media: Media) -> None:
    stranger = generate_key_pair().signer(
        "arn:aws:ivs:us-west-2:123456789012:public-key/neverImported1"
    )
    status, body = await media.post("join", stranger.mint(stage).token)
    assert status == 400
    assert body["error"] == "INVALID_TOKEN"


async def test_key_rotation_and_deleting_a_compromised_key(
    stage: Stage, ivs_client: ivsrt.Client, media: Media
) -> None:
    old_keys, new_keys = generate_key_pair(), generate_key_pair()
    old_key = await PublicKey.import_key(public_key_material=old_keys.public_pem)
    new_key = await PublicKey.import_key(public_key_material=new_keys.public_pem, client=ivs_client)
    assert old_key.arn is not None
    assert new_key.arn is not None
    old_signer, new_signer = old_keys.signer(old_key.arn), new_keys.signer(new_key.arn)
    old_token, new_token = old_signer.mint(stage), new_signer.mint(stage)

    # side by side: each verifies with the set of keys, by kid when given PublicKey resources
    both = [old_key, new_key]
    assert verify(old_token, both).key_id == old_key.arn
    assert verify(new_token, both).key_id == new_key.arn
    assert verify(old_token, [new_keys.public_pem, old_keys.public_pem]).participant_id == (
        old_token.participant_id
    )
    assert (await media.post("join", old_token.token))[0] == 200
    assert (await media.post("join", new_token.token))[0] == 200

    # the old private key leaks: delete its public key, and its tokens stop working
    await old_key.delete()
    status, body = await media.post("join", old_signer.mint(stage).token)
    assert (status, body["error"]) == (400, "INVALID_TOKEN")
    assert (await media.post("join", new_signer.mint(stage).token))[0] == 200


async def test_exchanged_token_keeps_the_participant(
    stage: Stage, imported: Imported, ivs_emulator: Emulator
) -> None:
    keys, _, signer = imported
    guest = signer.mint(stage, user_id="guest", capabilities=["SUBSCRIBE"], duration=60)
    before = ivs_emulator.request_count()
    promoted = signer.exchange(guest, capabilities=["PUBLISH", "SUBSCRIBE"])
    assert ivs_emulator.request_count() == before

    old = jwt.decode(guest.token or "", keys.public_pem, algorithms=["ES384"])
    new = jwt.decode(promoted.token or "", keys.public_pem, algorithms=["ES384"])
    for kept in ("jti", "topic", "resource", "events_url", "whip_url", "user_id", "exp"):
        assert new[kept] == old[kept], kept
    assert old["capabilities"] == {"allow_publish": False, "allow_subscribe": True}
    assert new["capabilities"] == {"allow_publish": True, "allow_subscribe": True}
    assert promoted.participant_id == guest.participant_id
    assert promoted.expiration_time == guest.expiration_time
    assert promoted.client is guest.client

    featured = signer.exchange(promoted, attributes={"featured": "yes"}, duration=120)
    claims = signer.verify(featured)
    assert claims.attributes == {"featured": "yes"}
    assert claims.participant_id == guest.participant_id
    assert [str(c) for c in claims.capabilities] == ["PUBLISH", "SUBSCRIBE"]
    assert claims.expires_at - (claims.issued_at or claims.expires_at) == datetime.timedelta(
        minutes=120
    )


async def test_exchange_of_a_token_string_needs_a_client(
    stage: Stage, imported: Imported, ivs_client: ivsrt.Client
) -> None:
    _, _, signer = imported
    value = signer.mint(stage).token
    assert value is not None
    assert ivsrt.current_client() is ivs_client  # the fixture's client is ambient here
    assert signer.exchange(value).client is ivs_client
    with pytest.raises(ivsrt.ConfigurationError, match="client="):
        contextvars.Context().run(signer.exchange, value)  # no ambient client there
    assert signer.exchange(value, client=ivs_client).client is ivs_client
