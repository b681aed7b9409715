"""Shared test configuration. Each area keeps its fixtures in its own folder's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["ivsrt.emulator.pytest_plugin"]

_AWS_VARS = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IVS_REALTIME",
    "AWS_ENDPOINT_URL_IVS",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "IVSRT_TARGET",
)


@pytest.fixture(autouse=True)
def isolated_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS settings leak in from the machine into any test: empty config and credentials
    files, no AWS_* variables, no instance metadata lookups."""
    for name in _AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    creds = tmp_path / "aws-credentials"
    config.write_text("")
    creds.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
