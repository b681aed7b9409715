"""Smoke test of the token benchmark: ``bench/tokens.py --quick`` runs to the end and prints the
table, tokens per second, the ratio to the API's 50 TPS and the target line. No speed is asserted
(the machine is shared); only that every figure was measured and the ratio is the one computed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "tokens.py"


def test_quick_run_prints_rate_ratio_and_target(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for name in ("mint", "exchange", "verify"):
        assert re.search(rf"^{name}\s+\d+\s+\d+\s+\d+%$", out, re.M), out
    rate = re.search(r"^tokens minted per second \(one core\): (\d+)$", out, re.M)
    ratio = re.search(r"^ratio to CreateParticipantToken's 50 TPS: (\d+\.\d)x$", out, re.M)
    assert rate is not None, out
    assert ratio is not None, out
    assert re.search(r"^target >= 2000 tokens/s: (met|NOT met)$", out, re.M), out

    results = json.loads(figures.read_text())
    minted = results["rows"]["mint"]["per_cpu_s"]
    assert minted > 0
    assert abs(int(rate.group(1)) - minted) <= 0.5 + 1e-9
    assert abs(results["ratio_to_api"] - minted / 50) < 1e-9
    assert abs(float(ratio.group(1)) - results["ratio_to_api"]) <= 0.05 + 1e-9
    assert results["target_met"] is (minted >= 2000)
