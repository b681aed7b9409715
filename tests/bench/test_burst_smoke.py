"""Smoke test of the burst benchmark: ``bench/burst.py``'s `run` at a small scale against an
emulator enforcing the service's rates (in this process, to stay fast; the script runs it in
its own), and its table. ivsrt with its limiter receives no throttled response and fails no
call (pacing, not speed, is asserted: the machine is shared); the unpaced client is
throttled, so the emulator did enforce."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ivsrt.emulator import Emulator

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "burst.py"


def _burst() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_burst", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_burst", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.ivsrt_limits(rate_limits="service")
async def test_small_burst_ivsrt_is_never_throttled(
    ivs_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    burst = _burst()
    rows = await burst.run(ivs_emulator.endpoint_url, 0.04, ["ivsrt", "ivsrt-unpaced"])
    burst.report(burst.counts(0.04), rows)
    out = capsys.readouterr().out
    assert re.search(
        r"^burst: 40 CreateParticipantToken, 8 GetStage, 4 ListParticipants; floor 1\.6 s",
        out,
        re.M,
    ), out
    for mode in ("ivsrt", "ivsrt-unpaced"):
        assert re.search(rf"^{mode}\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\s+\d+$", out, re.M), out
    assert re.search(r"^target ivsrt <= 1\.1x floor, 0 throttled, 0 failed: (met|NOT met)$",
                     out, re.M), out  # fmt: skip
    assert rows["ivsrt"]["calls"] == 52
    assert rows["ivsrt"]["throttled"] == 0
    assert rows["ivsrt"]["failed"] == 0
    assert rows["ivsrt"]["ratio"] > 0.6  # paced: 8 GetStage at 5 TPS take 1.4 s at least
    assert rows["ivsrt-unpaced"]["throttled"] > 0
    assert ivs_emulator.throttled_count() == rows["ivsrt-unpaced"]["throttled"]
