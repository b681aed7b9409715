"""Every example of examples/ runs against the emulator."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ivsrt.emulator import Emulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"ivsrt_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def test_watch_participants(capsys: pytest.CaptureFixture[str]) -> None:
    events = await _load("watch_participants").main()  # starts its own emulator
    assert set(events) == {"alice", "bob", "carol"}
    assert events["bob"] == ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"]
    assert events["alice"] == ["JOINED", "PUBLISH_STARTED"]
    out = capsys.readouterr().out
    assert out.count("joined: ") == 3


async def test_composition_to_s3_and_channel() -> None:
    async with Emulator(composition_start_delay=0.2, composition_stop_delay=0.1) as emu:
        states = await _load("composition").main(emu.endpoint_url, fast_polling=True)
        assert emu.request_count("StartComposition") == 1
        assert emu.request_count("DeleteStage") == 1
    assert states == ["STARTING", "ACTIVE", "STOPPED"]


async def test_rtmp_ingest(capsys: pytest.CaptureFixture[str]) -> None:
    async with Emulator() as emu:
        seen = await _load("rtmp_ingest").main(emu.endpoint_url, fast_polling=True)
        assert emu.request_count("DeleteIngestConfiguration") == 1
    assert seen == ["INACTIVE", "ACTIVE", "INACTIVE"]
    out = capsys.readouterr().out
    assert "stream_key" not in out
    assert "detached: stage_arn=''" in out


@pytest.mark.parametrize(
    ("argv", "target"),
    [([], None), (["--emulator"], None), (["--emulator"], "aws"), ([], "emulator")],
)
async def test_quickstart_starts_its_own_emulator(
    argv: list[str],
    target: str | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The emulator is the default; ``--emulator`` wins over ``IVSRT_TARGET=aws``."""
    if target is None:
        monkeypatch.delenv("IVSRT_TARGET", raising=False)
    else:
        monkeypatch.setenv("IVSRT_TARGET", target)
    await _load("quickstart").main(argv)
    out = capsys.readouterr().out
    assert out.startswith("Started a local IVS Real-Time emulator at http://127.0.0.1:")
    steps = [line for line in out.splitlines() if line[:2] in {f"{i}." for i in range(1, 9)}]
    assert [s.split(".")[0] for s in steps] == [str(i) for i in range(1, 9)]
    assert "composition is STOPPED" in out
    assert out.rstrip().endswith("deleted the stages, ingest, encoder and storage configurations")


async def test_quickstart_against_a_running_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    async with Emulator() as emu:
        url = emu.endpoint_url  # cleared by stop()
        await _load("quickstart").main(["--endpoint-url", url])
        assert emu.request_count("CreateStage") == 6
        assert emu.request_count("DeleteStage") == 6
    out = capsys.readouterr().out
    assert out.startswith(f"Using the emulator at {url}")
    assert "stage session st-" in out


def test_quickstart_target_choice() -> None:
    """Real AWS only when asked: ``--aws`` or ``IVSRT_TARGET=aws``, and an explicit flag wins
    over the environment variable (checked without running: AWS is not reachable here)."""
    module = _load("quickstart")

    def choose(argv: list[str], environ: dict[str, str]) -> str:
        parser = argparse.ArgumentParser()
        parser.add_argument("--emulator", action="store_true")
        parser.add_argument("--endpoint-url")
        parser.add_argument("--aws", action="store_true")
        target: str = module.choose_target(parser.parse_args(argv), environ)
        return target

    assert choose([], {}) == "emulator"
    assert choose([], {"IVSRT_TARGET": "aws"}) == "aws"
    assert choose([], {"IVSRT_TARGET": "AWS"}) == "aws"
    assert choose([], {"IVSRT_TARGET": "emulator"}) == "emulator"
    assert choose(["--aws"], {}) == "aws"
    assert choose(["--emulator"], {"IVSRT_TARGET": "aws"}) == "emulator"
    assert choose(["--endpoint-url", "http://127.0.0.1:1"], {"IVSRT_TARGET": "aws"}) == "endpoint"


async def test_self_signed_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    async with Emulator() as emu:
        seen = await _load("self_signed_tokens").main(emu.endpoint_url)
        assert emu.request_count("CreateParticipantToken") == 0  # every token minted locally
        assert emu.request_count("ImportPublicKey") == 1
        assert emu.request_count("DeletePublicKey") == 1
    assert seen["minted"] == 500
    assert seen["joined"] == seen["participant_id"] == seen["exchanged_participant_id"]
    assert seen["user_id"] == "guest"
    assert seen["capabilities"] == ["PUBLISH", "SUBSCRIBE"]
    out = capsys.readouterr().out
    assert "token=" not in out  # the repr hides the token value
    assert "eyJ" not in out  # no JWT printed anywhere


async def test_event_handler(capsys: pytest.CaptureFixture[str]) -> None:
    module = _load("event_handler")
    seen = await module.main()  # starts its own emulator
    # newest first and one redelivery: bob's late "Published" must not bring him back
    assert sorted(seen["outcomes"]) == ["APPLIED", "APPLIED", "DUPLICATE", "STALE"]
    assert seen["outcomes"][-1] == "DUPLICATE"
    assert len(seen["publishing"]) == 1
    assert seen["bob"] not in seen["publishing"]
    out = capsys.readouterr().out
    assert "publishing now: alice (" in out
    # the Lambda entry point takes the EventBridge event itself
    event = {
        "version": "0",
        "id": "0f1e2d3c-0000-4000-8000-00000000abcd",
        "detail-type": "IVS Stage Update",
        "source": "aws.ivs",
        "account": "123456789012",
        "time": "2024-06-04T12:00:00Z",
        "region": "us-west-2",
        "resources": ["arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij"],
        "detail": {
            "session_id": "st-ZyXwvu1T2s",
            "event_name": "Participant Published",
            "user_id": "carol",
            "participant_id": "carol1",
        },
    }
    assert module.handler(event, None) == {"outcome": "APPLIED"}
    assert module.handler(event, None) == {"outcome": "DUPLICATE"}
    assert module.PUBLISHING[event["resources"][0]] == {"carol1"}
