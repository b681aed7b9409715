"""The install story of the README holds: a built wheel carries the whole package (with its
license files and version), and an editable install is one that type checkers can follow.

Both run offline and quickly: no build isolation and no index (the build backend comes from this
virtualenv, see the ``dev`` extra), and the temporary virtualenv borrows this one's packages
through a ``.pth`` line instead of installing them again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from ivsrt._version import __version__

ROOT = Path(__file__).resolve().parents[2]

_OFFLINE = (
    "--no-deps",
    "--no-build-isolation",
    "--no-index",
    "--quiet",
    "--disable-pip-version-check",
)


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return proc


def _purelib(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return Path(out.stdout.strip())


def test_wheel_holds_the_package_its_license_files_and_version(tmp_path: Path) -> None:
    # Built from a copy, so the checkout gets no build/ or egg-info from the test.
    src = tmp_path / "src"
    shutil.copytree(ROOT / "ivsrt", src / "ivsrt", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        shutil.copy(ROOT / name, src / name)
    dist = tmp_path / "dist"
    proc = _run(sys.executable, "-m", "pip", "wheel", *_OFFLINE, "-w", dist, src, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = dist.glob("*.whl")
    assert wheel.name == f"ivsrt-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    info = f"ivsrt-{__version__}.dist-info"
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/NOTICE", "ivsrt/py.typed"} <= names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ivsrt").rglob("*.py")}
    assert sources - names == set()  # every module ships (the emulator included)
    assert {n.split("/")[0] for n in names} == {"ivsrt", info}  # and nothing else does
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    assert "\nLicense-Expression: Apache-2.0\n" in metadata


SAMPLE = """\
from typing_extensions import assert_type

import ivsrt


async def main() -> None:
    async with ivsrt.Client(region="us-west-2") as ivs:
        assert_type(ivs, ivsrt.Client)
        stage = await ivsrt.Stage.create(name="town-hall")
        assert_type(stage, ivsrt.Stage)
        assert_type(stage.name, str | None)
        async for s in ivsrt.Stage.list():
            assert_type(s, ivsrt.Stage)


wrong: int = ivsrt.__version__  # the one error mypy must report: ivsrt's types are real
"""


def test_mypy_follows_an_editable_install(tmp_path: Path) -> None:
    """``pip install -e .`` (as the README and the Makefile do it) writes a static path that
    mypy reads: it finds ivsrt, with its real types. With setuptools' import-hook finder (what
    a flat layout gets without ``package-dir``) it reports "Cannot find implementation or
    library stub" and every type is Any."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60
    )
    python = venv / "bin" / "python"
    site = _purelib(python)
    # This virtualenv's packages (attrs, aiobotocore, typing-extensions, setuptools...) without
    # installing them again. The line is a plain path: its own .pth files (among them this
    # checkout's editable install) are not processed, so ivsrt is found only through the
    # temporary virtualenv's editable install.
    (site / "zz_borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    proc = _run(
        *(sys.executable, "-m", "pip", "--python", python, "install", *_OFFLINE, "-e", ROOT),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (pth,) = site.glob("__editable__*ivsrt*.pth")
    lines = [ln for ln in pth.read_text().splitlines() if ln.strip()]
    assert lines == [str(ROOT)], lines  # a static path, not an "import ..." finder hook

    sample = tmp_path / "app.py"
    sample.write_text(SAMPLE)
    proc = _run(
        *(sys.executable, "-m", "mypy", "--strict", "--no-error-summary"),
        *("--python-executable", python, "--cache-dir", tmp_path / "mypy-cache", sample.name),
        cwd=tmp_path,
    )
    wrong_line = SAMPLE.splitlines().index(
        "wrong: int = ivsrt.__version__  # the one error mypy must report: ivsrt's types are real"
    )
    expected = (
        f"app.py:{wrong_line + 1}: error: Incompatible types in assignment "
        '(expression has type "str", variable has type "int")  [assignment]'
    )
    assert proc.stdout.strip().splitlines() == [expected], proc.stdout + proc.stderr
    assert proc.returncode == 1
