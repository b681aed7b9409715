"""The migration guide's aiobotocore side: IVS Real-Time with plain aiobotocore."""

import asyncio
import json

from aiobotocore.session import get_session


async def main() -> None:
    # --8<-- [start:setup]
    session = get_session()
    async with session.create_client(
        "ivs-realtime", region_name="us-west-2"
    ) as ivs:
        # --8<-- [end:setup]
        # --8<-- [start:create]
        resp = await ivs.create_stage(
            name="town-hall",
            tags={"team": "live"},
            participantTokenConfigurations=[
                {"userId": "alice",
                 "capabilities": ["PUBLISH"]},
            ],
        )
        arn = resp["stage"]["arn"]
        token = resp["participantTokens"][0]["token"]
        # print(resp) would show the token
        # --8<-- [end:create]
        assert token
        # --8<-- [start:update]
        resp = await ivs.update_stage(
            arn=arn, name="town-hall-2"
        )
        name = resp["stage"]["name"]
        # --8<-- [end:update]
        assert name == "town-hall-2"
        # --8<-- [start:list]
        # (botocore has no paginators for
        # ivs-realtime: follow nextToken)
        kwargs = {"maxResults": 50}
        while True:
            page = await ivs.list_stages(**kwargs)
            for s in page["stages"]:
                print(s["arn"], s.get("name"))
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        # --8<-- [end:list]
        # --8<-- [start:errors]
        try:
            await ivs.get_stage(arn=arn + "-gone")
        except ivs.exceptions.ResourceNotFoundException as exc:
            message = exc.response["exceptionMessage"]
        # --8<-- [end:errors]
            print("not found:", message)
        # --8<-- [start:json]
        got = await ivs.get_stage(arn=arn)
        body = json.dumps(got["stage"], default=str)
        # --8<-- [end:json]
        print(body[:60])
        # --8<-- [start:delete]
        await ivs.delete_stage(arn=arn)
        # --8<-- [end:delete]


asyncio.run(main())
