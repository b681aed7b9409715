"""The README's Python samples run, unchanged, against the bundled emulator.

They are written for AWS (``ivsrt.Client(region="us-west-2")``); botocore's
``AWS_ENDPOINT_URL_IVS_REALTIME`` setting points them at the emulator, as the README tells users.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import textwrap
from pathlib import Path

import pytest

from ivsrt.emulator import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"


def _samples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def _as_coroutine_program(sample: str) -> str:
    """A fragment with top-level ``async with`` becomes the body of a coroutine."""
    if "asyncio.run(" in sample:
        return sample
    return (
        "import asyncio\nimport ivsrt\n\nasync def _main():\n"
        + textwrap.indent(sample, "    ")
        + "\n\nasyncio.run(_main())\n"
    )


def test_readme_has_python_samples() -> None:
    assert len(_samples()) >= 2


@pytest.mark.parametrize("index", range(len(_samples())))
def test_readme_sample_runs_against_the_emulator(
    index: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _as_coroutine_program(_samples()[index])
    out = io.StringIO()

    async def run() -> None:
        async with Emulator() as emu:
            monkeypatch.setenv("AWS_ENDPOINT_URL_IVS_REALTIME", emu.endpoint_url)
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
            with contextlib.redirect_stdout(out):
                # The sample calls asyncio.run itself, so it runs in a thread of its own.
                await asyncio.to_thread(exec, compile(program, "README.md", "exec"), {})
            assert emu.request_count("CreateStage") == 1

    asyncio.run(run())
    printed = out.getvalue()
    assert "arn:aws:ivs:us-west-2:123456789012:stage/" in printed
    assert "eyJ" not in printed  # no participant token (a JWT) was printed
