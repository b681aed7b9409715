"""ivsrt calls the API of the model it ships, whatever the installed botocore knows, and never
changes a session the caller passes in."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore
from aiobotocore.session import AioSession, get_session

import ivsrt
from tests._model import shipped_model, source_model
from tests.typed._server import RecordingServer, Reply
from tests.typed.conftest import make_client
from tests.typed.test_wire import AUTH, _expected_signature

SHIPPED_OPERATIONS = {"ivs-realtime": 40, "ivs": 46}


def _old_model_dir(tmp: Path) -> Path:
    """A botocore data folder whose ivs-realtime model lacks RevokeConnectionToken, as the
    botocore that aiobotocore 3.10 pins (1.43.117) does."""
    model = dict(shipped_model("ivs-realtime"))
    model["operations"] = {
        k: v for k, v in model["operations"].items() if k != "RevokeConnectionToken"
    }
    folder = tmp / "ivs-realtime" / "2020-07-14"
    folder.mkdir(parents=True)
    (folder / "service-2.json.gz").write_bytes(gzip.compress(json.dumps(model).encode()))
    return tmp


def _session_without_revoke(tmp: Path) -> AioSession:
    session = get_session()
    session.get_component("data_loader").search_paths.insert(0, str(_old_model_dir(tmp)))
    return session


def test_the_shipped_models_have_every_operation_of_the_release() -> None:
    for service, count in SHIPPED_OPERATIONS.items():
        assert len(shipped_model(service)["operations"]) == count
        assert (
            shipped_model(service)["operations"].keys()
            == source_model(service)["operations"].keys()
        )
    assert "RevokeConnectionToken" in shipped_model("ivs-realtime")["operations"]


def test_the_shipped_models_carry_no_documentation() -> None:
    for service in SHIPPED_OPERATIONS:
        text = json.dumps(shipped_model(service))
        assert '"documentation"' not in text
        assert '"documentation"' in json.dumps(source_model(service))


async def test_revoke_connection_token_goes_out_on_a_session_that_lacks_it(
    server: RecordingServer, tmp_path: Path
) -> None:
    session = _session_without_revoke(tmp_path)
    paths_before = list(session.get_component("data_loader").search_paths)
    async with session.create_client(
        "ivs-realtime",
        region_name="eu-central-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
    ) as theirs:
        assert not hasattr(theirs, "revoke_connection_token")  # the premise

    async with make_client(server.url, session=session) as ivs:
        await ivs.api.revoke_connection_token(token_id="pA1b2C3d4")

    (rec,) = server.requests
    assert (rec.method, rec.raw_path) == ("POST", "/RevokeConnectionToken")
    assert rec.json() == {"tokenId": "pA1b2C3d4"}
    match = AUTH.match(rec.headers["Authorization"])
    assert match is not None
    assert (match["region"], match["service"]) == ("eu-central-1", "ivs")
    assert match["sig"] == _expected_signature(server, rec)

    # The caller's session is as it was: its own clients still have the model they had.
    assert session.get_component("data_loader").search_paths == paths_before
    async with session.create_client(
        "ivs-realtime",
        region_name="eu-central-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
    ) as theirs:
        assert not hasattr(theirs, "revoke_connection_token")


async def test_a_session_ivsrt_creates_loads_the_shipped_model(server: RecordingServer) -> None:
    server.reply(
        "POST", "/ListFailoverSlateConfigurations", Reply({"failoverSlateConfigurations": []})
    )
    async with ivsrt.Client(
        region="eu-central-1",
        endpoint_url=server.url,
        aws_access_key_id="a",
        aws_secret_access_key="b",
        retry=ivsrt.RetryPolicy.none(),
    ) as ivs:
        await ivs.channels.list_failover_slate_configurations()
        await ivs.api.revoke_connection_token(token_id="tok_1")
    assert [r.raw_path for r in server.requests] == [
        "/ListFailoverSlateConfigurations",
        "/RevokeConnectionToken",
    ]


def test_botocore_data_path_is_a_botocore_data_folder() -> None:
    root = Path(ivsrt.botocore_data_path())
    assert (root / "ivs-realtime" / "2020-07-14" / "service-2.json.gz").is_file()
    assert (root / "ivs" / "2020-07-14" / "endpoint-rule-set-1.json.gz").is_file()
    assert botocore.__version__  # the installed one is whatever aiobotocore pins
