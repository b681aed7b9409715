"""Smoke test of ``bench/emulator_cost.py --quick``: it starts the emulator and the aiohttp
peer, measures the three requests and prints their ratios. No timing is asserted (the machine
is shared); only that every figure was measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_measures_every_request(tmp_path: Path) -> None:
    figures = tmp_path / "cost.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "emulator_cost.py"), "--quick", "--json", figures],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(figures.read_text())
    assert set(rows) == {"GetStage", "ListParticipants (100)", "CreateStage"}
    for name, row in rows.items():
        assert row["emulator_us"] > 0, name
        assert name in done.stdout
    assert rows["GetStage"]["target"] == 3.0
    assert rows["ListParticipants (100)"]["target"] == 4.0
