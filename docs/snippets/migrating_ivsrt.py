"""The migration guide's ivsrt side: the same program with ivsrt's resources."""

import asyncio

import ivsrt
from ivsrt import Stage
from ivsrt.models import ParticipantTokenConfiguration as Tok


async def main() -> None:
    # --8<-- [start:setup]
    async with ivsrt.Client(region="us-west-2"):
        # --8<-- [end:setup]
        # --8<-- [start:create]
        stage, (alice,) = await Stage.create_with_tokens(
            name="town-hall",
            tags={"team": "live"},
            participant_token_configurations=[
                Tok(user_id="alice",
                    capabilities=["PUBLISH"]),
            ],
        )
        arn = stage.arn
        token = alice.token
        print(alice)  # the token is not in the repr
        # --8<-- [end:create]
        assert token
        # --8<-- [start:update]
        stage = await stage.update(
            name="town-hall-2"
        )
        name = stage.name
        # --8<-- [end:update]
        assert name == "town-hall-2"
        # --8<-- [start:list]
        async for s in Stage.list(page_size=50):
            print(s.arn, s.name)
        # --8<-- [end:list]
        # --8<-- [start:errors]
        try:
            await Stage.get(arn + "-gone")
        except ivsrt.ResourceNotFoundError as exc:
            message = exc.message
        # --8<-- [end:errors]
            print("not found:", message)
        # --8<-- [start:json]
        stage = await stage.refresh()
        body = ivsrt.to_json(stage, keys="wire")
        # --8<-- [end:json]
        print(body[:60])
        # --8<-- [start:delete]
        await stage.delete()
        # --8<-- [end:delete]


asyncio.run(main())
