"""Strict going out: mypy (the .venv's, run as a subprocess) flags a misspelt enum value in a
request, and accepts the correct spelling, the enum member and a response compared with ``==``."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEADER = """\
import ivsrt
from ivsrt import models as m

ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcd"


async def use(ivs: ivsrt.Client) -> None:
"""


def _mypy(tmp_path: Path, body: str) -> tuple[int, str, int]:
    """Run mypy --strict on HEADER + body; return (exit code, output, line of the body's first line)."""
    source = HEADER + textwrap.indent(textwrap.dedent(body), "    ")
    path = tmp_path / "snippet.py"
    path.write_text(source)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr, HEADER.count("\n") + 1


def test_a_misspelt_capability_is_a_mypy_error(tmp_path: Path) -> None:
    code, out, first = _mypy(
        tmp_path,
        """\
        await ivs.api.create_participant_token(stage_arn=ARN, capabilities=["PUBLSH"])
        m.ParticipantTokenConfiguration(user_id="bob", capabilities=["SUBSCRIBER"])
        await ivs.api.create_ingest_configuration(ingest_protocol="SRT")
    """,
    )
    assert code == 1, out
    lines = {int(n) for n in re.findall(r"snippet\.py:(\d+): error", out)}
    assert lines == {first, first + 1, first + 2}, out
    assert "PUBLSH" in out


def test_correct_values_pass_mypy(tmp_path: Path) -> None:
    code, out, _ = _mypy(
        tmp_path,
        """\
        await ivs.api.create_participant_token(stage_arn=ARN, capabilities=["PUBLISH", "SUBSCRIBE"])
        await ivs.api.create_participant_token(stage_arn=ARN, capabilities=[m.ParticipantTokenCapability.PUBLISH])
        m.ParticipantTokenConfiguration(user_id="bob", capabilities=["SUBSCRIBE"])
        got = await ivs.api.create_ingest_configuration(ingest_protocol="RTMP", insecure_ingest=True)
        if got.ingest_configuration is not None and got.ingest_configuration.state == "ACTIVE":
            print(got.ingest_configuration.arn)
    """,
    )
    assert code == 0, out
    assert "error" not in out
