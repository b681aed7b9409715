"""The pytest plugin's configuration: the ``ivsrt_emulator`` marker, the ``ivsrt_emulator_*``
ini options (in a fresh project run by a pytest subprocess), the factory fixture for several
emulators, ``ivs_client`` as the test's ambient client, and pytest-xdist workers each with
their own emulators."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

import ivsrt
from ivsrt.emulator import Emulator
from ivsrt.emulator.pytest_plugin import EmulatorFactory

ROOT = Path(__file__).resolve().parents[2]


def _boto(emu: Emulator, region: str) -> Any:
    return boto3.client(
        "ivs-realtime",
        region_name=region,
        endpoint_url=emu.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _stage_arn(emu: Emulator) -> str:
    return str(_boto(emu, "us-west-2").create_stage(name="s")["stage"]["arn"])


def _clock(emu: Emulator) -> dict[str, Any]:
    with urllib.request.urlopen(emu.control_url + "clock", timeout=30) as resp:
        body: dict[str, Any] = json.loads(resp.read())
        return body


@pytest.mark.ivsrt_emulator(region="eu-west-1", account_id="111122223333", frozen_clock=True)
async def test_the_marker_sets_the_emulators_options(
    ivs_emulator: Emulator, ivs_client: ivsrt.Client
) -> None:
    assert ivsrt.current_client() is ivs_client  # the test's ambient client
    stage = await ivsrt.Stage.create(name="marked")
    assert stage.arn.startswith("arn:aws:ivs:eu-west-1:111122223333:stage/")
    assert (await asyncio.to_thread(_clock, ivs_emulator))["frozen"] is True


_STARTED: list[Emulator] = []


@pytest.mark.ivsrt_emulator(seed=5)
async def test_the_factory_starts_more_emulators(
    ivs_emulator: Emulator, ivs_emulator_factory: EmulatorFactory
) -> None:
    same = await ivs_emulator_factory()  # the options ivs_emulator has: seed 5
    other = await ivs_emulator_factory(seed=6, account_id="222233334444")
    _STARTED.extend([same, other])
    assert len({ivs_emulator.endpoint_url, same.endpoint_url, other.endpoint_url}) == 3
    arns = [await asyncio.to_thread(_stage_arn, e) for e in _STARTED]
    first = await asyncio.to_thread(_stage_arn, ivs_emulator)
    assert arns[0] == first  # same seed, same ids
    assert arns[1].startswith("arn:aws:ivs:us-west-2:222233334444:stage/")
    assert arns[1].rsplit("/")[-1] != first.rsplit("/")[-1]


def test_the_factorys_emulators_are_stopped_after_the_test() -> None:
    assert len(_STARTED) == 2  # runs after the test above (file order)
    for emu in _STARTED:
        with pytest.raises(RuntimeError, match="not started"):
            _ = emu.endpoint_url


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _project(tmp_path: Path, ini: str, tests: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n"
        'asyncio_mode = "auto"\n'
        'asyncio_default_fixture_loop_scope = "function"\n' + textwrap.dedent(ini)
    )
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["ivsrt.emulator.pytest_plugin"]\n')
    (tmp_path / "test_it.py").write_text(textwrap.dedent(tests))
    return tmp_path


def test_the_ini_options_configure_every_fixture(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        """
        ivsrt_emulator_region = "ap-northeast-1"
        ivsrt_emulator_seed = "7"
        ivsrt_emulator_frozen_clock = true
        ivsrt_emulator_limits = ["max_stages=2"]
        """,
        """
        import pytest
        from ivsrt.emulator import Emulator

        async def test_ivs_emulator(ivs_emulator, ivs_client):
            assert ivs_emulator.region == "ap-northeast-1"
            assert ivs_emulator.clock.frozen
            assert ivs_emulator.limits.max_stages == 2
            arn = (await ivs_client.api.create_stage(name="x")).stage.arn
            assert arn.startswith("arn:aws:ivs:ap-northeast-1:")
            async with Emulator(seed=7) as seven, seven.client(region="ap-northeast-1") as c:
                assert (await c.api.create_stage(name="x")).stage.arn == arn

        async def test_factory(ivs_emulator_factory):
            emu = await ivs_emulator_factory(limits=None)
            assert emu.region == "ap-northeast-1" and emu.clock.frozen
            assert emu.limits.max_stages == 100

        def test_shared_and_reset(ivs_emulator_shared, ivs_emulator_reset):
            assert ivs_emulator_reset.clock.frozen
            assert ivs_emulator_shared.region == "ap-northeast-1"

        @pytest.mark.ivsrt_emulator(regoin="eu-west-1")
        def test_a_misspelt_option(ivs_emulator):
            pass
        """,
    )
    done = _pytest(project)
    out = done.stdout + done.stderr
    assert "3 passed, 1 error" in out, out
    assert "@pytest.mark.ivsrt_emulator: regoin not an option of ivsrt.emulator.Emulator" in out


def test_a_bad_ini_seed_is_a_usage_error(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        'ivsrt_emulator_seed = "seven"\n',
        "def test_it(ivs_emulator_shared):\n    pass\n",
    )
    done = _pytest(project)
    assert done.returncode != 0
    assert "ivsrt_emulator_seed: 'seven' is not an integer or none" in done.stdout + done.stderr


def test_each_xdist_worker_has_its_own_emulators(tmp_path: Path) -> None:
    record = tmp_path / "records"
    record.mkdir()
    project = _project(
        tmp_path / "project",
        "",
        f"""
        import json, os
        import pytest

        @pytest.mark.parametrize("n", range(6))
        async def test_it(n, ivs_emulator, ivs_emulator_reset, ivs_client):
            await ivs_client.api.create_stage(name=f"s{{n}}")
            async with ivs_emulator_reset.client() as shared:
                await shared.api.create_stage(name=f"s{{n}}")
                assert len((await shared.api.list_stages()).stages) == 1  # reset: only ours
            row = {{
                "worker": os.environ["PYTEST_XDIST_WORKER"],
                "shared": ivs_emulator_reset.endpoint_url,
                "own": ivs_emulator.endpoint_url,
            }}
            with open({str(record)!r} + f"/{{n}}.json", "w") as out:
                json.dump(row, out)
        """,
    )
    done = _pytest(project, "-n", "2")
    assert "6 passed" in done.stdout, done.stdout + done.stderr
    rows = [json.loads(p.read_text()) for p in record.iterdir()]
    shared = {row["worker"]: row["shared"] for row in rows}
    assert len(shared) == 2  # two workers, each with its own session emulator
    assert len(set(shared.values())) == 2
    for row in rows:
        assert row["own"] != row["shared"]
