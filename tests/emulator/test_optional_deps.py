"""Without the ``emulator`` extra, the emulator says what to install instead of failing deep in
its imports. Each case runs a real interpreter with an import hook (``import_blocker/``, on
``PYTHONPATH``) that makes a package look missing or old; nothing of ivsrt is replaced."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from ivsrt.emulator._requires import INSTALL_HINT, REQUIREMENTS

ROOT = Path(__file__).resolve().parents[2]
BLOCKER = Path(__file__).resolve().parent / "import_blocker"
HINT = "pip install 'ivsrt[emulator]'"


def _run(args: list[str], cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("IVSRT_TEST_")}
    environ.update(env, PYTHONPATH=os.pathsep.join([str(BLOCKER), str(ROOT)]))
    return subprocess.run(
        args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_hint_is_the_documented_command() -> None:
    assert INSTALL_HINT == HINT


def test_the_checked_versions_are_the_extras() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    extra = re.search(r"^emulator = \[(.*?)^\]", pyproject, re.M | re.S)
    assert extra is not None
    lowest = {
        name: tuple(int(p) for p in version.split("."))
        for name, version in re.findall(r'"([\w-]+)>=([\d.]+)', extra.group(1))
    }
    assert set(lowest) == {"aiohttp", "cryptography"}
    assert {dist: low for dist, low in REQUIREMENTS.values()} == lowest


def test_importing_the_emulator_without_aiohttp_names_the_install_command() -> None:
    # aiohttp's client comes with aiobotocore; the server half is what the extra adds
    done = _run([sys.executable, "-c", "import ivsrt.emulator"], IVSRT_TEST_BLOCK="aiohttp.web")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: ivsrt.emulator needs the 'emulator' extra")
    assert "aiohttp>=3.14 is not installed" in last
    assert last.endswith(f"Install it with: {HINT}")


def test_an_aiohttp_older_than_the_extra_is_named_with_its_version() -> None:
    done = _run([sys.executable, "-c", "import ivsrt.emulator"], IVSRT_TEST_AIOHTTP_VERSION="3.9.5")
    assert done.returncode == 1
    assert "aiohttp>=3.14 is needed, 3.9.5 is installed" in done.stderr
    assert HINT in done.stderr


def test_the_sdk_itself_works_without_the_extra() -> None:
    code = "import ivsrt, ivsrt.tokens; print(ivsrt.Client.__name__)"
    done = _run([sys.executable, "-c", code], IVSRT_TEST_BLOCK="aiohttp.web")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Client"


def test_the_command_line_says_what_to_install_in_one_line() -> None:
    done = _run([sys.executable, "-m", "ivsrt.emulator", "--help"], IVSRT_TEST_BLOCK="aiohttp.web")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert HINT in done.stderr
    assert "usage:" not in done.stdout


def test_the_pytest_plugin_without_pytest_asyncio_says_so(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["ivsrt.emulator.pytest_plugin"]\n')
    (tmp_path / "test_it.py").write_text(
        textwrap.dedent(
            """
            import boto3

            def test_the_shared_emulator_works(ivs_emulator_reset):
                client = boto3.client(
                    "ivs-realtime", region_name="us-west-2",
                    endpoint_url=ivs_emulator_reset.endpoint_url,
                    aws_access_key_id="test", aws_secret_access_key="test",
                )
                assert client.create_stage(name="sync")["stage"]["name"] == "sync"

            def test_an_async_fixture(ivs_client):
                pass
            """
        )
    )
    done = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        IVSRT_TEST_BLOCK="pytest_asyncio",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    out = done.stdout + done.stderr
    assert "1 passed, 1 error" in out, out
    assert (
        "the ivs_client fixture (ivsrt.emulator.pytest_plugin) needs pytest-asyncio: "
        "pip install pytest-asyncio"
    ) in out
