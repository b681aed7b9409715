"""Quickstart: a stage, a participant, a composition, against a local emulator.

python3 -m pip install '.[emulator]'   # from a checkout of ivsrt (not on PyPI yet)
python quickstart.py
"""

import asyncio

from ivsrt import EncoderConfiguration, Stage, StorageConfiguration
from ivsrt.emulator import Emulator
from ivsrt.models import (
    DestinationConfiguration,
    S3DestinationConfiguration,
    S3StorageConfiguration,
)


async def main() -> None:
    # Against AWS, this line is `async with ivsrt.Client(region="us-west-2"):`
    async with Emulator() as emu, emu.client():
        # 1. A stage, and a token for alice to join it with.
        stage = await Stage.create(name="quickstart", tags={"team": "live"})
        alice = await stage.create_participant_token(
            user_id="alice", capabilities=["PUBLISH", "SUBSCRIBE"]
        )
        print("stage", stage.arn)
        print("alice's token:", alice)  # the token itself is not printed

        # 2. alice's browser joins and publishes (the emulator plays the browser here).
        emu.join(alice.token)
        emu.publish(alice.token)
        async for participant in stage.participants(state="CONNECTED"):
            print("connected:", participant.user_id, "published:", participant.published)

        # 3. Record the stage to S3 with a server-side composition.
        encoder = await EncoderConfiguration.create(name="hd")
        storage = await StorageConfiguration.create(
            s3=S3StorageConfiguration(bucket_name="my-recordings")
        )
        composition = await stage.start_composition(
            destinations=[
                DestinationConfiguration(
                    s3=S3DestinationConfiguration(
                        storage_configuration_arn=storage.arn,
                        encoder_configuration_arns=[encoder.arn],
                    )
                )
            ]
        )
        print("composition", composition.state)  # STARTING
        emu.clock.advance(5)  # on AWS, real time passes instead
        composition = await composition.wait_until_active(timeout=60)
        print("composition", composition.state)  # ACTIVE

        # 4. Stop everything and clean up.
        await composition.stop()
        emu.clock.advance(5)
        await composition.wait_until_stopped(timeout=60)
        emu.leave(alice.token)
        await stage.delete()
        print("done")


if __name__ == "__main__":
    asyncio.run(main())
