"""Smoke test of the soak (``bench/soak.py --quick``, the run of ``make soak`` scaled down): every
scenario runs to the end against its own emulator process and meets its zero targets (nothing
duplicated, orphaned, lost, untyped or leaked). Timing is not asserted (the machine is shared)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "soak.py"
SCENARIOS = {
    "storm default policy",
    "storm max_attempts=5",
    "mixed",
    "reset after apply",
    "outage (100% 503)",
    "cancel",
}


def test_quick_soak_meets_every_zero_target(tmp_path: Path) -> None:
    figures = tmp_path / "soak.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(figures.read_text())
    assert {r["scenario"] for r in rows} == SCENARIOS
    zero = [r for r in rows if r["target"] == "0"]
    assert [r for r in zero if r["value"] != 0] == []
    # every scenario checks its sockets and ResourceWarnings, and the table shows each row
    for scenario in SCENARIOS:
        metrics = {r["metric"] for r in zero if r["scenario"] == scenario}
        assert {"sockets open after close", "ResourceWarnings"} <= metrics, scenario
        assert "untyped exceptions" in metrics, scenario
    for r in rows:
        assert r["metric"] in done.stdout
    by = {(r["scenario"], r["metric"]): r["value"] for r in rows}
    assert by[("mixed", "calls")] == 200
    assert by[("outage (100% 503)", "requests per call")] >= 1
    assert by[("reset after apply", "stages per CreateStage call")] == 1


def test_the_socket_count_sees_an_open_socket() -> None:
    """The soak's leak column would read 0 whatever happened if it could not count sockets."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from soak import open_sockets
    finally:
        sys.path.remove(str(ROOT / "bench"))
    before = open_sockets()
    with socket.socket() as sock:
        assert sock.fileno() >= 0
        assert open_sockets() == before + 1
    assert open_sockets() == before
