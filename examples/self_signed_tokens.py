"""Self-signed participant tokens: import a public key, mint tokens with no API call, join a
stage with one, exchange it for a token that may publish, and verify tokens.

    python examples/self_signed_tokens.py            # a local emulator (no AWS account)
    python examples/self_signed_tokens.py --aws      # real AWS (IVSRT_TARGET=aws says the same)

On the emulator a simulated client joins with the minted token (through the emulator's HTTP
control surface, as a real app joins through WebRTC). On AWS the script prints the tokens'
participant ids (never their values) and deletes the stage and the public key at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator

import aiohttp

import ivsrt
from ivsrt import PublicKey, Stage
from ivsrt.tokens import TokenSigner, generate_key_pair, verify


class Media:
    """What a real client app does with a token, through the emulator's control surface."""

    def __init__(self, endpoint_url: str, http: aiohttp.ClientSession) -> None:
        self._base = endpoint_url.rstrip("/") + "/_emulator/"
        self._http = http

    async def join(self, token: str) -> str:
        async with self._http.post(self._base + "join", json={"token": token}) as resp:
            body = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"join refused: {body.get('error')}: {body.get('message')}")
            participant_id: str = body["participantId"]
            return participant_id


@contextlib.asynccontextmanager
async def connect(endpoint_url: str | None, aws: bool) -> AsyncIterator[Media | None]:
    """An ambient client for the block and, on an emulator, the simulated client app."""
    if aws:
        async with ivsrt.Client(region=os.environ.get("AWS_REGION", "us-west-2")):
            yield None
        return
    async with contextlib.AsyncExitStack() as stack:
        if endpoint_url is None:
            from ivsrt.emulator import Emulator

            endpoint_url = (await stack.enter_async_context(Emulator())).endpoint_url
        await stack.enter_async_context(
            ivsrt.Client(
                region="us-west-2",
                endpoint_url=endpoint_url,
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
        )
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield Media(endpoint_url, http)


async def main(endpoint_url: str | None = None, *, aws: bool = False) -> dict[str, object]:
    """Run the example; returns what it observed (for the tests)."""
    seen: dict[str, object] = {}
    async with connect(endpoint_url, aws) as media:
        # Once: a key pair. Keep the private PEM in a secrets manager; import the public one.
        keys = generate_key_pair()
        key = await PublicKey.import_key(public_key_material=keys.public_pem, name="example")
        assert key.arn is not None
        signer = TokenSigner(private_key=keys.private_pem, public_key_arn=key.arn)
        stage = await Stage.create(name="self-signed-example")
        try:
            # Per participant: mint (no API call), as many as needed.
            started = time.perf_counter()
            tokens = [signer.mint(stage, user_id=f"viewer-{i}") for i in range(500)]
            rate = len(tokens) / (time.perf_counter() - started)
            print(f"minted {len(tokens)} tokens locally ({rate:,.0f} per second)")

            guest = signer.mint(stage, user_id="guest", capabilities=["SUBSCRIBE"], duration=60)
            print(f"guest token: {guest!r}")  # the token value is never in the repr
            if media is not None:
                joined = await media.join(guest.token)
                participant = await guest.participant()
                print(f"joined as {joined} (user_id={participant.user_id})")
                seen["joined"] = joined
                seen["user_id"] = participant.user_id

            # The host promotes the guest: same participant, new capabilities.
            speaker = signer.exchange(guest, capabilities=["PUBLISH", "SUBSCRIBE"])
            claims = verify(speaker, key)
            print(
                f"exchanged: participant {claims.participant_id} may now "
                f"{' and '.join(str(c) for c in claims.capabilities)}"
            )
            seen["participant_id"] = guest.participant_id
            seen["exchanged_participant_id"] = claims.participant_id
            seen["capabilities"] = [str(c) for c in claims.capabilities]
            seen["minted"] = len(tokens)
        finally:
            await stage.delete()
            await key.delete()
            print("deleted the stage and the public key")
    return seen


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--aws", action="store_true", help="use real AWS")
    parser.add_argument("--endpoint-url", help="a running emulator (python -m ivsrt.emulator)")
    args = parser.parse_args()
    use_aws = args.aws or os.environ.get("IVSRT_TARGET", "").lower() == "aws"
    asyncio.run(main(args.endpoint_url, aws=use_aws))
