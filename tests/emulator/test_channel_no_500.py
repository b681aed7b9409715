"""No input makes the emulator answer 500 on the IVS channel API: every operation, called with
only its required members and with every member, for resources that exist and do not, through
a raw aiobotocore ``ivs`` client (no client-side validation)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from aiobotocore.session import get_session
from botocore.exceptions import ClientError

import ivsrt
from ivsrt._generated.channels.constraints import INPUT_SHAPES, OPERATIONS
from ivsrt.emulator import Emulator
from tests.emulator.conftest import raw_config


def _value(shape_name: str, arns: dict[str, str], everything: bool) -> Any:
    shape = INPUT_SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        return {
            wire: _value(member["shape"], arns, everything)
            for wire, member in ((m["wire"], m) for m in shape["members"].values())
            if everything or wire in shape["required"]
        }
    if kind == "list":
        return [_value(shape["member"], arns, everything)]
    if kind == "map":
        return {"key": "value"}
    if kind == "boolean":
        return True
    if kind in ("integer", "long"):
        return int(shape.get("min", 1))
    if kind == "timestamp":
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    pattern = str(shape.get("pattern", ""))
    match = re.search(r":([a-z-]+)/", pattern)
    if "arn:aws:ivs" in pattern and match and match.group(1) in arns:
        return arns[match.group(1)]
    if "mediatailor" in pattern:
        return "arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/x"
    if "st-" in pattern:
        return "st-" + "a" * 23
    if shape.get("min", 0) == 2 and shape.get("max") == 2:
        return "US"
    return "abcdefABCDEF"


async def _exercise(client: Any, arns: dict[str, str], statuses: list[tuple[str, int]]) -> None:
    for op, spec in sorted(OPERATIONS.items()):
        for everything in (False, True):
            params = {} if spec["input"] is None else _value(spec["input"], arns, everything)
            try:
                await getattr(client, spec["python_name"])(**params)
                statuses.append((op, 200))
            except ClientError as exc:
                statuses.append((op, exc.response["ResponseMetadata"]["HTTPStatusCode"]))


async def test_no_channel_operation_answers_500() -> None:
    session = get_session()
    session.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
    async with (
        Emulator() as emu,
        session.create_client(
            "ivs",
            region_name="us-west-2",
            endpoint_url=emu.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=raw_config(),
        ) as client,
    ):
        statuses: list[tuple[str, int]] = []
        # resources that do not exist
        missing = {
            kind: f"arn:aws:ivs:us-west-2:123456789012:{kind}/zzzz"
            for kind in (
                "channel",
                "stream-key",
                "playback-key",
                "recording-configuration",
                "playback-restriction-policy",
                "ad-configuration",
                "failover-slate-configuration",
            )
        }
        await _exercise(client, missing, statuses)
        # resources that do, one live channel among them
        created = await client.create_channel()
        existing = dict(missing)
        existing["channel"] = created["channel"]["arn"]
        existing["stream-key"] = created["streamKey"]["arn"]
        emu.start_stream(existing["channel"])
        await _exercise(client, existing, statuses)
    assert [s for s in statuses if s[1] >= 500] == []
    assert len(statuses) == 4 * len(OPERATIONS)
