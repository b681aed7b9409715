"""Smoke test of the overhead benchmark: ``bench/overhead.py --quick`` runs to the end against its
own server process and prints the table (raw aiobotocore, capo-ivs-realtime, ivsrt), the ratio
lines, the import times and the memory figures. No timing is asserted (the machine
is shared); only that every figure was measured and the ratios are the ones computed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "overhead.py"

RATIO_LINES = (
    "ivsrt/capo GetStage c=1 CPU per call",
    "ivsrt/capo GetStage c=32 CPU per call",
    "ivsrt/capo CreateStage 12 tokens CPU per call",
    "ivsrt/capo ListParticipants walk items/s",
    "ivsrt/capo ListParticipants walk CPU per item",
    "ivsrt/capo Client construction CPU",
    "ivsrt/raw GetStage c=1 CPU per call",
    "ivsrt/raw ListParticipants walk items/s",
)
SCENARIOS = (
    "GetStage c=1",
    "GetStage c=32",
    "CreateStage 12 tokens",
    "ListParticipants walk",
    "Client construction",
)


def test_quick_run_prints_the_table_and_the_ratios(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--quiet", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout

    # The table: one row per scenario and contender, with numbers in it.
    for scenario in SCENARIOS:
        for impl in ("raw", "capo", "ivsrt"):
            assert re.search(rf"^{re.escape(scenario)}\s+{impl}\s+\d+\.\d", out, re.M), out

    # The ratio lines, each with a positive number, matching the figures written as JSON.
    results = json.loads(figures.read_text())
    for name in RATIO_LINES:
        match = re.search(rf"^ratio {re.escape(name)}: (\d+\.\d+)x", out, re.M)
        assert match is not None, out
        assert float(match.group(1)) > 0
        # printed with 3 decimals, stored with 4: equal up to the printed rounding
        assert abs(float(match.group(1)) - results["ratios"][name]) <= 0.0005 + 1e-9

    # The ratio is computed from the rows of the same run.
    rows = results["rows"]
    capo, typed = rows["GetStage c=1 | capo"], rows["GetStage c=1 | ivsrt"]
    expected = typed["cpu_per_call_us"] / capo["cpu_per_call_us"]
    assert abs(results["ratios"]["ivsrt/capo GetStage c=1 CPU per call"] - expected) < 0.01
    # The walk saw every participant the server holds (1,000 in a quick run), in pages of 100.
    walk = rows["ListParticipants walk | ivsrt"]
    assert (walk["calls_per_round"], walk["items_per_round"]) == (10, 1000)
    assert rows["ListParticipants walk | raw"]["items_per_round"] == 1000
    assert rows["ListParticipants walk | capo"]["items_per_round"] == 1000
    assert walk["items_per_s"] > 0
    # The memory of the walked participants and the import times, for every contender.
    assert results["memory_items"] == {"raw": 1000, "capo": 1000, "ivsrt": 1000}
    assert all(size > 0 for size in results["memory_bytes"].values())
    assert set(results["imports_ms"]) == {
        "ivsrt",
        "aiobotocore.session",
        "capo",
        "ivsrt + operations",
    }
    assert re.search(r"^import ivsrt - import aiobotocore.session: [+-]\d+ ms", out, re.M), out
    # The targets are reported (met or not), never silently dropped.
    assert "target <= 1.0)" in out
    assert "target >= 1.0)" in out
    assert "target <= +40 ms)" in out
    assert len(results["targets"]) == 7  # 4 vs capo, import, 2 resource layer
