"""One version string: ivsrt/_version.py. Everything else reads it, and this test fails if any
place that shows a version disagrees with it."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import ivsrt
import ivsrt.client
from ivsrt._version import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_written_once_and_pyproject_reads_it() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^dynamic = \[[^]]*"version"', project, flags=re.M), project
    assert not re.search(r"^version\s*=", project, flags=re.M), "a second version string"
    assert 'version = { attr = "ivsrt._version.__version__" }' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?(?:\.dev\d+)?", __version__)


def test_every_place_that_shows_the_version_agrees() -> None:
    assert ivsrt.__version__ == __version__
    # The client's User-Agent suffix (``ivsrt/<VERSION>``).
    assert __version__ == ivsrt.client.VERSION
    # The installed distribution's metadata (written from _version.py when it was installed:
    # after changing the version, reinstall with `make .venv/.installed`).
    assert importlib.metadata.version("ivsrt") == __version__


def test_changelog_has_this_version_and_an_unreleased_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^]]+)\]", changelog, flags=re.M)
    assert headings[0] == "Unreleased"
    assert __version__ in headings


def test_license_is_the_full_text_and_notice_names_the_model_data() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text
    assert "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text  # the full text, not a pointer
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    assert "botocore" in notice
    assert "Amazon.com, Inc." in notice
    assert "ivsrt/_generated" in notice
    # That both ship in the wheel's dist-info: tests/packaging/test_install.py.
