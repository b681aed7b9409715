"""ivsrt and aioboto3 in one process: aioboto3 15.5 pins aiobotocore 2.25.1, the lowest
aiobotocore ivsrt supports. `make compat-lowest` installs aioboto3 and runs this; the default
suite (aiobotocore 3.10, which aioboto3 15.5 cannot use) does not have it."""

from __future__ import annotations

import pytest

import ivsrt
from ivsrt.emulator import Emulator

aioboto3 = pytest.importorskip("aioboto3", reason="installed by `make compat-lowest` only")


async def test_ivsrt_and_aioboto3_share_a_process(ivs_emulator: Emulator) -> None:
    session = aioboto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=ivs_emulator.region
    )
    async with session.client("ivs-realtime", endpoint_url=ivs_emulator.endpoint_url) as theirs:
        created = (await theirs.create_stage(name="from-aioboto3"))["stage"]
        assert not hasattr(theirs, "revoke_connection_token")  # botocore 1.40's own model

        async with ivsrt.Client(
            region=ivs_emulator.region,
            endpoint_url=ivs_emulator.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        ) as ivs:
            stage = await ivsrt.Stage.get(created["arn"])
            assert stage.name == "from-aioboto3"
            token = await stage.create_participant_token(user_id="alice")
            await ivs.api.revoke_connection_token(token_id=token.participant_id)

        listed = (await theirs.list_stages())["stages"]
        assert [s["name"] for s in listed] == ["from-aioboto3"]
