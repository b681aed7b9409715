"""Self-signed participant tokens: mint, exchange and verify them with no API call.

IVS accepts participant tokens that your backend signs itself: an ES384 JWT signed with the
private half of a P-384 key pair whose public half you imported with
[`PublicKey.import_key`][ivsrt.resources.PublicKey.import_key]. Minting one is a local
computation (thousands per second on one core), where ``CreateParticipantToken`` is a network
round trip capped at 50 TPS; and only self-signed tokens can be *exchanged* (a participant swaps
its token for one with other capabilities or attributes without reconnecting).

```python
from ivsrt import PublicKey
from ivsrt.tokens import TokenSigner, generate_key_pair, verify

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

from ivsrt.tokens._claims import (
    InvalidTokenError,
    TokenClaims,
    TokenError,
    TokenExpiredError,
    verify,
)
from ivsrt.tokens._keys import PrivateKeyLike, PublicKeyLike
from ivsrt.tokens._signer import (
    DEFAULT_CAPABILITIES,
    DEFAULT_DURATION,
    Capability,
    KeyPair,
    TokenSigner,
    generate_key_pair,
)

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

from ivsrt._exceptions import publish_exceptions as _publish_exceptions

_publish_exceptions("ivsrt.tokens", globals(), __all__)
